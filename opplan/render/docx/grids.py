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

from opplan.narrative.templating import headcount, money_text, plural, possessive
from opplan.report.derive import BODY_MAX_CHILDREN
from opplan.report.records import NodeReport, Report

__all__ = ["BODY_MAX_CHILDREN"]

BODY_MAX_ROWS = 10
"""A body table with at most this many rows is shown whole."""

#: Row kinds: a normal row, a total, a muted note ("4 more asks"), the drawn line.
ROW, TOTAL, MUTED, LINE = "row", "total", "muted", "line"


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


class Builder:
    """Collects the rows of a grid."""

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


def money(value: Decimal, currency: str) -> str:
    """Money in full: ``$3,100,000``."""
    return money_text(value, currency, full=True)


def flat_grid(node: NodeReport, report: Report, *, full: bool = True) -> Grid:
    """Leaf: the zero-based flat items; manager: flat and asks by team, with a total.

    The body's version (``full=False``) of an org with more than
    ``BODY_MAX_CHILDREN`` children lists the report's body rows: the largest
    children and one row for the others.
    """
    currency = report.cycle.currency
    if not node.children:
        b = Builder(
            [
                Column("Flat item", "left", 3.0),
                Column("HC", "right", 0.6),
                Column("Goals", "left", 1.2),
            ]
        )
        for f in node.flat_items:
            b.add([f.title, headcount(f.headcount), ", ".join(f.goals)])
        return b.grid()
    b = Builder(
        [
            Column("Team", "left", 1.8),
            Column("Flat HC", "right", 0.7),
            Column("Flat cost", "right", 1.1),
            Column("Asked HC", "right", 0.75),
            Column("Funded HC", "right", 0.75),
            Column("Below HC", "right", 0.75),
        ]
    )
    for t in node.teams if full else node.teams_body:
        name = {
            "own": f"{t.name} (own)",
            "others": f"{plural(t.count, 'other team')} (appendix)",
        }.get(t.kind, t.name)
        b.add(
            [
                name,
                headcount(t.flat.headcount),
                money(t.flat.cost, currency),
                headcount(t.requested.headcount),
                headcount(t.funded.headcount),
                headcount(t.unfunded.headcount),
            ],
            TOTAL if t.kind == "total" else ROW,
        )
    return b.grid()


def headcount_grid(node: NodeReport, report: Report) -> Grid:
    """Flat heads by team, role, level and location, with a total."""
    currency = report.cycle.currency
    b = Builder(
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
                money(r.amount.run_rate, currency),
            ]
        )
    total = node.headcount_total
    b.add(["Total", "", "", "", headcount(total.headcount), money(total.run_rate, currency)], TOTAL)
    return b.grid()


def dependency_grid(node: NodeReport, report: Report) -> Grid:
    """Dependencies this node sees: who needs what from whom, by when, its status where it
    is decided (its lowest common manager's view) and in the approved plan. At the root,
    whose view is the approved plan and where every dependency it sees is decided, one
    status column says both."""
    root = node.id == report.root
    columns = [
        Column("Needed by", "left", 1.1),
        Column("From", "left", 1.1),
        Column("What", "left", 2.2 if root else 1.4),
        Column("When", "left", 0.45),
    ]
    if root:
        columns.append(Column("Status (approved plan)", "left", 1.3))
    else:
        columns += [Column("Decided at", "left", 1.15), Column("Approved plan", "left", 1.0)]
    b = Builder(columns)

    def name(nid: str) -> str:
        return report.nodes[nid].name if nid in report.nodes else nid

    for d in node.dependencies:
        away = " (away team)" if d.away_team else ""
        cells = [name(d.requester), name(d.host), d.what, d.needed_by or ""]
        if root:
            cells.append(f"{d.approved_status}{away}")
        else:
            cells += [f"{name(d.manager)}: {d.status}{away}", d.approved_status]
        b.add(cells)
    return b.grid()


#: A mandate answer's status as a cell.
ANSWER_WORDS = {
    "flat": "funded on flat",
    "funded": "funded",
    "unfunded": "not funded",
    "missing": "no answer",
}


def mandate_grid(node: NodeReport, report: Report) -> Grid:
    """Each mandate's coverage in the subtree, in the node's view and in the approved plan
    (the root's view; one column at the root, where they are the same). A team's own
    answer, for a team."""
    if not node.children:
        # a team's own view says something only when it has a budget (else nothing is funded)
        own = node.has_budget and node.id != report.root
        columns = [Column("Mandate", "left", 3.2), Column("Due", "left", 0.5)]
        if own:
            columns.append(Column(f"{possessive(node.name)} view", "left", 1.2))
        columns.append(Column("Approved plan", "left", 1.2))
        b = Builder(columns)
        for m in node.mandates:
            for a in m.answers:
                here = [ANSWER_WORDS[a.status]] if own else []
                b.add([m.title, m.due or "", *here, ANSWER_WORDS[a.approved_status]])
        return b.grid()
    is_root = node.id == report.root
    columns = [
        Column("Mandate", "left", 2.5),
        Column("Due", "left", 0.5),
        Column("Teams", "right", 0.55),
        Column("Answered", "right", 0.75),
    ]
    if not is_root:
        columns.append(Column(f"Funded at {node.name}", "right", 0.85))
    columns.append(Column("Funded, approved", "right", 0.85))
    b = Builder(columns)
    for m in node.mandates:
        here = [] if is_root else [str(m.funded)]
        b.add(
            [
                m.title,
                m.due or "",
                str(m.leaves_in_scope),
                str(m.answered),
                *here,
                str(m.approved_funded),
            ]
        )
    return b.grid()
