"""The Word document: read back as styled text and compared with golden files (SPEC 10).

Set OPPLAN_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change,
then read the diff.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import docfixtures
import docx
import pytest
from docreadback import read_back

from opplan.render.docx.plan import Renderer, plan_document, search_path
from opplan.render.docx.writer import layout, render_docx
from opplan.report.records import CycleInfo

GOLDEN = Path(__file__).parent / "golden" / "docx"


def build(node: str, report=None) -> bytes:
    report = report or docfixtures.report()
    return render_docx(report.nodes[node], report, search_path(None))


@pytest.mark.parametrize("node", ["acme", "search", "cart"])
def test_read_back_matches_golden(node: str) -> None:
    text = "\n".join(read_back(build(node))) + "\n"
    golden = GOLDEN / f"{node}.txt"
    if os.environ.get("OPPLAN_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_markdown_constructs_map_to_word_constructs() -> None:
    lines = read_back(build("acme"))
    expected = [
        "[Heading 2] Introduction",  # ## heading
        "[List Bullet] **G1** Grow *sales* by 10%.",  # bullets, bold, italic
        "[List Bullet 2] Nested detail with `code`.",  # nested list, inline code
        "[List Number #10] Search relevance.",  # numbered list (restarted)
        "| Search | 5 |",  # pipe table row
        "[No Spacing] `raw = text`",  # code block, monospace
        "[Quote] A quote.",  # block quote
        "[Heading 3] A subheading",  # ### heading
        "[Heading 1] Appendix",  # # Appendix
    ]
    for line in expected:
        assert line in lines, line
    # the appendix opens a page: its heading starts one, with no paragraph holding a break
    # (which would leave a blank page when the body fills its last page)
    heading = next(
        p for p in docx.Document(io.BytesIO(build("acme"))).paragraphs if p.text == "Appendix"
    )
    assert heading.paragraph_format.page_break_before
    assert "[Normal]  [page break]" not in lines
    numbered = read_back(build("search"))
    assert any(
        line.startswith("[List Number #") and line.endswith("**Relevance first.** Then *speed*.")
        for line in numbered
    )


def test_numbered_lists_restart_and_keep_their_start() -> None:
    report = docfixtures.report()
    plan = plan_document(report.nodes["acme"], Renderer(report, search_path(None)))
    text = "1. one\n2. two\n\nBreak.\n\n3. three\n4. four\n"
    from opplan.narrative.markdown import parse

    doc = docx.Document(
        io.BytesIO(
            layout(
                plan.__class__(
                    plan.title, plan.author, plan.subject, tuple(parse(text).body[0].blocks), ()
                ),
                report.cycle,
            )
        )
    )
    numbering = doc.part.numbering_part.element
    ids = [
        p._p.xpath("./w:pPr/w:numPr/w:numId/@w:val")[0]
        for p in doc.paragraphs
        if p.style.name == "List Number"
    ]
    assert ids[0] == ids[1] != ids[2] == ids[3]
    starts = {
        n.get(docx.oxml.ns.qn("w:numId")): n.xpath("./w:lvlOverride/w:startOverride/@w:val")
        for n in numbering.findall(docx.oxml.ns.qn("w:num"))
    }
    assert starts[ids[0]] == ["1"] and starts[ids[2]] == ["3"]


def test_two_builds_are_byte_identical() -> None:
    assert build("acme") == build("acme")
    assert build("search") == build("search")


def test_nothing_depends_on_the_clock(monkeypatch) -> None:
    first = build("acme")
    import time

    monkeypatch.setattr(time, "time", lambda: 4_000_000_000.0)
    monkeypatch.setattr(time, "localtime", lambda *a: __import__("time").gmtime(4e9))
    assert build("acme") == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2026-09-15T00:00:00Z" in core


def test_properties_page_fonts_and_footer() -> None:
    d = docx.Document(io.BytesIO(build("acme")))
    props = d.core_properties
    assert (props.title, props.author) == ("Acme: Acme OP1 2027", "Ada Stone")
    assert props.created.date().isoformat() == "2026-09-15"
    section = d.sections[0]
    assert (section.page_width.inches, section.page_height.inches) == (8.5, 11)
    assert d.styles["Normal"].font.name == "Calibri"
    assert d.styles["Heading 2"].font.name == "Cambria"
    footer = section.footer._element.xml
    assert "Page " in footer and " PAGE " in footer and " NUMPAGES " in footer
    assert "asciiTheme" not in d.styles.element.xml


def test_a4_and_fonts_from_the_cycle() -> None:
    report = docfixtures.report()
    cycle = CycleInfo(
        **{
            **report.cycle.__dict__,
            "page_size": "a4",
            "body_font": "Arial",
            "heading_font": "Georgia",
        }
    )
    report = report.__class__(cycle, report.root, report.nodes)
    d = docx.Document(io.BytesIO(build("cart", report)))
    assert round(d.sections[0].page_width.mm) == 210
    assert d.styles["Normal"].font.name == "Arial"
    assert d.styles["Title"].font.name == "Georgia"


def test_the_line_is_drawn_across_the_stack_table() -> None:
    d = docx.Document(io.BytesIO(build("acme")))
    stack = next(t for t in d.tables if t.rows[0].cells[0].text == "#")
    xml = stack._tbl.xml
    assert "The line: budget 3 heads" in xml
    line_row = next(r for r in stack.rows if "The line" in r.cells[0].text)
    assert 'w:gridSpan w:val="8"' in line_row._tr.xml
    assert 'w:color="C00000"' in line_row._tr.xml


def test_over_budget_warning_and_line_label() -> None:
    from dataclasses import replace

    report = docfixtures.report()
    acme = replace(report.nodes["acme"], over_budget=docfixtures.amt("1", "250000.00"))
    report = report.__class__(report.cycle, report.root, {**report.nodes, "acme": acme})
    lines = read_back(build("acme", report))
    # the budget gives heads only, so the excess is stated in heads
    assert (
        "[Normal] **Over budget.** In Acme's view, the asks funded by decision need 1 head "
        "more than the budget, so every other ask is below the line."
    ) in lines
    line = next(x for x in lines if "The line:" in x)
    assert (
        "The line: budget 3 heads; used 3 heads; the asks funded by decision exceed it by " in line
    )
    assert "exceed it by 1 head." in line


def test_title_block_names_the_path_contributors_state_and_version() -> None:
    from dataclasses import replace

    report = docfixtures.report()
    cart = replace(report.nodes["cart"], contributors=("Bo Li", "Cy Park"), state="submitted")
    report = report.__class__(report.cycle, report.root, {**report.nodes, "cart": cart})
    title, path, people, version = read_back(build("cart", report))[:4]
    assert title == "[Title] Cart"
    assert " · Acme › Cart · Owner: " in path and "cart" not in path.split("·")[1]
    assert people == "[Subtitle] Contributors: Bo Li and Cy Park · State: **submitted**"
    assert re.fullmatch(
        r"\[Subtitle\] Version: OP1 2027, content [0-9a-f]{10}, opplan \S+", version
    )


def test_the_version_digest_follows_what_the_document_prints() -> None:
    from dataclasses import replace

    report = docfixtures.report()
    renderer = Renderer(report, search_path(None))
    acme = report.nodes["acme"]
    digest = plan_document(acme, renderer).body[0].lines[-1]
    assert digest == plan_document(acme, Renderer(report, search_path(None))).body[0].lines[-1]
    text = acme.narrative.text
    moved = replace(acme, narrative=replace(acme.narrative, text="\n\n" + text))
    edited = replace(acme, narrative=replace(acme.narrative, text=text.replace("Because", "So")))
    for node, same in ((moved, True), (edited, False)):
        nodes = {**report.nodes, "acme": node}
        other = Renderer(report.__class__(report.cycle, report.root, nodes), search_path(None))
        assert (plan_document(node, other).body[0].lines[-1] == digest) is same
