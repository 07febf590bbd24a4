"""Report records derived from a node's plan and its other records, decided once.

The roll-up (:mod:`opplan.engine.rollup`) builds every :class:`NodeReport`
with these functions, and so may a test that assembles a report by hand. Every
figure a renderer lays out beyond the engine's totals is decided here: where
the line is drawn, the flat-and-asks table by team with its "other teams" row,
the headcount total, each goal's at-risk verdicts and change
(:mod:`opplan.report.goals`), the children's goals. Renderers only lay them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from opplan.model import NodeId, Plan
from opplan.model.costing import ZERO, ZERO_AMOUNT, Amount
from opplan.report.goals import child_goals, goal_rows
from opplan.report.goalstatus import year_rows
from opplan.report.line import Dimension, LineFigures
from opplan.report.records import (
    ApprovedCounts,
    ChildFigures,
    ChildSummary,
    FlatItemRow,
    GoalAtRisk,
    GoalRow,
    HeadcountRow,
    NodeReport,
    RemovedRow,
    StackRow,
    TeamRow,
    Totals,
)

#: The body's flat table lists at most this many rows of children (the largest by flat
#: cost, the others summed in one row). Every child has its summary in the appendix.
BODY_MAX_CHILDREN = 12


def plan_fields(
    node: NodeId,
    plan: Plan,
    at_risk: Sequence[GoalAtRisk],
    approved_at_risk: Sequence[GoalAtRisk] = (),
) -> dict[str, Any]:
    """The :class:`NodeReport` fields taken from the node's own plan.yaml; goals carry
    their verdicts in the node's view (``at_risk``) and the approved plan's
    (``approved_at_risk``, the subtree's goals at risk in the root's view)."""
    review = plan.review
    return {
        "plan_path": plan.source.path,
        "goals": goal_rows(node, plan, at_risk, approved_at_risk),
        "approved_goals_at_risk": tuple(approved_at_risk),
        "flat_items": tuple(
            FlatItemRow(f.id, f.title, f.headcount, f.summary, tuple(f.goals)) for f in plan.flat
        ),
        "contributors": tuple(plan.contributors),
        "state": plan.state,
        "review_note": review.note if review else None,
        "decisions": dict(review.decisions) if review else {},
        "asks": {a.id: a for a in plan.incremental},
    }


def child_figures(
    stack: Sequence[StackRow], children: Sequence[NodeId]
) -> tuple[ChildFigures, ...]:
    """Funded and unfunded amounts of a node's stack by the list they came from."""
    funded: dict[NodeId | None, list[Amount]] = {None: [], **{c: [] for c in children}}
    unfunded: dict[NodeId | None, list[Amount]] = {None: [], **{c: [] for c in children}}
    for row in stack:
        (funded if row.status == "above" else unfunded)[row.child].append(row.amount)
    return tuple(
        ChildFigures(c, Amount.total(funded[c]), Amount.total(unfunded[c]))
        for c in (None, *children)
    )


def line_marks(
    stack: Sequence[StackRow], over_budget: Amount | None
) -> tuple[int | None, int | None]:
    """Where the line is drawn (the index of the first ask below it, ``len(stack)`` after
    the last; None when nothing is below and the node is within budget), and the index of
    the last non-forced ask above it (None when there is none)."""
    first_below = next((i for i, r in enumerate(stack) if r.status == "below"), None)
    line_at = (
        first_below if first_below is not None else len(stack) if over_budget is not None else None
    )
    last_above = max(
        (i for i, r in enumerate(stack) if r.status == "above" and not r.forced), default=None
    )
    return line_at, last_above


def line_figures(
    stack: Sequence[StackRow],
    budget: tuple[Any, Any],
    line_at: int | None,
    last_above: int | None,
) -> LineFigures:
    """The line of a view in figures (rule 5): the forced asks counted first, the budget
    used at the line (the forced asks and the non-forced asks above it, so the node's
    funded total), the headroom per budget dimension, and the first ask below the line
    with how much it misses in each dimension and so which dimensions bind."""
    budget_hc, budget_cost = budget
    forced = Amount.total([r.amount for r in stack if r.forced])
    used = stack[last_above].used if last_above is not None else forced
    room_hc = None if budget_hc is None else budget_hc - used.headcount
    room_cost = None if budget_cost is None else budget_cost - used.cost
    first = line_at if line_at is not None and line_at < len(stack) else None
    miss_hc = miss_cost = ZERO
    if first is not None:
        ask = stack[first].amount
        if room_hc is not None:
            miss_hc = max(ZERO, ask.headcount - room_hc)
        if room_cost is not None:
            miss_cost = max(ZERO, ask.cost - room_cost)
    misses: tuple[tuple[Dimension, Any], ...] = (("headcount", miss_hc), ("cost", miss_cost))
    binds = tuple(d for d, miss in misses if miss > 0)
    return LineFigures(
        budget_hc, budget_cost, forced, used, room_hc, room_cost, binds, first, miss_hc, miss_cost
    )


