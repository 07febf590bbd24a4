"""The records of plan.yaml: one node's plan, its asks, goals, dependencies and review."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from opplan.model.settings import Policies
from opplan.model.types import (
    MAX_RANK,
    Amounts,
    Codeowner,
    Count,
    Due,
    ItemId,
    Money,
    Month,
    Record,
    Text,
    _drop_source,
)


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


class Deferral(Record):
    """Where a deferred ask was deferred: written by ``opplan revise`` on the asks it brings back."""

    cycle: Text = Field(description="The kind of the cycle that deferred it, e.g. OP1.")
    by: str = Field(description="Node id of the manager whose decision deferred it.")
    note: Text | None = Field(None, description="The deferral's note, as written there.")


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
    deferred_in: Deferral | None = Field(
        None, description="Set by opplan revise: the ask was deferred in the revised cycle."
    )


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
    state: Literal["open", "done"] | None = Field(
        None,
        description=(
            "open or done: the manager's own word on the review, for `opplan status`; "
            "unset, a review is done once it decides an ask below or writes a note."
        ),
    )


class Plan(Record):
    """plan.yaml: one node's plan."""

    name: Text = Field(description="Display name.")
    renamed_from: str | None = Field(
        None,
        description="The node's id before it was renamed: `opplan diff` then reports a rename, "
        "not a removal and an addition (docs/revisions.md).",
    )
    owner: str = Field(description="The single accountable owner.")
    contributors: tuple[str, ...] = Field((), description="Other authors.")
    codeowners: tuple[Codeowner, ...] = Field(
        (),
        description="Who must review changes to this node's files (@user, @org/team or "
        "an email); nodes without it take the nearest manager's. See docs/ci.md.",
    )
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
