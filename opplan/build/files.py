"""One node's files: each renderer's bytes, written atomically, or the error that stopped them.

A renderer is ``fn(context, node_id) -> bytes``; add a format by adding an entry to
:data:`RENDERERS`. A narrative or template that fails to render is reported at its file
and line and none of the node's documents is written; the other nodes' are.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from opplan.model import NodeId
from opplan.model.diagnostics import Diagnostic, Source, error
from opplan.narrative.templating import TemplateError
from opplan.render.docx.pagelimit import template_diagnostic
from opplan.render.docx.plan import Renderer as DocRenderer
from opplan.render.docx.plan import plan_document
from opplan.render.docx.writer import layout
from opplan.report.records import NodeReport, Report
from opplan.util.atomic import write_bytes
from opplan.util.gcpause import paused_for_garbage


@dataclass
class BuildContext:
    """What renderers share within one worker process: the report and the template path."""

    report: Report
    templates: tuple[Path, ...]
    _doc: DocRenderer | None = field(default=None, repr=False)

    def doc_renderer(self) -> DocRenderer:
        """The narrative/template renderer of this process (created once, caches contexts)."""
        if self._doc is None:
            self._doc = DocRenderer(self.report, self.templates)
        return self._doc

    def __getstate__(self) -> dict[str, object]:
        return {"report": self.report, "templates": self.templates, "_doc": None}


Renderer = Callable[[BuildContext, NodeId], bytes]


def build_docx(ctx: BuildContext, node_id: NodeId) -> bytes:
    """The six-page narrative ``<id>.docx``."""
    plan = plan_document(ctx.report.nodes[node_id], ctx.doc_renderer())
    return layout(plan, ctx.report.cycle)


def build_xlsx(ctx: BuildContext, node_id: NodeId) -> bytes:
    """The review workbook ``<id>.xlsx``."""
    from opplan.render.xlsx.workbook import render_xlsx as xlsx

    return xlsx(ctx.report, node_id)


RENDERERS: dict[str, Renderer] = {"docx": build_docx, "xlsx": build_xlsx}
"""Output formats by file extension."""


@dataclass(frozen=True)
class Built:
    """One node's outcome: files written, or the template error that stopped it."""

    node: NodeId
    files: tuple[Path, ...]
    problem: Diagnostic | None = None
    sha256: tuple[str, ...] = ()  # of each file's bytes, for the build manifest


def render_failure(node: NodeReport, fmt: str, exc: Exception) -> Diagnostic:
    """A node whose document could not be rendered, as an error at its narrative or plan.

    Nothing ``check`` accepts should get here; if something does, that node's
    documents are refused with this error and every other node's are written.
    """
    where = node.narrative.path if node.narrative is not None else node.plan_path
    reason = " ".join(str(exc).split())[:200] or type(exc).__name__
    return error(
        Source(where),
        f"{node.id}.{fmt} could not be written from this node's plan and narrative "
        f"({reason}); its documents were skipped and the others written. Simplify the "
        "text it stumbles on, and please report this to the opplan maintainers",
        "render",
    )


def render_one(ctx: BuildContext, node_id: NodeId, fmt: str) -> bytes | Diagnostic:
    """One file's bytes, or the diagnostic that refuses the node's documents."""
    try:
        with paused_for_garbage():
            return RENDERERS[fmt](ctx, node_id)
    except TemplateError as exc:
        return template_diagnostic(exc)
    except Exception as exc:  # one node's failure must not stop the others
        if os.environ.get("OPPLAN_DEBUG"):
            raise
        return render_failure(ctx.report.nodes[node_id], fmt, exc)


def render_node(ctx: BuildContext, node_id: NodeId, out: Path, formats: Sequence[str]) -> Built:
    """Render and write one node's files (none when one of them fails)."""
    rendered: list[tuple[str, bytes | Diagnostic]] = []
    for fmt in formats:
        rendered.append((fmt, render_one(ctx, node_id, fmt)))
        if isinstance(rendered[-1][1], Diagnostic):
            break
    return write_node(node_id, out, rendered)


def write_node(node_id: NodeId, out: Path, rendered: list[tuple[str, bytes | Diagnostic]]) -> Built:
    """Write a node's files when every format rendered; else none of them."""
    outputs: list[tuple[Path, bytes]] = []
    for fmt, data in rendered:
        if isinstance(data, Diagnostic):
            return Built(node_id, (), data)
        outputs.append((out / f"{node_id}.{fmt}", data))
    for path, data in outputs:
        try:
            write_bytes(path, data)
        except OSError as exc:  # name the file (a full disk's error names none, or a temp file)
            exc.filename, exc.filename2 = str(path), None
            raise
    shas = tuple(hashlib.sha256(data).hexdigest() for _, data in outputs)
    return Built(node_id, tuple(p for p, _ in outputs), sha256=shas)
