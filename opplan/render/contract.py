"""The machine contract of ``opplan rollup --format json`` (docs/rollup.md), as plain dicts.

Made of the one projection of the report (:mod:`opplan.report.project`), which
the narrative's jinja context uses too: each function here selects the fields
the contract (docs/rollup.md) promises, in its order, and :func:`plain` encodes the decimals (money as
a string with two places, headcount a number: an int when whole, else a float).
Nothing here computes a figure. Fields may be added here, never renamed or
removed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from opplan.model import NodeId
from opplan.model.costing import CENT, Amount
from opplan.report import project
from opplan.report.records import (
    CycleInfo,
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


def heads(value: Decimal | None) -> int | float | None:
    """A headcount as a JSON number: an int when whole, else a float."""
    if value is None:
        return None
    whole = int(value)
    return whole if whole == value else float(value)


def plain(value: Any, key: str | None = None) -> Any:
    """A projected value as JSON data: a decimal under a ``headcount`` key becomes a number
    (:func:`heads`), any other decimal money (:func:`money`)."""
    kind = type(value)
    if kind is Decimal:
        return heads(value) if key == "headcount" else money(value)
    if kind is dict:
        return plain_dict(value)
    if kind is list:
        return [plain(v) for v in value]
    return value


def plain_dict(value: dict[str, Any]) -> dict[str, Any]:
    """:func:`plain` of a projected dict (the 10,000-team contract encodes 6 million values:
    scalars other than decimals pass through without a call)."""
    out: dict[str, Any] = {}
    for k, v in value.items():
        kind = type(v)
        if kind is Decimal:
            out[k] = heads(v) if k == "headcount" else money(v)
        elif kind is dict or kind is list:
            out[k] = plain(v, k)
        else:
            out[k] = v
    return out


def _pick(data: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    return {k: data[k] for k in keys}


AMOUNT = ("headcount", "cost", "run_rate")
STACK_KEYS = (
    "ask",
    "position",
    *AMOUNT,
    "status",
    "forced",
    "cumulative",
    "used",
    "decision",
    "decided_by",
    "rank",
    "at_risk",
    "approved",
    "approved_by",
)
REMOVED_KEYS = (
    "ask",
    "status",
    "by",
    "node",
    "title",
    "requested",
    "note",
    "approved",
    "approved_by",
)
DEPENDENCY_KEYS = (
    "requester",
    "id",
    "host",
    "what",
    "needed_by",
    "away_team",
    "funded_by",
    "manager",
    "status",
    "approved_status",
    "at_risk",
    "at_risk_asks",
    "role",
)
MANDATE_KEYS = (
    "id",
    "title",
    "due",
    "leaves_in_scope",
    "answered",
    "funded",
    "unfunded",
    "answers",
    "approved_funded",
    "approved_unfunded",
)


def amount(a: Amount) -> dict[str, Any]:
    """Headcount, in-year cost and run rate."""
    return plain_dict(project.amount(a))


def flat(t: Totals) -> dict[str, Any]:
    """Flat headcount, cost, run rate and capex."""
    return plain_dict(project.totals(t)["flat"])


def incremental(t: Totals) -> dict[str, Any]:
    """Requested (before partials), funded, unfunded, cut and deferred amounts."""
    return plain_dict(project.totals(t)["incremental"])


def stack_entry(row: StackRow) -> dict[str, Any]:
    """One live ask in a node's order: amounts after any partial, the line status, the
    running total (headcount and cost), and the decision in effect (added fields:
    decision, decided_by, rank, at_risk, approved, approved_by, and ``used``: the budget
    used down to this ask as the line counts it, forced asks first)."""
    entry = _pick(project.stack_row(row), STACK_KEYS)
    entry["cumulative"] = _pick(entry["cumulative"], ("headcount", "cost"))
    entry["used"] = _pick(entry["used"], ("headcount", "cost"))
    return plain_dict(entry)


def removed_entry(row: RemovedRow) -> dict[str, Any]:
    """One ask cut or deferred in a node's view, with the node whose decision removed it."""
    return plain_dict(_pick(project.removed_row(row), REMOVED_KEYS))


