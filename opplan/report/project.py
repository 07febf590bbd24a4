"""The one projection of the report model to plain data.

Both the narrative's jinja context (:mod:`opplan.report.context`) and the JSON
contract (:mod:`opplan.render.contract`) are made of these dicts: the context
uses them as they are, the contract selects its fields (in the contract's order, docs/rollup.md) and
encodes them (:func:`opplan.render.contract.plain`). Values are plain: str, int,
bool, None and ``Decimal`` (a headcount without trailing zeros, always under a
``headcount`` key; every other decimal is money, already in cents). Nothing here
computes a figure; it only reshapes the records.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from opplan.model.costing import Amount
from opplan.report.records import (
    DependencyRow,
    GoalAtRisk,
    MandateCoverage,
    NodeReport,
    RemovedRow,
    StackRow,
    Totals,
)


def hc(value: Decimal) -> Decimal:
    """Headcount without trailing zeros (``Decimal('14.0') -> Decimal('14')``), never 1E+1."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def amount(a: Amount) -> dict[str, Decimal]:
    """``{headcount, cost, run_rate}`` of an amount."""
    return {"headcount": hc(a.headcount), "cost": a.cost, "run_rate": a.run_rate}


def totals(t: Totals) -> dict[str, Any]:
    """``flat`` (with its ``capex``), ``capex`` and ``incremental.{requested, funded,
    unfunded, cut, deferred}``."""
    return {
        "flat": {**amount(t.flat), "capex": t.capex},
        "capex": t.capex,
        "incremental": {
            "requested": amount(t.requested),
            "funded": amount(t.funded),
            "unfunded": amount(t.unfunded),
            "cut": amount(t.cut),
            "deferred": amount(t.deferred),
        },
    }


def identity(node: NodeReport) -> dict[str, Any]:
    """Who and where a node is: ``id``, ``name``, ``owner``, ``path``, ``parent``, ``depth``."""
    return {
        "id": node.id,
        "name": node.name,
        "owner": node.owner,
        "path": node.path,
        "parent": node.parent,
        "depth": node.depth,
    }


def budget(node: NodeReport) -> dict[str, Decimal | None]:
    """The node's budget: headcount and cost, None where not given."""
    heads = node.budget_headcount
    return {"headcount": None if heads is None else hc(heads), "cost": node.budget_cost}


def approved(node: NodeReport) -> dict[str, Any]:
    """The subtree in the approved plan (the root's view): ``incremental.{requested, funded,
    unfunded, cut, deferred}``; the node's own totals for the root."""
    return {"incremental": totals(node.approved)["incremental"]}


def over_budget(node: NodeReport) -> dict[str, Decimal | None] | None:
    """The excess of forced asks over the budget in the dimensions the budget gives."""
    over = node.over_budget
    if over is None:
        return None
    return {
        "headcount": hc(over.headcount) if node.budget_headcount is not None else None,
        "cost": over.cost if node.budget_cost is not None else None,
    }


def stack_row(row: StackRow) -> dict[str, Any]:
    """One live ask of the node's stack (amounts after any partial)."""
    return {
        "position": row.position,
        "ask": row.ask,
        "node": row.node,
        "node_name": row.node_name,
        "title": row.title,
        "summary": row.summary,
        **amount(row.amount),
        "requested": amount(row.requested),
        "status": row.status,
        "forced": row.forced,
        "decision": row.decision,
        "decided_by": row.decided_by,
        "rank": row.rank,
        "note": row.note,
        "cumulative": amount(row.cumulative),
        "child": row.child,
        "child_status": row.child_status,
        "goals": list(row.goals),
        "mandate": row.mandate,
        "depends_on": list(row.depends_on),
        "at_risk": row.at_risk,
        "approved": row.approved,
        "approved_by": row.approved_by,
        "used": amount(row.used),
    }


def _dims(headcount: Decimal | None, cost: Decimal | None) -> dict[str, Decimal | None]:
    return {"headcount": None if headcount is None else hc(headcount), "cost": cost}


def line(node: NodeReport) -> dict[str, Any]:
    """The line in figures: ``budget``, ``forced`` (counted first), ``used`` at the line
    (the funded total), ``headroom`` per budget dimension (None without budget there),
    ``binds`` (the dimensions the first ask below breaks), ``first_below`` (that ask's
    stack row, or None) and ``misses_by`` (how much it exceeds the headroom)."""
    f = node.line
    return {
        "budget": _dims(f.budget_headcount, f.budget_cost),
        "forced": amount(f.forced),
        "used": amount(f.used),
        "headroom": _dims(f.headroom_headcount, f.headroom_cost),
        "binds": list(f.binds),
        "first_below": None if f.first_below is None else stack_row(node.stack[f.first_below]),
        "misses_by": _dims(f.misses_headcount, f.misses_cost),
    }


def removed_row(r: RemovedRow) -> dict[str, Any]:
    """One ask cut or deferred in the node's view, with the node whose decision removed it."""
    return {
        "ask": r.ask,
        "node": r.node,
        "title": r.title,
        **amount(r.requested),
        "requested": amount(r.requested),
        "status": r.status,
        "by": r.by,
        "note": r.note,
        "approved": r.approved,
        "approved_by": r.approved_by,
    }


def dependency(d: DependencyRow) -> dict[str, Any]:
    """A dependency as seen from the node."""
    return {
        "requester": d.requester,
        "id": d.id,
        "host": d.host,
        "what": d.what,
        "needed_by": d.needed_by,
        "away_team": d.away_team,
        "funded_by": d.funded_by,
        "manager": d.manager,
        "status": d.status,
        "approved_status": d.approved_status,
        "at_risk_asks": list(d.at_risk_asks),
        "role": d.role,
        "at_risk": d.at_risk,
    }


def mandate(m: MandateCoverage) -> dict[str, Any]:
    """A mandate's coverage in the node's subtree, with every leaf's answer."""
    return {
        "id": m.id,
        "title": m.title,
        "due": m.due,
        "leaves_in_scope": m.leaves_in_scope,
        "answered": m.answered,
        "funded": m.funded,
        "unfunded": m.unfunded,
        "missing": m.missing,
        "answers": [
            {"node": a.node, "response": a.response, "funded_by": a.funded_by, "status": a.status}
            for a in m.answers
        ],
    }


def goal_at_risk(g: GoalAtRisk) -> dict[str, Any]:
    """A goal at risk in the node's view."""
    return {"node": g.node, "goal": g.goal, "title": g.title}
