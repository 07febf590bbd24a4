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
        META,
    ]
    assert book[META].sheet_state == "veryHidden"
    assert book[META]["A1"].value == FORMAT
    keys = {book[META].cell(r, 1).value: book[META].cell(r, 2).value for r in range(2, 9)}
    assert keys["cycle"] == "Unit OP1 2027" and keys["node"] == "team"


def test_stack_rows_in_order_then_removed_asks(book):
    ws = book["Stack"]
    assert tuple(c.value for c in ws[1]) == STACK_HEADERS
    asks = [ws.cell(r, 2).value for r in range(2, ws.max_row + 1)]
    assert asks == ["team/t2", "team/t1", "team/t3"]
    assert ws["K4"].value == "cut" and ws["L4"].value == "team: cut"
    assert ws["I3"].value == "=I2+F3" and ws["J3"].value == "=J2+G3"


def test_plan_text_is_text_never_a_formula(book):
    ws = book["Stack"]
    title = ws["D3"]
    assert title.value == HYPERLINK and title.data_type == "s"
    note = ws.cell(2, STACK_HEADERS.index("Note") + 1)
    assert note.value == "=SUM(A1:A2)" and note.data_type == "s"


def test_review_cells_are_prefilled_and_the_only_unlocked_cells(book):
    ws = book["Stack"]
    assert ws.protection.sheet
    col = {h: i + 1 for i, h in enumerate(STACK_HEADERS)}
    assert ws.cell(2, col["Decision"]).value == "partial"
    assert ws.cell(2, col["Partial headcount"]).value == 1
    assert ws.cell(4, col["Decision"]).value == "cut"
    for r in range(1, ws.max_row + 1):
        for header, c in col.items():
            unlocked = not ws.cell(r, c).protection.locked
            assert unlocked == (r > 1 and header in REVIEW_COLUMNS), (r, header)


def test_decision_dropdown_frozen_header_filter_and_money_format(book):
    ws = book["Stack"]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists and lists[0].formula1 == '"fund,partial,defer,cut,escalate"'
    assert str(lists[0].sqref) == "O2:O4"
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == "A1:S4"
    assert "€" in ws["G2"].number_format


def test_the_line_is_a_thick_border_under_the_last_funded_ask(book):
    ws = book["Stack"]
    assert ws["B3"].border.bottom.style == "thick"
    assert ws["B2"].border.bottom is None or ws["B2"].border.bottom.style is None
    assert ws["B2"].fill.start_color.rgb.endswith("E2EFDA")


def test_summary_totals_are_formulas(book):
    ws = book["Summary"]
    assert ws["A7"].value == "team" and ws["A8"].value == "Total"
    assert ws["H7"].value.startswith("=SUMIFS(Stack!$F$2:$F$4,Stack!$E$2:$E$4,$A7")
    assert ws["H8"].value == "=SUM(H7:H7)"
    assert ws._charts, "a chart of funded and unfunded cost"


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