def dependency_entry(row: DependencyRow) -> dict[str, Any]:
    """A dependency as seen from a node."""
    return plain_dict(_pick(project.dependency(row), DEPENDENCY_KEYS))


def mandate_entry(row: MandateCoverage) -> dict[str, Any]:
    """A mandate's coverage in a node's subtree, with every leaf's answer."""
    return plain_dict(_pick(project.mandate(row), MANDATE_KEYS))


def goal_entry(row: GoalAtRisk) -> dict[str, Any]:
    """A goal at risk in a node's view."""
    return project.goal_at_risk(row)


def node_summary(node: NodeReport) -> dict[str, Any]:
    """A node's identity, budget and totals: the fields before its stack."""
    t = project.totals(node.totals)
    return plain_dict(
        {
            **project.identity(node),
            "children": list(node.children),
            "budget": project.budget(node),
            "flat": t["flat"],
            "incremental": t["incremental"],
            "over_budget": project.over_budget(node),
            "approved": project.approved(node),
            "line": line_entry(node),
        }
    )


def line_entry(node: NodeReport) -> dict[str, Any]:
    """The line in figures (:func:`opplan.report.project.line`), the first ask below it
    named by its reference."""
    line = project.line(node)
    first = line["first_below"]
    line["first_below"] = None if first is None else first["ask"]
    line["forced"] = _pick(line["forced"], ("headcount", "cost"))
    line["used"] = _pick(line["used"], ("headcount", "cost"))
    return line


def node_details(node: NodeReport) -> dict[str, Any]:
    """A node's removed asks, dependencies, mandates, goals at risk (in its view and in the
    approved plan) and own totals: the fields after its stack."""
    own = project.totals(node.own)
    return {
        "removed": [removed_entry(r) for r in node.removed],
        "dependencies": [dependency_entry(r) for r in node.dependencies],
        "mandates": [mandate_entry(r) for r in node.mandates],
        "goals_at_risk": [goal_entry(r) for r in node.goals_at_risk],
        "approved_goals_at_risk": [goal_entry(r) for r in node.approved_goals_at_risk],
        "own": plain_dict({"flat": own["flat"], "incremental": own["incremental"]}),
    }


def node_entry(node: NodeReport) -> dict[str, Any]:
    """Everything the contract (docs/rollup.md) promises about one node (plus added fields)."""
    return {
        **node_summary(node),
        "stack": [stack_entry(r) for r in node.stack],
        **node_details(node),
    }


def cycle_entry(c: CycleInfo, root: NodeId) -> dict[str, Any]:
    """The ``cycle`` object every JSON document opens with."""
    return {
        "name": c.name,
        "kind": c.kind,
        "year": c.year,
        "currency": c.currency,
        "as_of": None if c.as_of is None else c.as_of.isoformat(),
        "root": root,
    }


def report_document(report: Report, nodes: Iterable[NodeReport]) -> dict[str, Any]:
    """The whole JSON document: the cycle and the given nodes, in the given order."""
    return {
        "cycle": cycle_entry(report.cycle, report.root),
        "nodes": [node_entry(n) for n in nodes],
    }


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_string = json.encoder.encode_basestring  # str -> JSON string literal (C when available)


def _json_heads(value: Decimal) -> str:
    number = heads(value)
    return str(number) if isinstance(number, int) else repr(number)


def _json_cents(value: Decimal) -> str:
    """A report amount (already in cents) as JSON text: ``"12.50"``."""
    text = str(value)
    return f'"{text}"' if text[-3:-2] == "." else f'"{money(value)}"'


def _json_opt(value: str | None) -> str:
    return "null" if value is None else _string(value)


