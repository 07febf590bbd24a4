"""The plan model: immutable records for cycle.yaml, plan.yaml and the org tree.

Records are frozen pydantic models. pydantic checks types, required keys and
unknown keys (``extra="forbid"``) and reports every problem of a file at once;
the loader turns its errors into diagnostics at the exact YAML key. Every
record keeps its :class:`~opplan.diagnostics.Source` (file, line, column, key
path), so later stages can point at it too.

The field names *are* the file format: docs/plan-format.md is generated from
these classes (``python -m opplan.model.formatdoc``) and a test keeps it in sync.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, SkipValidation

from opplan.model.diagnostics import Source

NodeId = str
"""A node's id: its directory name, ``^[a-z0-9][a-z0-9-]{0,62}$``."""
AskRef = str
"""An ask reference: ``<node-id>/<ask-id>``."""

NODE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
ITEM_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
QUARTER_RE = re.compile(r"^Q([1-4])$")


def _parse_start(value: Any) -> Any:
    """``Q1``..``Q4`` become the first month of the quarter; months stay."""
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a quarter (Q1..Q4) or a month (1..12)")
    if isinstance(value, str):
        m = QUARTER_RE.match(value.strip())
        if m:
            return (int(m.group(1)) - 1) * 3 + 1
        raise ValueError(f"'{value}' is not a quarter (Q1..Q4) or a month (1..12)")
    return value


def _check_due(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a quarter (Q1..Q4), a month (1..12) or a date")
    if isinstance(value, str) and QUARTER_RE.match(value):
        return value
    if isinstance(value, int) and 1 <= value <= 12:
        return value
    if isinstance(value, dt.date):
        return value
    raise ValueError(f"'{value}' is not a quarter (Q1..Q4), a month (1..12) or a date")


def _drop_source(value: Any) -> Any:
    """Mappings keyed by the user (spend, decisions...) carry no source entry."""
    if isinstance(value, dict) and "__source__" in value:
        return {k: v for k, v in value.items() if k != "__source__"}
    return value


# The loader puts a ready Source in every mapping; pydantic passes it through
# without a Python call per record (a large share of load time otherwise).
SourceField = Annotated[Source, SkipValidation]
ItemId = Annotated[str, Field(pattern=ITEM_ID_PATTERN)]
#: Bounds that keep every product and sum of the roll-up exact in 28-digit decimals
#: (a quadrillion in any currency; ten million heads on one line).
MAX_AMOUNT = Decimal(10) ** 15
MAX_HEADS = Decimal(10) ** 7
MAX_RANK = 1_000_000
Money = Annotated[Decimal, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, decimal_places=6)]
Count = Annotated[Decimal, Field(ge=0, le=MAX_HEADS, decimal_places=6)]
Month = Annotated[int, BeforeValidator(_parse_start), Field(ge=1, le=12, strict=True)]
Due = Annotated[str | int | dt.date, PlainValidator(_check_due)]
Text = Annotated[str, Field(max_length=20_000)]
Amounts = Annotated[dict[str, Money], BeforeValidator(_drop_source)]


class Record(BaseModel):
    """Base of every record: frozen, strict about unknown keys, knows its source."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        coerce_numbers_to_str=True,
        populate_by_name=True,
        allow_inf_nan=False,
    )

    source: SourceField = Field(default=Source(""), alias="__source__", exclude=True, repr=False)


# --- cycle.yaml -------------------------------------------------------------


class RateEntry(Record):
    """A fully loaded annual cost for the headcount lines it matches."""

    role: str | None = Field(None, description="Matches lines of this role.")
    level: str | None = Field(None, description="Matches lines of this level.")
    location: str | None = Field(None, description="Matches lines at this location.")
    cost: Money = Field(gt=0, description="Annual cost of one head.")


class Rates(Record):
    """Cost rates: a default and more specific entries; the most specific match wins."""

    default: Money = Field(gt=0, description="Annual cost of one head when nothing else matches.")
    by: tuple[RateEntry, ...] = Field((), description="Rates by role, level and location.")


class Mandate(Record):
    """A top-down initiative every team in scope must plan for."""

    id: ItemId = Field(description="Unique mandate id, used in asks and answers.")
    title: Text = Field(description="What every team in scope must do.")
    description: Text | None = Field(None, description="Longer explanation.")
    applies_to: tuple[str, ...] = Field(
        (), description="Node ids whose subtrees are in scope (default: the root)."
    )
    due: Due | None = Field(None, description="Quarter, month or date.")


class PolicySetting(Record):
    """A policy's severity and parameters (a bare severity string is accepted)."""

    severity: Literal["error", "warning", "off"] | None = Field(
        None, description="error, warning or off; unset keeps the inherited severity."
    )
    min: int | None = Field(None, ge=0, description="Lower bound (min-goals).")
    max: Decimal | None = Field(
        None, ge=0, description="Upper bound (page-limit pages, max-growth percent)."
    )
    words: tuple[str, ...] | None = Field(
        None, description="Word list (narrative-style weasel words)."
    )
    acronyms: tuple[str, ...] | None = Field(
        None, description="Acronyms that need no definition (narrative-style)."
    )


