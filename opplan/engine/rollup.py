"""The roll-up: every node's view of its subtree, as the report model (SPEC 6 and 7).

Stage 4 and 5 of the pipeline: ``rollup(cycle) -> Report``. The stack, the
decisions and the line come from :mod:`opplan.stack`; dependencies, mandates
and goals from :mod:`opplan.coverage`. This module adds the money (flat and
incremental totals, own and inclusive, headcount by child, role, level and
location) and assembles one :class:`~opplan.report.NodeReport` per node.

Everything is computed bottom-up in one pass over the tree, so the roll-up of a
10,000-team org takes seconds. The engine assumes a checked cycle without
errors (``pipeline.rollup`` checks first).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from opplan.engine.coverage import (
    Tree,
    at_risk_checker,
    dependency_infos,
    dependency_rows,
    goals_at_risk,
    mandate_coverage,
)
from opplan.engine.stack import ABOVE, CUT, DEFERRED, AskIndex, AskInfo, View, views
from opplan.model import Cycle, Decision, Node, NodeId
from opplan.model.costing import (
    ZERO_AMOUNT,
    Amount,
    RateTable,
    line_amount,
    plus_spend,
    spend_total,
)
from opplan.report.records import (
    ChildFigures,
    CycleInfo,
    HeadcountRow,
    NodeReport,
    RemovedRow,
    Report,
    StackRow,
    Totals,
)
from opplan.util.gcpause import paused_gc

HeadcountKey = tuple[str, str | None, str | None]
#: The fields :func:`stack_rows` sets; any other field of StackRow gets its default.
STACK_SET = (
    "position",
    "ask",
    "node",
    "node_name",
    "title",
    "summary",
    "requested",
    "amount",
    "status",
    "forced",
    "decision",
    "decided_by",
    "rank",
    "note",
    "cumulative",
    "child",
    "child_status",
    "goals",
    "mandate",
    "depends_on",
    "at_risk",
    "child_removed",
)
STACK_EXTRA = {
    f.name: f.default
    if f.default is not dataclasses.MISSING
    else f.default_factory()
    if f.default_factory is not dataclasses.MISSING
    else None
    for f in dataclasses.fields(StackRow)
    if f.name not in STACK_SET
}


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
    tree = Tree.of(cycle)
    all_views = views(cycle, index)
    infos = dependency_infos(cycle, index)
    deps = dependency_rows(infos, all_views, cycle.root)
    at_risk = at_risk_checker(infos, all_views, tree)
    mandates = mandate_coverage(cycle, index, all_views, tree)
    goals = goals_at_risk(cycle, index, all_views, tree)

    money = subtree_money(cycle, tree, index, rates)

    info = cycle_info(cycle)
    names = {nid: n.plan.name for nid, n in cycle.nodes.items() if n.plan}
    fixed = [ask_fields(a, names) for a in index.asks]
    nodes: dict[NodeId, NodeReport] = {}
    for nid in tree.ids:
        node = cycle.nodes[nid]
        plan = node.plan
        assert plan is not None
        view = all_views[nid]
        review = plan.review
        budget = review.budget if review else None
        stack = stack_rows(node, view, index, all_views, at_risk, fixed)
        removed = removed_rows(view, index.asks)
        nodes[nid] = NodeReport(
            id=nid,
            name=plan.name,
            owner=plan.owner,
            path=node.rel,
            parent=node.parent,
            depth=node.depth,
            children=node.children,
            budget_headcount=budget.headcount if budget else None,
            budget_cost=budget.cost if budget else None,
            totals=view_totals(
                view, index.asks, money.flat_all[nid], money.capex_all[nid], money.asked_all[nid]
            ),
            own=own_totals(
                view, index.own[nid], index.asks, money.flat_own[nid], money.capex_own[nid]
            ),
            over_budget=view.over_budget,
            stack=stack,
            removed=removed,
            dependencies=tuple(deps.get(nid, ())),
            mandates=mandates[nid],
            goals_at_risk=goals[nid],
            headcount=headcount_rows(node, money.heads_own, money.heads_all),
            plan=plan,
            narrative=node.narrative,
            review_note=review.note if review else None,
            by_child=child_figures(stack, node.children),
        )
    return Report(info, cycle.root, nodes)


def child_figures(
    stack: Sequence[StackRow], children: Sequence[NodeId]
) -> tuple[ChildFigures, ...]:
    """Funded and unfunded amounts of a node's stack by the list they came from."""
    funded: dict[NodeId | None, list[Amount]] = {None: [], **{c: [] for c in children}}
    unfunded: dict[NodeId | None, list[Amount]] = {None: [], **{c: [] for c in children}}
    for row in stack:
        (funded if row.status == ABOVE else unfunded)[row.child].append(row.amount)
    return tuple(
        ChildFigures(c, Amount.total(funded[c]), Amount.total(unfunded[c]))
        for c in (None, *children)
    )


