"""The tables of a node's document as format-free grids of text cells.

A :class:`Grid` is columns plus rows of already-formatted strings, with a row
kind for emphasis and an optional drawn line. The Word renderer lays grids out
and the page estimate measures them; neither decides what goes in a cell.
Figures come from the report model; this module only formats and selects them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from opplan.model.costing import Amount
from opplan.narrative.templating import headcount, money_text, plural
from opplan.report.records import NodeReport, Report, StackRow

#: Row kinds: a normal row, a total, a muted note ("4 more asks"), the drawn line.
ROW, TOTAL, MUTED, LINE = "row", "total", "muted", "line"
STATUS_TEXT = {"above": "above", "below": "below", "unlined": "no budget"}
BODY_AROUND_LINE = 4
"""How many asks on each side of the line the body's stack shows."""
BODY_MAX_ROWS = 10
#: The body's flat table lists at most this many children (the largest by flat cost);
#: the rest are summed in one row. Every child has its summary in the appendix.
BODY_MAX_CHILDREN = 12
"""A body table with at most this many rows is shown whole."""


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its title, alignment and relative width."""

    title: str
    align: str = "left"
    width: float = 1.0


@dataclass(frozen=True, slots=True)
class Grid:
    """A table: columns and rows of text; a ``LINE`` row holds one label cell."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    kinds: tuple[str, ...]


class _Builder:
    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns = tuple(columns)
        self.rows: list[tuple[str, ...]] = []
        self.kinds: list[str] = []

    def add(self, cells: Iterable[str], kind: str = ROW) -> None:
        cells = tuple(cells)
        if kind in (LINE, MUTED):
            cells = (cells[0],) + ("",) * (len(self.columns) - 1)
        self.rows.append(cells)
        self.kinds.append(kind)

    def grid(self) -> Grid:
        return Grid(self.columns, tuple(self.rows), tuple(self.kinds))


def _money(value: Decimal, currency: str) -> str:
    return money_text(value, currency, full=True)


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
        parts.append(_money(node.budget_cost, currency))
    label = f"The line: budget {' and '.join(parts)}" if parts else "The line"
    if node.over_budget is not None:
        label += (
            f"; forced asks exceed it by {plural(node.over_budget.headcount, 'head')}, "
            f"{_money(node.over_budget.cost, currency)}"
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
        _money(row.amount.cost, currency),
        headcount(row.cumulative.headcount),
        _money(row.cumulative.cost, currency),
        _status(row),
    ]
    if child_view:
        child = getattr(row, "child_removed", None) or (
            STATUS_TEXT[row.child_status] if row.child_status else "own ask"
        )
        cells.append(child)
    return cells


def _has_line(node: NodeReport) -> bool:
    return any(r.status == "below" for r in node.stack) or node.over_budget is not None


def _line_index(node: NodeReport) -> int | None:
    """Index of the first stack row below the line (None when no line is drawn)."""
    if not _has_line(node):
        return None
    for i, row in enumerate(node.stack):
        if row.status == "below":
            return i
    return len(node.stack)


def stack_grid(node: NodeReport, report: Report, *, full: bool) -> Grid:
    """The ranked stack with the line drawn; the body's version shows the asks around the line."""
    currency = report.cycle.currency
    child_view = full and bool(node.children)
    b = _Builder(_stack_columns(node, child_view))
    rows = list(node.stack)
    cut = _line_index(node)
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
    b = _Builder(
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
                _money(r.requested.cost, currency),
                r.status,
                report.nodes[r.by].name if r.by in report.nodes else r.by,
                r.note or "",
            ]
        )
    return b.grid()


def goals_grid(node: NodeReport, report: Report) -> Grid:
    """The node's own goals: what, from where to where, by when, who, and how it tracks."""
    at_risk = {g.goal for g in node.goals_at_risk if g.node == node.id}
    b = _Builder(
        [
            Column("Goal", "left", 2.6),
            Column("From", "right", 0.7),
            Column("To", "right", 0.7),
            Column("Due", "left", 0.6),
            Column("Owner", "left", 1.1),
            Column("Status", "left", 0.8),
        ]
    )
    for g in node.goals:
        unit = "" if not g.unit else g.unit if g.unit == "%" else f" {g.unit}"
        status: str = g.status[-1].color if g.status else "new"
        if g.id in at_risk:
            status += ", at risk"
        b.add(
            [
                f"{g.id}: {g.title}",
                f"{_plain_number(g.baseline)}{unit}" if g.baseline is not None else "",
                f"{_plain_number(g.target)}{unit}" if g.target is not None else "",
                _due_text(g.due),
                g.owner or "",
                status,
            ]
        )
    return b.grid()


def _plain_number(value: Decimal) -> str:
    return headcount(value) if abs(value) >= 1 or value == 0 else format(value.normalize(), "f")


def _due_text(due: object) -> str:
    if due is None:
        return ""
    if isinstance(due, int):
        return ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
            due - 1
        ]
    return str(due)


