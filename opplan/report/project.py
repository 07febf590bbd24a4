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
from opplan.report import goaltext
from opplan.report.money import Envelopes, HireRow, Hiring, Resources
from opplan.report.records import (
    ApprovedCounts,
    ChildGoals,
    ChildSummary,
    DependencyRow,
    GoalAtRisk,
    GoalRow,
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


def _dims(headcount: Decimal | None, cost: Decimal | None) -> dict[str, Decimal | None]:
    """A headcount and a cost given per dimension (a budget, a headroom): None where not."""
    return {"headcount": None if headcount is None else hc(headcount), "cost": cost}


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
            "partial_rest": amount(t.partial_rest),
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
    return _dims(node.budget_headcount, node.budget_cost)


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
            {
                "node": a.node,
                "response": a.response,
                "funded_by": a.funded_by,
                "status": a.status,
                "approved_status": a.approved_status,
            }
            for a in m.answers
        ],
        "approved_funded": m.approved_funded,
        "approved_unfunded": m.approved_unfunded,
    }


def goal_at_risk(g: GoalAtRisk) -> dict[str, Any]:
    """A goal at risk (in the node's view or the approved plan), with its node's name."""
    return {"node": g.node, "goal": g.goal, "title": g.title, "node_name": g.node_name}


def goal(g: GoalRow) -> dict[str, Any]:
    """One of a node's own goals as written: its figures (exact decimals, and as text with
    their unit), the change, its latest status and its verdicts under rule 10 in the node's
    view (``at_risk``) and in the approved plan (``approved_at_risk``)."""
    return {
        "id": g.id,
        "title": g.title,
        "kind": g.kind,
        "metric_class": g.metric_class,
        "unit": g.unit,
        "baseline": g.baseline,
        "target": g.target,
        "change": g.change,
        "change_unit": g.change_unit,
        "baseline_text": None if g.baseline is None else goaltext.quantity(g.baseline, g.unit),
        "target_text": None if g.target is None else goaltext.quantity(g.target, g.unit),
        "change_text": None if g.change is None else goaltext.signed(g.change, g.change_unit),
        "due": g.due,
        "owner": g.owner,
        "description": g.description,
        "status": g.status,
        "status_date": g.status_date,
        "status_note": g.status_note,
        "at_risk": g.at_risk,
        "approved_at_risk": g.approved_at_risk,
    }


def child_goals(c: ChildGoals) -> dict[str, Any]:
    """One child's own goals with the counts by latest colour and at risk in the approved plan."""
    return {
        "child": c.child,
        "name": c.name,
        "green": c.green,
        "yellow": c.yellow,
        "red": c.red,
        "unreported": c.unreported,
        "at_risk": c.at_risk,
        "goals": [goal(g) for g in c.goals],
    }


def resources(r: Resources) -> dict[str, Any]:
    """The subtree's money, whole: ``people`` by role family, ``spend`` and ``capex`` by
    category with their totals, ``flat`` (people plus spend), funded asks and totals in this
    view (``funded``, ``total``) and in the approved plan (``approved_funded``,
    ``approved_total``)."""
    return {
        "people": [{"role": p.role, **amount(p.amount)} for p in r.people],
        "people_total": amount(r.people_total),
        "spend": [{"category": c.category, "amount": c.amount} for c in r.spend],
        "spend_total": amount(r.spend_total),
        "flat": amount(r.flat),
        "capex": [{"category": c.category, "amount": c.amount} for c in r.capex],
        "capex_total": r.capex_total,
        "funded": amount(r.funded),
        "approved_funded": amount(r.approved_funded),
        "total": amount(r.total),
        "approved_total": amount(r.approved_total),
    }


def hire_row(h: HireRow) -> dict[str, Any]:
    """One funded position group: team, ask, role, level, location, start month, amounts."""
    return {
        "ask": h.ask,
        "node": h.node,
        "node_name": h.node_name,
        "title": h.title,
        "role": h.role,
        "level": h.level,
        "location": h.location,
        "start": h.start,
        **amount(h.amount),
    }


def hiring(h: Hiring) -> dict[str, Any]:
    """A view's hiring plan: ``rows``, ``by_quarter`` (``quarter`` Q1..Q4 with amounts),
    ``people`` and ``spend`` of the funded asks, and the headcount bridge: ``flat``,
    ``exit`` and ``average`` (each ``{headcount}``)."""
    return {
        "rows": [hire_row(r) for r in h.rows],
        "by_quarter": [
            {"quarter": f"Q{q}", **amount(a)} for q, a in enumerate(h.by_quarter, start=1)
        ],
        "people": amount(h.people),
        "spend": amount(h.spend),
        "flat": {"headcount": hc(h.flat_headcount)},
        "exit": {"headcount": hc(h.exit_headcount)},
        "average": {"headcount": hc(h.average_headcount)},
    }


def envelopes(e: Envelopes) -> dict[str, Any]:
    """A manager's children's envelopes: ``rows`` (``child``, ``name``, ``budget``,
    ``funded_there`` in the child's view, ``funded_here`` in this view), their ``budget``
    summed, and ``over``: the excess over this node's own budget (None when within it)."""
    over = None
    if e.over_headcount is not None or e.over_cost is not None:
        over = _dims(e.over_headcount, e.over_cost)
    return {
        "rows": [
            {
                "child": r.child,
                "name": r.name,
                "budget": _dims(r.budget_headcount, r.budget_cost),
                "funded_there": amount(r.funded_there),
                "funded_here": amount(r.funded_here),
            }
            for r in e.rows
        ],
        "budget": _dims(e.budget_headcount, e.budget_cost),
        "over": over,
    }


def approved_counts(c: ApprovedCounts) -> dict[str, int]:
    """The subtree's asks by status in the approved plan: ``asks`` (all of them),
    ``funded`` (``partial``: how many of them in part), ``below``, ``unlined``, ``cut``,
    ``deferred``."""
    return {
        "asks": c.asks,
        "funded": c.funded,
        "below": c.below,
        "unlined": c.unlined,
        "cut": c.cut,
        "deferred": c.deferred,
        "partial": c.partial,
    }


def child_summary(c: ChildSummary) -> dict[str, Any]:
    """One child's asks in the manager's view (``here``: funded, unfunded, cut, deferred,
    ``at_risk`` asks) and funded in the approved plan (``approved_funded``)."""
    return {
        "requested": amount(c.requested),
        "here": {
            "funded": amount(c.funded),
            "unfunded": amount(c.unfunded),
            "cut": amount(c.cut),
            "deferred": amount(c.deferred),
            "at_risk": c.at_risk,
        },
        "approved_funded": amount(c.approved_funded),
    }
