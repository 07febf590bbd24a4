"""The built-in policies' checks of what plans say (docs/policies.md): goals per team and
measurable goals, asks that name a goal, answers to mandates, acknowledged dependencies,
growth over the flat plan, and a goal status that jumps. Each is a ``check_*(cycle, conf)``
that asks ``conf(node_id)`` for the setting in force at a node; :mod:`opplan.check.policies`
registers them with their defaults."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from opplan.model import Cycle, Node, Plan, ask_ref, dependency_ref
from opplan.model.costing import number_text
from opplan.model.diagnostics import Diagnostic

if TYPE_CHECKING:
    from opplan.check.policies import Conf, Effective


def _leaves(cycle: Cycle) -> Iterator[str]:
    return (nid for nid, n in cycle.nodes.items() if not n.children)


def _switched_on(cycle: Cycle, conf: Conf) -> Iterator[tuple[Node, Plan, Effective]]:
    """Each node with a plan whose setting of the policy is on, with that setting."""
    for node, plan in cycle.plans():
        eff = conf(node.id)
        if eff.on:
            yield node, plan, eff


def check_min_goals(cycle: Cycle, conf: Conf) -> Iterator[Diagnostic]:
    """A team (a leaf) has at least ``min`` goals."""
    for nid in _leaves(cycle):
        node, eff = cycle.nodes[nid], conf(nid)
        if node.plan is None or not eff.on:
            continue
        n = len(node.plan.goals)
        if n < (eff.min or 0):
            src = node.plan.source.at("goals") if n else node.plan.source
            yield eff.diag(
                src, f"{nid} has {n} goal{'s' if n != 1 else ''}, fewer than {eff.min}", "min-goals"
            )


def check_goal_measurable(cycle: Cycle, conf: Conf) -> Iterator[Diagnostic]:
    """A metric goal has unit, baseline, target and due; an initiative goal has due."""
    for _node, plan, eff in _switched_on(cycle, conf):
        for goal in plan.goals:
            needed = ("unit", "baseline", "target", "due") if goal.kind == "metric" else ("due",)
            missing = [f for f in needed if getattr(goal, f) is None]
            if missing:
                yield eff.diag(
                    goal.source.at("id"),
                    f"{goal.kind} goal '{goal.id}' has no {', '.join(missing)}",
                    "goal-measurable",
                )


def check_ask_needs_goal(cycle: Cycle, conf: Conf) -> Iterator[Diagnostic]:
    """Every ask names at least one goal."""
    for node, plan, eff in _switched_on(cycle, conf):
        for ask in plan.incremental:
            if not ask.goals:
                yield eff.diag(
                    ask.source.at("id"),
                    f"ask '{ask_ref(node.id, ask.id)}' names no goal",
                    "ask-needs-goal",
                )


def check_mandate_answer(cycle: Cycle, conf: Conf) -> Iterator[Diagnostic]:
    """Every leaf in a mandate's scope answers the mandate."""
    if cycle.settings is None or cycle.root is None:
        return
    for mandate in cycle.settings.mandates:
        for nid in cycle.mandate_scope(mandate):
            node, eff = cycle.nodes[nid], conf(nid)
            if node.children or node.plan is None or not eff.on:
                continue
            if mandate.id not in node.plan.mandates:
                src = node.plan.source.at("mandates") if node.plan.mandates else node.plan.source
                yield eff.diag(
                    src,
                    f"{nid} does not answer mandate '{mandate.id}' ({mandate.title})",
                    "mandate-answer",
                )


def check_dependency_ack(cycle: Cycle, conf: Conf) -> Iterator[Diagnostic]:
    """Every dependency that is not an away team has a commitment from its host."""
    committed = {
        (hid, c.to) for hid, n in cycle.nodes.items() if n.plan for c in n.plan.commitments
    }
    for node, plan, eff in _switched_on(cycle, conf):
        for dep in plan.dependencies:
            host = cycle.nodes.get(dep.on)
            if dep.away_team or host is None or host.plan is None or host is node:
                continue
            ref = dependency_ref(node.id, dep.id)
            if (dep.on, ref) not in committed:
                yield eff.diag(
                    dep.source.at("id"),
                    f"dependency '{ref}' on {dep.on} has no commitment from {dep.on}",
                    "dependency-ack",
                )


def check_max_growth(cycle: Cycle, conf: Conf) -> Iterator[Diagnostic]:
    """Requested incremental headcount of a subtree is at most ``max`` percent of its flat."""

    def own_flat(nid: str) -> Decimal:
        plan = cycle.nodes[nid].plan
        return sum((line.count for line in plan.headcount), Decimal(0)) if plan else Decimal(0)

    def own_asked(nid: str) -> Decimal:
        plan = cycle.nodes[nid].plan
        lines = (line for a in plan.incremental for line in a.headcount) if plan else ()
        return sum((line.count for line in lines), Decimal(0))

    flat = cycle.tree.reduce(own_flat, _sum)
    asked = cycle.tree.reduce(own_asked, _sum)
    for nid, node in cycle.nodes.items():
        eff = conf(nid)
        if node.plan is None or not eff.on or eff.max is None or asked[nid] == 0:
            continue
        limit = eff.max
        if flat[nid] == 0 or asked[nid] * 100 > limit * flat[nid]:
            growth = (
                "no flat headcount"
                if flat[nid] == 0
                else f"{(asked[nid] * 100 / flat[nid]).quantize(Decimal('0.1'))}% of flat {number_text(flat[nid])}"
            )
            src = node.plan.source.at("incremental") if node.plan.incremental else node.plan.source
            yield eff.diag(
                src,
                f"the {nid} subtree asks for {number_text(asked[nid])} heads "
                f"({growth}), over {number_text(limit)}%",
                "max-growth",
            )


def _sum(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


def check_status_jump(cycle: Cycle, conf: Conf) -> Iterator[Diagnostic]:
    """A goal's status never goes from green to red without a yellow between."""
    for _node, plan, eff in _switched_on(cycle, conf):
        for goal in plan.goals:
            for i in range(1, len(goal.status)):
                if goal.status[i - 1].color == "green" and goal.status[i].color == "red":
                    yield eff.diag(
                        goal.status[i].source.at("color"),
                        f"goal '{goal.id}' goes from green to red on "
                        f"{goal.status[i].date} with no yellow between",
                        "status-jump",
                    )