def flat_grid(node: NodeReport, report: Report, *, full: bool = True) -> Grid:
    """Leaf: the zero-based flat items; manager: flat and asks by child, with a total.

    The body's version (``full=False``) of an org with more than
    ``BODY_MAX_CHILDREN`` children lists the largest ones by flat cost, in child
    order, and sums the others in one row, so the total row stays the same.
    """
    currency = report.cycle.currency
    if not node.children:
        b = _Builder(
            [
                Column("Flat item", "left", 3.0),
                Column("HC", "right", 0.6),
                Column("Goals", "left", 1.2),
            ]
        )
        for f in node.plan.flat:
            b.add([f.title, headcount(f.headcount), ", ".join(f.goals)])
        return b.grid()
    b = _Builder(
        [
            Column("Team", "left", 1.8),
            Column("Flat HC", "right", 0.7),
            Column("Flat cost", "right", 1.1),
            Column("Asked HC", "right", 0.75),
            Column("Funded HC", "right", 0.75),
            Column("Below HC", "right", 0.75),
        ]
    )

    def add(
        name: str, flat: Amount, asked: Amount, funded: Amount, below: Amount, kind: str = ROW
    ) -> None:
        b.add(
            [
                name,
                headcount(flat.headcount),
                _money(flat.cost, currency),
                headcount(asked.headcount),
                headcount(funded.headcount),
                headcount(below.headcount),
            ],
            kind,
        )

    by_child = funded_by_child(node)
    if node.own.flat.headcount or node.own.requested.headcount:
        own = by_child.get(None, (Amount(), Amount()))
        add(f"{node.name} (own)", node.own.flat, node.own.requested, *own)
    children = list(node.children)
    if not full and len(children) > BODY_MAX_CHILDREN:
        largest = sorted(children, key=lambda c: report.nodes[c].totals.flat.cost, reverse=True)[
            : BODY_MAX_CHILDREN - 1
        ]
        shown = set(largest)
        others = [c for c in children if c not in shown]
        children = [c for c in children if c in shown]
    else:
        others = []
    for cid in children:
        c = report.nodes[cid]
        add(c.name, c.totals.flat, c.totals.requested, *by_child.get(cid, (Amount(), Amount())))
    if others:
        zero = (Amount(), Amount())
        add(
            f"{plural(len(others), 'other team')} (appendix)",
            Amount.total(report.nodes[c].totals.flat for c in others),
            Amount.total(report.nodes[c].totals.requested for c in others),
            Amount.total(by_child.get(c, zero)[0] for c in others),
            Amount.total(by_child.get(c, zero)[1] for c in others),
        )
    t = node.totals
    add("Total", t.flat, t.requested, t.funded, t.unfunded, TOTAL)
    return b.grid()


def funded_by_child(node: NodeReport) -> dict[str | None, tuple[Amount, Amount]]:
    """Funded and unfunded amounts of this node's stack, by the child they came from."""
    return {f.child: (f.funded, f.unfunded) for f in node.by_child}


def headcount_grid(node: NodeReport, report: Report) -> Grid:
    """Flat heads by team, role, level and location, with a total."""
    currency = report.cycle.currency
    b = _Builder(
        [
            Column("Team", "left", 1.6),
            Column("Role", "left", 0.7),
            Column("Level", "left", 0.6),
            Column("Location", "left", 0.8),
            Column("HC", "right", 0.6),
            Column("Annual cost", "right", 1.1),
        ]
    )
    for r in node.headcount:
        child = report.nodes.get(r.child) if r.child is not None else None
        team = child.name if child is not None else node.name
        b.add(
            [
                team,
                r.role,
                r.level or "",
                r.location or "",
                headcount(r.amount.headcount),
                _money(r.amount.run_rate, currency),
            ]
        )
    total = Amount.total(r.amount for r in node.headcount)
    b.add(
        ["Total", "", "", "", headcount(total.headcount), _money(total.run_rate, currency)], TOTAL
    )
    return b.grid()


def dependency_grid(node: NodeReport, report: Report) -> Grid:
    """Dependencies this node sees: who needs what from whom, by when, and its status."""
    b = _Builder(
        [
            Column("Needed by", "left", 1.1),
            Column("From", "left", 1.1),
            Column("What", "left", 2.4),
            Column("When", "left", 0.6),
            Column("Status", "left", 1.0),
        ]
    )

    def name(nid: str) -> str:
        return report.nodes[nid].name if nid in report.nodes else nid

    for d in node.dependencies:
        status = d.status + (" (away team)" if d.away_team else "")
        b.add([name(d.requester), name(d.host), d.what, d.needed_by or "", status])
    return b.grid()


def mandate_grid(node: NodeReport) -> Grid:
    """Each mandate's coverage in the subtree."""
    b = _Builder(
        [
            Column("Mandate", "left", 2.8),
            Column("Due", "left", 0.5),
            Column("Teams", "right", 0.6),
            Column("Answered", "right", 0.75),
            Column("Funded", "right", 0.65),
            Column("Unfunded", "right", 0.75),
        ]
    )
    for m in node.mandates:
        b.add(
            [
                m.title,
                m.due or "",
                str(m.leaves_in_scope),
                str(m.answered),
                str(m.funded),
                str(m.unfunded),
            ]
        )
    return b.grid()
