"""The records of cycle.yaml: the cycle's settings, cost rates, mandates and policies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from opplan.model.types import Due, ItemId, Money, Record, Text, _drop_source


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


class Revises(Record):
    """The cycle this one revises (written by ``opplan revise``): OP2's link to its OP1."""

    name: Text = Field(description="The revised cycle's name, e.g. Northwind OP1 2027.")
    kind: Literal["OP1", "OP2"] = Field("OP1", description="The revised cycle's kind.")
    path: str | None = Field(
        None, description="The revised cycle's directory, relative to this cycle's directory."
    )
    commit: str | None = Field(
        None,
        pattern=r"^[0-9a-f]{7,64}$",
        description="The git commit the revised cycle was read at, when it is in a repository.",
    )
    repo_path: str | None = Field(
        None,
        description="With commit: the revised cycle's directory inside its repository "
        "(the diff's REV:path).",
    )
    dirty: bool = Field(
        False,
        description="With commit: true when the revised cycle had uncommitted changes then.",
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
    due: dt.date | None = Field(
        None,
        description="The date plans are due: opplan status shows nodes not submitted after it "
        "as late (docs/through-the-year.md).",
    )
    goal_stale_days: int = Field(
        45,
        ge=1,
        le=3660,
        description="A goal whose latest status is older than this many days is stale.",
    )
    rates: Rates = Field(description="Fully loaded annual cost of one head.")
    mandates: tuple[Mandate, ...] = Field((), description="Top-down initiatives.")
    policies: Policies = Field(
        default_factory=dict, description="Company-level policy settings (see docs/policies.md)."
    )
    document: DocumentSettings = Field(
        default_factory=DocumentSettings, description="Document layout."
    )
    revises: Revises | None = Field(
        None, description="The cycle this one revises (see docs/revisions.md)."
    )
