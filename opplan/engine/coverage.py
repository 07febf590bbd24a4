"""Dependencies, mandate coverage and goals at risk in each node's view (roll-up rules 8-10, docs/rollup.md).

These read the views computed by :mod:`opplan.engine.stack` (the status of every ask
at every node) and produce the rows of the report model. Nothing here changes
a view: a dependency, a mandate or a goal never moves the line.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from opplan.engine.stack import ABOVE, CUT, DEFERRED, AskIndex, View
from opplan.model import Cycle, Dependency, NodeId, Tree, ask_ref, dependency_ref
from opplan.report.records import (
    AnswerStatus,
    DependencyRole,
    DependencyRow,
    DependencyStatus,
    GoalAtRisk,
    MandateAnswerRow,
    MandateCoverage,
)

_FROM_ASK: dict[str, DependencyStatus] = {
    ABOVE: "funded",
    "below": "unfunded",
    "unlined": "unfunded",
    CUT: "cut",
    DEFERRED: "deferred",
}
SAFE: frozenset[str] = frozenset({"committed", "funded"})

__all__ = [
    "SAFE",
    "DepInfo",
    "approved_goals_at_risk",
    "at_risk_checker",
    "dependency_infos",
    "dependency_roles",
    "dependency_rows",
    "goals_at_risk",
    "mandate_coverage",
]


@dataclass(frozen=True, slots=True)
class DepInfo:
    """A dependency with its host, manager and the commitment that would fund it."""

    requester: NodeId
    dep: Dependency
    host: NodeId
    manager: NodeId
    funded_by: str | None  # "flat", an ask reference, or None
    ask: int | None  # index of the funding ask
    asks: tuple[int, ...]  # the requester's asks that depend on it
    ask_refs: tuple[str, ...]  # their references

    def status(self, view: View) -> DependencyStatus:
        """Rule 8: the dependency's status in ``view`` (which holds the funding ask)."""
        if self.funded_by == "flat":
            return "committed"
        if self.ask is None:
            return "unacknowledged"
        return _FROM_ASK[view.status[self.ask]]


def dependency_infos(cycle: Cycle, index: AskIndex) -> list[DepInfo]:
    """Every dependency of the cycle, requesters depth-first, in plan order."""
    commitments = {
        c.to: (nid, c.funded_by)
        for nid, n in cycle.nodes.items()
        if n.plan
        for c in n.plan.commitments
    }
    out = []
    for nid, node in cycle.nodes.items():
        plan = node.plan
        if plan is None:
            continue
        needed_by: dict[str, list[str]] = {}  # dependency id -> refs of the asks needing it
        for a in plan.incremental:
            for did in dict.fromkeys(a.depends_on):
                needed_by.setdefault(did, []).append(ask_ref(nid, a.id))
        for dep in plan.dependencies:
            if dep.away_team and dep.funded_by is not None:
                funded_by: str | None = ask_ref(nid, dep.funded_by)
            else:
                host_id, fb = commitments.get(dependency_ref(nid, dep.id), (dep.on, None))
                funded_by = fb if fb is None or fb == "flat" else ask_ref(host_id, fb)
            ask = index.by_ref.get(funded_by) if funded_by not in (None, "flat") else None
            refs = tuple(needed_by.get(dep.id, ()))
            out.append(
                DepInfo(
                    nid,
                    dep,
                    dep.on,
                    cycle.lowest_common_manager(nid, dep.on),
                    funded_by,
                    ask,
                    tuple(index.by_ref[r] for r in refs),
                    refs,
                )
            )
    return out


def _between(tree: Tree, end: NodeId, top: NodeId) -> list[NodeId]:
    """The managers strictly between ``end`` and its ancestor ``top``, from the bottom."""
    out = []
    node = tree.parent[end] if end != top else None
    while node is not None and node != top:
        out.append(node)
        node = tree.parent[node]
    return out


def dependency_roles(info: DepInfo, tree: Tree) -> dict[NodeId, DependencyRole]:
    """Who sees a dependency and why: its lowest common manager (``manager``), the two
    ends (``requester``, ``host``) and every manager strictly between an end and the lowest
    common manager (``path``: a team of theirs needs it or hosts it). A node that has two
    reasons keeps the first of manager, requester, host, path."""
    roles: dict[NodeId, DependencyRole] = {info.manager: "manager"}
    roles.setdefault(info.requester, "requester")
    roles.setdefault(info.host, "host")
    for end in (info.requester, info.host):
        for nid in _between(tree, end, info.manager):
            roles.setdefault(nid, "path")
    return roles


