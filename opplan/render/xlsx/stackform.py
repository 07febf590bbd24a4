"""The Stack sheet's form: per-row bounds on the review cells, colours that follow the
Status, and the legend beside the table (:mod:`opplan.render.xlsx.stack` lays it out)."""

from __future__ import annotations

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from opplan.render.xlsx.cells import GREEN, GREY, LINE_COLOR, put_text
from opplan.render.xlsx.columns import (
    BY_DECISION,
    FIRST_HELPER,
    FUNDED,
    LEGEND_COLUMN,
    LEGEND_WIDTH,
    LETTER,
    PARTIAL,
    PRINTED,
)
from opplan.render.xlsx.instructions import LEGEND
from opplan.report.reviewkeys import (
    COL_DECISION,
    COL_PARTIAL_COST,
    COL_PARTIAL_HC,
    COL_RANK,
    DECISIONS,
)


def validation(ws: Worksheet, last: int) -> None:
    """Dropdown and bounds on the review cells, per row: a partial is at most the ask."""

    def rng(header: str) -> str:
        return f"{LETTER[header]}2:{LETTER[header]}{last}"

    choice = DataValidation(
        type="list",
        formula1='"' + ",".join(DECISIONS) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Decision",
        error="Choose one of: " + ", ".join(DECISIONS),
        promptTitle="Decision",
        prompt="fund, partial, defer, cut or escalate; leave empty for no decision",
        showInputMessage=True,
    )
    choice.add(rng(COL_DECISION))
    checks = [choice]
    for header, requested, what in (
        (COL_PARTIAL_HC, "Requested headcount", "heads"),
        (COL_PARTIAL_COST, "Requested cost", "in-year cost"),
    ):
        dv = DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2=f"{LETTER[requested]}2",  # relative: each row's own request
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=header,
            error=f"{header}: at least 0 and at most the {what} this ask requests "
            f"(column {requested})",
        )
        dv.add(rng(header))
        checks.append(dv)
    rank = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="1",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Rank",
        error="A rank is a whole number from 1 (first); it reorders the stack on import",
    )
    rank.add(rng(COL_RANK))
    checks.append(rank)
    for dv in checks:
        ws.add_data_validation(dv)


def colours(ws: Worksheet, last: int) -> None:
    """Green for funded rows, grey for cut and deferred, a red rule under the last ask
    funded within the budget: conditional formats of the Status, so they move too."""
    status, line = LETTER["Status"], LETTER["Last above"]
    ranges = f"A2:B{last} {LETTER['Status']}2:{get_column_letter(FIRST_HELPER - 1)}{last}"
    green = PatternFill(fill_type="solid", start_color=GREEN, end_color=GREEN, bgColor=GREEN)
    grey = PatternFill(fill_type="solid", start_color=GREY, end_color=GREY, bgColor=GREY)
    rules = (
        FormulaRule(  # type: ignore[no-untyped-call]
            formula=[
                f'OR(${status}2="{FUNDED}",${status}2="{PARTIAL}",${status}2="{BY_DECISION}")'
            ],
            fill=green,
        ),
        FormulaRule(  # type: ignore[no-untyped-call]
            formula=[f'OR(${status}2="cut",${status}2="deferred")'],
            fill=grey,
            font=Font(italic=True, color="7F7F7F"),
        ),
    )
    for rule in rules:
        ws.conditional_formatting.add(ranges, rule)
    whole_row = f"A2:{get_column_letter(PRINTED)}{last}"
    ws.conditional_formatting.add(
        whole_row,
        FormulaRule(  # type: ignore[no-untyped-call]
            formula=[f"${line}2=1"], border=_red_rule()
        ),
    )


def _red_rule() -> Border:
    return Border(bottom=Side(style="thick", color=LINE_COLOR))


def legend(ws: Worksheet) -> None:
    """A short legend beside the table, right of its last column."""
    col = LEGEND_COLUMN
    for i, (text, style) in enumerate(LEGEND, start=1):
        put_text(ws, i, col, text, style)
    ws.column_dimensions[get_column_letter(col)].width = LEGEND_WIDTH
