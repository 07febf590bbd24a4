"""The stack's grids: the ranked asks with the line drawn, and the asks removed.

The report decides where the line is (:attr:`~opplan.report.NodeReport.line_at`) and
its figures (:attr:`~opplan.report.NodeReport.line`: budget, used, headroom, what
binds, the first ask below and its miss); this module lays the rows out around it
and formats their cells. The "Used" columns are the line's own running total (roll-up
rule 5): the asks funded by decision come off the budget first, wherever they stand,
then each other ask in order; so a reader can check every status against the budget.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from opplan.narrative.filters import join_and
from opplan.narrative.templating import headcount, plural, possessive
from opplan.render.docx.grids import BODY_MAX_ROWS, LINE, MUTED, Builder, Column, Grid, money
from opplan.report.records import NodeReport, Report, StackRow

#: The Used cells of an ask funded by decision: it is in every Used figure, counted first.
COUNTED_FIRST = "\u2014"
BODY_AROUND_LINE = 4
"""How many asks on each side of the line the body's stack shows."""

#: A live ask's status in a view, in words (forced asks: see :func:`status_text`).
STATUS_TEXT = {"above": "funded", "below": "below", "unlined": ""}
#: Where the child's own line put an ask (the manager's appendix).
SENT_UP_TEXT = {"above": "funded", "below": "below its line", "unlined": "no line there"}
#: Counted in the elision rows, in this order.
_KINDS = ("above the line", "funded by decision", "below the line", "with no line drawn")


def status_text(row: StackRow) -> str:
    """A row's status in this view: asks funded by decision are marked, counted first."""
    if row.forced:
        return "partial by decision" if row.decision == "partial" else "funded by decision"
    return STATUS_TEXT[row.status]


def _kind(row: StackRow) -> str:
    if row.forced:
        return "funded by decision"
    return {"above": "above the line", "below": "below the line"}.get(
        row.status, "with no line drawn"
    )


def _name(report: Report, node: str | None) -> str:
    if node is None:
        return ""
    found = report.nodes.get(node)
    return found.name if found is not None else node


def approved_text(
    status: str, by: str | None, report: Report, ask: str | None = None, decision: str | None = None
) -> str:
    """A status in the approved plan (the root's view), with whose decision is in effect;
    an ask funded there in part says how much of it (``partial (Retail): 1 of 2 heads``)."""
    name = _name(report, by)
    if status in ("cut", "deferred"):
        return f"{status} ({name})" if name else status
    if status == "above":
        there = report.approved_rows.get(ask) if decision == "partial" and ask else None
        if there is not None:
            part, whole = there.amount, there.requested
            share = (
                f"{headcount(part.headcount)} of {plural(whole.headcount, 'head')}"
                if whole.headcount
                else f"{money(part.cost, report.cycle.currency)} of "
                f"{money(whole.cost, report.cycle.currency)}"
            )
            return f"partial ({name}): {share}"
        return f"funded ({name})" if name else "funded"
    return "below the line" if status == "below" else "no line drawn"


def _both(hc: Decimal | None, cost: Decimal | None, currency: str) -> str:
    parts = []
    if hc is not None:
        parts.append(plural(hc, "head"))
    if cost is not None:
        parts.append(money(cost, currency))
    return " and ".join(parts)


def line_label(node: NodeReport, currency: str) -> str:
    """The text drawn on the line: the budget, what is used and the headroom in each
    budget dimension (or the excess when over budget), and how much the next ask misses
    and in which dimensions (the ones that bind)."""
    f = node.line
    hc_on, cost_on = f.budget_headcount is not None, f.budget_cost is not None
    if not hc_on and not cost_on:
        return "The line"
    used = _both(f.used.headcount if hc_on else None, f.used.cost if cost_on else None, currency)
    text = f"The line: budget {_both(f.budget_headcount, f.budget_cost, currency)}; used {used}"
    over = node.over_budget
    if over is not None:
        excess = _both(over.headcount if hc_on else None, over.cost if cost_on else None, currency)
        text += f"; the asks funded by decision exceed it by {excess}"
    else:
        text += f"; headroom {_both(f.headroom_headcount, f.headroom_cost, currency)}"
    if f.first_below is not None:
        misses = _both(
            f.misses_headcount if hc_on and f.misses_headcount else None,
            f.misses_cost if cost_on and f.misses_cost else None,
            currency,
        )
        text += f". The next ask misses by {misses}: {binds_text(f.binds)}"
    return text + "."


def binds_text(binds: Sequence[str]) -> str:
    """``the heads budget binds``, ``the heads and cost budgets bind``."""
    words = join_and(["heads" if d == "headcount" else "cost" for d in binds])
    return f"the {words} budget binds" if len(binds) == 1 else f"the {words} budgets bind"


def _counted(rows: Sequence[StackRow]) -> str:
    """What a run of elided rows holds: ``11 below the line, 1 funded by decision``."""
    counts = Counter(_kind(r) for r in rows)
    return ", ".join(f"{counts[k]} {k}" for k in _KINDS if counts[k])


def legend(node: NodeReport, report: Report, *, sent_up: bool, approved: bool) -> str:
    """The short legend under the stack table."""
    parts = []
    if node.has_budget:
        parts.append(
            f"Status is in {possessive(node.name)} view. Asks funded by decision (fund; partial funds part "
            "of the ask) come off the budget first, wherever they stand (\u2014 in Used). Used: the "
            "budget used down to each other ask, in order; the first ask that breaks the "
            "budget, and every one after, is below the line."
        )
    elif any(r.forced for r in node.stack):
        parts.append(
            f"Status is in {possessive(node.name)} view, which has no budget: asks funded by decision "
            "(fund; partial funds part of the ask) are funded whatever the budget."
        )
    if approved:
        parts.append(
            f"Approved plan: the status in {_name(report, report.root)}'s view, with the "
            "node whose decision is in effect there."
        )
    if sent_up:
        parts.append("Sent up as: where the team's own line put the ask.")
    return " ".join(parts)


