"""The change model: what changed between two versions of a cycle, node by node.

Built by :mod:`opplan.revision` (``opplan diff``, docs/revisions.md) from the two
roll-ups, laid out by the renderers (the diff's table, JSON and CSV; the documents'
"What changed" section). Every figure and every word a renderer prints is decided
here. Fields may be added, never renamed or removed.

Asks and nodes are named by their id in the NEW version: an ask of a renamed node
(``renamed_from:``) is ``<new-id>/<ask-id>`` on both sides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Literal

from opplan.model import AskRef, NodeId
from opplan.model.costing import ZERO_AMOUNT, Amount

Change = Literal["added", "removed", "changed"]
NodeChangeKind = Literal["added", "removed", "moved", "renamed"]
#: An ask's place in one node's view: the line's statuses, or removed by a decision.
ViewStatus = Literal["above", "below", "unlined", "cut", "deferred"]
#: Why an ask crossed a node's line (docs/revisions.md, "Why an ask crossed the line").
CauseKind = Literal[
    "budget",  # the node's budget changed
    "decision",  # a decision on the ask was added, changed or removed (at any node)
    "ranked-ahead",  # an ask is now ahead of it that was not (new, moved in, re-ranked, forced)
    "ahead-grew",  # an ask ahead of it on both sides asks for more
    "ahead-left",  # an ask that was ahead of it is not any more (removed, moved out, re-ranked)
    "ahead-shrank",  # an ask ahead of it on both sides asks for less
    "own-amount",  # the ask's own amount changed
    "node-moved",  # the ask's node moved into this subtree
    "other",  # none of the above explains it (should not happen; reported, not hidden)
]


@dataclass(frozen=True)
class FieldChange:
    """One field of an ask, a goal or a node, as text on each side (None: not set)."""

    field: str  # e.g. "title", "headcount", "cost", "run_rate", "start", "goals", "target"
    old: str | None
    new: str | None


@dataclass(frozen=True)
class AskChange:
    """An ask of a node's own plan added, removed or changed."""

    ask: AskRef  # <node-id>/<ask-id>, the node's id in the new version
    node: NodeId
    title: str  # the new title (the old one for a removed ask)
    change: Change
    old: Amount | None  # requested, as written (None: added)
    new: Amount | None  # requested, as written (None: removed)
    fields: tuple[FieldChange, ...] = ()  # what changed (empty for added and removed)


@dataclass(frozen=True)
class Cause:
    """One reason an ask crossed a node's line, in words and with what it names."""

    kind: CauseKind
    text: str  # e.g. "budget 4 -> 3 heads", "payments/fraud-ml (new, 2 heads) ranked ahead"
    asks: tuple[AskRef, ...] = ()  # the asks it names (ranked ahead, grew, ...)
    by: NodeId | None = None  # the deciding node (decision) or the budget's node
    amount: Amount = ZERO_AMOUNT  # the change it names (the growth of the asks ahead, ...)


@dataclass(frozen=True)
class LineMove:
    """An ask that crossed the line in one node's view: funded on one side, not on the other."""

    ask: AskRef
    node: NodeId  # the node that owns the ask
    title: str
    old: ViewStatus
    new: ViewStatus
    direction: Literal["below", "above"]  # "below": no longer funded; "above": now funded
    old_amount: Amount  # what the line counted on each side (after a partial)
    new_amount: Amount
    causes: tuple[Cause, ...]


@dataclass(frozen=True)
class DecisionChange:
    """A review entry of one deciding node added, changed or removed."""

    ask: AskRef
    by: NodeId  # the deciding node (whose plan.yaml holds the entry)
    change: Change
    old: str | None  # the entry in words ("partial 1 head, rank 2"); None: added
    new: str | None  # None: removed
    old_decision: str | None = None  # fund/partial/cut/defer/escalate, None: rank only
    new_decision: str | None = None


@dataclass(frozen=True)
class BudgetChange:
    """A node's budget (its incremental envelope), each dimension on each side."""

    node: NodeId
    old_headcount: Decimal | None
    new_headcount: Decimal | None
    old_cost: Decimal | None
    new_cost: Decimal | None
    text: str  # e.g. "4 heads -> 3 heads; 600,000.00 -> 450,000.00"


@dataclass(frozen=True)
class GoalChange:
    """A goal of a node's own plan added, removed, or whose target, due date or status changed."""

    node: NodeId
    goal: str
    title: str
    change: Change
    fields: tuple[FieldChange, ...] = ()  # "target", "due", "status" (the latest color)


@dataclass(frozen=True)
class NodeChange:
    """A node added, removed, moved under another parent, or renamed (``renamed_from:``)."""

    node: NodeId  # the id in the new version (the old id for a removed node)
    change: NodeChangeKind
    name: str
    old_parent: NodeId | None = None
    new_parent: NodeId | None = None
    old_id: NodeId | None = None  # renamed: the id it had
    flat: Amount = ZERO_AMOUNT  # its own flat plan (added: new; removed: old)


