"""The template context of a node: its rolled-up figures as plain mappings and lists.

Narratives and document templates see exactly this (documented in
docs/templates.md), e.g. ``{{ totals.incremental.requested.headcount }}``. The
shapes follow ``opplan rollup --format json`` (docs/rollup.md) so one vocabulary serves
both. Values are plain: dicts, lists, strings, ``Decimal`` numbers (headcount
without trailing zeros, money with two places) and dates, which keeps the
sandbox surface small. The records' shapes come from the one projection
(:mod:`opplan.report.project`), which the JSON contract is made of too; this
module only arranges them. Nothing here computes a figure.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opplan.report import project
from opplan.report.goals import own_view_judges
from opplan.report.project import amount, hc, totals
from opplan.report.records import NodeReport, Report

__all__ = ["amount", "hc", "node_context", "totals"]


def _due(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, int):
        return dt.date(2000, value, 1).strftime("%B")
    return str(value)


def node_context(node: NodeReport, report: Report) -> dict[str, Any]:
    """Everything a narrative or template of ``node`` may use (see docs/templates.md)."""
    cycle = report.cycle
    there = report.approved_rows  # each live ask as the approved plan funds it

    def approved_amount(row: dict[str, Any]) -> dict[str, Any]:
        found = there.get(row["ask"])
        return {**row, "approved_amount": None if found is None else amount(found.amount)}

    rows = [approved_amount(project.stack_row(r)) for r in node.stack]
    first_below = None if node.line.first_below is None else rows[node.line.first_below]
    children = [report.nodes[c] for c in node.children if c in report.nodes]
    summaries = {s.child: project.child_summary(s) for s in node.child_summaries}
    names = report.nodes

    def name(nid: str) -> str:
        return names[nid].name if nid in names else nid

    return {
        "cycle": {
            "name": cycle.name,
            "kind": cycle.kind,
            "year": cycle.year,
            "currency": cycle.currency,
            "as_of": cycle.as_of,
        },
        "node": {
            **project.identity(node),
            "is_leaf": not node.children,
            "path_names": list(report.path_names(node.id)),
            "contributors": list(node.contributors),
            "state": node.state,
        },
        "budget": project.budget(node),
        "has_budget": node.has_budget,
        "totals": totals(node.totals),
        "own": totals(node.own),
        "approved": {
            **project.approved(node),
            "total": amount(node.approved_total),
            "counts": project.approved_counts(node.approved_counts),
            "root": {"id": report.root, "name": name(report.root)},
        },
        "over_budget": amount(node.over_budget) if node.over_budget else None,
        "stack": rows,
        "above": [r for r in rows if r["status"] == "above"],
        "below": [r for r in rows if r["status"] == "below"],
        "unlined": [r for r in rows if r["status"] == "unlined"],
        "forced": [r for r in rows if r["forced"]],
        "line": {**project.line(node), "first_below": first_below},
        "removed": [approved_amount(project.removed_row(r)) for r in node.removed],
        "dependencies": [
            {
                **project.dependency(d),
                "requester_name": name(d.requester),
                "host_name": name(d.host),
                "manager_name": name(d.manager),
            }
            for d in node.dependencies
        ],
        "mandates": [project.mandate(m) for m in node.mandates],
        "goals": [{**project.goal(g), "due": _due(g.due)} for g in node.goals],
        "goals_at_risk": [project.goal_at_risk(g) for g in node.goals_at_risk],
        "goals_own_view": own_view_judges(node),
        "approved_goals_at_risk": [project.goal_at_risk(g) for g in node.approved_goals_at_risk],
        "child_goals": [
            {
                **c,
                "goals": [{**g, "due": _due(g["due"])} for g in c["goals"]],
            }
            for c in map(project.child_goals, node.child_goals)
        ],
        "flat_items": [
            {
                "id": f.id,
                "title": f.title,
                "headcount": hc(f.headcount),
                "summary": f.summary,
                "goals": list(f.goals),
            }
            for f in node.flat_items
        ],
        "children": [
            {
                "id": c.id,
                "name": c.name,
                "owner": c.owner,
                "is_leaf": not c.children,
                "totals": totals(c.totals),
                "has_budget": c.has_budget,
                **summaries.get(c.id, {}),
            }
            for c in children
        ],
        "review_note": node.review_note,
        "resources": project.resources(node.resources),
        "hiring": project.hiring(node.hiring),
        "hiring_here": project.hiring(node.hiring_here),
        "hiring_differs": node.hiring_differs,
        "envelopes": project.envelopes(node.envelopes),
    }