def _policy_shorthand(value: Any) -> Any:
    value = _drop_source(value)
    if isinstance(value, dict):
        return {k: ({"severity": v} if isinstance(v, str) else v) for k, v in value.items()}
    return value


Policies = Annotated[dict[str, PolicySetting], BeforeValidator(_policy_shorthand)]


class DocumentSettings(Record):
    """How documents are laid out."""

    page_size: Literal["letter", "a4"] = Field(
        "letter", description="Page size of the Word documents."
    )
    body_font: str = Field(
        "Calibri", description="Body font (Carlito is its metric-compatible free clone)."
    )
    heading_font: str = Field(
        "Cambria", description="Heading font (Caladea is its metric-compatible free clone)."
    )
    font_size: Decimal = Field(
        Decimal("10.5"), ge=8, le=14, description="Body font size in points."
    )


class CycleSettings(Record):
    """cycle.yaml: the planning cycle."""

    name: Text = Field(description="The cycle's display name.")
    kind: Literal["OP1", "OP2"] = Field("OP1", description="OP1 (draft plan) or OP2 (revision).")
    year: int = Field(ge=1900, le=2999, description="The plan year.")
    currency: str = Field(
        "USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 code of every amount."
    )
    as_of: dt.date | None = Field(
        None, description="The date printed on documents (never the clock)."
    )
    root: str | None = Field(
        None, description="The root node id, when more than one directory could be it."
    )
    rates: Rates = Field(description="Fully loaded annual cost of one head.")
    mandates: tuple[Mandate, ...] = Field((), description="Top-down initiatives.")
    policies: Policies = Field(
        default_factory=dict, description="Company-level policy settings (see docs/policies.md)."
    )
    document: DocumentSettings = Field(
        default_factory=DocumentSettings, description="Document layout."
    )


# --- plan.yaml --------------------------------------------------------------


class HeadcountLine(Record):
    """Heads of one role, level and location; on an ask, from a start month."""

    role: str = Field(description="Role family, e.g. SDE, SDM, TPM.")
    level: str | None = Field(None, description="Level, e.g. L5.")
    location: str | None = Field(None, description="Location code, e.g. SEA.")
    count: Count = Field(description="Heads; may be fractional, never negative.")
    start: Month = Field(
        1,
        description="Asks only: start quarter (Q1..Q4) or month (1..12); flat lines cost a full year.",
    )
    rate: Money | None = Field(
        None, gt=0, description="This line's own annual cost per head (overrides cycle rates)."
    )
    note: Text | None = Field(None, description="Free text.")


class FlatItem(Record):
    """A zero-based line of the flat plan: what some of the current heads deliver."""

    id: ItemId = Field(description="Unique within the node's flat list.")
    title: Text = Field(description="What the heads do.")
    headcount: Count = Field(Decimal(0), description="Heads of the flat plan spent on it.")
    summary: Text | None = Field(None, description="One paragraph.")
    goals: tuple[str, ...] = Field((), description="Goal ids it serves.")


