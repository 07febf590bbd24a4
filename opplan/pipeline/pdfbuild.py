"""``opplan build --format pdf``: each node's Word document printed by LibreOffice, and the
other formats asked for beside it."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from opplan.build import BuildResult, Built, render_report
from opplan.model import NodeId
from opplan.model.diagnostics import Diagnostic, Source, error, sort_diagnostics
from opplan.render.pdf import PdfError, write_pdfs
from opplan.report.records import Report


def build_with_pdf(
    report: Report,
    cycle_dir: Path,
    out: Path,
    node: NodeId | None,
    jobs: int,
    formats: Sequence[str],
    progress: Callable[[Iterator[Built], int], Iterator[Built]] | None,
    diags: list[Diagnostic],
) -> BuildResult:
    """:func:`build` when ``formats`` has ``pdf``: the PDFs (and the Word documents when
    ``docx`` is asked for too), then the other formats."""
    out.mkdir(parents=True, exist_ok=True)
    pdf = build_pdfs(
        report,
        cycle_dir,
        out,
        node=node,
        jobs=jobs,
        keep_docx="docx" in formats,
        progress=progress,
    )
    others = [f for f in formats if f not in ("pdf", "docx")]
    rest = (
        render_report(
            report,
            cycle_dir,
            out,
            node=node,
            jobs=jobs,
            formats=others,
            progress=progress,
            diagnostics=diags,
        )
        if others
        else BuildResult(diags, [])
    )
    return BuildResult(
        sort_diagnostics([*rest.diagnostics, *pdf.diagnostics]),
        [*pdf.files, *rest.files],
        report=report,
    )


def build_pdfs(
    report: Report,
    cycle_dir: Path,
    out: Path,
    *,
    node: NodeId | None = None,
    jobs: int = 1,
    keep_docx: bool = False,
    progress: Callable[[Iterator[Built], int], Iterator[Built]] | None = None,
) -> BuildResult:
    """Write ``<id>.pdf`` for every node of the (sub)tree: each node's Word document, printed
    by LibreOffice (:mod:`opplan.render.pdf`). The documents stay in ``out`` with
    ``keep_docx``, else they are rendered into a staging directory and removed."""
    with tempfile.TemporaryDirectory(dir=out, prefix=".opplan-docx-") as staging:
        where = out if keep_docx else Path(staging)
        docs = render_report(
            report, cycle_dir, where, node=node, jobs=jobs, formats=("docx",), progress=progress
        )
        try:
            pdfs = write_pdfs([f for f in docs.files if f.suffix == ".docx"], out)
        except PdfError as exc:
            where_src = Source(str(cycle_dir))
            return BuildResult([*docs.diagnostics, error(where_src, str(exc), "pdf")], [])
    files = [*(docs.files if keep_docx else []), *pdfs]
    return BuildResult(docs.diagnostics, files)
