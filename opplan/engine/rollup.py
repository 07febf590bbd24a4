"""The roll-up: every node's view of its subtree, as the report model (the money and roll-up rules, docs/rollup.md).

Stage 4 and 5 of the pipeline: ``rollup(cycle) -> Report``. The stack, the
decisions and the line come from :mod:`opplan.stack`; dependencies, mandates
and goals from :mod:`opplan.coverage`. This module adds the money (flat and
incremental totals, own and inclusive, headcount by child, role, level and
location; :mod:`opplan.engine.money`), the rows of each view
(:mod:`opplan.engine.rows`) and assembles one :class:`~opplan.report.NodeReport`
per node, with every figure a renderer shows decided (:mod:`opplan.report.derive`).

Everything is computed bottom-up in one pass over the tree, so the roll-up of a
10,000-team org takes seconds. The engine assumes a checked cycle without
errors (``pipeline.rollup`` checks first).
"""

from __future__ import annotations

from decimal import Decimal

from opplan.engine.coverage import (
    approved_goals_at_risk,
    at_risk_checker,
    dependency_infos,
    dependency_rows,
    goals_at_risk,
    mandate_coverage,
)
from opplan.engine.money import (
    approved_totals,
    headcount_rows,
    own_totals,
    subtree_money,
    view_totals,
)
from opplan.engine.resources import (
    HireBook,
    Hires,
    approved_hires,
    envelopes,
    merged_categories,
    money_fields,
    resources,
    view_hires,
)
from opplan.engine.rows import ask_fields, removed_rows, stack_rows
from opplan.engine.stack import AskIndex, views
from opplan.model import Cycle, NodeId
from opplan.model.costing import RateTable
from opplan.report.derive import derived_fields, outcome_fields, plan_fields
from opplan.report.records import CycleInfo, NodeReport, Report
from opplan.util.gcpause import paused_gc


def rollup(cycle: Cycle) -> Report:
    """Roll a checked cycle up: every node's stack, line, totals and coverage.

    The roll-up allocates millions of small acyclic records; the cyclic garbage
    collector would rescan the whole loaded cycle again and again while they
    are built (it tripled the time on 10,000 teams), so it is paused meanwhile.
    """
    with paused_gc():
        return _rollup(cycle)


def _rollup(cycle: Cycle) -> Report:
    """:func:`rollup` with the collector as the caller left it."""
    if (
        cycle.settings is None
        or cycle.root is None
        or any(n.plan is None for n in cycle.nodes.values())
    ):
        raise ValueError("the roll-up needs a cycle that loaded without errors")
    rates = RateTable(cycle.settings.rates)
    index = AskIndex.build(cycle, rates)
    tree = cycle.tree
    all_views = views(cycle, index)
    infos = dependency_infos(cycle, index)
    deps = dependency_rows(infos, all_views, cycle.root, tree)
    at_risk = at_risk_checker(infos, all_views, tree)
    mandates = mandate_coverage(cycle, index, all_views, tree)
    goals = goals_at_risk(cycle, index, all_views, tree)
    approved_goals = approved_goals_at_risk(goals, tree, cycle.root)

    money = subtree_money(cycle, tree, index, rates)

    info = cycle_info(cycle)
    names = {nid: n.plan.name for nid, n in cycle.nodes.items() if n.plan}
    parents = {nid: n.parent for nid, n in cycle.nodes.items()}
    fixed = [ask_fields(a, names) for a in index.asks]
    root_view = all_views[cycle.root]
    root_amounts = dict(zip(root_view.order, root_view.amounts, strict=True))
    book = HireBook(index.asks, rates, names)
    spend_all: dict[NodeId, dict[str, Decimal]] = {}
    capex_all: dict[NodeId, dict[str, Decimal]] = {}
    hires_all: dict[NodeId, Hires] = {}
    built: dict[NodeId, NodeReport] = {}
    for nid in reversed(tree.ids):  # bottom-up: a manager's rows need its children's reports
        node = cycle.nodes[nid]
        plan = node.plan
        assert plan is not None
        view = all_views[nid]
        review = plan.review
        budget = review.budget if review else None
        budget_hc = budget.headcount if budget else None
        budget_cost = budget.cost if budget else None
        stack = stack_rows(node, view, index, all_views, at_risk, fixed, root_view)
        totals = view_totals(
            view, index.asks, money.flat_all[nid], money.capex_all[nid], money.asked_all[nid]
        )
        own = own_totals(
            view, index.own[nid], index.asks, money.flat_own[nid], money.capex_own[nid]
        )
        headcount = headcount_rows(node, money.heads_own, money.heads_all)
        removed = removed_rows(nid, view, index.asks, parents, root_view)
        approved = (
            totals
            if nid == cycle.root
            else approved_totals(
                view,
                root_view,
                root_amounts,
                index.asks,
                totals.flat,
                totals.capex,
                totals.requested,
            )
        )
        fields = plan_fields(nid, plan, goals[nid], approved_goals[nid])
        derived = derived_fields(
            nid,
            plan.name,
            node.children,
            (budget_hc, budget_cost),
            own,
            totals,
            view.over_budget,
            stack,
            headcount,
            built,
            goals=fields["goals"],
            as_of=info.as_of,
            stale_days=info.goal_stale_days,
        )
        kids = node.children
        spend_all[nid] = merged_categories(plan.spend, (spend_all[c] for c in kids))
        capex_all[nid] = merged_categories(plan.capex, (capex_all[c] for c in kids))
        hires_all[nid] = approved_hires(
            node, index.own[nid], root_view, root_amounts, book, hires_all
        )
        built[nid] = NodeReport(
            id=nid,
            name=plan.name,
            owner=plan.owner,
            path=node.rel,
            parent=node.parent,
            depth=node.depth,
            children=kids,
            budget_headcount=budget_hc,
            budget_cost=budget_cost,
            totals=totals,
            own=own,
            over_budget=view.over_budget,
            stack=stack,
            removed=removed,
            dependencies=tuple(deps.get(nid, ())),
            mandates=mandates[nid],
            goals_at_risk=goals[nid],
            headcount=headcount,
            narrative=node.narrative,
            approved=approved,
            **fields,
            **derived,
            **money_fields(
                resources(
                    money.heads_all[nid],
                    spend_all[nid],
                    capex_all[nid],
                    totals.flat,
                    totals.funded,
                    approved.funded,
                ),
                hires_all[nid],
                None if nid == cycle.root else view_hires(view, book),
                envelopes((budget_hc, budget_cost), [built[c] for c in kids], derived["by_child"]),
            ),
            **outcome_fields(
                node.children, totals, approved, stack, removed, built, derived["by_child"]
            ),
        )
    return Report(info, cycle.root, {nid: built[nid] for nid in tree.ids})


def cycle_info(cycle: Cycle) -> CycleInfo:
    """The cycle as documents print it."""
    s = cycle.settings
    assert s is not None
    return CycleInfo(
        s.name,
        s.kind,
        s.year,
        s.currency,
        s.as_of,
        s.document.page_size,
        s.document.body_font,
        s.document.heading_font,
        s.document.font_size,
        s.goal_stale_days,
    )