class Ask(Record):
    """One incremental ask; its rank is its position in ``incremental``."""

    id: ItemId = Field(description="Unique within the node; referenced as <node-id>/<ask-id>.")
    title: Text = Field(description="Short title.")
    summary: Text = Field("", description="What it delivers and why now.")
    headcount: tuple[HeadcountLine, ...] = Field(
        (), description="Heads asked for, with start months."
    )
    spend: Amounts = Field(
        default_factory=dict, description="Non-headcount annual spend by category."
    )
    goals: tuple[str, ...] = Field((), description="Goal ids it moves.")
    mandate: str | None = Field(None, description="The mandate id it answers.")
    depends_on: tuple[str, ...] = Field((), description="Ids of this node's dependencies it needs.")


class StatusEntry(Record):
    """One status report on a goal."""

    date: dt.date = Field(description="Date of the report.")
    color: Literal["green", "yellow", "red"] = Field(description="green, yellow or red.")
    note: Text = Field("", description="Free text.")


class Goal(Record):
    """A goal: a metric to move or an initiative to deliver."""

    id: ItemId = Field(description="Unique within the node.")
    title: Text = Field(description="Short title.")
    kind: Literal["metric", "initiative"] = Field(description="metric or initiative.")
    metric_class: Literal["input", "output"] | None = Field(
        None, description="Metric goals: input (controllable) or output."
    )
    unit: str | None = Field(None, description="Metric goals: unit of baseline and target.")
    baseline: Decimal | None = Field(None, description="Metric goals: today's value.")
    target: Decimal | None = Field(None, description="Metric goals: the value to reach.")
    due: Due | None = Field(None, description="Quarter, month or date.")
    owner: str | None = Field(None, description="The single owner.")
    description: Text | None = Field(None, description="Context sentence.")
    status: tuple[StatusEntry, ...] = Field((), description="Status history, oldest first.")


class Dependency(Record):
    """Something this node needs from another node."""

    id: ItemId = Field(description="Unique within the node.")
    on: str = Field(description="Node id of the host.")
    what: Text = Field(description="What is needed.")
    needed_by: Due | None = Field(None, description="Quarter, month or date.")
    away_team: bool = Field(False, description="True: this node staffs the work itself.")
    funded_by: str | None = Field(
        None, description="With away_team: this node's ask that pays for it."
    )


class Commitment(Record):
    """A host's promise to deliver another node's dependency."""

    to: str = Field(description="The dependency: <requester-node-id>/<dependency-id>.")
    funded_by: str = Field(description="'flat' or one of this node's ask ids.")
    note: Text | None = Field(None, description="Free text.")


class MandateAnswer(Record):
    """A node's answer to a mandate."""

    response: Text = Field(description="What the node does for the mandate.")
    funded_by: str | None = Field(None, description="'flat' or one of this node's ask ids.")


class Budget(Record):
    """The incremental envelope at a node; either dimension or both."""

    headcount: Count | None = Field(None, description="Heads.")
    cost: Annotated[Money, Field(ge=0)] | None = Field(None, description="In-year cost.")


class Decision(Record):
    """A manager's decision on one ask of their subtree."""

    decision: Literal["fund", "partial", "cut", "defer", "escalate"] | None = Field(
        None, description="fund, partial, cut, defer or escalate; unset for a rank-only entry."
    )
    rank: int | None = Field(None, ge=1, le=MAX_RANK, description="Explicit position at this node.")
    headcount: Count | None = Field(None, description="partial: heads funded.")
    cost: Annotated[Money, Field(ge=0)] | None = Field(
        None, description="partial: in-year cost funded."
    )
    note: Text | None = Field(None, description="Why; shown in documents.")


class Review(Record):
    """A manager's review of their subtree."""

    budget: Budget | None = Field(None, description="The incremental envelope.")
    decisions: Annotated[dict[str, Decision], BeforeValidator(_drop_source)] = Field(
        default_factory=dict, description="Decisions keyed by ask reference <node-id>/<ask-id>."
    )
    note: Text | None = Field(None, description="Free text for the roll-up document.")


