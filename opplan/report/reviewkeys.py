"""The review workbook's contract: sheet names, columns, metadata and row fingerprints.

Shared by the xlsx renderer (:mod:`opplan.render.xlsx`), which writes a
node's ``<id>.xlsx``, and the review importer (:mod:`opplan.review`), which
reads the manager's decisions back. Neither format library is imported here.

A workbook carries a hidden metadata sheet naming the cycle, the node and, for
every row of its ``Stack`` sheet, a *fingerprint* of what the row was built
from: the ask as written in its plan.yaml, its requested figures (which
depend on the cycle's rates) and every decision on it between the ask's node
and the workbook's node. If any of those change after the build, the
fingerprint no longer matches and the import names the row instead of
overwriting a decision taken on figures the manager never saw.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

from opplan.model import Ask, AskRef, Decision, NodeId, Plan, ask_ref, parse_ask_ref
from opplan.model.costing import Amount, number_text
from opplan.report.records import NodeReport

#: The workbook's sheets, in order (the metadata sheet is very hidden).
SUMMARY, STACK, HEADCOUNT, GOALS, DEPENDENCIES, MANDATES, INSTRUCTIONS = (
    "Summary",
    "Stack",
    "Headcount",
    "Goals",
    "Dependencies",
    "Mandates",
    "Instructions",
)
META = "opplan"

#: Marker in the metadata sheet's first cell, and the layout version after it.
FORMAT = "opplan review workbook"
#: 2: review columns first, live formulas (1: engine columns first, static statuses).
FORMAT_VERSION = 2
#: The versions the importer reads: it finds the Stack's columns by their header names,
#: which both layouts share.
READABLE_VERSIONS = (1, 2)

#: The decisions a manager may choose in the Stack sheet's dropdown.
DECISIONS = ("fund", "partial", "defer", "cut", "escalate")

# Stack columns read back by the importer (by header name, never by position).
COL_ASK = "Ask"
COL_DECISION = "Decision"
COL_PARTIAL_HC = "Partial headcount"
COL_PARTIAL_COST = "Partial cost"
COL_RANK = "Rank"
COL_NOTE = "Note"
#: The editable review columns, in sheet order.
REVIEW_COLUMNS = (COL_DECISION, COL_PARTIAL_HC, COL_PARTIAL_COST, COL_RANK, COL_NOTE)

#: Metadata keys, in the order they are written (rows 2.. of the metadata sheet).
META_KEYS = ("opplan_version", "cycle", "kind", "year", "currency", "as_of", "node", "budget")
#: Header of the metadata sheet's row table (one row per Stack row).
META_ROW_HEADER = ("ask", "fingerprint", *REVIEW_COLUMNS)


@dataclass(frozen=True)
class ReviewValues:
    """The review cells of one Stack row: a node's decision entry on one ask."""

    decision: str | None = None
    headcount: Decimal | None = None
    cost: Decimal | None = None
    rank: int | None = None
    note: str | None = None

    @staticmethod
    def of(entry: Decision | None) -> ReviewValues:
        """The values a decision entry shows (all empty for no entry)."""
        if entry is None:
            return ReviewValues()
        return ReviewValues(
            entry.decision,
            entry.headcount,
            entry.cost,
            entry.rank,
            (entry.note or "").strip() or None,
        )

    def empty(self) -> bool:
        """True when no cell is filled: no decision entry at all."""
        return self == ReviewValues()

    def same(self, other: ReviewValues) -> bool:
        """Equal by value (``2`` and ``2.0`` heads are the same)."""
        return (self.decision, _num(self.headcount), _num(self.cost), self.rank, self.note) == (
            other.decision,
            _num(other.headcount),
            _num(other.cost),
            other.rank,
            other.note,
        )


def opplan_version() -> str:
    """The installed opplan version, written into every workbook."""
    try:
        return version("opplan")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


def _num(value: Decimal | None) -> str | None:
    """A canonical text for a number: ``2``, ``2.0`` and ``2.00`` all give ``2``."""
    return None if value is None else number_text(value)


def _amount(amount: Amount) -> list[str | None]:
    return [_num(amount.headcount), _num(amount.cost), _num(amount.run_rate)]


