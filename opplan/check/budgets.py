"""The over-budget policy: a budget the plans already break (docs/policies.md).

Two ways a node's budget is broken before anyone reads the stack:

* the asks funded by decision in its view (``fund`` or ``partial``, its own or a
  lower manager's still in effect) need more than the budget in some dimension, so
  the node is over budget and no other ask can be above its line (roll-up rule 5);
* the budgets its children were given (each child's ``review.budget``) add up to
  more than its own, in heads or in cost: the envelopes promise more than there is.

Both point at the node's budget in its plan.yaml. ``review import`` runs the same
check before and after its change and prints what the change caused
(:func:`over_budget_diagnostics`). The check is an ``extra`` of
:func:`opplan.check.policies.apply_policies`, which ``opplan check`` always passes
(the renderers import the policies module, and must not import the engine).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from opplan.check.policies import Conf, configuration
from opplan.engine.forced import forced_totals, over_budget
from opplan.model import Budget, Cycle, NodeId
from opplan.model.costing import RateTable, number_text
from opplan.model.diagnostics import Diagnostic

RULE = "over-budget"
_DIMENSIONS = ("headcount", "cost")


def _figure(dimension: str, value: Decimal) -> str:
    if dimension == "headcount":
        text = number_text(value)
        return f"{text} head{'' if value == 1 else 's'}"
    return f"cost {value:,.2f}"


def _budgets(cycle: Cycle) -> dict[NodeId, Budget]:
    return {
        node.id: plan.review.budget
        for node, plan in cycle.plans()
        if plan.review is not None and plan.review.budget is not None
    }


def check_over_budget(cycle: Cycle, conf: Conf) -> Iterator[Diagnostic]:
    """The asks funded by decision fit each node's budget, and the budgets of a node's
    children add up to at most its own, in every dimension it gives."""
    if cycle.settings is None:
        return
    budgets = _budgets(cycle)
    if not budgets:
        return
    forced = forced_totals(cycle, RateTable(cycle.settings.rates))
    over = over_budget(forced, budgets)
    for nid, budget in budgets.items():
        eff = conf(nid)
        if not eff.on:
            continue
        excess = over.get(nid)
        if excess is not None:
            dims = [
                d for d in _DIMENSIONS if getattr(budget, d) is not None and getattr(excess, d) > 0
            ]
            needs = " and ".join(_figure(d, getattr(forced[nid], d)) for d in dims)
            by = " and ".join(_figure(d, getattr(excess, d)) for d in dims)
            limit = " and ".join(_figure(d, getattr(budget, d)) for d in dims)
            yield eff.diag(
                budget.source.at(dims[0]),
                f"the asks funded by decision in {nid}'s view need {needs}, over its budget "
                f"of {limit} by {by}; every other ask is below its line",
                RULE,
            )
        children = [c for c in cycle.nodes[nid].children if c in budgets]
        for d in _DIMENSIONS:
            own = getattr(budget, d)
            given = [(c, getattr(budgets[c], d)) for c in children]
            given = [(c, v) for c, v in given if v is not None]
            total = sum((v for _, v in given), Decimal(0))
            if own is not None and total > own:
                parts = ", ".join(
                    f"{c} {number_text(v) if d == 'headcount' else f'{v:,.2f}'}" for c, v in given
                )
                yield eff.diag(
                    budget.source.at(d),
                    f"the budgets of {nid}'s children add up to {_figure(d, total)} "
                    f"({parts}), more than its own {_figure(d, own)}",
                    RULE,
                )


def over_budget_diagnostics(cycle: Cycle) -> list[Diagnostic]:
    """The over-budget policy's diagnostics with the cycle's settings (``review import``
    compares them before and after its change)."""
    if cycle.root is None:
        return []
    conf = configuration(cycle)
    return list(check_over_budget(cycle, lambda nid: conf(RULE, nid)))