def dependency_rows(
    infos: Sequence[DepInfo], views: Mapping[NodeId, View], root: NodeId, tree: Tree
) -> dict[NodeId, list[DependencyRow]]:
    """Each node's dependency rows: as manager, requester, host or a manager on the path
    between an end and the lowest common manager (in that precedence)."""
    out: dict[NodeId, list[DependencyRow]] = {}
    for info in infos:
        status = info.status(views[info.manager])
        approved = info.status(views[root])
        at_risk = status not in SAFE
        refs = info.ask_refs if at_risk else ()
        roles = dependency_roles(info, tree)
        dep = info.dep
        for nid, role in roles.items():
            out.setdefault(nid, []).append(
                DependencyRow(
                    requester=info.requester,
                    id=dep.id,
                    host=info.host,
                    what=dep.what,
                    needed_by=None if dep.needed_by is None else str(dep.needed_by),
                    away_team=dep.away_team,
                    funded_by=info.funded_by,
                    manager=info.manager,
                    status=status,
                    approved_status=approved,
                    at_risk_asks=refs,
                    role=role,
                    at_risk=at_risk,
                )
            )
    return out


def at_risk_checker(
    infos: Sequence[DepInfo], views: Mapping[NodeId, View], tree: Tree
) -> Callable[[NodeId, int], bool]:
    """``at_risk(node, ask_index)``: does the ask depend on a dependency neither committed
    nor funded? Judged in the node's view when it holds the host, else in the manager's."""
    by_ask: dict[int, list[DepInfo]] = {}
    for info in infos:
        for i in info.asks:
            by_ask.setdefault(i, []).append(info)

    def at_risk(node: NodeId, ask: int) -> bool:
        for info in by_ask.get(ask, ()):
            where = node if tree.contains(node, info.host) else info.manager
            if info.status(views[where]) not in SAFE:
                return True
        return False

    return at_risk


@dataclass(frozen=True, slots=True)
class _Answer:
    """A leaf's answer to a mandate, before any view is applied."""

    node: NodeId
    response: str | None
    funded_by: str | None  # as written: "flat", an ask reference or None
    asks: tuple[int, ...]  # the asks that could fund it (funded_by, or asks naming it)
    refs: tuple[str, ...]


def _answers(
    cycle: Cycle, index: AskIndex, tree: Tree, mandate_id: str, scope: Sequence[NodeId]
) -> list[tuple[int, _Answer]]:
    """The leaves in a mandate's scope (``scope`` depth-first) with their answers, by
    depth-first position."""
    out = []
    for nid in scope:
        if not tree.is_leaf(nid):
            continue
        p = tree.pos[nid]
        plan = cycle.nodes[nid].plan
        answer = plan.mandates.get(mandate_id) if plan else None
        if plan is None or answer is None:
            out.append((p, _Answer(nid, None, None, (), ())))
            continue
        fb = answer.funded_by
        if fb is None:
            refs = tuple(ask_ref(nid, a.id) for a in plan.incremental if a.mandate == mandate_id)
        else:
            refs = () if fb == "flat" else (ask_ref(nid, fb),)
        out.append(
            (p, _Answer(nid, answer.response, fb, tuple(index.by_ref[r] for r in refs), refs))
        )
    return out


def _answer_status(answer: _Answer, view: View) -> tuple[AnswerStatus, str | None]:
    """Rule 9: an answer is funded by flat, by an ask above the line, or it is unfunded;
    with the commitment that funds it (or would)."""
    if answer.response is None:
        return "missing", None
    if answer.funded_by == "flat":
        return "flat", "flat"
    for i, ref in zip(answer.asks, answer.refs, strict=False):
        if view.status[i] == ABOVE:
            return "funded", ref
    return "unfunded", answer.refs[0] if answer.refs else None


def _answer_row(answer: _Answer, view: View, approved: AnswerStatus) -> MandateAnswerRow:
    """An answer seen from a node's view, with its status in the approved plan."""
    status, funded_by = _answer_status(answer, view)
    return MandateAnswerRow(answer.node, answer.response, funded_by, status, approved)


