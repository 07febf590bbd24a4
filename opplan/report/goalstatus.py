"""Goals through the year: each goal's status as of a date, its trend, and whether it is stale.

One copy of the rules (docs/through-the-year.md), used by ``opplan goals`` and by the
documents' "Goals this year" table:

* only reports dated on or before the as-of date count (a later one is ignored);
* the status is the latest of them; a goal with none is *not reported*;
* the trend compares the latest report with the one before it: ``improving`` (towards
  green: red to yellow, yellow to green, red to green), ``worsening`` (away from green),
  ``steady`` (the same colour), ``new`` (the first report);
* a goal is stale when its latest report is more than ``goal_stale_days`` (cycle.yaml,
  45 by default) before the as-of date; a goal never reported is counted as not
  reported, never as stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from opplan.model import NodeId
from opplan.report.records import GoalRow, GoalTrack, GoalYear, NodeReport, Report, StatusReport

__all__ = [
    "COLORS",
    "GoalStatus",
    "GoalsReport",
    "ManagerGoals",
    "goal_track",
    "goals_report",
    "year_rows",
]

#: The colours in order from best to worst.
COLORS: tuple[str, ...] = ("green", "yellow", "red")
_RANK = {c: i for i, c in enumerate(COLORS)}


def goal_track(
    history: Sequence[StatusReport], as_of: dt.date | None, stale_days: int
) -> GoalTrack:
    """A goal's status as of ``as_of`` (None: every report counts and nothing is stale)."""
    seen = [s for s in history if as_of is None or s.date <= as_of]
    if not seen:
        return GoalTrack(None, None, None, None, 0, None, False)
    last = seen[-1]
    if len(seen) == 1:
        trend = "new"
    else:
        step = _RANK[last.color] - _RANK[seen[-2].color]
        trend = "improving" if step < 0 else "worsening" if step > 0 else "steady"
    days = None if as_of is None else (as_of - last.date).days
    stale = days is not None and days > stale_days
    return GoalTrack(last.color, last.date, last.note, trend, len(seen), days, stale)


def year_rows(
    node: NodeId,
    name: str,
    goals: Sequence[GoalRow],
    children: Sequence[NodeReport],
    as_of: dt.date | None,
    stale_days: int,
) -> tuple[GoalYear, ...]:
    """The rows of a document's "Goals this year": the node's own goals, then its children's
    own goals that are red or stale; none at all unless some row has a report (so the
    table is never a column of "not reported")."""
    rows = [
        GoalYear(node, name, g.id, g.title, goal_track(g.history, as_of, stale_days)) for g in goals
    ]
    for child in children:
        for g in child.goals:
            track = goal_track(g.history, as_of, stale_days)
            if track.color == "red" or track.stale:
                rows.append(GoalYear(child.id, child.name, g.id, g.title, track))
    if not any(r.track.updates for r in rows):
        return ()
    return tuple(rows)


@dataclass(frozen=True)
class GoalStatus:
    """One goal in ``opplan goals``: where it is, and its track as of the report's date."""

    node: NodeId
    node_name: str
    goal: str
    title: str
    owner: str | None
    track: GoalTrack

    @property
    def ref(self) -> str:
        """``<node-id>/<goal-id>``, as ``opplan goal update`` takes it."""
        return f"{self.node}/{self.goal}"


@dataclass(frozen=True)
class ManagerGoals:
    """A manager's subtree (itself included): its goals counted by latest colour, and
    its red and stale goals (references, in depth-first order)."""

    node: NodeId
    name: str
    depth: int
    goals: int
    green: int
    yellow: int
    red: int
    unreported: int
    stale: int
    red_goals: tuple[str, ...]
    stale_goals: tuple[str, ...]


@dataclass(frozen=True)
class GoalsReport:
    """``opplan goals``: every goal of the subtree and every manager's counts, as of a date."""

    cycle: str
    top: NodeId
    as_of: dt.date
    as_of_from: str  # where the date came from: "option", "cycle" or "today"
    stale_days: int
    goals: tuple[GoalStatus, ...]  # depth-first, each node's goals in plan order
    managers: tuple[ManagerGoals, ...]  # depth-first
    nodes: tuple[tuple[NodeId, str, int], ...]  # (id, name, depth) of every node shown


def goals_report(report: Report, top: NodeId, as_of: dt.date, as_of_from: str) -> GoalsReport:
    """Every goal of ``top``'s subtree with its track as of ``as_of``, and per manager the
    counts by colour and its red and stale goals. Counted bottom-up, each node once; the
    red and stale lists are as long as the output they print."""
    stale_days = report.cycle.goal_stale_days
    nodes = report.subtree(top)
    statuses: dict[NodeId, list[GoalStatus]] = {}
    for n in nodes:
        statuses[n.id] = [
            GoalStatus(
                n.id, n.name, g.id, g.title, g.owner, goal_track(g.history, as_of, stale_days)
            )
            for g in n.goals
        ]
    # bottom-up, each node once: its own goals, then its children's sums (already built)
    below: dict[NodeId, ManagerGoals] = {}
    for n in reversed(nodes):
        own = statuses[n.id]
        colors = [s.track.color for s in own]
        kids = [below[c] for c in n.children if c in below]
        below[n.id] = ManagerGoals(
            node=n.id,
            name=n.name,
            depth=n.depth,
            goals=len(own) + sum(k.goals for k in kids),
            green=colors.count("green") + sum(k.green for k in kids),
            yellow=colors.count("yellow") + sum(k.yellow for k in kids),
            red=colors.count("red") + sum(k.red for k in kids),
            unreported=colors.count(None) + sum(k.unreported for k in kids),
            stale=sum(s.track.stale for s in own) + sum(k.stale for k in kids),
            red_goals=(
                *(s.ref for s in own if s.track.color == "red"),
                *(r for k in kids for r in k.red_goals),
            ),
            stale_goals=(
                *(s.ref for s in own if s.track.stale),
                *(r for k in kids for r in k.stale_goals),
            ),
        )
    managers = tuple(below[n.id] for n in nodes if n.children)
    return GoalsReport(
        cycle=report.cycle.name,
        top=top,
        as_of=as_of,
        as_of_from=as_of_from,
        stale_days=stale_days,
        goals=tuple(s for n in nodes for s in statuses[n.id]),
        managers=managers,
        nodes=tuple((n.id, n.name, n.depth) for n in nodes),
    )
