"""The review workbook's layout, read back with openpyxl (no roll-up engine needed).

The report is built by hand here, as the renderer's contract is the report
model: these tests pin what the sheets hold, that plan text stays text, that
only the review cells are editable and that the bytes are deterministic.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile
from decimal import Decimal as D

import openpyxl
import pytest

from opplan.model import Plan
from opplan.model.costing import Amount
from opplan.render.xlsx.workbook import STACK_HEADERS, render_xlsx
from opplan.report.derive import derived_fields, plan_fields
from opplan.report.records import CycleInfo, NodeReport, RemovedRow, Report, StackRow, Totals
from opplan.report.reviewkeys import FORMAT, META, REVIEW_COLUMNS

HYPERLINK = '=HYPERLINK("http://example.com","click")'
ZERO = Amount()


def _plan() -> Plan:
    return Plan.model_validate(
        {
            "name": "Team",
            "owner": "Tess Team",
            "headcount": [{"role": "SDE", "count": 3}],
            "incremental": [
                {"id": "t1", "title": HYPERLINK, "headcount": [{"role": "SDE", "count": 1}]},
                {"id": "t2", "title": "Two", "headcount": [{"role": "SDE", "count": 2}]},
                {"id": "t3", "title": "Three", "spend": {"tools": 1000}},
            ],
            "review": {
                "budget": {"headcount": 1},
                "decisions": {
                    "team/t2": {"decision": "partial", "headcount": 1, "note": "=SUM(A1:A2)"},
                    "team/t3": {"decision": "cut"},
                },
            },
        }
    )


def _row(
    pos: int,
    ask: str,
    title: str,
    amount: Amount,
    cum: Amount,
    status: str,
    decision: str | None = None,
) -> StackRow:
    return StackRow(
        position=pos,
        ask=f"team/{ask}",
        node="team",
        node_name="Team",
        title=title,
        summary="",
        requested=amount,
        amount=amount,
        status=status,
        forced=decision is not None,
        decision=decision,
        decided_by="team" if decision else None,
        rank=None,
        note=None,
        cumulative=cum,
        child=None,
        child_status=None,
    )


def report() -> Report:
    """A one-node report: t1 above the line, t2 partial (forced), t3 cut."""
    one = Amount(D(1), D("100000.00"), D("100000.00"))
    two = Amount(D(2), D("200000.00"), D("200000.00"))
    flat = Amount(D(3), D("300000.00"), D("300000.00"))
    totals = Totals(
        flat=flat,
        capex=D(0),
        requested=one + two + Amount(D(0), D(1000), D(1000)),
        funded=one + one,
        unfunded=ZERO,
        cut=Amount(D(0), D(1000), D(1000)),
        deferred=ZERO,
    )
    stack = (
        _row(1, "t2", "Two", one, one, "above", "partial"),
        _row(2, "t1", HYPERLINK, one, one + one, "above"),
    )
    removed = (
        RemovedRow(
            ask="team/t3",
            node="team",
            title="Three",
            requested=Amount(D(0), D(1000), D(1000)),
            status="cut",
            by="team",
            note=None,
        ),
    )
    node = NodeReport(
        id="team",
        name="Team",
        owner="Tess Team",
        path="team",
        parent=None,
        depth=0,
        children=(),
        budget_headcount=D(1),
        budget_cost=None,
        totals=totals,
        own=totals,
        approved=totals,
        over_budget=Amount(D(1), D(100000), D(0)),
        stack=stack,
        removed=removed,
        dependencies=(),
        mandates=(),
        goals_at_risk=(),
        headcount=(),
        narrative=None,
        **plan_fields("team", _plan(), ()),
    )
    node = dataclasses.replace(
        node,
        **derived_fields(
            "team", "Team", (), (D(1), None), totals, totals, node.over_budget, stack, (), {}
        ),
    )
    cycle = CycleInfo("Unit OP1 2027", "OP1", 2027, "EUR", dt.date(2026, 9, 15))
    return Report(cycle, "team", {"team": node})


@pytest.fixture(scope="module")
def book() -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(report(), "team")))


def test_sheets_in_order_with_a_very_hidden_metadata_sheet(book):
    assert book.sheetnames == [
        "Summary",
        "Stack",
        "Headcount",
        "Goals",
        "Dependencies",
        "Mandates",
        "Instructions",
        META,
    ]
    assert book[META].sheet_state == "veryHidden"
    assert book[META]["A1"].value == FORMAT and book[META]["B1"].value == 2
    keys = {book[META].cell(r, 1).value: book[META].cell(r, 2).value for r in range(2, 9)}
    assert keys["cycle"] == "Unit OP1 2027" and keys["node"] == "team"


def col(name: str) -> int:
    return STACK_HEADERS.index(name) + 1


def test_review_first_then_live_columns_then_removed_asks(book):
    ws = book["Stack"]
    assert tuple(c.value for c in ws[1])[: len(STACK_HEADERS)] == STACK_HEADERS
    assert STACK_HEADERS[:7] == (
        "Ask",
        "Title",
        "Decision",
        "Partial headcount",
        "Partial cost",
        "Rank",
        "Note",
    )
    assert STACK_HEADERS[7:13] == (
        "Status",
        "Approved plan",
        "Headcount",
        "Cost",
        "Budget used headcount",
        "Budget used cost",
    )
    asks = [ws.cell(r, 1).value for r in range(2, 5)]
    assert asks == ["team/t2", "team/t1", "team/t3"]
    # Status, amounts and budget used are formulas of the review cells
    for header in ("Status", "Headcount", "Cost", "Budget used headcount", "Position"):
        assert ws.cell(2, col(header)).data_type == "f", header
    status = ws.cell(2, col("Status")).value
    assert '"funded by decision"' in status and '"below"' in status
    assert ws.print_area == "'Stack'!$A$1:$M$4"
    assert ws.column_dimensions[ws.cell(1, col("Order key")).column_letter].hidden


def test_plan_text_is_text_never_a_formula(book):
    ws = book["Stack"]
    title = ws.cell(3, col("Title"))
    assert title.value == HYPERLINK and title.data_type == "s"
    note = ws.cell(2, col("Note"))
    assert note.value == "=SUM(A1:A2)" and note.data_type == "s"


def test_review_cells_are_prefilled_and_the_only_unlocked_cells(book):
    ws = book["Stack"]
    assert ws.protection.sheet
    assert ws.cell(2, col("Decision")).value == "partial"
    assert ws.cell(2, col("Partial headcount")).value == 1
    assert ws.cell(4, col("Decision")).value == "cut"
    for r in range(1, 5):
        for header in STACK_HEADERS:
            unlocked = not ws.cell(r, col(header)).protection.locked
            assert unlocked == (r > 1 and header in REVIEW_COLUMNS), (r, header)


def test_decision_dropdown_partial_bounds_per_row_frozen_header_and_filter(book):
    ws = book["Stack"]
    checks = {dv.errorTitle: dv for dv in ws.data_validations.dataValidation}
    assert checks["Decision"].formula1 == '"fund,partial,defer,cut,escalate"'
    assert str(checks["Decision"].sqref) == "C2:C4"
    heads = checks["Partial headcount"]
    requested = ws.cell(1, col("Requested headcount")).column_letter
    assert (heads.operator, heads.formula1, heads.formula2) == ("between", "0", f"{requested}2")
    assert "at most the heads this ask requests" in heads.error
    cost = checks["Partial cost"]
    assert cost.formula2 == f"{ws.cell(1, col('Requested cost')).column_letter}2"
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref.startswith("A1:") and ws.auto_filter.ref.endswith("4")
    assert "€" in ws.cell(2, col("Cost")).number_format
    assert ".00" not in ws.cell(2, col("Cost")).number_format  # whole units


def test_the_line_and_the_colours_follow_the_status(book):
    ws = book["Stack"]
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    formulas = " ".join(f for r in rules for f in r.formula)
    assert '"funded by decision"' in formulas and '"cut"' in formulas
    line = [r for r in rules if r.dxf is not None and r.dxf.border is not None]
    assert line and line[0].dxf.border.bottom.style == "thick"


def test_a_legend_beside_the_stack_and_an_instructions_sheet(book):
    ws = book["Stack"]
    legend = [ws.cell(r, len(STACK_HEADERS) + 2).value for r in range(1, 12)]
    assert any(t and t.startswith("Funded by decision") for t in legend)
    assert any(t and "reorder" in t and "import" in t for t in legend)
    text = " ".join(
        str(c.value) for row in book["Instructions"].iter_rows() for c in row if c.value
    )
    for words in ("opplan build", "opplan review import", "funded by decision", "no budget"):
        assert words in text, words


def test_print_set_up_header_footer_and_row_heights(book):
    ws = book["Stack"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$1:$1"
    assert "&P" in ws.oddFooter.right.text and ws.oddHeader.left.text == "Team (team)"
    assert ws.oddHeader.center.text == "Unit OP1 2027"
    assert ws.row_dimensions[1].height >= 30  # "Budget used headcount" wraps


def test_summary_line_block_and_totals_are_formulas(book):
    ws = book["Summary"]
    cells = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    assert ws.cell(cells["Budget"], 2).value == 1
    assert ws.cell(cells["Headroom"], 2).value.startswith("=IF(B6=")
    assert ws.cell(cells["Binds"], 2).value.startswith("=IF(")
    assert ws.cell(cells["Budget used"], 4).value == 2  # as built: the roll-up's funded
    own, total = cells["team"], cells["Total"]
    assert total == own + 1
    headers = [c.value for c in ws[own - 1]]
    funded = headers.index("Funded headcount") + 1
    assert ws.cell(own, funded).value.startswith("=SUMIFS(Stack!$J$2:$J$4,Stack!$")
    assert ws.cell(total, funded).value.startswith("=SUM(")
    assert ws._charts, "a chart of funded and unfunded cost"


def test_goal_figures_are_numbers(book):
    ws = book["Goals"]
    headers = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        baseline = ws.cell(r, headers.index("Baseline") + 1).value
        if baseline is not None:
            assert isinstance(baseline, (int, float)), baseline


def test_same_report_same_bytes_with_fixed_properties():
    first, second = render_xlsx(report(), "team"), render_xlsx(report(), "team")
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        core = zf.read("docProps/core.xml").decode()
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert "2026-09-15T00:00:00Z" in core


def test_text_cells_wrap_and_numbers_do_not(book):
    """Long names (OMB accounts run to 164 characters) wrap inside their column."""
    stack = book["Stack"]
    headers = [c.value for c in stack[1]]
    title = stack.cell(row=2, column=headers.index("Title") + 1)
    cost = stack.cell(row=2, column=headers.index("Cost") + 1)
    assert title.alignment.wrap_text and not cost.alignment.wrap_text
    summary = book["Summary"]
    names = [c for c in summary["B"] if c.value == "Team (own)"]
    assert names and names[0].alignment.wrap_text


def test_the_summary_states_the_line_as_built_beside_its_formulas(sample_json, sample_report):
    """Every sample manager's Summary: the roll-up's headroom, first ask below, miss and what
    binds, as built, equal the line figures of ``opplan rollup --format json``."""
    nodes, report = sample_json, sample_report
    checked = 0
    for nid, node in report.nodes.items():
        if not node.has_budget:
            continue
        ws = openpyxl.load_workbook(io.BytesIO(render_xlsx(report, nid)))["Summary"]
        rows = {r[0].value: r for r in ws.iter_rows(min_col=1, max_col=5) if r[0].value}
        line = nodes[nid]["line"]

        def built(name: str, col: int, rows: dict = rows) -> object:
            return rows[name][col].value

        for col, dim in ((3, "headcount"), (4, "cost")):
            if line["budget"][dim] is None:
                assert built("Headroom", col) is None, nid
                continue
            assert D(str(built("Headroom", col))) == D(str(line["headroom"][dim])), nid
            if line["first_below"] is not None:
                assert D(str(built("It misses by", col))) == D(str(line["misses_by"][dim])), nid
                assert (built("Binds", col) == "binds") == (dim in line["binds"]), nid
        assert built("First ask below", 3) == line["first_below"], nid
        checked += 1
    assert checked >= 5
