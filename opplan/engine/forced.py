"""What the asks funded by decision take off each node's budget, without the whole roll-up.

``opplan check`` warns when those asks alone exceed a node's budget (the
``over-budget`` policy, docs/policies.md), and ``review import`` says when its
change causes that. Both need only the asks funded by decision, not the order or
the line, so this walks the decisions alone: the decision in effect on an ask at a
node is the one of the highest node, from the ask's own node up to that node, that
decided on it (rule 2, as :func:`opplan.engine.stack.effective_decisions` applies it
bottom-up); ``fund`` and ``partial`` force it (rule 3). The cost is one walk up the
tree per decided ask, so a 10,000-team cycle with few decisions costs next to nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from opplan.engine.stack import DECIDING, FORCING, excess
from opplan.model import Ask, Budget, Cycle, Decision, NodeId, parse_ask_ref
from opplan.model.costing import Amount, RateTable, ask_amount, partial_amount


def forced_totals(cycle: Cycle, rates: RateTable) -> dict[NodeId, Amount]:
    """Per node, the total of the asks funded by decision in its view (after partials);
    nodes without any are left out. Decisions on asks that do not exist are ignored
    (validation reports them)."""
    deciders: dict[str, dict[NodeId, Decision]] = {}
    for node, plan in cycle.plans():
        if plan.review is not None:
            for ref, dec in plan.review.decisions.items():
                if dec.decision in DECIDING:
                    deciders.setdefault(ref, {})[node.id] = dec
    out: dict[NodeId, Amount] = {}
    asks: dict[NodeId, dict[str, Ask]] = {}  # each owner's asks by id, indexed once
    for ref, by_node in deciders.items():
        parsed = parse_ask_ref(ref)
        owner = cycle.nodes.get(parsed[0]) if parsed is not None else None
        if parsed is None or owner is None or owner.plan is None:
            continue
        if owner.id not in asks:
            asks[owner.id] = {a.id: a for a in owner.plan.incremental}
        ask = asks[owner.id].get(parsed[1])
        if ask is None:
            continue
        requested = ask_amount(ask, rates)
        in_effect: Decision | None = None
        at: NodeId | None = owner.id
        while at is not None:
            in_effect = by_node.get(at, in_effect)
            if in_effect is not None and in_effect.decision in FORCING:
                amount = (
                    partial_amount(requested, in_effect.headcount, in_effect.cost)
                    if in_effect.decision == "partial"
                    and (in_effect.headcount is not None or in_effect.cost is not None)
                    else requested  # a partial naming neither is an error validation reports
                )
                out[at] = out[at] + amount if at in out else amount
            at = cycle.nodes[at].parent
    return out


def over_budget(
    forced: Mapping[NodeId, Amount], budgets: Mapping[NodeId, Budget]
) -> dict[NodeId, Amount]:
    """The nodes whose asks funded by decision alone exceed their budget, with the excess
    per dimension (rule 5: the node is over budget)."""
    out: dict[NodeId, Amount] = {}
    for nid, total in forced.items():
        budget = budgets.get(nid)
        over = excess(total, budget) if budget is not None else None
        if over is not None:
            out[nid] = over
    return out
