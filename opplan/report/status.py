"""Who has submitted: every node's state, narrative, owner, review and lateness, and the
counts each manager sees of the nodes below it (``opplan status``, docs/through-the-year.md).

Read from the loaded cycle alone (no roll-up), so a cycle whose plans still have errors
has a status too: a node whose plan.yaml could not be read is ``unreadable`` and counts as
not submitted. Lateness needs a date: the cycle's ``due:`` and the as-of date the caller
passes (the command's ``--as-of``, by default today); a node is late when it is not
submitted and the as-of date is after ``due:``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from typing import Literal

from opplan.model import AskRef, Cycle, NodeId, Plan, Tree, ask_ref, parse_ask_ref
from opplan.report.placeholders import NarrativeState, is_placeholder_owner, narrative_state

PlanState = Literal["draft", "submitted", "unreadable"]
ReviewState = Literal["done", "open"]


@dataclass(frozen=True)
class StatusCounts:
    """Counts over the nodes below a manager (its subtree without itself)."""

    plans: int = 0
    submitted: int = 0
    narratives: int = 0  # written, not the scaffold
    owners: int = 0  # a person, not a placeholder
    managers: int = 0  # nodes below with nodes below them
    reviews: int = 0  # of those managers, the ones whose review is done
    late: int = 0

    def __add__(self, other: StatusCounts) -> StatusCounts:
        return StatusCounts(*(a + b for a, b in zip(_fields(self), _fields(other), strict=True)))


def _fields(c: StatusCounts) -> tuple[int, ...]:
    return (c.plans, c.submitted, c.narratives, c.owners, c.managers, c.reviews, c.late)


@dataclass(frozen=True)
class NodeStatus:
    """One node's submission status, decided once."""

    id: NodeId
    name: str
    path: str  # e.g. "northwind/retail"
    parent: NodeId | None
    depth: int
    children: tuple[NodeId, ...]
    owner: str
    owner_set: bool  # False: a placeholder (docs/through-the-year.md)
    state: PlanState
    narrative: NarrativeState
    review: ReviewState | None  # None for a team (nothing below it to review)
    late: bool
    below: StatusCounts  # the nodes below it; all zero for a team


@dataclass(frozen=True)
class StatusReport:
    """Every node's status, depth-first, with the dates lateness was judged by."""

    cycle: str
    as_of: dt.date
    due: dt.date | None
    root: NodeId
    nodes: Mapping[NodeId, NodeStatus]
    tree: Tree

    def subtree(self, top: NodeId) -> list[NodeStatus]:
        """``top`` and every node below it, depth-first."""
        return [self.nodes[nid] for nid in self.tree.subtree(top)]


def review_state(
    cycle: Cycle, nid: NodeId, asks: AbstractSet[AskRef] | None = None
) -> ReviewState | None:
    """The manager's ``review.state`` when it is set; else ``done`` when a manager's
    ``review.decisions`` has an entry (a decision or a rank)
    on an ask of a node below it, or its review has a ``note`` (a manager who decides
    nothing says why there); ``open`` otherwise; None for a team. ``asks``: every ask
    reference of the cycle (:func:`ask_refs`), when the caller has it."""
    node = cycle.nodes[nid]
    if not node.children:
        return None
    review = node.plan.review if node.plan else None
    if review is not None and review.state is not None:
        return review.state
    if review is not None and review.note:
        return "done"
    known = ask_refs(cycle) if asks is None else asks
    for key in review.decisions if review else ():
        ref = parse_ask_ref(key)
        if ref and ref[0] != nid and key in known and cycle.in_subtree(ref[0], nid):
            return "done"
    return "open"


def ask_refs(cycle: Cycle) -> frozenset[AskRef]:
    """Every ask reference ``<node-id>/<ask-id>`` of the cycle."""
    return frozenset(ask_ref(n.id, a.id) for n, p in cycle.plans() for a in p.incremental)


def _state(plan: Plan | None) -> PlanState:
    return "unreadable" if plan is None else plan.state


def status_report(cycle: Cycle, as_of: dt.date) -> StatusReport:
    """The status of every node of ``cycle`` as of ``as_of`` (the cycle needs a root)."""
    assert cycle.root is not None, "a cycle without a root has no status (check says why)"
    due = cycle.settings.due if cycle.settings else None
    asks = ask_refs(cycle)
    own: dict[NodeId, NodeStatus] = {}
    for nid, node in cycle.nodes.items():
        plan = node.plan
        state = _state(plan)
        owner = plan.owner if plan else ""
        own[nid] = NodeStatus(
            id=nid,
            name=plan.name if plan else nid,
            path=node.rel,
            parent=node.parent,
            depth=node.depth,
            children=node.children,
            owner=owner,
            owner_set=plan is not None and not is_placeholder_owner(owner),
            state=state,
            narrative=narrative_state(node.narrative.text if node.narrative else None),
            review=review_state(cycle, nid, asks),
            late=due is not None and state != "submitted" and as_of > due,
            below=StatusCounts(),
        )

    def one(nid: NodeId) -> StatusCounts:
        s = own[nid]
        return StatusCounts(
            plans=1,
            submitted=int(s.state == "submitted"),
            narratives=int(s.narrative == "written"),
            owners=int(s.owner_set),
            managers=int(s.review is not None),
            reviews=int(s.review == "done"),
            late=int(s.late),
        )

    inclusive = cycle.tree.reduce(one, _total)
    nodes = {
        nid: replace(s, below=_total([inclusive[c] for c in s.children])) for nid, s in own.items()
    }
    name = cycle.settings.name if cycle.settings else ""
    return StatusReport(name, as_of, due, cycle.root, nodes, cycle.tree)


def _total(counts: Sequence[StatusCounts]) -> StatusCounts:
    out = StatusCounts()
    for c in counts:
        out = out + c
    return out
