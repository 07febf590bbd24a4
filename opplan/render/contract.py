"""The machine contract of ``opplan rollup --format json`` (SPEC 9), as plain dicts.

One function per record of the report model, so that any renderer (documents'
jinja context, exports) can reuse the exact JSON shape of a node. Money is a
decimal string with two places, headcount a number (an int when whole, else a
float). Fields may be added here, never renamed or removed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from opplan.model.costing import CENT, Amount
from opplan.report.records import (
    DependencyRow,
    GoalAtRisk,
    MandateCoverage,
    NodeReport,
    RemovedRow,
    Report,
    StackRow,
    Totals,
)


def money(value: Decimal | None) -> str | None:
    """A money amount as a string with two decimal places, rounded half-up (None stays None)."""
    return None if value is None else format(value.quantize(CENT, ROUND_HALF_UP), "f")


@lru_cache(maxsize=4096)
def heads(value: Decimal | None) -> int | float | None:
    """A headcount as a JSON number: an int when whole, else a float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def amount(a: Amount) -> dict[str, Any]:
    """Headcount, in-year cost and run rate (amounts of the report are always in cents)."""
    return {
        "headcount": heads(a.headcount),
        "cost": f"{a.cost:.2f}",
        "run_rate": f"{a.run_rate:.2f}",
    }


def flat(t: Totals) -> dict[str, Any]:
    """Flat headcount, cost, run rate and capex."""
    return {**amount(t.flat), "capex": money(t.capex)}


def incremental(t: Totals) -> dict[str, Any]:
    """Requested (before partials), funded, unfunded, cut and deferred amounts."""
    return {
        "requested": amount(t.requested),
        "funded": amount(t.funded),
        "unfunded": amount(t.unfunded),
        "cut": amount(t.cut),
        "deferred": amount(t.deferred),
    }


def stack_entry(row: StackRow) -> dict[str, Any]:
    """One live ask in a node's order: amounts after any partial, the line status, the
    running total, and the decision in effect (added fields: decision, decided_by, rank,
    at_risk)."""
    a = row.amount
    c = row.cumulative
    return {
        "ask": row.ask,
        "position": row.position,
        "headcount": heads(a.headcount),
        "cost": f"{a.cost:.2f}",
        "run_rate": f"{a.run_rate:.2f}",
        "status": row.status,
        "forced": row.forced,
        "cumulative": {"headcount": heads(c.headcount), "cost": f"{c.cost:.2f}"},
        "decision": row.decision,
        "decided_by": row.decided_by,
        "rank": row.rank,
        "at_risk": row.at_risk,
    }


def removed_entry(row: RemovedRow) -> dict[str, Any]:
    """One ask cut or deferred in a node's view, with the node whose decision removed it."""
    return {
        "ask": row.ask,
        "status": row.status,
        "by": row.by,
        "node": row.node,
        "title": row.title,
        "requested": amount(row.requested),
        "note": row.note,
    }


def dependency_entry(row: DependencyRow) -> dict[str, Any]:
    """A dependency as seen from a node."""
    return {
        "requester": row.requester,
        "id": row.id,
        "host": row.host,
        "what": row.what,
        "needed_by": row.needed_by,
        "away_team": row.away_team,
        "funded_by": row.funded_by,
        "manager": row.manager,
        "status": row.status,
        "approved_status": row.approved_status,
        "at_risk": row.at_risk,
        "at_risk_asks": list(row.at_risk_asks),
        "role": row.role,
    }


def mandate_entry(row: MandateCoverage) -> dict[str, Any]:
    """A mandate's coverage in a node's subtree, with every leaf's answer."""
    return {
        "id": row.id,
        "title": row.title,
        "due": row.due,
        "leaves_in_scope": row.leaves_in_scope,
        "answered": row.answered,
        "funded": row.funded,
        "unfunded": row.unfunded,
        "answers": [
            {"node": a.node, "response": a.response, "funded_by": a.funded_by, "status": a.status}
            for a in row.answers
        ],
    }


def goal_entry(row: GoalAtRisk) -> dict[str, Any]:
    """A goal at risk in a node's view."""
    return {"node": row.node, "goal": row.goal, "title": row.title}


def node_summary(node: NodeReport) -> dict[str, Any]:
    """A node's identity, budget and totals: the fields before its stack."""
    over = node.over_budget
    return {
        "id": node.id,
        "name": node.name,
        "owner": node.owner,
        "path": node.path,
        "parent": node.parent,
        "depth": node.depth,
        "children": list(node.children),
        "budget": {"headcount": heads(node.budget_headcount), "cost": money(node.budget_cost)},
        "flat": flat(node.totals),
        "incremental": incremental(node.totals),
        "over_budget": None
        if over is None
        else {
            "headcount": heads(over.headcount) if node.budget_headcount is not None else None,
            "cost": money(over.cost) if node.budget_cost is not None else None,
        },
    }


