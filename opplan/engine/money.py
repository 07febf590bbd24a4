"""The money of the roll-up: flat and incremental totals, own and inclusive, and flat
heads by child, role, level and location (roll-up rule 6, docs/rollup.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from opplan.engine.stack import ABOVE, CUT, DEFERRED, AskIndex, AskInfo, View
from opplan.model import Cycle, Node, NodeId, Tree
from opplan.model.costing import (
    ZERO_AMOUNT,
    Amount,
    RateTable,
    line_amount,
    plus_spend,
    spend_total,
)
from opplan.report.records import HeadcountRow, Totals

HeadcountKey = tuple[str, str | None, str | None]


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


def approved_totals(
    view: View,
    approved: View,
    approved_amounts: Mapping[int, Amount],
    asks: Sequence[AskInfo],
    flat: Amount,
    capex: Decimal,
    requested: Amount,
) -> Totals:
    """Rule 7: a subtree's incremental totals in the approved plan (``approved``, the root's
    view, whose live amounts after partials are ``approved_amounts``): every ask of the
    subtree (``view.status``) counted by its status there."""
    funded: list[Amount] = []
    unfunded: list[Amount] = []
    cut: list[Amount] = []
    deferred: list[Amount] = []
    status = approved.status
    for i in view.status:
        st = status[i]
        if st == ABOVE:
            funded.append(approved_amounts[i])
        elif st == CUT:
            cut.append(asks[i].requested)
        elif st == DEFERRED:
            deferred.append(asks[i].requested)
        else:
            unfunded.append(approved_amounts[i])
    return Totals(
        flat=flat,
        capex=capex,
        requested=requested,
        funded=Amount.total(funded),
        unfunded=Amount.total(unfunded),
        cut=Amount.total(cut),
        deferred=Amount.total(deferred),
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