def team_rows(
    node: NodeId,
    name: str,
    own: Totals,
    totals: Totals,
    children: Sequence[NodeReport],
    by_child: Sequence[ChildFigures],
    *,
    max_children: int | None = None,
) -> tuple[TeamRow, ...]:
    """A manager's flat and asks by team: its own row (when it has own heads or asks),
    each child, and the total; with ``max_children``, only the largest children by flat
    cost (in child order) and one row summing the others, so the total stays the same.
    A leaf has no rows."""
    if not children:
        return ()
    figures = {f.child: f for f in by_child}
    zero = ChildFigures(None, ZERO_AMOUNT, ZERO_AMOUNT)
    rows = []
    if own.flat.headcount or own.requested.headcount:
        f = figures.get(None, zero)
        rows.append(TeamRow("own", node, name, 1, own.flat, own.requested, f.funded, f.unfunded))
    shown, others = list(children), []
    if max_children is not None and len(children) > max_children:
        largest = sorted(children, key=lambda c: c.totals.flat.cost, reverse=True)
        keep = {c.id for c in largest[: max_children - 1]}
        shown = [c for c in children if c.id in keep]
        others = [c for c in children if c.id not in keep]
    for c in shown:
        f = figures.get(c.id, zero)
        rows.append(
            TeamRow(
                "child", c.id, c.name, 1, c.totals.flat, c.totals.requested, f.funded, f.unfunded
            )
        )
    if others:
        rows.append(
            TeamRow(
                "others",
                None,
                "",
                len(others),
                Amount.total([c.totals.flat for c in others]),
                Amount.total([c.totals.requested for c in others]),
                Amount.total([figures.get(c.id, zero).funded for c in others]),
                Amount.total([figures.get(c.id, zero).unfunded for c in others]),
            )
        )
    rows.append(
        TeamRow(
            "total",
            node,
            "Total",
            len(children),
            totals.flat,
            totals.requested,
            totals.funded,
            totals.unfunded,
        )
    )
    return tuple(rows)


def headcount_total(rows: Sequence[HeadcountRow]) -> Amount:
    """The flat heads of the headcount rows, summed (flat spend not included)."""
    return Amount.total([r.amount for r in rows])


def derived_fields(
    node: NodeId,
    name: str,
    children: Sequence[NodeId],
    budget: tuple[Any, Any],
    own: Totals,
    totals: Totals,
    over_budget: Amount | None,
    stack: Sequence[StackRow],
    headcount: Sequence[HeadcountRow],
    reports: Mapping[NodeId, NodeReport],
    *,
    goals: Sequence[GoalRow] = (),
    as_of: dt.date | None = None,
    stale_days: int = 45,
) -> dict[str, Any]:
    """The :class:`NodeReport` fields decided from its other records (and its children's
    reports, in ``reports``); ``goals`` (its own goal rows), ``as_of`` and ``stale_days``
    decide its "Goals this year" rows."""
    by_child = child_figures(stack, children)
    line_at, last_above = line_marks(stack, over_budget)
    kids = [reports[c] for c in children]
    return {
        "by_child": by_child,
        "has_budget": budget[0] is not None or budget[1] is not None,
        "line_at": line_at,
        "last_above": last_above,
        "teams": team_rows(node, name, own, totals, kids, by_child),
        "teams_body": team_rows(
            node, name, own, totals, kids, by_child, max_children=BODY_MAX_CHILDREN
        ),
        "headcount_total": headcount_total(headcount),
        "child_goals": child_goals(kids),
        "goals_this_year": year_rows(node, name, goals, kids, as_of, stale_days),
        "line": line_figures(stack, budget, line_at, last_above),
    }


def approved_counts(stack: Sequence[StackRow], removed: Sequence[RemovedRow]) -> ApprovedCounts:
    """The subtree's asks (live and removed in the node's view: every one of them) counted
    by their status in the approved plan."""
    counts = dict.fromkeys(("above", "below", "unlined", "cut", "deferred"), 0)
    partial = 0
    for status, decision in [(r.approved, r.approved_decision) for r in stack] + [
        (r.approved, r.approved_decision) for r in removed
    ]:
        counts[status] += 1
        partial += status == "above" and decision == "partial"
    return ApprovedCounts(
        counts["above"],
        counts["below"],
        counts["unlined"],
        counts["cut"],
        counts["deferred"],
        partial,
    )


def child_summaries(
    stack: Sequence[StackRow],
    removed: Sequence[RemovedRow],
    children: Sequence[NodeReport],
    by_child: Sequence[ChildFigures] | None = None,
) -> tuple[ChildSummary, ...]:
    """Each child's asks in the manager's view (funded, unfunded, cut, deferred, at risk)
    and funded in the approved plan. ``by_child`` (:func:`child_figures` of the same
    stack) gives the funded and unfunded amounts without summing the stack again."""
    figures = {f.child: f for f in by_child or child_figures(stack, [c.id for c in children])}
    risky = dict.fromkeys([c.id for c in children], 0)
    for row in stack:
        if row.at_risk and row.child in risky:
            risky[row.child] += 1
    gone: dict[NodeId, tuple[list[Amount], list[Amount]]] = {c.id: ([], []) for c in children}
    for r in removed:
        if r.child in gone:
            gone[r.child][0 if r.status == "cut" else 1].append(r.requested)
    return tuple(
        ChildSummary(
            child=c.id,
            requested=c.totals.requested,
            funded=figures[c.id].funded,
            unfunded=figures[c.id].unfunded,
            cut=Amount.total(gone[c.id][0]),
            deferred=Amount.total(gone[c.id][1]),
            at_risk=risky[c.id],
            approved_funded=c.approved.funded,
        )
        for c in children
    )


def outcome_fields(
    children: Sequence[NodeId],
    totals: Totals,
    approved: Totals,
    stack: Sequence[StackRow],
    removed: Sequence[RemovedRow],
    reports: Mapping[NodeId, NodeReport],
    by_child: Sequence[ChildFigures] | None = None,
) -> dict[str, Any]:
    """The :class:`NodeReport` fields on the outcome: what the approved plan gives the
    subtree (flat plus its funded asks), its asks counted by approved status, and each
    child's asks in this node's view and in the approved plan (``by_child``: the stack's
    :func:`child_figures`, when the caller has them)."""
    return {
        "approved_counts": approved_counts(stack, removed),
        "approved_total": Amount.total([totals.flat, approved.funded]),
        "child_summaries": child_summaries(
            stack, removed, [reports[c] for c in children], by_child
        ),
    }
