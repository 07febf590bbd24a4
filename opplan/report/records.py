"""The report model: everything a renderer lays out, computed once by the engine.

Stage 5 of the pipeline, between the roll-up engine and every output
(table/JSON/CSV, Word, Excel). Renderers read these records and never compute a
figure themselves; if two outputs need the same number it is here.

Amounts are :class:`~opplan.costing.Amount` (headcount, in-year cost, run
rate) in exact decimals. This module is the contract between the engine and the
renderers: fields may be added, never renamed or removed. The goal records live in
:mod:`opplan.report.goalrecords` and are re-exported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Literal

from opplan.model import Ask, AskRef, Decision, Narrative, NodeId, Tree
from opplan.model.costing import ZERO_AMOUNT, Amount
from opplan.report.changetext import DocumentChanges
from opplan.report.goalrecords import ChildGoals as ChildGoals
from opplan.report.goalrecords import GoalAtRisk as GoalAtRisk
from opplan.report.goalrecords import GoalRow as GoalRow
from opplan.report.goalrecords import GoalTrack as GoalTrack
from opplan.report.goalrecords import GoalYear as GoalYear
from opplan.report.goalrecords import StatusReport as StatusReport
from opplan.report.line import LineFigures
from opplan.report.money import (
    NO_ENVELOPES,
    NO_HIRES,
    NO_RESOURCES,
    Envelopes,
    Hiring,
    Resources,
)
from opplan.report.stackrecords import ApprovedStatus as ApprovedStatus
from opplan.report.stackrecords import RemovedRow as RemovedRow
from opplan.report.stackrecords import StackRow as StackRow
from opplan.report.stackrecords import StackStatus as StackStatus
from opplan.report.stackrecords import stack_row as stack_row
from opplan.util.plainrepr import plain_repr

DependencyStatus = Literal["committed", "funded", "unfunded", "cut", "deferred", "unacknowledged"]
DependencyRole = Literal["manager", "requester", "host", "path"]
AnswerStatus = Literal["flat", "funded", "unfunded", "missing"]


@plain_repr
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
    goal_stale_days: int = 45  # a goal's latest status older than this is stale


@plain_repr
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

    @property
    def partial_rest(self) -> Amount:
        """What partial decisions leave unfunded of their asks: requested is funded,
        unfunded, cut, deferred and this rest."""
        return self.requested - Amount.total([self.funded, self.unfunded, self.cut, self.deferred])


@plain_repr
@dataclass(frozen=True)
class DependencyRow:
    """A dependency as seen from a node (roll-up rule 8, docs/rollup.md)."""

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
    role: DependencyRole  # why this node sees it ("path": between an end and the manager)
    at_risk: bool = False  # neither committed nor funded in the manager's view


@plain_repr
@dataclass(frozen=True)
class MandateAnswerRow:
    """One leaf's answer to a mandate, seen from a node."""

    node: NodeId
    response: str | None  # None: the leaf did not answer
    funded_by: str | None  # "flat", an ask reference, or None
    status: AnswerStatus  # in the viewing node's view
    approved_status: AnswerStatus = "missing"  # in the approved plan (the root's view)


@plain_repr
@dataclass(frozen=True)
class MandateCoverage:
    """A mandate's coverage in a node's subtree (roll-up rule 9, docs/rollup.md)."""

    id: str
    title: str
    due: str | None
    leaves_in_scope: int
    answered: int
    funded: int  # answers funded by flat or an ask above the line
    unfunded: int
    answers: tuple[MandateAnswerRow, ...]
    approved_funded: int = 0  # answers funded by flat or an ask above the line in the root's view
    approved_unfunded: int = 0  # answers not funded in the root's view

    @property
    def missing(self) -> int:
        """Leaves in scope that did not answer."""
        return self.leaves_in_scope - self.answered


@plain_repr
@dataclass(frozen=True)
class HeadcountRow:
    """Flat heads of the subtree by child, role, level and location."""

    child: NodeId | None  # None: the node's own heads
    role: str
    level: str | None
    location: str | None
    amount: Amount


@plain_repr
@dataclass(frozen=True)
class ChildFigures:
    """What one list of a node's order holds in that node's view: the node's own asks
    (``child`` None) or one child's subtree, funded (above the line) and not."""

    child: NodeId | None
    funded: Amount
    unfunded: Amount


@plain_repr
@dataclass(frozen=True)
class FlatItemRow:
    """One of the node's own flat items (the zero-based plan)."""

    id: str
    title: str
    headcount: Decimal
    summary: str | None
    goals: tuple[str, ...]


@plain_repr
@dataclass(frozen=True)
class ApprovedCounts:
    """How many asks of a node's subtree have each status in the approved plan (the
    root's view): funded (above the root's line or funded by a decision), below, unlined,
    cut, deferred."""

    funded: int = 0
    below: int = 0
    unlined: int = 0
    cut: int = 0
    deferred: int = 0
    partial: int = 0  # of the funded ones, those funded in part (a partial decision)

    @property
    def asks(self) -> int:
        """Every ask of the subtree."""
        return self.funded + self.below + self.unlined + self.cut + self.deferred


@plain_repr
@dataclass(frozen=True)
class ChildSummary:
    """What a manager needs to know of one child's asks, in the manager's view and in the
    approved plan (the child's own view is the child's report)."""

    child: NodeId
    requested: Amount  # every ask of the child's subtree, as written
    funded: Amount  # funded in the manager's view (above its line or by decision)
    unfunded: Amount  # below the manager's line or unlined there
    cut: Amount  # requested amounts cut in the manager's view
    deferred: Amount  # requested amounts deferred in the manager's view
    at_risk: int  # the child's asks at risk from a dependency in the manager's view
    approved_funded: Amount  # funded in the approved plan (the root's view)


