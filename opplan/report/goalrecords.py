"""The goal records of the report model: a node's goals as documents show them.

Part of the report model (:mod:`opplan.report.records`, which re-exports them):
each goal with its figures as written, the change from baseline to target, its
latest status, and its verdict under roll-up rule 10 (docs/rollup.md) in the
node's own view and in the approved plan; a manager's roll-up of its children's
goals. Fields may be added, never renamed or removed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from opplan.model import NodeId
from opplan.util.plainrepr import plain_repr

__all__ = ["ChildGoals", "GoalAtRisk", "GoalRow", "GoalTrack", "GoalYear", "StatusReport"]


@plain_repr
@dataclass(frozen=True)
class GoalAtRisk:
    """A goal no flat item names and no funded ask serves (roll-up rule 10, docs/rollup.md)."""

    node: NodeId
    goal: str
    title: str
    node_name: str = ""  # the display name of the goal's node


@plain_repr
@dataclass(frozen=True)
class StatusReport:
    """One status report on a goal, as plan.yaml holds it."""

    date: dt.date
    color: str  # green, yellow or red
    note: str


@plain_repr
@dataclass(frozen=True)
class GoalTrack:
    """A goal's status as of a date (reports dated after it ignored): the latest report,
    its trend from the report before it, how many reports there are, and whether it is stale
    (docs/through-the-year.md)."""

    color: str | None  # None: no report on or before the date
    date: dt.date | None
    note: str | None
    trend: str | None  # improving, worsening, steady, new; None without a report
    updates: int  # reports on or before the date
    days: int | None  # days from the latest report to the date; None without a date or report
    stale: bool  # the latest report is older than the cycle's goal_stale_days


@plain_repr
@dataclass(frozen=True)
class GoalRow:
    """One of the node's own goals as documents show it, with its verdict in the node's view."""

    id: str
    title: str
    kind: str
    metric_class: str | None
    unit: str | None
    baseline: Decimal | None
    target: Decimal | None
    due: int | str | dt.date | None  # a month number, a date, or text such as "Q3"
    owner: str | None
    description: str | None
    status: str | None  # the latest status colour, None when never reported
    status_note: str | None
    at_risk: bool  # roll-up rule 10 (docs/rollup.md), in the node's own view
    approved_at_risk: bool = False  # rule 10 in the approved plan (the root's view)
    change: Decimal | None = None  # target - baseline, exact (both given), else None
    #: The unit of ``change``: "pts" (percentage points) for a goal in "%", else the goal's unit.
    change_unit: str | None = None
    status_date: dt.date | None = None  # the date of the latest status report
    history: tuple[StatusReport, ...] = ()  # every status report, oldest first


@plain_repr
@dataclass(frozen=True)
class GoalYear:
    """A row of a document's "Goals this year" table: a goal of the node (or a child's red or
    stale goal, for a manager) with its status as of the cycle's date."""

    node: NodeId
    node_name: str
    goal: str
    title: str
    track: GoalTrack


@plain_repr
@dataclass(frozen=True)
class ChildGoals:
    """One child's own goals as its manager's document rolls them up: each with its latest
    status and its verdict in the approved plan, and the counts by latest colour."""

    child: NodeId
    name: str
    goals: tuple[GoalRow, ...]
    green: int
    yellow: int
    red: int
    unreported: int  # goals with no status report yet
    at_risk: int  # goals at risk in the approved plan (the root's view)