@dataclass(frozen=True)
class SubtreeMoney:
    """Flat, capex, requested and headcount groups per node: own and inclusive (rule 6)."""

    flat_own: dict[NodeId, Amount]
    flat_all: dict[NodeId, Amount]
    capex_own: dict[NodeId, Decimal]
    capex_all: dict[NodeId, Decimal]
    asked_all: dict[NodeId, Amount]
    heads_own: dict[NodeId, dict[HeadcountKey, Amount]]
    heads_all: dict[NodeId, dict[HeadcountKey, Amount]]


def subtree_money(cycle: Cycle, tree: Tree, index: AskIndex, rates: RateTable) -> SubtreeMoney:
    """Each node's own figures, and its inclusive ones as own plus children's, bottom-up."""
    m = SubtreeMoney({}, {}, {}, {}, {}, {}, {})
    for nid in reversed(tree.ids):
        node = cycle.nodes[nid]
        plan = node.plan
        assert plan is not None
        m.heads_own[nid] = groups = headcount_groups(node, rates)
        # the groups' sum is the sum of the rounded lines: flat_amount without recomputing them
        m.flat_own[nid] = plus_spend(Amount.total(list(groups.values())), plan.spend)
        m.capex_own[nid] = spend_total(plan.capex)
        kids = node.children
        m.flat_all[nid] = Amount.total([m.flat_own[nid], *(m.flat_all[c] for c in kids)])
        m.capex_all[nid] = sum((m.capex_all[c] for c in kids), m.capex_own[nid])
        m.asked_all[nid] = Amount.total(
            [*(index.asks[i].requested for i in index.own[nid]), *(m.asked_all[c] for c in kids)]
        )
        merged = dict(m.heads_own[nid])
        for c in kids:
            for key, amount in m.heads_all[c].items():
                merged[key] = merged[key] + amount if key in merged else amount
        m.heads_all[nid] = merged
    return m


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
    )


def view_totals(
    view: View, asks: Sequence[AskInfo], flat: Amount, capex: Decimal, requested: Amount
) -> Totals:
    """Rule 6: a view's incremental totals over the whole subtree."""
    status, order, amounts = view.status, view.order, view.amounts
    funded = Amount.total([amounts[p] for p in range(len(order)) if status[order[p]] == ABOVE])
    live = view.cumulative[-1] if order else ZERO_AMOUNT
    return Totals(
        flat=flat,
        capex=capex,
        requested=requested,
        funded=funded,
        unfunded=live - funded,
        cut=Amount.total([asks[i].requested for i in view.removed if status[i] == CUT]),
        deferred=Amount.total([asks[i].requested for i in view.removed if status[i] == DEFERRED]),
    )


def own_totals(
    view: View, own: Sequence[int], asks: Sequence[AskInfo], flat: Amount, capex: Decimal
) -> Totals:
    """Rule 6 for the node's own asks only, in the node's view."""
    by_status: dict[str, list[Amount]] = {ABOVE: [], "unfunded": [], CUT: [], DEFERRED: []}
    for i in own:
        st = view.status[i]
        eff = view.effective.get(i)
        if st in (CUT, DEFERRED):
            by_status[st].append(asks[i].requested)
        else:
            by_status[ABOVE if st == ABOVE else "unfunded"].append(
                eff.amount if eff is not None else asks[i].requested
            )
    return Totals(
        flat=flat,
        capex=capex,
        requested=Amount.total([asks[i].requested for i in own]),
        funded=Amount.total(by_status[ABOVE]),
        unfunded=Amount.total(by_status["unfunded"]),
        cut=Amount.total(by_status[CUT]),
        deferred=Amount.total(by_status[DEFERRED]),
    )


