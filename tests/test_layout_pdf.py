"""The sample's documents as LibreOffice prints them: no orphaned heading, no broken word.

Every document of the sample is built, all are converted to PDF in one soffice call, and
each page of ``pdftotext -layout`` is read (pages are split by form feeds). Headings and
cell texts come from the document plans, so the tests follow whatever the documents hold.
Without soffice they skip, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator

import pytest
from conftest import REPO
from reviewkit import need_libreoffice

from opplan.engine.rollup import rollup
from opplan.load.loader import load
from opplan.narrative.markdown import (
    CodeBlock,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Table,
    plain,
)
from opplan.render.docx.grids import Grid
from opplan.render.docx.plan import DocPlan, Element, Renderer, Title, plan_document, search_path

SAMPLE = REPO / "samples" / "northwind-op1-2027"
FOOTER = re.compile(r"Page \d+ of \d+")
WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[dict[str, DocPlan], dict[str, list[str]]]:
    """Every node's document plan and its PDF's pages as text (one soffice call)."""
    need_libreoffice()
    from opplan.pipeline import build
    from opplan.util import libreoffice

    cycle, _ = load(SAMPLE)
    report = rollup(cycle)
    renderer = Renderer(report, search_path(cycle.dir))
    plans = {nid: plan_document(node, renderer) for nid, node in report.nodes.items()}
    out = tmp_path_factory.mktemp("layout")
    assert build(SAMPLE, out, formats=("docx",)).ok
    pdfs = libreoffice.convert(sorted(out.glob("*.docx")), "pdf", out / "pdf")
    pages = {}
    for pdf in pdfs:
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        pages[pdf.stem] = text.split("\f")
    assert set(pages) == set(plans)
    return plans, pages


def _norm(text: str) -> str:
    return " ".join(text.split())


def _texts(e: Element) -> Iterator[str]:
    """Every text an element prints."""
    if isinstance(e, (Paragraph, Heading)):
        yield plain(e.spans)
    elif isinstance(e, (ListBlock, Quote)):
        for inner in (
            (b for item in e.items for b in item.blocks) if isinstance(e, ListBlock) else e.blocks
        ):
            yield from _texts(inner)
    elif isinstance(e, Table):
        yield from (plain(c) for c in (*e.header, *(c for row in e.rows for c in row)))
    elif isinstance(e, CodeBlock):
        yield e.text
    elif isinstance(e, Grid):
        yield from (c.title for c in e.columns)
        yield from (c for row in e.rows for c in row)
    elif isinstance(e, Title):
        yield e.text
        yield from (plain(line.spans) for line in e.lines)


def last_lines(page: str) -> str | None:
    """The last line of text on a page, footer left out."""
    lines = [_norm(line) for line in page.splitlines() if line.strip()]
    lines = [line for line in lines if not FOOTER.fullmatch(line)]
    return lines[-1] if lines else None


def ends_a_heading(line: str, headings: set[str]) -> bool:
    """A heading's last line: the whole heading, or the end of one that wraps."""
    return any(h == line or (len(line) > 3 and h.endswith(" " + line)) for h in headings)


@pytest.mark.libreoffice
def test_no_heading_is_the_last_text_on_a_page(sample) -> None:
    plans, pages = sample
    orphans = []
    for nid, plan in plans.items():
        headings = {
            _norm(plain(e.spans)) for e in (*plan.body, *plan.appendix) if isinstance(e, Heading)
        }
        assert headings, nid
        for number, page in enumerate(pages[nid], start=1):
            last = last_lines(page)
            if last is not None and ends_a_heading(last, headings):
                orphans.append(f"{nid} page {number}: {last}")
    assert orphans == []


def vocabulary(plan: DocPlan) -> set[str]:
    """Every word the document holds (and the footer's)."""
    words = {"Page", "of"}
    for e in (*plan.body, *plan.appendix):
        words.update(w for text in _texts(e) for w in WORD.findall(text))
    return words


@pytest.mark.libreoffice
def test_no_word_is_broken_across_lines(sample) -> None:
    """Every word LibreOffice printed is a word of the document: "Recommendati" and
    "ons" (a cell word broken in a narrow column) are not."""
    plans, pages = sample
    broken = {}
    for nid, plan in plans.items():
        printed = {w for page in pages[nid] for w in WORD.findall(page)}
        if printed - vocabulary(plan):
            broken[nid] = sorted(printed - vocabulary(plan))
    assert broken == {}


@pytest.mark.libreoffice
def test_every_word_of_a_team_column_prints_whole(sample) -> None:
    """The narrow Team columns, where "Recommendations" broke: no printed piece of a
    team's name is a word's start or end that the document does not hold."""
    plans, pages = sample
    broken = set()
    for nid, plan in plans.items():
        pieces = {w for page in pages[nid] for w in WORD.findall(page)} - vocabulary(plan)
        for e in (*plan.body, *plan.appendix):
            titles = [c.title for c in e.columns] if isinstance(e, Grid) else []
            if isinstance(e, Grid) and "Team" in titles:
                cells = (row[titles.index("Team")] for row in e.rows)
                words = {w for c in cells for w in WORD.findall(c)}
                broken |= {
                    f"{nid}: {w} printed as {p}"
                    for w in words
                    for p in pieces
                    if w.startswith(p) or w.endswith(p)
                }
    assert broken == set()


def test_the_scan_finds_an_orphaned_heading() -> None:
    """The page scan itself: a heading last on a page is found, a heading in prose is not."""
    headings = {"State of the business", "Strategic priorities for the year ahead"}
    page = "Some text.\n\n   State of the business\n\n     Page 1 of 7\n"
    assert ends_a_heading(last_lines(page) or "", headings)
    assert ends_a_heading("for the year ahead", headings)
    assert not ends_a_heading("We describe the state of the business.", headings)
    assert last_lines("\n  Page 2 of 7\n") is None