def mandate_coverage(
    cycle: Cycle, index: AskIndex, views: Mapping[NodeId, View], tree: Tree
) -> dict[NodeId, tuple[MandateCoverage, ...]]:
    """Each node's coverage of every mandate with leaves in scope in its subtree, in the
    node's view and in the approved plan (the root's view)."""
    out: dict[NodeId, list[MandateCoverage]] = {nid: [] for nid in tree.ids}
    mandates = cycle.settings.mandates if cycle.settings else ()
    assert cycle.root is not None
    root = views[cycle.root]
    for mandate in mandates:
        answers = _answers(cycle, index, tree, mandate.id, cycle.mandate_scope(mandate))
        positions = [p for p, _ in answers]
        approved = [_answer_status(ans, root)[0] for _, ans in answers]
        approved_funded = [0]  # running count of answers funded in the approved plan
        for status in approved:
            approved_funded.append(approved_funded[-1] + (status in ("flat", "funded")))
        due = None if mandate.due is None else str(mandate.due)
        for nid in tree.ids:
            a, b = tree.span[nid]
            lo, hi = bisect_left(positions, a), bisect_left(positions, b)
            if lo == hi:
                continue
            view = views[nid]
            rows = tuple(
                _answer_row(ans, view, approved[lo + k])
                for k, (_, ans) in enumerate(answers[lo:hi])
            )
            answered = sum(r.status != "missing" for r in rows)
            funded = sum(r.status in ("flat", "funded") for r in rows)
            funded_approved = approved_funded[hi] - approved_funded[lo]
            out[nid].append(
                MandateCoverage(
                    mandate.id,
                    mandate.title,
                    due,
                    hi - lo,
                    answered,
                    funded,
                    answered - funded,
                    rows,
                    funded_approved,
                    answered - funded_approved,
                )
            )
    return {nid: tuple(rows) for nid, rows in out.items()}


def goals_at_risk(
    cycle: Cycle, index: AskIndex, views: Mapping[NodeId, View], tree: Tree
) -> dict[NodeId, tuple[GoalAtRisk, ...]]:
    """Rule 10: per node, the goals of its subtree that no flat item names and no ask
    funded in its view serves, depth-first, in each plan's goal order."""
    candidates: list[list[tuple[GoalAtRisk, tuple[int, ...]]]] = []
    for nid in tree.ids:
        plan = cycle.nodes[nid].plan
        found: list[tuple[GoalAtRisk, tuple[int, ...]]] = []
        if plan is not None:
            flat = {g for item in plan.flat for g in item.goals}
            served_by: dict[str, list[int]] = {}  # goal id -> own asks that serve it
            for i in index.own[nid]:
                for gid in dict.fromkeys(index.asks[i].ask.goals):
                    served_by.setdefault(gid, []).append(i)
            for goal in plan.goals:
                if goal.id not in flat:
                    serving = tuple(served_by.get(goal.id, ()))
                    found.append((GoalAtRisk(nid, goal.id, goal.title, plan.name), serving))
        candidates.append(found)
    out: dict[NodeId, tuple[GoalAtRisk, ...]] = {}
    for nid in tree.ids:
        status = views[nid].status
        a, b = tree.span[nid]
        out[nid] = tuple(
            row
            for p in range(a, b)
            for row, serving in candidates[p]
            if not any(status[i] == ABOVE for i in serving)
        )
    return out


def approved_goals_at_risk(
    at_risk: Mapping[NodeId, tuple[GoalAtRisk, ...]], tree: Tree, root: NodeId
) -> dict[NodeId, tuple[GoalAtRisk, ...]]:
    """Rule 10 in the approved plan (rule 7, the root's view): per node, the goals of its
    subtree at risk in the root's view.

    The root's list is depth-first, so each node's part of it is one slice, found by
    bisecting the rows' positions with the node's span: no view is walked again.
    """
    rows = at_risk[root]
    positions = [tree.pos[g.node] for g in rows]
    out: dict[NodeId, tuple[GoalAtRisk, ...]] = {}
    for nid in tree.ids:
        a, b = tree.span[nid]
        out[nid] = rows[bisect_left(positions, a) : bisect_left(positions, b)]
    return out