def ask_fields(info: AskInfo, names: Mapping[NodeId, str]) -> tuple[Any, ...]:
    """The fields of a stack row that are the same in every view: ask, node, node_name,
    title, summary, requested, goals, mandate, depends_on."""
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
    )


def stack_rows(
    node: Node,
    view: View,
    index: AskIndex,
    all_views: Mapping[NodeId, View],
    at_risk: Callable[[NodeId, int], bool],
    fixed: Sequence[tuple[Any, ...]],
) -> tuple[StackRow, ...]:
    """Rules 4-5: the live asks of a view in order, with their line status.

    ``fixed`` holds each ask's view-independent fields (:func:`ask_fields`).
    Rows are built without the dataclass ``__init__``, which sets every field
    through ``object.__setattr__`` and took seconds for the hundreds of
    thousands of rows of a large org. Fields are set in declaration order, which
    keeps the class's compact shared-key layout (``dict.update`` would triple a
    row's memory); fields added to StackRow later get their defaults
    (``STACK_EXTRA``). A test checks every row against the normal constructor.
    """
    entries: Mapping[int, Decision] = index.decisions.get(node.id, {})
    status, effective, amounts, cumulative = (
        view.status,
        view.effective,
        view.amounts,
        view.cumulative,
    )
    new = object.__new__
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
        ref, owner, owner_name, title, summary, requested, goals, mandate, depends_on = fixed[i]
        row = new(StackRow)
        f = row.__dict__
        f["position"] = p + 1
        f["ask"] = ref
        f["node"] = owner
        f["node_name"] = owner_name
        f["title"] = title
        f["summary"] = summary
        f["requested"] = requested
        f["amount"] = amounts[p]
        f["status"] = status[i]
        f["forced"] = eff is not None
        f["decision"] = eff.decision if eff is not None else None
        f["decided_by"] = eff.by if eff is not None else None
        f["rank"] = entry.rank if entry is not None else None
        f["note"] = (
            entry.note
            if entry is not None and (entry.note or eff is None)
            else eff.entry.note
            if eff is not None
            else None
        )
        f["cumulative"] = cumulative[p]
        f["child"] = child
        f["child_status"] = child_status
        f["goals"] = goals
        f["mandate"] = mandate
        f["depends_on"] = depends_on
        f["at_risk"] = bool(depends_on) and at_risk(node.id, i)
        f["child_removed"] = child_removed
        if STACK_EXTRA:
            f.update(STACK_EXTRA)
        rows.append(row)
    return tuple(rows)


def removed_rows(view: View, asks: Sequence[AskInfo]) -> tuple[RemovedRow, ...]:
    """Asks of the subtree cut or deferred in this view, with the node that removed them."""
    out = []
    for i in view.removed:
        info = asks[i]
        eff = view.effective[i]
        out.append(
            RemovedRow(
                ask=info.ref,
                node=info.node,
                title=info.ask.title,
                requested=info.requested,
                status=view.status[i],  # type: ignore[arg-type]  # removed: cut or deferred
                by=eff.by,
                note=eff.entry.note,
            )
        )
    return tuple(out)


def headcount_groups(node: Node, rates: RateTable) -> dict[HeadcountKey, Amount]:
    """A node's own flat heads and their cost by role, level and location."""
    out: dict[HeadcountKey, Amount] = {}
    assert node.plan is not None
    for line in node.plan.headcount:
        key = (line.role, line.level, line.location)
        amount = line_amount(line, rates, full_year=True)
        out[key] = out[key] + amount if key in out else amount
    return out


def _key_order(key: HeadcountKey) -> tuple[str, str, str]:
    return (key[0], key[1] or "", key[2] or "")


def headcount_rows(
    node: Node,
    own: Mapping[NodeId, dict[HeadcountKey, Amount]],
    inclusive: Mapping[NodeId, dict[HeadcountKey, Amount]],
) -> tuple[HeadcountRow, ...]:
    """Flat heads by child (own heads first), role, level and location."""
    rows = [
        HeadcountRow(None, *key, amount=own[node.id][key])
        for key in sorted(own[node.id], key=_key_order)
    ]
    for c in node.children:
        rows.extend(
            HeadcountRow(c, *key, amount=inclusive[c][key])
            for key in sorted(inclusive[c], key=_key_order)
        )
    return tuple(rows)
