"""The JSON contract of ``opplan approved --format json`` (docs/through-the-year.md).

One document: the cycle, then every node of the subtree (depth-first) with what the
approved plan gives it, each node's own funded asks, and each ask's positions. Encoded as
the roll-up's contract encodes (:mod:`opplan.render.contract`): money a string with two
decimals, headcount a number (an integer when whole), months ``YYYY-MM``. Nothing here
computes a figure. Fields may be added, never renamed or removed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from opplan.model.costing import Amount
from opplan.render.contract import amount, cycle_entry, heads, money
from opplan.report.approved import ApprovedNode, ApprovedPlan, FundedAsk, Position

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _money(a: Amount) -> dict[str, Any]:
    return {"cost": money(a.cost), "run_rate": money(a.run_rate)}


def position_entry(p: Position) -> dict[str, Any]:
    """One funded position: role, level, location, start, heads, rate and amounts."""
    return {
        "role": p.role,
        "level": p.level,
        "location": p.location,
        "start_month": f"{p.start_date:%Y-%m}",
        "start_quarter": p.quarter,
        "headcount": heads(p.amount.headcount),
        "rate": money(p.rate),
        "cost": money(p.amount.cost),
        "run_rate": money(p.amount.run_rate),
    }


def ask_entry(a: FundedAsk, positions: list[Position]) -> dict[str, Any]:
    """One funded ask: as written, as funded, split into people and other spend."""
    return {
        "ask": a.ask,
        "id": a.ask_id,
        "title": a.title,
        "decision": a.decision,
        "decided_by": a.decided_by,
        "requested": amount(a.requested),
        "funded": amount(a.funded),
        "people": _money(a.people),
        "spend": _money(a.spend),
        "positions": [position_entry(p) for p in positions],
    }


def node_entry(n: ApprovedNode, asks: list[dict[str, Any]]) -> dict[str, Any]:
    """What the approved plan gives one node's subtree, and the node's own funded asks."""
    return {
        "id": n.id,
        "name": n.name,
        "owner": n.owner,
        "path": n.path,
        "parent": n.parent,
        "depth": n.depth,
        "flat": {
            **amount(n.flat),
            "people_cost": money(n.flat_people.cost),
            "spend": money(n.flat_spend),
            "capex": money(n.capex),
        },
        "funded": {
            "asks": n.asks,
            "partial": n.partial,
            **amount(n.funded),
            "people": _money(n.funded_people),
            "spend": _money(n.funded_spend),
        },
        "total": amount(n.total),
        "hires_by_quarter": [
            {"quarter": f"Q{q}", "headcount": heads(h)}
            for q, h in enumerate(n.hires_by_quarter, start=1)
        ],
        "exit_headcount": heads(n.exit_headcount),
        "asks": asks,
    }


def approved_document(plan: ApprovedPlan) -> dict[str, Any]:
    """The whole JSON document as plain data."""
    by_ask: dict[str, list[Position]] = {}
    for p in plan.positions:
        by_ask.setdefault(p.ask, []).append(p)
    by_team: dict[str, list[dict[str, Any]]] = {}
    for a in plan.asks:
        by_team.setdefault(a.team, []).append(ask_entry(a, by_ask.get(a.ask, [])))
    return {
        "cycle": cycle_entry(plan.cycle, plan.root),
        "top": plan.top,
        "nodes": [node_entry(n, by_team.get(n.id, [])) for n in plan.nodes],
    }


def json_text(plan: ApprovedPlan) -> Iterator[str]:
    """:func:`approved_document` as compact JSON text, one node at a time."""
    doc = approved_document(plan)
    nodes = doc.pop("nodes")
    yield _encode(doc)[:-1] + ',"nodes":['
    for k, node in enumerate(nodes):
        yield ("," if k else "") + _encode(node)
    yield "]}\n"
