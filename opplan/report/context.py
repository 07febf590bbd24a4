"""The template context of a node: its rolled-up figures as plain mappings and lists.

Narratives and document templates see exactly this (documented in
docs/templates.md), e.g. ``{{ totals.incremental.requested.headcount }}``. The
shapes follow ``opplan rollup --format json`` (docs/rollup.md) so one vocabulary serves
both. Values are plain: dicts, lists, strings, ``Decimal`` numbers (headcount
without trailing zeros, money with two places) and dates, which keeps the
sandbox surface small. The records' shapes come from the one projection
(:mod:`opplan.report.project`), which the JSON contract is made of too; this
module only arranges them. Nothing here computes a figure.

A context is made key by key, when a key is first asked for (:class:`NodeContext`): a
manager's ``stack`` holds a row per ask below it (53,000 at the root of a 10,000-team org),
and a template that never names it need not wait for it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Collection
from functools import cached_property
from typing import Any

from opplan.report import project
from opplan.report.goals import own_view_judges
from opplan.report.project import amount, hc, totals
from opplan.report.records import NodeReport, Report

__all__ = ["KEYS", "NodeContext", "amount", "hc", "node_context", "totals"]


def _due(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, int):
        return dt.date(2000, value, 1).strftime("%B")
    return str(value)


def node_context(
    node: NodeReport, report: Report, keys: Collection[str] | None = None
) -> dict[str, Any]:
    """Everything a narrative or template of ``node`` may use (see docs/templates.md); with
    ``keys``, only those of them (:class:`NodeContext`)."""
    return NodeContext(node, report).get(keys)


class NodeContext:
    """The template context of one node, each key made the first time it is asked for and
    kept: :meth:`get` gives the same values, in the same order, as a context made whole."""

    def __init__(self, node: NodeReport, report: Report) -> None:
        self.node = node
        self.report = report
        self._made: dict[str, Any] = {}
        self._rows: dict[int, dict[str, Any]] = {}

    def get(self, keys: Collection[str] | None = None) -> dict[str, Any]:
        """The context: every key (None), or those of ``keys`` it has, in the context's order."""
        made = self._made
        out: dict[str, Any] = {}
        for key in KEYS:
            if keys is None or key in keys:
                if key not in made:
                    made[key] = _MAKERS[key](self)
                out[key] = made[key]
        return out

    def name(self, nid: str) -> str:
        names = self.report.nodes
        return names[nid].name if nid in names else nid

    def _approved_amount(self, row: dict[str, Any]) -> dict[str, Any]:
        found = self.report.approved_rows.get(row["ask"])  # the ask as the approved plan funds it
        return {**row, "approved_amount": None if found is None else amount(found.amount)}

    @cached_property
    def rows(self) -> list[dict[str, Any]]:
        """The stack's rows (``stack``, and the rows ``above``, ``below``... pick from)."""
        return [self._row(i) for i in range(len(self.node.stack))]

    def _row(self, i: int) -> dict[str, Any]:
        """Row ``i`` of the stack, made once: ``line.first_below`` is the same row as in
        ``stack`` in whichever order the two are made."""
        row = self._rows.get(i)
        if row is None:
            row = self._rows[i] = self._approved_amount(project.stack_row(self.node.stack[i]))
        return row

    def counts(self) -> dict[str, int]:
        """How many rows ``stack``, ``above``, ``below``, ``unlined``, ``forced`` and
        ``removed`` hold, without making them."""
        stack = self.node.stack
        status = Counter(r.status for r in stack)
        return {
            "stack": len(stack),
            "above": status["above"],
            "below": status["below"],
            "unlined": status["unlined"],
            "forced": sum(1 for r in stack if r.forced),
            "removed": len(self.node.removed),
        }

    def _status(self, status: str) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["status"] == status]

    def cycle(self) -> dict[str, Any]:
        cycle = self.report.cycle
        return {
            "name": cycle.name,
            "kind": cycle.kind,
            "year": cycle.year,
            "currency": cycle.currency,
            "as_of": cycle.as_of,
        }

    def node_(self) -> dict[str, Any]:
        node = self.node
        return {
            **project.identity(node),
            "is_leaf": not node.children,
            "path_names": list(self.report.path_names(node.id)),
            "contributors": list(node.contributors),
            "state": node.state,
        }

    def approved(self) -> dict[str, Any]:
        node, report = self.node, self.report
        return {
            **project.approved(node),
            "total": amount(node.approved_total),
            "counts": project.approved_counts(node.approved_counts),
            "root": {"id": report.root, "name": self.name(report.root)},
        }

    def line(self) -> dict[str, Any]:
        at = self.node.line.first_below
        return {**project.line(self.node), "first_below": None if at is None else self._row(at)}

    def dependencies(self) -> list[dict[str, Any]]:
        return [
            {
                **project.dependency(d),
                "requester_name": self.name(d.requester),
                "host_name": self.name(d.host),
                "manager_name": self.name(d.manager),
            }
            for d in self.node.dependencies
        ]

    def child_goals(self) -> list[dict[str, Any]]:
        return [
            {
                **c,
                "goals": [{**g, "due": _due(g["due"])} for g in c["goals"]],
            }
            for c in map(project.child_goals, self.node.child_goals)
        ]

    def flat_items(self) -> list[dict[str, Any]]:
        return [
            {
                "id": f.id,
                "title": f.title,
                "headcount": hc(f.headcount),
                "summary": f.summary,
                "goals": list(f.goals),
            }
            for f in self.node.flat_items
        ]

    def children(self) -> list[dict[str, Any]]:
        node, report = self.node, self.report
        summaries = {s.child: project.child_summary(s) for s in node.child_summaries}
        children = [report.nodes[c] for c in node.children if c in report.nodes]
        return [
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
        ]


