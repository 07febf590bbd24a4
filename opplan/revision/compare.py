"""Two versions of a cycle compared: the change model of every node (docs/revisions.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from opplan.model import Cycle, NodeId
from opplan.model.costing import Amount
from opplan.model.diagnostics import Diagnostic
from opplan.report.changes import (
    AskChange,
    Bridge,
    BudgetChange,
    ChangeCounts,
    CycleDiff,
    DecisionChange,
    NodeChange,
    NodeDiff,
)
from opplan.report.records import Report
from opplan.revision.identity import Identity, identify
from opplan.revision.plans import ask_changes, budget_change, decision_changes, goal_changes
from opplan.revision.views import Context, bridge, moves, rows_of


def _requested(report: Report) -> dict[NodeId, dict[str, Amount]]:
    """Every ask's requested amount, by node and ask id (the root's view holds every ask)."""
    out: dict[NodeId, dict[str, Amount]] = {}
    root = report.nodes[report.root]
    for r in root.stack:
        out.setdefault(r.node, {})[r.ask.partition("/")[2]] = r.requested
    for d in root.removed:
        out.setdefault(d.node, {})[d.ask.partition("/")[2]] = d.requested
    return out


def _same_bridge(old: Report, new: Report, old_id: NodeId, nid: NodeId) -> Bridge:
    t0, t1 = old.nodes[old_id].totals, new.nodes[nid].totals
    return Bridge(t0.flat, t0.requested, t0.funded, (), t1.flat, t1.requested, t1.funded)


def compare(
    old_cycle: Cycle,
    old: Report,
    new_cycle: Cycle,
    new: Report,
    old_label: str,
    new_label: str,
) -> tuple[CycleDiff, list[Diagnostic]]:
    """The change model from ``old`` to ``new`` (each side's checked cycle and roll-up)."""
    ident = identify(old_cycle, new_cycle, old, new)
    old_req, new_req = _requested(old), _requested(new)
    rates_changed = _settings(old_cycle) != _settings(new_cycle)
    diffs: dict[NodeId, NodeDiff] = {}
    dirty: dict[NodeId, bool] = {}
    all_asks: dict[str, AskChange] = {}
    all_decisions: dict[str, list[DecisionChange]] = {}
    budgets: dict[NodeId, BudgetChange] = {}
    for nid, side in ident.order:
        old_id = nid if side == "removed" else ident.to_old.get(nid)
        new_id = None if side == "removed" else nid
        old_plan = old_cycle.nodes[old_id].plan if old_id is not None else None
        new_plan = new_cycle.nodes[new_id].plan if new_id is not None else None
        asks = ask_changes(
            nid,
            old_plan,
            new_plan,
            old_req.get(old_id, {}) if old_id else {},
            new_req.get(nid, {}) if new_id else {},
        )
        decisions = decision_changes(nid, old_plan, new_plan, ident.ref)
        budget = budget_change(nid, old_plan, new_plan)
        goals = goal_changes(nid, old_plan, new_plan)
        nodes = ident.changes.get(nid, [])
        if budget is not None:
            budgets[nid] = budget
        for a in asks:
            all_asks[a.ask] = a
        for d in decisions:
            all_decisions.setdefault(d.ask, []).append(d)
        report = new.nodes[nid] if new_id is not None else old.nodes[nid]
        flat_changed = (
            side == "same" and old.nodes[old_id].own.flat != new.nodes[nid].own.flat  # type: ignore[index]
        )
        dirty[nid] = (
            dirty.get(nid, False)
            or rates_changed
            or bool(asks or decisions or budget or nodes or flat_changed)
        )
        for change in nodes:
            if change.old_parent is not None:
                dirty[change.old_parent] = True
        diffs[nid] = NodeDiff(
            nid,
            report.name,
            report.path,
            ident.depth[nid],
            report.parent if new_id is not None else _parent(ident, old_cycle, nid),
            side,  # type: ignore[arg-type]
            tuple(nodes),
            tuple(asks),
            decisions=tuple(decisions),
            budget=budget,
            goals=tuple(goals),
            counts=ChangeCounts(
                asks_added=sum(a.change == "added" for a in asks),
                asks_removed=sum(a.change == "removed" for a in asks),
                asks_changed=sum(a.change == "changed" for a in asks),
                decisions=len(decisions),
                budgets=int(budget is not None),
                goals=len(goals),
                nodes=len(nodes),
            ),
        )
    for nid, _ in reversed(ident.order):  # a subtree is dirty when anything in it is
        dirty[nid] = dirty.get(nid, False) or any(dirty.get(c, False) for c in ident.children[nid])
    changed_refs = set(all_asks) | set(all_decisions)
    moved = {nid: c for nid, found in ident.changes.items() for c in found if c.change == "moved"}
    changes = _Changes(all_asks, all_decisions, budgets, moved)
    for nid, side in ident.order:
        if side != "same":
            continue
        old_id = ident.to_old[nid]
        if not dirty[nid]:
            diffs[nid] = replace(diffs[nid], bridge=_same_bridge(old, new, old_id, nid))
            continue
        diffs[nid] = _view(nid, old_id, ident, old, new, diffs[nid], changed_refs, changes)
    out = [diffs[nid] for nid, _ in ident.order]
    return CycleDiff(old_label, new_label, new.root, tuple(_with_subtree(out, ident))), list(
        ident.diagnostics
    )


@dataclass(frozen=True)
class _Changes:
    """The plan changes of the whole diff, by reference or node, for the causes of moves."""

    asks: Mapping[str, AskChange]
    decisions: Mapping[str, list[DecisionChange]]
    budgets: Mapping[NodeId, BudgetChange]
    moved: Mapping[NodeId, NodeChange]


def _settings(cycle: Cycle) -> object:
    return None if cycle.settings is None else cycle.settings.model_dump()


def _parent(ident: Identity, old_cycle: Cycle, nid: NodeId) -> NodeId | None:
    parent = old_cycle.nodes[nid].parent
    return None if parent is None else ident.to_new.get(parent, parent)


def _view(
    nid: NodeId,
    old_id: NodeId,
    ident: Identity,
    old: Report,
    new: Report,
    diff: NodeDiff,
    changed_refs: set[str],
    changes: _Changes,
) -> NodeDiff:
    """The moves across the node's line and its bridge."""
    old_rows = rows_of(old.nodes[old_id], ident.ref)
    new_rows = rows_of(new.nodes[nid], lambda r: r)
    new_members = set(new.tree.subtree(nid))
    old_members = {ident.to_new.get(o, o) for o in old.tree.subtree(old_id)}

    def in_view(by: NodeId) -> bool:
        return by in new_members or by in old_members

    def path(owner: NodeId) -> list[NodeId]:
        at: NodeId | None = owner if owner in new_members else None
        out: list[NodeId] = []
        while at is not None:
            out.append(at)
            at = None if at == nid else new.nodes[at].parent
        return out

    ctx = Context(changes.asks, changes.decisions, in_view, changes.budgets, path, changes.moved)
    found = moves(old_rows, new_rows, ctx, changed_refs)
    flats = (
        {ident.to_new.get(o, o): old.nodes[o].own.flat for o in old.tree.subtree(old_id)},
        {n: new.nodes[n].own.flat for n in new_members},
    )
    money = bridge(
        old.nodes[old_id], new.nodes[nid], flats, (old_members, new_members), old_rows, new_rows
    )
    counts = replace(
        diff.counts,
        moved_below=sum(m.direction == "below" for m in found),
        moved_above=sum(m.direction == "above" for m in found),
    )
    return replace(diff, moves=tuple(found), bridge=money, counts=counts)


def _with_subtree(nodes: list[NodeDiff], ident: Identity) -> list[NodeDiff]:
    """Each node's subtree counts: its own and its descendants' (the moves: its view's only)."""
    own = {n.id: replace(n.counts, moved_below=0, moved_above=0) for n in nodes}
    total: dict[NodeId, ChangeCounts] = {}
    for n in reversed(nodes):
        acc = own[n.id]
        for c in ident.children[n.id]:
            acc = acc + total[c]
        total[n.id] = acc
    return [
        replace(
            n,
            subtree=replace(
                total[n.id], moved_below=n.counts.moved_below, moved_above=n.counts.moved_above
            ),
        )
        for n in nodes
    ]