def node_details(node: NodeReport) -> dict[str, Any]:
    """A node's removed asks, dependencies, mandates, goals at risk and own totals: the
    fields after its stack."""
    return {
        "removed": [removed_entry(r) for r in node.removed],
        "dependencies": [dependency_entry(r) for r in node.dependencies],
        "mandates": [mandate_entry(r) for r in node.mandates],
        "goals_at_risk": [goal_entry(r) for r in node.goals_at_risk],
        "own": {"flat": flat(node.own), "incremental": incremental(node.own)},
    }


def node_entry(node: NodeReport) -> dict[str, Any]:
    """Everything SPEC 9 promises about one node (plus added fields)."""
    return {
        **node_summary(node),
        "stack": [stack_entry(r) for r in node.stack],
        **node_details(node),
    }


def report_document(report: Report, nodes: Iterable[NodeReport]) -> dict[str, Any]:
    """The whole JSON document: the cycle and the given nodes, in the given order."""
    c = report.cycle
    return {
        "cycle": {
            "name": c.name,
            "kind": c.kind,
            "year": c.year,
            "currency": c.currency,
            "as_of": None if c.as_of is None else c.as_of.isoformat(),
            "root": report.root,
        },
        "nodes": [node_entry(n) for n in nodes],
    }


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_string = json.encoder.encode_basestring  # str -> JSON string literal (C when available)


@lru_cache(maxsize=4096)
def _json_heads(value: Decimal) -> str:
    number = heads(value)
    return str(number) if isinstance(number, int) else repr(number)


def _json_cents(value: Decimal) -> str:
    """A report amount (already in cents) as JSON text: ``"12.50"``."""
    text = str(value)
    return f'"{text}"' if text[-3:-2] == "." else f'"{value:.2f}"'


def _json_opt(value: str | None) -> str:
    return "null" if value is None else _string(value)


def stack_entry_json(row: StackRow, amounts: dict[int, str] | None = None) -> str:
    """:func:`stack_entry` as compact JSON text, formatted directly.

    Stack entries are most of the output of a large org (hundreds of thousands
    of them); formatting them here is twice as fast as building dicts for the
    encoder. ``amounts`` caches the text of amounts by identity: an ask's amount
    is one object shared by every view, so it is formatted once (the caller
    keeps the report, hence the objects and their ids, alive meanwhile). Tests
    check that the text parses to exactly :func:`stack_entry`.
    """
    a = row.amount
    amount = amounts.get(id(a)) if amounts is not None else None
    if amount is None:
        amount = (
            f'"headcount":{_json_heads(a.headcount)},"cost":{_json_cents(a.cost)},'
            f'"run_rate":{_json_cents(a.run_rate)}'
        )
        if amounts is not None:
            amounts[id(a)] = amount
    c = row.cumulative
    return (
        f'{{"ask":{_string(row.ask)},"position":{row.position},{amount},'
        f'"status":"{row.status}","forced":{"true" if row.forced else "false"},'
        f'"cumulative":{{"headcount":{_json_heads(c.headcount)},'
        f'"cost":{_json_cents(c.cost)}}},'
        f'"decision":{_json_opt(row.decision)},"decided_by":{_json_opt(row.decided_by)},'
        f'"rank":{"null" if row.rank is None else int(row.rank)},'
        f'"at_risk":{"true" if row.at_risk else "false"}}}'
    )


def json_text(report: Report, nodes: Iterable[NodeReport]) -> Iterator[str]:
    """:func:`report_document` as compact JSON text, produced one node at a time.

    The output of a 10,000-team org is large (over 100 MB): streaming it keeps
    memory flat, and the stack entries are formatted directly
    (:func:`stack_entry_json`), the rest by the C encoder.
    """
    head = report_document(report, ())
    amounts: dict[int, str] = {}
    yield '{"cycle":' + _encode(head["cycle"]) + ',"nodes":['
    for k, node in enumerate(nodes):
        yield "".join(
            (
                "," if k else "",
                _encode(node_summary(node))[:-1],
                ',"stack":[',
                ",".join([stack_entry_json(r, amounts) for r in node.stack]),
                "],",
                _encode(node_details(node))[1:],
            )
        )
    yield "]}\n"