TeamRowKind = Literal["own", "child", "others", "total"]


@plain_repr
@dataclass(frozen=True)
class TeamRow:
    """One row of a manager's flat-and-asks table: its own plan, a child, the children
    not listed (``others``: how many in ``count``) or the total."""

    kind: TeamRowKind
    id: NodeId | None  # the child (or the node, for own and total); None for others
    name: str
    count: int  # how many children the row stands for
    flat: Amount
    requested: Amount
    funded: Amount
    unfunded: Amount


@plain_repr
@dataclass(frozen=True)
class NodeReport:
    """Everything the documents of one node show: no renderer needs anything else."""

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
    approved: Totals  # the subtree in the approved plan (the root's view); the root: ``totals``
    over_budget: Amount | None  # excess of forced asks over the budget, or None
    stack: tuple[StackRow, ...]
    removed: tuple[RemovedRow, ...]
    dependencies: tuple[DependencyRow, ...]
    mandates: tuple[MandateCoverage, ...]
    goals_at_risk: tuple[GoalAtRisk, ...]
    headcount: tuple[HeadcountRow, ...]
    narrative: Narrative | None
    plan_path: str = ""  # the node's plan.yaml, for a diagnostic about the node
    goals: tuple[GoalRow, ...] = ()  # the node's own goals
    flat_items: tuple[FlatItemRow, ...] = ()
    contributors: tuple[str, ...] = ()
    state: str = "draft"
    review_note: str | None = None
    #: The node's own review entries by ask (prefilled in its workbook).
    decisions: Mapping[AskRef, Decision] = field(default_factory=dict)
    #: The node's own asks as written, by id (what a workbook row's fingerprint covers).
    asks: Mapping[str, Ask] = field(default_factory=dict)
    by_child: tuple[ChildFigures, ...] = ()  # own asks first, then each child in id order
    has_budget: bool = False  # a budget in headcount or cost: the stack is lined
    line_at: int | None = None  # stack index the line is drawn before (None: no line)
    last_above: int | None = None  # stack index of the last non-forced ask above the line
    teams: tuple[TeamRow, ...] = ()  # own (if any), every child, total
    teams_body: tuple[TeamRow, ...] = ()  # the same, the smaller children in one row
    headcount_total: Amount = ZERO_AMOUNT  # the sum of the headcount rows
    #: The goals of the subtree at risk in the approved plan (rule 10 in the root's view).
    approved_goals_at_risk: tuple[GoalAtRisk, ...] = ()
    child_goals: tuple[ChildGoals, ...] = ()  # each child's own goals, in child order
    #: The appendix's "Goals this year": own goals, a manager's children's red or stale ones.
    goals_this_year: tuple[GoalYear, ...] = ()
    resources: Resources = NO_RESOURCES  # the money, whole (inclusive of the subtree)
    hiring: Hiring = NO_HIRES  # funded heads in the approved plan (the root's view)
    hiring_here: Hiring = NO_HIRES  # funded heads in this node's view
    hiring_differs: bool = False  # this node's view hires otherwise than the approved plan
    envelopes: Envelopes = NO_ENVELOPES  # a manager's children's budgets and funding
    approved_counts: ApprovedCounts = ApprovedCounts()  # the subtree's asks by approved status
    #: What the approved plan gives the subtree: flat plus the asks funded there.
    approved_total: Amount = ZERO_AMOUNT
    child_summaries: tuple[ChildSummary, ...] = ()  # one per child, in child id order
    #: The line in figures: budget, forced, used, headroom, what binds, the first ask below.
    line: LineFigures = field(default_factory=LineFigures)


@plain_repr
@dataclass(frozen=True)
class Report:
    """The whole roll-up: every node's report, depth-first with children by id."""

    cycle: CycleInfo
    root: NodeId
    nodes: Mapping[NodeId, NodeReport] = field(default_factory=dict)
    #: What changed since an older version (``opplan build --since``); None without one.
    changes: DocumentChanges | None = None
    #: The JSON of each ask as written, by reference, when it was made beside the roll-up
    #: (what a workbook row's fingerprint holds of its ask; one missing here is made when
    #: needed). It is what the nodes' ``asks`` say, so it takes no part in comparisons; a
    #: report made from this one with other nodes (``replace(report, nodes=...)``) must
    #: leave it out (``ask_json={}``).
    ask_json: Mapping[AskRef, str] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def tree(self) -> Tree:
        """The org tree's index over the report's nodes (the model's one subtree index)."""
        return Tree.build(self.nodes)

    def path_names(self, node: NodeId) -> tuple[str, ...]:
        """The names of ``node``'s org path, from the root down to the node itself
        (``("Northwind", "Retail", "Buying")``): the path as a reader knows it."""
        names: list[str] = []
        at: NodeId | None = node
        while at is not None and at in self.nodes and len(names) <= len(self.nodes):
            names.append(self.nodes[at].name)
            at = self.nodes[at].parent
        return tuple(reversed(names))

    @cached_property
    def approved_rows(self) -> Mapping[AskRef, StackRow]:
        """The root's stack rows by ask: each live ask as the approved plan funds it (its
        amount after a partial there, and the decision in effect)."""
        root = self.nodes.get(self.root)
        return {} if root is None else {r.ask: r for r in root.stack}

    @cached_property
    def removed_rows(self) -> Mapping[AskRef, RemovedRow]:
        """The root's removed rows by ask: each ask the approved plan cuts or defers."""
        root = self.nodes.get(self.root)
        return {} if root is None else {r.ask: r for r in root.removed}

    def subtree(self, top: NodeId) -> list[NodeReport]:
        """``top`` and every node below it, depth-first."""
        return [self.nodes[nid] for nid in self.tree.subtree(top)]