_Maker = Callable[[NodeContext], Any]

#: How each key of the context is made, in the context's order.
_MAKERS: dict[str, _Maker] = {
    "cycle": NodeContext.cycle,
    "node": NodeContext.node_,
    "budget": lambda c: project.budget(c.node),
    "has_budget": lambda c: c.node.has_budget,
    "totals": lambda c: totals(c.node.totals),
    "own": lambda c: totals(c.node.own),
    "approved": NodeContext.approved,
    "over_budget": lambda c: amount(c.node.over_budget) if c.node.over_budget else None,
    "stack": lambda c: c.rows,
    "counts": NodeContext.counts,
    "above": lambda c: c._status("above"),
    "below": lambda c: c._status("below"),
    "unlined": lambda c: c._status("unlined"),
    "forced": lambda c: [r for r in c.rows if r["forced"]],
    "line": NodeContext.line,
    "removed": lambda c: [c._approved_amount(project.removed_row(r)) for r in c.node.removed],
    "dependencies": NodeContext.dependencies,
    "mandates": lambda c: [project.mandate(m) for m in c.node.mandates],
    "goals": lambda c: [{**project.goal(g), "due": _due(g.due)} for g in c.node.goals],
    "goals_at_risk": lambda c: [project.goal_at_risk(g) for g in c.node.goals_at_risk],
    "goals_own_view": lambda c: own_view_judges(c.node),
    "approved_goals_at_risk": lambda c: [
        project.goal_at_risk(g) for g in c.node.approved_goals_at_risk
    ],
    "child_goals": NodeContext.child_goals,
    "flat_items": NodeContext.flat_items,
    "children": NodeContext.children,
    "review_note": lambda c: c.node.review_note,
    "resources": lambda c: project.resources(c.node.resources),
    "hiring": lambda c: project.hiring(c.node.hiring),
    "hiring_here": lambda c: project.hiring(c.node.hiring_here),
    "hiring_differs": lambda c: c.node.hiring_differs,
    "envelopes": lambda c: project.envelopes(c.node.envelopes),
}

#: The context's keys, in its order.
KEYS = tuple(_MAKERS)
