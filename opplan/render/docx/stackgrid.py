"""The stack's grids: the ranked asks with the line drawn, and the asks removed.

The report decides where the line is (:attr:`~opplan.report.NodeReport.line_at`);
this module lays the rows out around it and formats their cells.
"""

from __future__ import annotations

from opplan.narrative.templating import headcount, plural
from opplan.render.docx.grids import BODY_MAX_ROWS, LINE, MUTED, Builder, Column, Grid, money
from opplan.report.records import NodeReport, Report, StackRow

STATUS_TEXT = {"above": "above", "below": "below", "unlined": "no budget"}
BODY_AROUND_LINE = 4
"""How many asks on each side of the line the body's stack shows."""


def _status(row: StackRow) -> str:
    if row.forced:
        return "partial" if row.decision == "partial" else "funded"
    return STATUS_TEXT[row.status]


def line_label(node: NodeReport, currency: str) -> str:
    """The text drawn on the line: the budget (or the excess when over budget)."""
    parts = []
    if node.budget_headcount is not None:
        parts.append(plural(node.budget_headcount, "head"))
    if node.budget_cost is not None:
        parts.append(money(node.budget_cost, currency))
    label = f"The line: budget {' and '.join(parts)}" if parts else "The line"
    if node.over_budget is not None:
        label += (
            f"; forced asks exceed it by {plural(node.over_budget.headcount, 'head')}, "
            f"{money(node.over_budget.cost, currency)}"
        )
    return label


def _stack_columns(node: NodeReport, child_view: bool) -> list[Column]:
    cols = [Column("#", "right", 0.35), Column("Ask", "left", 2.6)]
    if node.children:
        cols.append(Column("Team", "left", 1.2))
    cols += [
        Column("HC", "right", 0.45),
        Column("Cost", "right", 1.0),
        Column("Total HC", "right", 0.65),
        Column("Total cost", "right", 1.0),
        Column("Status", "left", 0.8),
    ]
    if child_view:
        cols.append(Column("Team's view", "left", 0.8))
    return cols


def _stack_cells(node: NodeReport, row: StackRow, currency: str, child_view: bool) -> list[str]:
    title = row.title + (" (at risk)" if row.at_risk else "")
    cells = [str(row.position), title]
    if node.children:
        cells.append(row.node_name)
    cells += [
        headcount(row.amount.headcount),
        money(row.amount.cost, currency),
        headcount(row.cumulative.headcount),
        money(row.cumulative.cost, currency),
        _status(row),
    ]
    if child_view:
        child = row.child_removed or (
            STATUS_TEXT[row.child_status] if row.child_status else "own ask"
        )
        cells.append(child)
    return cells


def stack_grid(node: NodeReport, report: Report, *, full: bool) -> Grid:
    """The ranked stack with the line drawn; the body's version shows the asks around the line."""
    currency = report.cycle.currency
    child_view = full and bool(node.children)
    b = Builder(_stack_columns(node, child_view))
    rows = list(node.stack)
    cut = node.line_at
    shown = range(len(rows))
    if not full and len(rows) > BODY_MAX_ROWS:
        pivot = cut if cut is not None else min(len(rows), 2 * BODY_AROUND_LINE)
        shown = range(max(0, pivot - BODY_AROUND_LINE), min(len(rows), pivot + BODY_AROUND_LINE))
    if shown and shown.start > 0:
        b.add(
            [f"{plural(shown.start, 'ask')} above, ranked higher (full stack in the appendix)"],
            MUTED,
        )
    for i in shown:
        if i == cut:
            b.add([line_label(node, currency)], LINE)
        b.add(_stack_cells(node, rows[i], currency, child_view))
    if cut is not None and cut == len(rows):
        b.add([line_label(node, currency)], LINE)
    rest = len(rows) - (shown.stop if shown else 0)
    if rest > 0:
        b.add([f"{plural(rest, 'more ask')} below (full stack in the appendix)"], MUTED)
    return b.grid()


def removed_grid(node: NodeReport, report: Report) -> Grid:
    """Asks cut or deferred in this view, with who decided and why."""
    currency = report.cycle.currency
    b = Builder(
        [
            Column("Ask", "left", 2.4),
            Column("HC", "right", 0.45),
            Column("Cost", "right", 1.0),
            Column("Decision", "left", 0.8),
            Column("By", "left", 1.0),
            Column("Note", "left", 2.2),
        ]
    )
    for r in node.removed:
        b.add(
            [
                r.title,
                headcount(r.requested.headcount),
                money(r.requested.cost, currency),
                r.status,
                report.nodes[r.by].name if r.by in report.nodes else r.by,
                r.note or "",
            ]
        )
    return b.grid()