BridgeColumn = Literal["flat", "requested", "funded"]
BridgeKind = Literal[
    "flat-changed",  # the flat plans of nodes on both sides
    "nodes-added",  # nodes added to the subtree, or moved into it
    "nodes-removed",  # nodes removed from it, or moved out of it
    "asks-added",
    "asks-removed",
    "asks-changed",  # the asks' own amounts (requested), or what is funded of them
    "moved-above",  # asks now funded in this view that were not
    "moved-below",  # asks no longer funded in this view
    "decisions",  # partial amounts changed by a decision, funded on both sides
]


@dataclass(frozen=True)
class BridgeStep:
    """One cause in a bridge: how much it moves flat, requested and funded (signed)."""

    kind: BridgeKind
    label: str
    count: int  # how many nodes or asks it sums
    flat: Amount = ZERO_AMOUNT
    requested: Amount = ZERO_AMOUNT
    funded: Amount = ZERO_AMOUNT


@dataclass(frozen=True)
class Bridge:
    """From the old totals to the new ones of a node's subtree, in its view: old plus
    every step is new, exactly, in each column and each of heads, cost and run rate."""

    old_flat: Amount
    old_requested: Amount
    old_funded: Amount
    steps: tuple[BridgeStep, ...]
    new_flat: Amount
    new_requested: Amount
    new_funded: Amount

    @property
    def changed(self) -> bool:
        """True when any total differs."""
        return bool(self.steps)


@dataclass(frozen=True)
class ChangeCounts:
    """How many changes of each kind (a node's own, or its whole subtree's)."""

    asks_added: int = 0
    asks_removed: int = 0
    asks_changed: int = 0
    moved_below: int = 0
    moved_above: int = 0
    decisions: int = 0
    budgets: int = 0
    goals: int = 0
    nodes: int = 0

    @property
    def total(self) -> int:
        """Every change counted."""
        return (
            self.asks_added
            + self.asks_removed
            + self.asks_changed
            + self.moved_below
            + self.moved_above
            + self.decisions
            + self.budgets
            + self.goals
            + self.nodes
        )

    def __add__(self, other: ChangeCounts) -> ChangeCounts:
        return ChangeCounts(
            *(
                getattr(self, f) + getattr(other, f)
                for f in ChangeCounts.__dataclass_fields__  # declaration order
            )
        )


@dataclass(frozen=True)
class NodeDiff:
    """What changed at one node: its own plan (asks, goals, budget, the decisions it made),
    its view (the moves across its line, the bridge) and its place in the tree."""

    id: NodeId  # the id in the new version (the old id for a removed node)
    name: str
    path: str  # in the new version (old for a removed node)
    depth: int
    parent: NodeId | None
    status: Literal["same", "added", "removed"]  # on both sides, or on one only
    nodes: tuple[NodeChange, ...] = ()  # this node moved or renamed, added or removed
    asks: tuple[AskChange, ...] = ()
    moves: tuple[LineMove, ...] = ()  # in this node's view (asks of its subtree)
    decisions: tuple[DecisionChange, ...] = ()  # entries of this node's review
    budget: BudgetChange | None = None
    goals: tuple[GoalChange, ...] = ()
    bridge: Bridge | None = None  # None for a node on one side only
    counts: ChangeCounts = ChangeCounts()  # this node's own changes (moves: in its view)
    subtree: ChangeCounts = ChangeCounts()  # its own and every node's below it (moves: own view)

    @property
    def changed(self) -> bool:
        """True when anything is listed at this node (its bridge moves only with a change)."""
        return self.counts.total > 0 or bool(self.bridge and self.bridge.changed)


@dataclass(frozen=True)
class CycleDiff:
    """Two versions of a cycle compared: every node of either, depth-first (the new tree,
    with the removed nodes where they stood in the old one), children by id."""

    old_label: str  # the directory, or the revision and path ("op1-final:plans/op1")
    new_label: str
    root: NodeId
    nodes: tuple[NodeDiff, ...]

    @property
    def changed(self) -> bool:
        """True when anything changed anywhere."""
        return any(n.changed for n in self.nodes)

    @cached_property
    def index(self) -> Mapping[NodeId, int]:
        """Each node's position in :attr:`nodes`."""
        return {n.id: i for i, n in enumerate(self.nodes)}

    def node(self, nid: NodeId) -> NodeDiff | None:
        """The diff of one node (by its new id; a removed node by its old id)."""
        i = self.index.get(nid)
        return None if i is None else self.nodes[i]

    def subtree(self, nid: NodeId) -> tuple[NodeDiff, ...]:
        """``nid`` and every node below it (removed ones too), depth-first."""
        start = self.index.get(nid)
        if start is None:
            return ()
        end = start + 1
        while end < len(self.nodes) and self.nodes[end].depth > self.nodes[start].depth:
            end += 1
        return self.nodes[start:end]
