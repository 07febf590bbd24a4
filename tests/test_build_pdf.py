"""``opplan build --format pdf``: the Word documents printed by LibreOffice, and the one-line
summary a build prints when nobody watches a progress bar.

The PDF tests need LibreOffice: without soffice they skip with a reason, except in CI (CI=true),
where they fail (``need_libreoffice``).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO
from pypdf import PdfReader
from reviewkit import need_libreoffice

from opplan.cli import cli

SAMPLE = REPO / "samples" / "northwind-op1-2027"
_FOOTER = re.compile(r"Page \d+ of \d+")


def build(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["build", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def body_pages(pdf: Path) -> int:
    """Pages with text before the one where the Appendix heading starts.

    A page whose only text is its footer ("Page 4 of 6") is not counted: when a body fills
    its last page exactly, the break before the appendix leaves such a page, which the
    page-limit check (rightly) does not count as a page of the body.
    """
    count = 0
    for page in PdfReader(str(pdf)).pages:
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        if "Appendix" in lines:
            return count
        count += any(not _FOOTER.fullmatch(line) for line in lines)
    raise AssertionError(f"{pdf.name} has no Appendix heading")


def test_a_build_says_what_it_wrote_when_not_on_a_terminal(tmp_path: Path) -> None:
    code, stdout, stderr = build(str(SAMPLE), "--out", str(tmp_path / "out"), "--node", "kyc")
    assert (code, stdout) == (0, "")
    assert stderr.splitlines()[-1] == f"Wrote 1 document and 1 workbook to {tmp_path}/out/"


def test_pdf_without_libreoffice_is_one_clear_error(tmp_path: Path) -> None:
    code, _, stderr = build(
        str(SAMPLE),
        "--out",
        str(tmp_path / "out"),
        "--format",
        "pdf",
        env={"OPPLAN_SOFFICE": str(tmp_path / "no-soffice")},
    )
    assert code == 1
    assert stderr == (
        "Error: PDF output needs LibreOffice, which is not installed here: install it (the "
        "package 'libreoffice' on Linux, or from libreoffice.org; set OPPLAN_SOFFICE to the "
        "soffice program if it is not on the PATH), or build --format docx and print to PDF "
        "from Word\n"
    )
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def sample_pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole sample built as PDF (and nothing else) through the CLI."""
    need_libreoffice()
    out = tmp_path_factory.mktemp("pdf")
    code, _, stderr = build(str(SAMPLE), "--out", str(out), "--format", "pdf", "--jobs", "2")
    assert code == 0, stderr
    assert stderr.splitlines()[-1] == f"Wrote 34 PDFs to {out}/"
    return out


def test_pdf_is_written_for_every_node_and_nothing_else(sample_pdfs: Path) -> None:
    names = sorted(p.name for p in sample_pdfs.iterdir())
    assert len(names) == 34 and all(n.endswith(".pdf") for n in names), names
    assert "northwind.pdf" in names


def test_pdf_page_counts_match_the_page_limit_check(sample_pdfs: Path) -> None:
    """Every PDF's body (the pages before the Appendix) has as many pages as the page-limit
    check counts for that body in LibreOffice (whether that is within the limit is the
    check's verdict, tested with the page limit)."""
    from opplan.engine.rollup import rollup
    from opplan.load.loader import load
    from opplan.render.docx.pagelimit import body_plans, count_pages
    from opplan.render.docx.plan import Renderer, search_path

    cycle, _ = load(SAMPLE)
    report = rollup(cycle)
    plans, problems = body_plans(report, Renderer(report, search_path(cycle.dir)), report.nodes)
    assert problems == []
    counted = count_pages(plans, report.cycle, "exact")
    in_pdf = {node: body_pages(sample_pdfs / f"{node}.pdf") for node in plans}
    expected = {node: math.ceil(count.pages) for node, count in counted.items()}
    assert in_pdf == expected