class TextCache:
    """Texts :func:`stack_entry_json` reuses within one document: an amount's by the
    object's identity (an ask's amount is one object shared by every view above it; the
    caller keeps the report, hence the objects and their ids, alive meanwhile), a
    headcount's by its value (its text depends on the value only), an ask reference's,
    and the decision and approved-plan fields' by their values."""

    __slots__ = ("amounts", "approved", "asks", "decisions", "heads")

    def __init__(self) -> None:
        self.amounts: dict[int, str] = {}
        self.heads: dict[Decimal, str] = {}
        self.asks: dict[str, str] = {}
        self.decisions: dict[tuple[str | None, str | None], str] = {}
        self.approved: dict[tuple[str, str | None], str] = {}


def stack_entry_json(row: StackRow, cache: TextCache | None = None) -> str:
    """:func:`stack_entry` as compact JSON text, formatted directly.

    Stack entries are most of the output of a large org (323,000 of them at
    10,000 teams); formatting them here takes a fraction of the time of projecting,
    selecting and encoding each (:func:`stack_entry`, the definition), and the texts
    that repeat are made once per document (``cache``, :class:`TextCache`). A test
    checks, for every stack entry of the sample, that this text parses to exactly
    :func:`stack_entry`.
    """
    if cache is None:
        cache = TextCache()
    a = row.amount
    amount = cache.amounts.get(id(a))
    if amount is None:
        amount = cache.amounts[id(a)] = (
            f'"headcount":{_json_heads(a.headcount)},"cost":{_json_cents(a.cost)},'
            f'"run_rate":{_json_cents(a.run_rate)}'
        )
    heads = cache.heads
    c, u = row.cumulative, row.used
    ch = heads.get(c.headcount)
    if ch is None:
        ch = heads[c.headcount] = _json_heads(c.headcount)
    cumulative = f'{{"headcount":{ch},"cost":{_json_cents(c.cost)}}}'
    if u is c:
        used = cumulative
    else:
        uh = heads.get(u.headcount)
        if uh is None:
            uh = heads[u.headcount] = _json_heads(u.headcount)
        used = f'{{"headcount":{uh},"cost":{_json_cents(u.cost)}}}'
    ask = cache.asks.get(row.ask)
    if ask is None:
        ask = cache.asks[row.ask] = _string(row.ask)
    key = (row.decision, row.decided_by)
    decision = cache.decisions.get(key)
    if decision is None:
        decision = cache.decisions[key] = (
            f'"decision":{_json_opt(row.decision)},"decided_by":{_json_opt(row.decided_by)}'
        )
    approved_key = (row.approved, row.approved_by)
    approved = cache.approved.get(approved_key)
    if approved is None:
        approved = cache.approved[approved_key] = (
            f'"approved":"{row.approved}","approved_by":{_json_opt(row.approved_by)}}}'
        )
    return (
        f'{{"ask":{ask},"position":{row.position},{amount},'
        f'"status":"{row.status}","forced":{"true" if row.forced else "false"},'
        f'"cumulative":{cumulative},"used":{used},{decision},'
        f'"rank":{"null" if row.rank is None else int(row.rank)},'
        f'"at_risk":{"true" if row.at_risk else "false"},{approved}'
    )


def json_text(report: Report, nodes: Iterable[NodeReport]) -> Iterator[str]:
    """:func:`report_document` as compact JSON text, produced one node at a time.

    The output of a 10,000-team org is large (over 100 MB): streaming it keeps
    memory flat. Stack entries are formatted directly (:func:`stack_entry_json`),
    the rest encoded from the projection by the C encoder.
    """
    head = report_document(report, ())
    cache = TextCache()
    yield '{"cycle":' + _encode(head["cycle"]) + ',"nodes":['
    for k, node in enumerate(nodes):
        yield "".join(
            (
                "," if k else "",
                _encode(node_summary(node))[:-1],
                ',"stack":[',
                ",".join([stack_entry_json(r, cache) for r in node.stack]),
                "],",
                _encode(node_details(node))[1:],
            )
        )
    yield "]}\n"
