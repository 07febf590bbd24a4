"""The page-limit policy: a 6-page body passes, an 8-page one fails; estimate and exact.

The LibreOffice tests (marked ``libreoffice``) also check the sample's documents
(acceptance 1 of the Word issue): they convert to PDF, the Appendix heading
starts at page 7 or earlier, and the PDF uses the intended fonts.
Without soffice they skip, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import REPO
from files import write_tree
from pypdf import PdfReader
from reviewkit import need_libreoffice

from opplan import pipeline
from opplan.render.docx.pagelimit import page_limit_check

SAMPLE = REPO / "samples" / "northwind-op1-2027"
PARA = (
    "We run the search service for the shop and answer every query a shopper types. "
    "The index holds four million products and refreshes every ten minutes. "
    "Last year we cut the share of searches with no result from eight to five percent. "
    "This year we move to learned ranking, which needs two more engineers and a feature "
    "store. "
)
CYCLE = "name: T OP1 2027\nyear: 2027\nas_of: 2026-09-15\nrates: {default: 200000}\n"
PLAN = "name: Acme\nowner: Ada Stone\nheadcount:\n  - {role: SDE, count: 4}\n"
SIX_PAGES, EIGHT_PAGES = 64, 88  # paragraphs: 5.4 and 7.4 pages in LibreOffice


def narrative(paragraphs: int) -> str:
    """Plain prose: a ``##`` section every four paragraphs."""
    return (
        "\n\n".join(f"## Section {i}\n\n{PARA}" if i % 4 == 0 else PARA for i in range(paragraphs))
        + "\n"
    )


def page_diags(base: Path, paragraphs: int, mode: str) -> list[str]:
    write_tree(
        base,
        {"cycle.yaml": CYCLE, "acme/plan.yaml": PLAN, "acme/narrative.md": narrative(paragraphs)},
    )
    checked = pipeline.check(base, extra={"page-limit": page_limit_check(mode)})
    return [d.format() for d in checked.diagnostics if d.rule == "page-limit"]


def test_estimate_six_pages_pass_eight_fail(tmp_path: Path) -> None:
    assert page_diags(tmp_path / "six", SIX_PAGES, "estimate") == []
    [diag] = page_diags(tmp_path / "eight", EIGHT_PAGES, "estimate")
    assert re.fullmatch(
        rf"{tmp_path}/eight/acme/narrative\.md:1:1: error: body is 7\.\d pages, "
        r"limit 6 \(estimate\) \[page-limit\]",
        diag,
    ), diag


def test_off_counts_nothing(tmp_path: Path) -> None:
    assert page_diags(tmp_path, EIGHT_PAGES, "off") == []


def test_template_error_is_reported_at_its_line(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "cycle.yaml": CYCLE,
            "acme/plan.yaml": PLAN,
            "acme/narrative.md": "## Intro\n\nWe have {{ totals.flat.heads }}.\n",
        },
    )
    checked = pipeline.check(tmp_path, extra={"page-limit": page_limit_check("estimate")})
    assert [d.format() for d in checked.diagnostics if d.rule == "template"] == [
        f"{tmp_path}/acme/narrative.md:3:1: error: totals.flat has no key 'heads' "
        "(keys: headcount, cost, run_rate, capex) [template]"
    ]


def test_sample_bodies_fit_by_estimate_and_pass_narrative_style() -> None:
    checked = pipeline.check(SAMPLE, extra={"page-limit": page_limit_check("estimate")})
    assert [
        d.format()
        for d in checked.diagnostics
        if d.rule in ("page-limit", "narrative-style", "template")
    ] == []


@pytest.mark.libreoffice
def test_exact_six_pages_pass_eight_fail(tmp_path: Path) -> None:
    need_libreoffice()
    assert page_diags(tmp_path / "six", SIX_PAGES, "exact") == []
    [diag] = page_diags(tmp_path / "eight", EIGHT_PAGES, "exact")
    assert re.fullmatch(
        rf"{tmp_path}/eight/acme/narrative\.md:1:1: error: body is 7\.\d pages, "
        r"limit 6 \(LibreOffice\) \[page-limit\]",
        diag,
    ), diag
    [auto] = page_diags(tmp_path / "auto", EIGHT_PAGES, "auto")  # near the limit: exact
    assert auto.endswith("(LibreOffice) [page-limit]"), auto


@pytest.mark.libreoffice
def test_every_sample_body_fits_six_pages_exactly() -> None:
    need_libreoffice()
    checked = pipeline.check(SAMPLE, extra={"page-limit": page_limit_check("exact")})
    assert [
        d.format()
        for d in checked.diagnostics
        if d.rule in ("page-limit", "narrative-style", "template")
    ] == []


@pytest.fixture(scope="module")
def sample_pdfs(tmp_path_factory) -> dict[str, Path]:
    """The sample root's and a team's documents, built and converted in one soffice call."""
    need_libreoffice()
    from opplan.pipeline import build
    from opplan.util import libreoffice

    out = tmp_path_factory.mktemp("docs")
    result = build(SAMPLE, out, formats=("docx",))
    assert result.ok
    docs = [out / "northwind.docx", out / "checkout.docx"]
    pdfs = libreoffice.convert(docs, "pdf", out / "pdf")
    return {p.stem: p for p in pdfs}


def appendix_page(pdf: Path) -> int:
    """1-based page where the Appendix heading starts."""
    for number, page in enumerate(PdfReader(str(pdf)).pages, start=1):
        if any(line.strip() == "Appendix" for line in page.extract_text().splitlines()):
            return number
    raise AssertionError(f"no Appendix heading in {pdf}")


@pytest.mark.libreoffice
@pytest.mark.parametrize("node", ["northwind", "checkout"])
def test_sample_document_converts_and_appendix_starts_by_page_7(sample_pdfs, node) -> None:
    pdf = sample_pdfs[node]
    assert len(PdfReader(str(pdf)).pages) > appendix_page(pdf) - 1 >= 1
    assert appendix_page(pdf) <= 7


@pytest.mark.libreoffice
@pytest.mark.parametrize("node", ["northwind", "checkout"])
def test_sample_document_uses_the_intended_fonts(sample_pdfs, node) -> None:
    listing = subprocess.run(
        ["pdffonts", str(sample_pdfs[node])], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    fonts = {line.split()[0].split("+")[-1] for line in listing}
    families = {f.split("-")[0] for f in fonts}
    assert {"Carlito", "Caladea"} <= families, fonts
    assert families <= {"Carlito", "Caladea", "LiberationMono"}, fonts
    assert all(line.split()[-5] == "yes" for line in listing), listing  # embedded


def test_quick_bound_is_above_the_estimate_for_every_sample_body() -> None:
    from opplan.engine.rollup import rollup
    from opplan.load.loader import load
    from opplan.render.docx.pagelimit import body_plans, count_pages, quick_bounds
    from opplan.render.docx.plan import Renderer, search_path

    cycle, _ = load(SAMPLE)
    report = rollup(cycle)
    plans, _ = body_plans(report, Renderer(report, search_path(cycle.dir)), report.nodes)
    estimates = count_pages(plans, report.cycle, "estimate")
    bounds = quick_bounds(cycle)
    assert all(bounds[n] >= float(estimates[n].pages) + 0.5 for n in plans), {
        n: (bounds[n], estimates[n].pages) for n in plans
    }
    # The bound reads the source: a jinja expression counts as its own length, longer than the
    # figure it prints, so the four managers' narratives bound to the data (root, Retail,
    # Payments, Platform) are over 6 by the bound; check renders templated narratives anyway.
    assert sum(b > 6 for b in bounds.values()) <= 4
