"""The report model's money records: the resources of a subtree (people by role family,
other spend and capex by category), the hiring plan and headcount bridge of a view, and a
manager's children's envelopes (docs/rollup.md, "The money, whole").

Part of the closed report model (:mod:`opplan.report.records` re-exports them): the
engine fills them, renderers only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from opplan.model import AskRef, NodeId
from opplan.model.costing import ZERO_AMOUNT, Amount
from opplan.util.plainrepr import plain_repr

__all__ = [
    "NO_ENVELOPES",
    "NO_HIRES",
    "NO_RESOURCES",
    "CategoryAmount",
    "EnvelopeRow",
    "Envelopes",
    "HireRow",
    "Hiring",
    "Resources",
    "RoleCost",
    "hire_row",
]


@plain_repr
@dataclass(frozen=True)
class RoleCost:
    """Flat heads of one role family over the subtree, a full year each."""

    role: str
    amount: Amount


@plain_repr
@dataclass(frozen=True)
class CategoryAmount:
    """Flat non-headcount spend, or capex, of one category over the subtree (annual)."""

    category: str
    amount: Decimal


@plain_repr
@dataclass(frozen=True)
class Resources:
    """The money of a subtree, whole: flat cost split into people (by role family) and other
    spend (by category), capex apart (never in cost or the line math), and the funded asks
    in this node's view and in the approved plan (the root's view).

    ``people_total + spend_total == flat`` (heads, cost and run rate);
    ``total == flat + funded`` and ``approved_total == flat + approved_funded``.
    """

    people: tuple[RoleCost, ...] = ()  # by role family, sorted by role
    people_total: Amount = ZERO_AMOUNT
    spend: tuple[CategoryAmount, ...] = ()  # by category, sorted by name
    spend_total: Amount = ZERO_AMOUNT  # no heads; cost and run rate are the annual spend
    flat: Amount = ZERO_AMOUNT
    capex: tuple[CategoryAmount, ...] = ()
    capex_total: Decimal = Decimal(0)
    funded: Amount = ZERO_AMOUNT  # asks funded in this node's view (after partials)
    approved_funded: Amount = ZERO_AMOUNT  # the subtree's asks funded in the approved plan
    total: Amount = ZERO_AMOUNT  # flat plus funded, this node's view
    approved_total: Amount = ZERO_AMOUNT  # flat plus funded, the approved plan


@plain_repr
@dataclass(frozen=True)
class HireRow:
    """One funded position group: heads of one role, level and location on one funded ask,
    starting in one month; amounts after a partial (scaled with the ask)."""

    ask: AskRef
    node: NodeId
    node_name: str
    title: str
    role: str
    level: str | None
    location: str | None
    start: int  # month 1..12
    amount: Amount  # heads, in-year cost from the start month, run rate


def hire_row(
    ask: AskRef,
    node: NodeId,
    node_name: str,
    title: str,
    role: str,
    level: str | None,
    location: str | None,
    start: int,
    amount: Amount,
) -> HireRow:
    """A :class:`HireRow`, built fast (the roll-up builds one per headcount line of every
    funded ask): the fields written in declaration order into the instance, as the
    dataclass ``__init__`` does through ``object.__setattr__``, at a third of its cost.
    A test checks its parameters are HireRow's fields and its rows equal the constructor's.
    """
    row = object.__new__(HireRow)
    f = row.__dict__
    f["ask"] = ask
    f["node"] = node
    f["node_name"] = node_name
    f["title"] = title
    f["role"] = role
    f["level"] = level
    f["location"] = location
    f["start"] = start
    f["amount"] = amount
    return row


@plain_repr
@dataclass(frozen=True)
class Hiring:
    """The funded asks of a subtree in one view, as hires: when the heads start, the bridge
    from flat to December (exit) headcount, and the average headcount over the year.

    ``people + spend`` is the view's funded total; ``by_quarter`` adds up to ``people``;
    ``exit_headcount = flat_headcount + people.headcount``; a head starting in month m
    counts (13 - m) / 12 of a year in ``average_headcount`` (rounded to 0.01), as its
    in-year cost does.
    """

    rows: tuple[HireRow, ...] = ()  # depth-first by team, then ask and line order
    by_quarter: tuple[Amount, ...] = (ZERO_AMOUNT,) * 4  # heads starting in Q1..Q4
    people: Amount = ZERO_AMOUNT  # the funded heads and their cost
    spend: Amount = ZERO_AMOUNT  # the funded asks' non-headcount spend (no heads)
    flat_headcount: Decimal = Decimal(0)
    exit_headcount: Decimal = Decimal(0)
    average_headcount: Decimal = Decimal(0)


@plain_repr
@dataclass(frozen=True)
class EnvelopeRow:
    """A child's envelope: its own budget, what it funded in its own view, and what this
    manager funds of its asks."""

    child: NodeId
    name: str
    budget_headcount: Decimal | None
    budget_cost: Decimal | None
    funded_there: Amount  # funded in the child's own view
    funded_here: Amount  # the child's asks funded in this node's view


@plain_repr
@dataclass(frozen=True)
class Envelopes:
    """A manager's children's envelopes, their sum per dimension (None where no child sets
    one) and the excess of that sum over the manager's own budget (None when within it or
    not comparable)."""

    rows: tuple[EnvelopeRow, ...] = ()
    budget_headcount: Decimal | None = None
    budget_cost: Decimal | None = None
    over_headcount: Decimal | None = None
    over_cost: Decimal | None = None


#: Empty records: the defaults of a report assembled by hand (a test's, or before the money).
NO_RESOURCES = Resources()
NO_HIRES = Hiring()
NO_ENVELOPES = Envelopes()