def forced_label(node: NodeReport, currency: str) -> str:
    """The row above the stack: what the asks funded by decision take off the budget first."""
    f = node.line
    # both figures, whatever the budget gives: the Used columns start from both
    taken = _both(f.forced.headcount, f.forced.cost, currency)
    n = sum(1 for r in node.stack if r.forced)
    return f"{plural(n, 'ask')} funded by decision, counted first: {taken}"


def _stack_columns(node: NodeReport, sent_up: bool, approved: bool) -> list[Column]:
    cols = [Column("#", "right", 0.35), Column("Ask", "left", 2.4)]
    if node.children:
        cols.append(Column("Team", "left", 1.2))
    cols += [Column("HC", "right", 0.45), Column("Cost", "right", 1.0)]
    if node.has_budget:
        cols += [Column("Used HC", "right", 0.6), Column("Used cost", "right", 1.0)]
    if node.has_budget or any(r.forced for r in node.stack):
        cols.append(Column("Status", "left", 0.95))
    if approved:
        cols.append(Column("Approved plan", "left", 1.1))
    if sent_up:
        cols.append(Column("Sent up as", "left", 0.9))
    return cols


def _stack_cells(
    node: NodeReport, row: StackRow, report: Report, sent_up: bool, approved: bool
) -> list[str]:
    currency = report.cycle.currency
    title = row.title + (" (at risk)" if row.at_risk else "")
    if row.deferred_in:
        title += f" ({row.deferred_in})"
    cells = [str(row.position), title]
    if node.children:
        cells.append(row.node_name)
    cells += [headcount(row.amount.headcount), money(row.amount.cost, currency)]
    if node.has_budget:  # a forced ask is in every Used figure, counted first
        cells += (
            [COUNTED_FIRST, COUNTED_FIRST]
            if row.forced
            else [headcount(row.used.headcount), money(row.used.cost, currency)]
        )
    if node.has_budget or any(r.forced for r in node.stack):
        cells.append(status_text(row))
    if approved:
        cells.append(
            approved_text(row.approved, row.approved_by, report, row.ask, row.approved_decision)
        )
    if sent_up:
        removed = row.child_removed
        cells.append(
            f"{removed}, brought back"
            if removed
            else SENT_UP_TEXT[row.child_status]
            if row.child_status
            else "own ask"
        )
    return cells


def stack_grid(node: NodeReport, report: Report, *, full: bool) -> Grid:
    """The ranked stack with the line drawn; the body's version shows the asks around the line.

    Every document of a node below the root adds each ask's status in the approved plan;
    a manager's appendix adds where the team's own line put it. The rows left out of the
    body are counted by status, so a count of asks below never hides a funded one.
    """
    currency = report.cycle.currency
    sent_up = full and bool(node.children)
    approved = node.id != report.root
    b = Builder(_stack_columns(node, sent_up, approved))
    rows = list(node.stack)
    if node.has_budget and any(r.forced for r in rows):
        b.add([forced_label(node, currency)], MUTED)
    cut = node.line_at
    shown = range(len(rows))
    if not full and len(rows) > BODY_MAX_ROWS:
        pivot = cut if cut is not None else min(len(rows), 2 * BODY_AROUND_LINE)
        shown = range(max(0, pivot - BODY_AROUND_LINE), min(len(rows), pivot + BODY_AROUND_LINE))
    if shown and shown.start > 0:
        b.add(
            [
                f"{plural(shown.start, 'ask')} ranked higher: {_counted(rows[: shown.start])} "
                "(full stack in the appendix)"
            ],
            MUTED,
        )
    for i in shown:
        if i == cut:
            b.add([line_label(node, currency)], LINE)
        b.add(_stack_cells(node, rows[i], report, sent_up, approved))
    if cut is not None and cut == len(rows):
        b.add([line_label(node, currency)], LINE)
    stop = shown.stop if shown else 0
    if stop < len(rows):
        b.add(
            [
                f"{plural(len(rows) - stop, 'more ask')}: {_counted(rows[stop:])} "
                "(full stack in the appendix)"
            ],
            MUTED,
        )
    b.add([legend(node, report, sent_up=sent_up, approved=approved)], MUTED)
    return b.grid()


def removed_grid(node: NodeReport, report: Report) -> Grid:
    """Asks cut or deferred in this view, with who decided and why, and (below the root)
    their status in the approved plan."""
    currency = report.cycle.currency
    approved = node.id != report.root
    cols = [
        Column("Ask", "left", 2.4),
        Column("HC", "right", 0.45),
        Column("Cost", "right", 1.0),
        Column("Decision", "left", 0.8),
        Column("By", "left", 1.0),
    ]
    if approved:
        cols.append(Column("Approved plan", "left", 1.1))
    cols.append(Column("Note", "left", 2.2))
    b = Builder(cols)
    for r in node.removed:
        cells = [
            r.title,
            headcount(r.requested.headcount),
            money(r.requested.cost, currency),
            r.status,
            _name(report, r.by),
        ]
        if approved:
            cells.append(
                approved_text(r.approved, r.approved_by, report, r.ask, r.approved_decision)
            )
        cells.append(r.note or "")
        b.add(cells)
    return b.grid()
