"""The report model: everything a renderer lays out, computed once by the engine.

Stage 5 of the pipeline, between the roll-up engine and every output
(table/JSON/CSV, Word, Excel). Renderers read these records and never compute a
figure themselves; if two outputs need the same number it is here.

Amounts are :class:`~opplan.costing.Amount` (headcount, in-year cost, run
rate) in exact decimals. This module is the contract between the engine and the
renderers: fields may be added, never renamed or removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from opplan.model import AskRef, Goal, Narrative, NodeId, Plan
from opplan.model.costing import Amount

StackStatus = Literal["above", "below", "unlined"]
DependencyStatus = Literal["committed", "funded", "unfunded", "cut", "deferred", "unacknowledged"]
DependencyRole = Literal["manager", "requester", "host"]


@dataclass(frozen=True)
class CycleInfo:
    """The cycle as documents print it."""

    name: str
    kind: str
    year: int
    currency: str
    as_of: dt.date | None
    page_size: str = "letter"
    body_font: str = "Calibri"
    heading_font: str = "Cambria"
    font_size: Decimal = Decimal("10.5")


@dataclass(frozen=True)
class Totals:
    """The figures of a node (inclusive of its subtree, or its own only)."""

    flat: Amount
    capex: Decimal
    requested: Amount  # every ask, before partials
    funded: Amount  # above the line or forced, after partials
    unfunded: Amount  # below the line or unlined
    cut: Amount  # requested amounts of asks cut in this view
    deferred: Amount  # requested amounts of asks deferred in this view


@dataclass(frozen=True)
class StackRow:
    """One live ask in a node's order (SPEC 7 rules 4-5)."""

    position: int  # 1-based position in the node's order
    ask: AskRef  # "<node-id>/<ask-id>"
    node: NodeId  # the node that owns the ask
    node_name: str
    title: str
    summary: str
    requested: Amount  # the ask as written (before any partial)
    amount: Amount  # after a partial, if any
    status: StackStatus
    forced: bool  # fund or partial in effect at this node
    decision: str | None  # effective decision in this view (fund/partial) or None
    decided_by: NodeId | None  # the node whose decision is in effect
    rank: int | None  # this node's explicit rank, if any
    note: str | None  # the note of the effective decision or rank entry
    cumulative: Amount  # running total of live asks down to this one
    child: NodeId | None  # the child whose list it came from; None for own asks
    child_status: StackStatus | None  # its status in that child's view (None for own asks)
    goals: tuple[str, ...] = ()
    mandate: str | None = None
    depends_on: tuple[str, ...] = ()
    at_risk: bool = False  # depends on a dependency neither committed nor funded
    child_removed: Literal["cut", "deferred"] | None = (
        None  # revived here: the child's view removed it
    )


@dataclass(frozen=True)
class RemovedRow:
    """An ask of the subtree that is not live in this view (cut or deferred)."""

    ask: AskRef
    node: NodeId
    title: str
    requested: Amount
    status: Literal["cut", "deferred"]
    by: NodeId  # the node whose decision removed it
    note: str | None


@dataclass(frozen=True)
class DependencyRow:
    """A dependency as seen from a node (SPEC 7 rule 8)."""

    requester: NodeId
    id: str
    host: NodeId
    what: str
    needed_by: str | None
    away_team: bool
    funded_by: str | None  # "flat", an ask reference, or None (no commitment)
    manager: NodeId  # lowest common manager of requester and host
    status: DependencyStatus  # in the manager's view
    approved_status: DependencyStatus  # in the root's view
    at_risk_asks: tuple[AskRef, ...]  # requester asks that depend on it, when at risk
    role: DependencyRole  # why this node sees it
    at_risk: bool = False  # neither committed nor funded in the manager's view


@dataclass(frozen=True)
class MandateAnswerRow:
    """One leaf's answer to a mandate, seen from a node."""

    node: NodeId
    response: str | None  # None: the leaf did not answer
    funded_by: str | None  # "flat", an ask reference, or None
    status: Literal["flat", "funded", "unfunded", "missing"]


@dataclass(frozen=True)
class MandateCoverage:
    """A mandate's coverage in a node's subtree (SPEC 7 rule 9)."""

    id: str
    title: str
    due: str | None
    leaves_in_scope: int
    answered: int
    funded: int  # answers funded by flat or an ask above the line
    unfunded: int
    answers: tuple[MandateAnswerRow, ...]


@dataclass(frozen=True)
class GoalAtRisk:
    """A goal no flat item names and no funded ask serves (SPEC 7 rule 10)."""

    node: NodeId
    goal: str
    title: str


@dataclass(frozen=True)
class HeadcountRow:
    """Flat heads of the subtree by child, role, level and location."""

    child: NodeId | None  # None: the node's own heads
    role: str
    level: str | None
    location: str | None
    amount: Amount


@dataclass(frozen=True)
class ChildFigures:
    """What one list of a node's order holds in that node's view: the node's own asks
    (``child`` None) or one child's subtree, funded (above the line) and not."""

    child: NodeId | None
    funded: Amount
    unfunded: Amount


@dataclass(frozen=True)
class NodeReport:
    """Everything the documents of one node show."""

    id: NodeId
    name: str
    owner: str
    path: str  # e.g. "northwind/retail"
    parent: NodeId | None
    depth: int
    children: tuple[NodeId, ...]
    budget_headcount: Decimal | None
    budget_cost: Decimal | None
    totals: Totals  # inclusive of the subtree
    own: Totals  # this node's own plan.yaml only
    over_budget: Amount | None  # excess of forced asks over the budget, or None
    stack: tuple[StackRow, ...]
    removed: tuple[RemovedRow, ...]
    dependencies: tuple[DependencyRow, ...]
    mandates: tuple[MandateCoverage, ...]
    goals_at_risk: tuple[GoalAtRisk, ...]
    headcount: tuple[HeadcountRow, ...]
    plan: Plan
    narrative: Narrative | None
    review_note: str | None = None
    by_child: tuple[ChildFigures, ...] = ()  # own asks first, then each child in id order

    @property
    def goals(self) -> tuple[Goal, ...]:
        """The node's own goals."""
        return self.plan.goals


@dataclass(frozen=True)
class Report:
    """The whole roll-up: every node's report, depth-first with children by id."""

    cycle: CycleInfo
    root: NodeId
    nodes: Mapping[NodeId, NodeReport] = field(default_factory=dict)

    def subtree(self, top: NodeId) -> list[NodeReport]:
        """``top`` and every node below it, depth-first."""
        out, todo = [], [top]
        while todo:
            nid = todo.pop()
            out.append(self.nodes[nid])
            todo.extend(reversed(self.nodes[nid].children))
        return out
