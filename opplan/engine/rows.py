"""The rows of a view: its live asks in order (the stack) and the asks it removed
(roll-up rules 3-5, docs/rollup.md), as report records."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from opplan.engine.stack import CUT, DEFERRED, AskIndex, AskInfo, View
from opplan.model import Decision, Node, NodeId
from opplan.report.records import RemovedRow, StackRow, stack_row


def deferral_mention(info: AskInfo, names: Mapping[NodeId, str]) -> str | None:
    """ "Deferred in OP1 by Risk" for an ask that ``opplan revise`` brought back (its
    ``deferred_in``), else None: the stack tables show it after the ask's title."""
    deferral = info.ask.deferred_in
    if deferral is None:
        return None
    return f"Deferred in {deferral.cycle} by {names.get(deferral.by, deferral.by)}"


def ask_fields(info: AskInfo, names: Mapping[NodeId, str]) -> tuple[Any, ...]:
    """The fields of a stack row that are the same in every view: ask, node, node_name,
    title, summary, requested, goals, mandate, depends_on, and the deferral mention."""
    ask = info.ask
    return (
        info.ref,
        info.node,
        names[info.node],
        ask.title,
        ask.summary,
        info.requested,
        ask.goals,
        ask.mandate,
        ask.depends_on,
        deferral_mention(info, names),
    )


def stack_rows(
    node: Node,
    view: View,
    index: AskIndex,
    all_views: Mapping[NodeId, View],
    at_risk: Callable[[NodeId, int], bool],
    fixed: Sequence[tuple[Any, ...]],
    approved: View,
) -> tuple[StackRow, ...]:
    """Rules 4-5: the live asks of a view in order, with their line status, and (rule 7)
    their status in the approved plan, ``approved`` (the root's view).

    ``fixed`` holds each ask's view-independent fields (:func:`ask_fields`).
    Rows are built by :func:`~opplan.report.records.stack_row`, the record's
    own fast builder (every field required).
    """
    entries: Mapping[int, Decision] = index.decisions.get(node.id, {})
    status, effective, amounts, cumulative, used = (
        view.status,
        view.effective,
        view.amounts,
        view.cumulative,
        view.used,
    )
    root_status, root_effective = approved.status, approved.effective
    rows = []
    for p, i in enumerate(view.order):
        eff = effective.get(i)
        entry = entries.get(i)
        child = view.came_from[p]
        child_status = child_removed = None
        if child is not None:
            cstatus = all_views[child].status[i]
            if cstatus in (CUT, DEFERRED):
                child_removed = cstatus
            else:
                child_status = cstatus
        ref, owner, owner_name, title, summary, requested, goals, mandate, depends_on, mention = (
            fixed[i]
        )
        rows.append(
            stack_row(
                p + 1,
                ref,
                owner,
                owner_name,
                title,
                summary,
                requested,
                amounts[p],
                status[i],  # type: ignore[arg-type]  # a live ask: above, below, unlined
                eff is not None,
                eff.decision if eff is not None else None,
                eff.by if eff is not None else None,
                entry.rank if entry is not None else None,
                entry.note
                if entry is not None and (entry.note or eff is None)
                else eff.entry.note
                if eff is not None
                else None,
                cumulative[p],
                child,
                child_status,  # type: ignore[arg-type]  # as above
                goals,
                mandate,
                depends_on,
                bool(depends_on) and at_risk(node.id, i),
                child_removed,  # type: ignore[arg-type]  # cut or deferred
                root_status[i],  # type: ignore[arg-type]  # every status is an ApprovedStatus
                root_eff.by if (root_eff := root_effective.get(i)) is not None else None,
                used[p],
                root_eff.decision if root_eff is not None else None,
                mention,
            )
        )
    return tuple(rows)


def removed_rows(
    node: NodeId,
    view: View,
    asks: Sequence[AskInfo],
    parent: Mapping[NodeId, NodeId | None],
    approved: View,
) -> tuple[RemovedRow, ...]:
    """Asks of the subtree cut or deferred in this view, with the node that removed them,
    the child of ``node`` whose subtree holds them and their status in the approved plan
    (``approved``, the root's view)."""
    out = []
    for i in view.removed:
        info = asks[i]
        eff = view.effective[i]
        child: NodeId | None = info.node
        while child is not None and child != node and parent[child] != node:
            child = parent[child]
        if child == node:
            child = None
        out.append(
            RemovedRow(
                ask=info.ref,
                node=info.node,
                title=info.ask.title,
                requested=info.requested,
                status=view.status[i],  # type: ignore[arg-type]  # removed: cut or deferred
                by=eff.by,
                note=eff.entry.note,
                child=child,
                approved=approved.status[i],  # type: ignore[arg-type]  # every status is one
                approved_by=root_eff.by if (root_eff := approved.effective.get(i)) else None,
                approved_decision=root_eff.decision if root_eff else None,
            )
        )
    return tuple(out)