class Plan(Record):
    """plan.yaml: one node's plan."""

    name: Text = Field(description="Display name.")
    owner: str = Field(description="The single accountable owner.")
    contributors: tuple[str, ...] = Field((), description="Other authors.")
    state: Literal["draft", "submitted"] = Field("draft", description="draft or submitted.")
    headcount: tuple[HeadcountLine, ...] = Field(
        (), description="Current run-rate heads: the flat baseline."
    )
    spend: Amounts = Field(
        default_factory=dict,
        description="Flat non-headcount annual spend by category; may be negative.",
    )
    capex: Amounts = Field(
        default_factory=dict, description="Capital expenditure, reported, never in the line math."
    )
    flat: tuple[FlatItem, ...] = Field((), description="Zero-based view of the flat plan.")
    incremental: tuple[Ask, ...] = Field((), description="Ranked asks, most important first.")
    goals: tuple[Goal, ...] = Field((), description="Goals.")
    dependencies: tuple[Dependency, ...] = Field(
        (), description="What this node needs from others."
    )
    commitments: tuple[Commitment, ...] = Field((), description="What this node promises others.")
    mandates: Annotated[dict[str, MandateAnswer], BeforeValidator(_drop_source)] = Field(
        default_factory=dict, description="Answers keyed by mandate id."
    )
    review: Review | None = Field(None, description="Decisions on asks of the subtree.")
    policies: Policies = Field(
        default_factory=dict, description="Policy settings for this subtree."
    )


# --- the loaded cycle -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Narrative:
    """A node's narrative.md: Markdown prose, a jinja template."""

    path: str
    text: str


@dataclass(frozen=True, slots=True)
class Node:
    """A node of the org tree: a directory holding plan.yaml.

    ``plan`` is None when plan.yaml could not be loaded (its diagnostics say
    why); later stages skip such nodes rather than report knock-on errors.
    """

    id: NodeId
    rel: str
    parent: NodeId | None
    children: tuple[NodeId, ...]
    depth: int
    source: Source
    plan: Plan | None
    narrative: Narrative | None = None


@dataclass(frozen=True)
class Cycle:
    """A loaded planning cycle: settings and the org tree, depth-first."""

    dir: Path
    settings: CycleSettings | None
    nodes: Mapping[NodeId, Node]
    root: NodeId | None
    source: Source
    _span: Mapping[NodeId, tuple[int, int]] = field(default_factory=dict, repr=False)

    def node(self, node_id: NodeId) -> Node:
        """The node with this id."""
        return self.nodes[node_id]

    def in_subtree(self, node_id: NodeId, top: NodeId) -> bool:
        """True when ``node_id`` is ``top`` or below it."""
        a, b = self._span[top]
        return a <= self._span[node_id][0] < b

    def subtree(self, top: NodeId) -> list[NodeId]:
        """Ids of ``top`` and every node below it, depth-first, children by id."""
        ids = list(self.nodes)
        a, b = self._span[top]
        return ids[a:b]

    def ancestors(self, node_id: NodeId) -> list[NodeId]:
        """Ids from ``node_id``'s parent up to the root."""
        out = []
        parent = self.nodes[node_id].parent
        while parent is not None:
            out.append(parent)
            parent = self.nodes[parent].parent
        return out

    def lowest_common_manager(self, a: NodeId, b: NodeId) -> NodeId:
        """The lowest node whose subtree holds both ``a`` and ``b``."""
        node: NodeId | None = a
        while node is not None and not self.in_subtree(b, node):
            node = self.nodes[node].parent
        assert node is not None, "nodes of one cycle share the root"
        return node

    def plans(self) -> list[tuple[Node, Plan]]:
        """Every node whose plan loaded, with its plan, depth-first."""
        return [(n, n.plan) for n in self.nodes.values() if n.plan is not None]


def spans(nodes: Mapping[NodeId, Node], root: NodeId | None) -> dict[NodeId, tuple[int, int]]:
    """Pre-order index ranges: node x is in the subtree of n iff start(n) <= start(x) < end(n)."""
    order = {nid: i for i, nid in enumerate(nodes)}
    out: dict[NodeId, tuple[int, int]] = {}
    for nid in reversed(list(nodes)):
        node = nodes[nid]
        end = max((out[c][1] for c in node.children), default=order[nid] + 1)
        out[nid] = (order[nid], end)
    return out
