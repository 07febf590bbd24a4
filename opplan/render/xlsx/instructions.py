"""The ``Instructions`` sheet and the legend beside the Stack: a workbook that explains itself.

Fixed text (the node's name, cycle and budget words aside): the round trip
from ``opplan build`` to ``opplan review import``, every Stack column, the
colours, what "funded by decision" (forced) means and the status words, which
are the Word documents' words.
"""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from opplan.render.xlsx.cells import put_text, row_height, set_widths
from opplan.report.records import NodeReport, Report

#: The legend beside the Stack: (text, style).
LEGEND: tuple[tuple[str, str], ...] = (
    ("How to read this sheet (the Instructions sheet says more)", "label"),
    ("Yellow: your review cells. Pick a Decision; a partial needs a Partial headcount or cost.", "swatch-yellow"),
    ("Green: funded in this view (funded, partial, funded by decision).", "swatch-green"),
    ("No colour: below the line, not funded.", "wrap"),
    ("Grey: cut or deferred in this view; give it fund or partial to revive it.", "swatch-grey"),
    ("Red rule: under the last ask funded within the budget (the line).", "swatch-line"),
    ("Funded by decision: fund or partial, here or below; it comes off the budget first.", "wrap"),
    ("Budget used: what is funded by decision, plus every other ask down to this one in the order.", "wrap"),
    ("Status, amounts, Budget used and Position recalculate as you decide.", "wrap"),
    ("Rank edits reorder the stack only on import (opplan review import), then rebuild.", "wrap"),
)  # fmt: skip

_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Ask", "the ask's reference, <team>/<ask>: the import finds rows by it (do not edit it)"),
    ("Title", "what the team asks for"),
    ("Decision", "yours: fund, partial, defer, cut or escalate, or empty for no decision"),
    ("Partial headcount", "with partial: the heads you fund, at most the ask's; cost and "
     "run rate scale in proportion"),
    ("Partial cost", "with partial: the in-year cost you fund, at most the ask's. Alone on an "
     "ask with heads, the heads scale with it (to hundredths of a head); with a headcount, "
     "both stand. Type a number (150000) for the sheet to recalculate; the import also "
     "reads 150,000, $150,000, 150k or 1.2m typed as text, which the formulas cannot use"),
    ("Rank", "a whole number from 1 puts the ask at that place in your order (on import)"),
    ("Note", "why; the documents show it"),
    ("Status", "funded, partial, funded by decision, below, no budget, cut or deferred"),
    ("Headcount, Cost, Run rate", "the ask after the partial in effect"),
    ("Budget used headcount, cost", "the funded-by-decision total plus each other live ask "
     "down to this one; the first that breaks the budget and all after it are below"),
    ("Position", "the ask's place in this node's order once you import"),
    ("Decided by", "the node whose decision is in effect: yours, or one below"),
    ("Decision below, Decided below by", "what a manager below decided (yours overrides it)"),
    ("Requested headcount, cost, run rate", "the ask as written"),
    ("Node, From", "the team that asks, and the child org it comes through"),
    ("Approved plan", "its status in the approved plan (the root's view), and who decided"),
    ("Helper columns (hidden, grouped)", "what the formulas read: the decision and amount "
     "below, the ask's place in the order; unhide them with the + above the columns"),
)  # fmt: skip

_WORKFLOW = (
    "1. opplan build <cycle> --out out writes this workbook, out/<node>.xlsx, with the documents.",
    "2. In the Stack sheet, edit only the yellow cells: Decision, Partial headcount, Partial "
    "cost, Rank, Note. The sheet recalculates the line, Budget used and the Summary's totals.",
    "3. Save as an Excel workbook (.xlsx), in Excel or LibreOffice, and send it back.",
    "4. opplan review import out/<node>.xlsx <cycle> writes your decisions into your "
    "plan.yaml (--dry-run shows them first). Any problem refuses the whole import and "
    "writes nothing.",
    "5. opplan build again: the documents and workbooks show the new plan, with ranks applied.",
)

_WORDS = (
    ("funded", "above the line: within the budget, in the node's order"),
    ("funded by decision", "forced: fund chosen here or by a manager below; counted first"),
    ("partial", "part of the ask funded by decision, with the amounts given"),
    ("below", "not funded: past the first ask that breaks a budget dimension"),
    ("no budget", "this node has no budget, so no line is drawn"),
    ("cut", "not this year"),
    ("deferred", "revisit in OP2"),
)


def instructions_sheet(ws: Worksheet, report: Report, node: NodeReport) -> None:
    """How to review in this workbook: the round trip, the columns, colours and words."""
    put_text(ws, 1, 1, f"{node.name}: how to review this workbook", "title")
    put_text(ws, 2, 1, f"{report.cycle.name}; amounts in {report.cycle.currency}", "subtitle")
    r = 4
    rows: list[tuple[str | None, str | None, str, str]] = []
    rows.append(("The round trip", None, "label", "label"))
    rows += [(step, None, "wrap", "wrap") for step in _WORKFLOW]
    rows.append((None, None, "wrap", "wrap"))
    rows.append(("The colours and the line", None, "label", "label"))
    rows += [(text, None, style, style) for text, style in LEGEND[1:6]]
    rows.append((None, None, "wrap", "wrap"))
    rows.append(("Stack column", "What it holds", "label", "label"))
    rows += [(name, text, "wrap", "wrap") for name, text in _COLUMNS]
    rows.append((None, None, "wrap", "wrap"))
    rows.append(("Status word", "Meaning (the documents use the same words)", "label", "label"))
    rows += [(word, text, "wrap", "wrap") for word, text in _WORDS]
    rows.append((None, None, "wrap", "wrap"))
    rows.append(
        (
            "Rank edits and revived asks move in the order only when imported; "
            "rebuild to see the new order.",
            None,
            "note",
            "note",
        )
    )
    widths = (44.0, 80.0)
    for first, second, style1, style2 in rows:
        if second is None and first is not None:
            # one text across both columns: a paragraph
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
            put_text(ws, r, 1, first, style1)
            ws.row_dimensions[r].height = row_height((first, sum(widths)))
        else:
            put_text(ws, r, 1, first, style1)
            put_text(ws, r, 2, second, style2)
            ws.row_dimensions[r].height = row_height((first, widths[0]), (second, widths[1]))
        r += 1
    set_widths(ws, widths)
