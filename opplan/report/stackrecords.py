"""The rows of a node's stack: every live ask in the node's order with its status, and the
asks its view removed (cut or deferred); :func:`stack_row` builds a row fast."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from opplan.model import AskRef, NodeId
from opplan.model.costing import ZERO_AMOUNT, Amount
from opplan.util.plainrepr import plain_repr

StackStatus = Literal["above", "below", "unlined"]
ApprovedStatus = Literal["above", "below", "unlined", "cut", "deferred"]


@plain_repr
@dataclass(frozen=True)
class StackRow:
    """One live ask in a node's order (roll-up rules 4-5, docs/rollup.md)."""

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
    child_removed: Literal["cut", "deferred"] | None = None  # revived: the child's view removed it
    #: Its status in the approved plan (the root's view): above, below, unlined, cut or deferred.
    approved: ApprovedStatus = "unlined"
    approved_by: NodeId | None = None  # the node whose decision is in effect in the approved plan
    #: The budget used down to this ask as the line counts it (rule 5): every forced ask
    #: first, wherever it stands, then the non-forced asks in order down to this one.
    used: Amount = ZERO_AMOUNT
    #: The decision in effect in the approved plan: fund, partial, or None (the line decides).
    approved_decision: str | None = None
    #: An ask ``opplan revise`` brought back: "Deferred in OP1 by Risk" (its ``deferred_in``).
    deferred_in: str | None = None


#: Each StackRow field, in declaration order: what :func:`stack_row` sets.
_STACK_FIELDS = tuple(StackRow.__dataclass_fields__)


def stack_row(
    position: int,
    ask: AskRef,
    node: NodeId,
    node_name: str,
    title: str,
    summary: str,
    requested: Amount,
    amount: Amount,
    status: StackStatus,
    forced: bool,
    decision: str | None,
    decided_by: NodeId | None,
    rank: int | None,
    note: str | None,
    cumulative: Amount,
    child: NodeId | None,
    child_status: StackStatus | None,
    goals: tuple[str, ...],
    mandate: str | None,
    depends_on: tuple[str, ...],
    at_risk: bool,
    child_removed: Literal["cut", "deferred"] | None,
    approved: ApprovedStatus,
    approved_by: NodeId | None,
    used: Amount,
    approved_decision: str | None,
    deferred_in: str | None,
) -> StackRow:
    """A :class:`StackRow`, built fast: the roll-up's hot path (hundreds of thousands of rows).

    The dataclass ``__init__`` sets each field through ``object.__setattr__``,
    which took seconds on a large org. This builder takes every field as a
    required parameter, in declaration order, and writes them in that order
    (keeping the compact shared-key layout of instances). A test checks that its
    parameters are exactly StackRow's fields, so a field added to StackRow and
    not here fails the suite instead of silently missing; another checks its
    rows equal the constructor's.
    """
    row = object.__new__(StackRow)
    f = row.__dict__
    f["position"] = position
    f["ask"] = ask
    f["node"] = node
    f["node_name"] = node_name
    f["title"] = title
    f["summary"] = summary
    f["requested"] = requested
    f["amount"] = amount
    f["status"] = status
    f["forced"] = forced
    f["decision"] = decision
    f["decided_by"] = decided_by
    f["rank"] = rank
    f["note"] = note
    f["cumulative"] = cumulative
    f["child"] = child
    f["child_status"] = child_status
    f["goals"] = goals
    f["mandate"] = mandate
    f["depends_on"] = depends_on
    f["at_risk"] = at_risk
    f["child_removed"] = child_removed
    f["approved"] = approved
    f["approved_by"] = approved_by
    f["used"] = used
    f["approved_decision"] = approved_decision
    f["deferred_in"] = deferred_in
    return row


@plain_repr
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
    child: NodeId | None = None  # the child whose subtree holds it; None for own asks
    approved: ApprovedStatus = "cut"  # its status in the approved plan (the root's view)
    approved_by: NodeId | None = None  # the node whose decision is in effect there
    approved_decision: str | None = None  # fund, partial or None there (the line decides)
