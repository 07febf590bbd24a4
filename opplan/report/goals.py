"""Goal records decided once: a node's own goals and its children's, for every document.

The roll-up (:mod:`opplan.engine.rollup`) builds the goal rows of each node with
:func:`goal_rows` (through :func:`opplan.report.derive.plan_fields`) and a
manager's roll-up of its children's goals with :func:`child_goals`. The change
from baseline to target is decided here, exactly (no float), in the goal's unit,
except that a change between percentages is in percentage points (``pts``): a
goal from 99.95% to 99.99% moves by 0.04 points, which is not a 0.04% change.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from opplan.model import NodeId, Plan
from opplan.report.records import ChildGoals, GoalAtRisk, GoalRow, NodeReport, StatusReport

__all__ = ["change_unit", "child_goals", "goal_change", "goal_rows", "own_view_judges"]

#: The unit of a change between percentages: percentage points.
POINTS = "pts"


def goal_change(baseline: Decimal | None, target: Decimal | None) -> Decimal | None:
    """Target minus baseline, exact, with the precision of the finer of the two
    (``99.99 - 99.95 = 0.04``); None unless both are given."""
    if baseline is None or target is None:
        return None
    return target - baseline


def change_unit(unit: str | None) -> str | None:
    """The unit a change is printed in: percentage points for ``%``, else the goal's unit."""
    return POINTS if unit == "%" else unit


def goal_rows(
    node: NodeId,
    plan: Plan,
    at_risk: Sequence[GoalAtRisk],
    approved: Sequence[GoalAtRisk],
) -> tuple[GoalRow, ...]:
    """The node's own goals with their verdicts under rule 10 in its own view
    (``at_risk``) and in the approved plan (``approved``), as written."""
    risky = {g.goal for g in at_risk if g.node == node}
    risky_approved = {g.goal for g in approved if g.node == node}
    rows = []
    for g in plan.goals:
        last = g.status[-1] if g.status else None
        rows.append(
            GoalRow(
                id=g.id,
                title=g.title,
                kind=g.kind,
                metric_class=g.metric_class,
                unit=g.unit,
                baseline=g.baseline,
                target=g.target,
                due=g.due,
                owner=g.owner,
                description=g.description,
                status=last.color if last else None,
                status_note=last.note if last else None,
                at_risk=g.id in risky,
                approved_at_risk=g.id in risky_approved,
                change=goal_change(g.baseline, g.target),
                change_unit=change_unit(g.unit),
                status_date=last.date if last else None,
                history=tuple(StatusReport(s.date, s.color, s.note) for s in g.status),
            )
        )
    return tuple(rows)


def child_goals(children: Sequence[NodeReport]) -> tuple[ChildGoals, ...]:
    """Each child's own goals (children without goals left out), with the counts by latest
    colour and of goals at risk in the approved plan."""
    out = []
    for c in children:
        if not c.goals:
            continue
        colors = [g.status for g in c.goals]
        out.append(
            ChildGoals(
                child=c.id,
                name=c.name,
                goals=c.goals,
                green=colors.count("green"),
                yellow=colors.count("yellow"),
                red=colors.count("red"),
                unreported=colors.count(None),
                at_risk=sum(g.approved_at_risk for g in c.goals),
            )
        )
    return tuple(out)


def own_view_judges(node: NodeReport) -> bool:
    """Does the node's own view say something about its goals beyond the approved plan?

    A manager's view does (its line funds some of its subtree's asks), and so does a
    team's with a budget of its own. A team without a budget funds nothing but the asks
    decided for it, so its goals are judged in the approved plan only; the root's view
    is the approved plan.
    """
    return node.parent is not None and (bool(node.children) or node.has_budget)
