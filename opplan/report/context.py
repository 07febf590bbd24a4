"""The template context of a node: its rolled-up figures as plain mappings and lists.

Narratives and document templates see exactly this (documented in
docs/templates.md), e.g. ``{{ totals.incremental.requested.headcount }}``. The
shapes follow ``opplan rollup --format json`` (SPEC 9) so one vocabulary serves
both. Values are plain: dicts, lists, strings, ``Decimal`` numbers (headcount
without trailing zeros, money with two places) and dates, which keeps the
sandbox surface small. Nothing here computes a figure: it only selects and
reshapes what the report model holds.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from opplan.model.costing import Amount
from opplan.report.records import NodeReport, Report, StackRow, Totals


def hc(value: Decimal) -> Decimal:
    """Headcount without trailing zeros (``Decimal('14.0') -> Decimal('14')``), never 1E+1."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def amount(a: Amount) -> dict[str, Decimal]:
    """``{headcount, cost, run_rate}`` of an amount."""
    return {"headcount": hc(a.headcount), "cost": a.cost, "run_rate": a.run_rate}


def totals(t: Totals) -> dict[str, Any]:
    """Totals in the JSON shape: ``flat``, ``capex``, ``incremental.{requested,...}``."""
    return {
        "flat": amount(t.flat),
        "capex": t.capex,
        "incremental": {
            "requested": amount(t.requested),
            "funded": amount(t.funded),
            "unfunded": amount(t.unfunded),
            "cut": amount(t.cut),
            "deferred": amount(t.deferred),
        },
    }


def stack_row(row: StackRow) -> dict[str, Any]:
    """One live ask of the node's stack."""
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
    }


def _due(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, int):
        return dt.date(2000, value, 1).strftime("%B")
    return str(value)


def node_context(node: NodeReport, report: Report) -> dict[str, Any]:
    """Everything a narrative or template of ``node`` may use (see docs/templates.md)."""
    cycle = report.cycle
    plan = node.plan
    rows = [stack_row(r) for r in node.stack]
    above = [r for r in rows if r["status"] == "above"]
    children = [report.nodes[c] for c in node.children if c in report.nodes]
    return {
        "cycle": {
            "name": cycle.name,
            "kind": cycle.kind,
            "year": cycle.year,
            "currency": cycle.currency,
            "as_of": cycle.as_of,
        },
        "node": {
            "id": node.id,
            "name": node.name,
            "owner": node.owner,
            "path": node.path,
            "parent": node.parent,
            "depth": node.depth,
            "is_leaf": not node.children,
            "contributors": list(plan.contributors),
            "state": plan.state,
        },
        "budget": {
            "headcount": None if node.budget_headcount is None else hc(node.budget_headcount),
            "cost": node.budget_cost,
        },
        "has_budget": node.budget_headcount is not None or node.budget_cost is not None,
        "totals": totals(node.totals),
        "own": totals(node.own),
        "over_budget": amount(node.over_budget) if node.over_budget else None,
        "stack": rows,
        "above": above,
        "below": [r for r in rows if r["status"] == "below"],
        "unlined": [r for r in rows if r["status"] == "unlined"],
        "forced": [r for r in rows if r["forced"]],
        "removed": [
            {
                "ask": r.ask,
                "node": r.node,
                "title": r.title,
                **amount(r.requested),
                "status": r.status,
                "by": r.by,
                "note": r.note,
            }
            for r in node.removed
        ],
        "dependencies": [
            {
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
                "at_risk": d.status not in ("committed", "funded"),
            }
            for d in node.dependencies
        ],
        "mandates": [
            {
                "id": m.id,
                "title": m.title,
                "due": m.due,
                "leaves_in_scope": m.leaves_in_scope,
                "answered": m.answered,
                "funded": m.funded,
                "unfunded": m.unfunded,
                "missing": m.leaves_in_scope - m.answered,
                "answers": [
                    {
                        "node": a.node,
                        "response": a.response,
                        "funded_by": a.funded_by,
                        "status": a.status,
                    }
                    for a in m.answers
                ],
            }
            for m in node.mandates
        ],
        "goals": [
            {
                "id": g.id,
                "title": g.title,
                "kind": g.kind,
                "metric_class": g.metric_class,
                "unit": g.unit,
                "baseline": g.baseline,
                "target": g.target,
                "due": _due(g.due),
                "owner": g.owner,
                "description": g.description,
                "status": g.status[-1].color if g.status else None,
            }
            for g in plan.goals
        ],
        "goals_at_risk": [
            {"node": g.node, "goal": g.goal, "title": g.title} for g in node.goals_at_risk
        ],
        "flat_items": [
            {
                "id": f.id,
                "title": f.title,
                "headcount": hc(f.headcount),
                "summary": f.summary,
                "goals": list(f.goals),
            }
            for f in plan.flat
        ],
        "children": [
            {
                "id": c.id,
                "name": c.name,
                "owner": c.owner,
                "is_leaf": not c.children,
                "totals": totals(c.totals),
                "has_budget": c.budget_headcount is not None or c.budget_cost is not None,
            }
            for c in children
        ],
        "review_note": node.review_note,
    }