def _decision(entry: Decision | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    data = entry.model_dump(mode="json", exclude_none=True)
    for key in ("headcount", "cost"):
        if getattr(entry, key) is not None:
            data[key] = _num(getattr(entry, key))
    return data


def budget_text(headcount: Decimal | None, cost: Decimal | None) -> str:
    """A node's budget as the metadata sheet records it, e.g. ``headcount 5, cost none``."""
    return f"headcount {_num(headcount) or 'none'}, cost {_num(cost) or 'none'}"


def fingerprint(
    ask_ref: AskRef,
    ask: Ask,
    requested: Amount,
    decisions: Iterable[tuple[NodeId, Decision | None]],
    record: str | None = None,
) -> str:
    """A short hash of what one Stack row was built from.

    ``decisions`` are the decision entries on the ask at every node from the
    ask's own node up to the workbook's node, that node excluded (None where a
    node has none). ``record`` is :func:`record_json` of ``ask`` when the caller
    has it already.

    The hash is of the JSON text of ``{"ask": ask_ref, "decisions": [[node, entry],
    ...], "record": <the ask as written>, "requested": [heads, cost, run rate]}``,
    keys sorted (``json.dumps(payload, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False, default=str)``). It is put together from the JSON of each
    value, which is the same text (a test compares them), so that the record's
    text can be made once per ask, beside the roll-up.
    """
    text = (
        f'{{"ask":{_JSON.encode(ask_ref)},'
        f'"decisions":{_JSON.encode([[n, _decision(e)] for n, e in decisions])},'
        f'"record":{record_json(ask) if record is None else record},'
        f'"requested":{_JSON.encode(_amount(requested))}}}'
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


#: The fingerprint's JSON: ``json.dumps(payload, sort_keys=True, separators=(",", ":"),
#: ensure_ascii=False, default=str)``, its encoder made once (not once per Stack row).
_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def record_json(ask: Ask) -> str:
    """The ask as written, as a fingerprint holds it: the JSON text of its fields (every
    one but its source position), keys sorted."""
    return _JSON.encode(ask.model_dump(mode="json"))


def ask_records(nodes: Mapping[NodeId, _TreeNode]) -> dict[AskRef, str]:
    """:func:`record_json` of every ask of a cycle's or a report's ``nodes``, by reference:
    what a workbook row's fingerprint holds of its ask (made once per ask, and by the
    worker beside a large cycle's roll-up, :mod:`opplan.pipeline.checkpair`)."""
    return {
        ask_ref(nid, ask.id): record_json(ask)
        for nid, node in nodes.items()
        if node.plan is not None
        for ask in node.plan.incremental
    }


class _TreeNode(Protocol):
    """A node of a loaded cycle or of a report: what the fingerprint walks need."""

    @property
    def plan(self) -> Plan | None: ...

    @property
    def parent(self) -> NodeId | None: ...


class AskLookup:
    """Ask records by reference over a cycle's or a report's nodes, indexed per node on use."""

    def __init__(self, nodes: Mapping[NodeId, _TreeNode]):
        self.nodes = nodes
        self.by_node: dict[NodeId, dict[str, Ask]] = {}

    def find(self, ref: str) -> tuple[NodeId, Ask] | None:
        """The owning node and the ask record behind ``ref``, or None."""
        parts = parse_ask_ref(ref)
        if parts is None:
            return None
        node_id, ask_id = parts
        node = self.nodes.get(node_id)
        if node is None or node.plan is None:
            return None
        asks = self.by_node.get(node_id)
        if asks is None:
            asks = self.by_node[node_id] = {a.id: a for a in node.plan.incremental}
        ask = asks.get(ask_id)
        return (node_id, ask) if ask is not None else None


def decisions_below(
    nodes: Mapping[NodeId, _TreeNode], ref: AskRef, owner: NodeId, top: NodeId
) -> list[tuple[NodeId, Decision | None]]:
    """The decision entries on ``ref`` at every node from ``owner`` up to ``top``, ``top``
    excluded: what a row's :func:`fingerprint` covers, the same at build and at import."""

    def entry(node: _TreeNode) -> Decision | None:
        review = node.plan.review if node.plan is not None else None
        return review.decisions.get(ref) if review else None

    return _below(nodes, owner, top, entry)


_N = TypeVar("_N", bound="_HasParent")


class _HasParent(Protocol):
    @property
    def parent(self) -> NodeId | None: ...


def _below(
    nodes: Mapping[NodeId, _N], owner: NodeId, top: NodeId, entry: Callable[[_N], Decision | None]
) -> list[tuple[NodeId, Decision | None]]:
    """The walk of :func:`decisions_below`, over a cycle's nodes or a report's."""
    out: list[tuple[NodeId, Decision | None]] = []
    nid: NodeId | None = owner
    while nid is not None and nid != top:
        node = nodes[nid]
        out.append((nid, entry(node)))
        nid = node.parent
    return out


def report_fingerprint(
    nodes: Mapping[NodeId, NodeReport],
    ref: AskRef,
    owner: NodeId,
    top: NodeId,
    requested: Amount,
    records: Mapping[AskRef, str] = MappingProxyType({}),
) -> str:
    """The :func:`fingerprint` of a Stack row of ``top``'s workbook, from the report's
    records: the same text :func:`decisions_below` and :class:`AskLookup` give the
    importer over the loaded cycle. ``records`` holds :func:`record_json` of asks by
    reference, when they were made beforehand."""
    parts = parse_ask_ref(ref)
    assert parts is not None, "a Stack row's reference was built by ask_ref"
    ask = nodes[owner].asks[parts[1]]
    decisions = _below(nodes, owner, top, lambda node: node.decisions.get(ref))
    return fingerprint(ref, ask, requested, decisions, records.get(ref))
