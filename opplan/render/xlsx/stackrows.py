"""What each Stack row's formulas start from: the report's figures for one ask, laid out.

The Stack sheet recalculates a node's view from its Decision and Partial cells
(docs/review.md, "The live Stack"). Its formulas need, per row, what the node's
own decision does not change: the ask as written, the decision in effect below
this node (in the child's view the ask comes through) with the amount it gives,
and where the ask stands in the lists the node's order zips (roll-up rule 4):
its group (ranked here, funded in its child's view, or the rest), its list (the
node's own asks, then one per child) and its place in that list. All of it is
read from the report's records of the node and of its children; nothing is
computed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from opplan.model import NodeId
from opplan.model.costing import Amount
from opplan.report.records import NodeReport, RemovedRow, Report, StackRow

#: Order groups of a row that is not ranked here (ranks are 1 .. 1,000,000, below both).
FUNDED_GROUP = 10**12  # funded in its child's view
OTHER_GROUP = 2 * 10**12  # every other ask (the node's own asks among them)
#: Order key = group + place in its list x LIST_STEP + list number (the zip of rule 4).
LIST_STEP = 10**6

_DECISION_OF = {"cut": "cut", "deferred": "defer"}


@dataclass(frozen=True)
class RowFacts:
    """One Stack row's fixed inputs: the ask, what is decided below, where it stands."""

    ask: str
    title: str
    node: NodeId
    source: NodeId  # the node itself for its own asks, else the child it comes through
    removed: bool  # removed in this view as built (listed after the live asks)
    requested: Amount
    below: Amount  # after the decision in effect below this node (the request if none)
    below_decision: str | None  # fund, partial, cut or defer, decided below this node
    below_by: NodeId | None
    group: int  # this node's rank, FUNDED_GROUP or OTHER_GROUP
    list_no: int  # 0: the node's own asks; 1..: its children in id order
    place: int  # 1-based place in that list (a child's removed asks after its stack)
    approved: str  # in the approved plan, e.g. "funded (payments)"


def row_facts(report: Report, node: NodeReport) -> list[RowFacts]:
    """The facts of every Stack row: live asks in the node's order, then removed ones."""
    children = {c: i for i, c in enumerate(node.children, start=1)}
    own_place = {f"{node.id}/{a}": i for i, a in enumerate(node.asks, start=1)}
    lookups: dict[NodeId, _ChildRows] = {}

    def facts(
        ask: str, title: str, owner: NodeId, child: NodeId | None, requested: Amount, removed: bool
    ) -> RowFacts:
        rank = _rank(node, ask)
        approved = _approved(report, node, ask)
        if child is None:
            group = rank if rank is not None else OTHER_GROUP
            place = own_place.get(ask, 0)
            return RowFacts(
                ask, title, owner, node.id, removed, requested, requested, None, None,
                group, 0, place, approved,
            )  # fmt: skip
        rows = lookups.get(child)
        if rows is None:
            rows = lookups[child] = _ChildRows(report.nodes[child])
        live = rows.stack.get(ask)
        if live is not None:
            place, sr = live
            funded = sr.status == "above"
            decision = sr.decision if sr.forced else None
            by = sr.decided_by if sr.forced else None
            below = sr.amount
        else:
            place, rr = rows.removed[ask]
            funded = False
            decision, by, below = _DECISION_OF[rr.status], rr.by, rr.requested
        group = rank if rank is not None else (FUNDED_GROUP if funded else OTHER_GROUP)
        return RowFacts(
            ask, title, owner, child, removed, requested, below, decision, by,
            group, children[child], place, approved,
        )  # fmt: skip

    out = [
        facts(
            r.ask,
            f"{r.title} ({r.deferred_in})" if r.deferred_in else r.title,
            r.node,
            r.child,
            r.requested,
            False,
        )
        for r in node.stack
    ]
    out += [facts(r.ask, r.title, r.node, r.child, r.requested, True) for r in node.removed]
    return out


class _ChildRows:
    """A child's view by ask: its stack rows with their place, then its removed asks."""

    def __init__(self, child: NodeReport):
        self.stack: dict[str, tuple[int, StackRow]] = {
            r.ask: (i, r) for i, r in enumerate(child.stack, start=1)
        }
        n = len(child.stack)
        self.removed: dict[str, tuple[int, RemovedRow]] = {
            r.ask: (n + i, r) for i, r in enumerate(child.removed, start=1)
        }


def _rank(node: NodeReport, ask: str) -> int | None:
    entry = node.decisions.get(ask)
    return entry.rank if entry is not None else None


#: The approved plan's statuses in the documents' words.
APPROVED_WORDS: Mapping[str, str] = {
    "above": "funded",
    "below": "below",
    "unlined": "no budget",
    "cut": "cut",
    "deferred": "deferred",
}


def _approved(report: Report, node: NodeReport, ask: str) -> str:
    """The ask's status in the approved plan (the root's view), with who decided there."""
    row = _approved_rows(report).get(ask)
    if row is None:
        return ""
    word = APPROVED_WORDS.get(row[0], row[0])
    return f"{word} ({row[1]})" if row[1] else word


def _approved_rows(report: Report) -> dict[str, tuple[str, NodeId | None]]:
    """Every ask's approved status and decider, read once per report from the root's rows."""
    cache: dict[str, tuple[str, NodeId | None]] | None = report.__dict__.get("_xlsx_approved")
    if cache is None:
        root = report.nodes[report.root]
        cache = {r.ask: (r.approved, r.approved_by) for r in root.stack}
        cache.update({r.ask: (r.approved, r.approved_by) for r in root.removed})
        report.__dict__["_xlsx_approved"] = cache
    return cache
