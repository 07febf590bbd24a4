"""The money, whole: each node's resources, hiring plans and children's envelopes
(docs/rollup.md, "The money, whole").

* **Resources**: the subtree's flat cost split into people (flat heads by role family, a
  full year each) and other spend (the plans' ``spend:`` by category), capex by category
  kept apart (it is never in cost), and the funded asks in the node's view and in the
  approved plan. People plus other spend is the flat cost, exactly.
* **Hiring plan**: the funded asks of the subtree in one view as position groups (one per
  headcount line of a funded ask), with the heads starting in each quarter, the bridge from
  flat to December (exit) headcount, and the average headcount over the year. A partial
  decision scales every line of its ask (heads, in-year cost and run rate in the partial's
  proportions) and the ask's spend with it; the last line takes the rounding, so the groups
  and the spend add up to the funded amount exactly.
* **Envelopes**: a manager's children's budgets, what each child funded in its own view and
  what the manager funds of its asks, and by how much the children's budgets exceed the
  manager's own in each dimension.

Everything is bottom-up: spend and capex categories are merged from the children's, the
approved plan's hires of a subtree are its own asks' plus its children's, and an ask's
position groups are built once per funded amount.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import chain
from typing import Any

from opplan.engine.money import HeadcountKey, Tallies, merged
from opplan.engine.stack import ABOVE, AskInfo, View
from opplan.model import NodeId
from opplan.model.costing import ZERO, ZERO_AMOUNT, Amount, RateTable, cents, line_amount
from opplan.report.money import (
    NO_ENVELOPES,
    CategoryAmount,
    EnvelopeRow,
    Envelopes,
    HireRow,
    Hiring,
    Resources,
    RoleCost,
    hire_row,
)
from opplan.report.records import ChildFigures, NodeReport

HUNDREDTH = Decimal("0.01")
Hires = tuple[tuple[HireRow, ...], Amount]  # an ask's position groups and its spend


def merged_categories(
    own: Mapping[str, Decimal], children: Iterable[dict[str, Decimal]]
) -> dict[str, Decimal]:
    """A subtree's amounts by category: the node's own (in cents) plus its children's."""
    out = {k: cents(v) for k, v in own.items()}
    for child in children:
        for k, v in child.items():
            out[k] = out[k] + v if k in out else v
    return out


def _categories(amounts: Mapping[str, Decimal]) -> tuple[CategoryAmount, ...]:
    return tuple(CategoryAmount(k, amounts[k]) for k in sorted(amounts))


def resources(
    heads: Mapping[HeadcountKey, Amount],
    spend: Mapping[str, Decimal],
    capex: Mapping[str, Decimal],
    flat: Amount,
    funded: Amount,
    approved_funded: Amount,
) -> Resources:
    """A subtree's resources from its flat heads by role, level and location, its spend
    and capex by category, its flat total and its funded asks in both views."""
    roles: dict[str, list[Amount]] = {}
    for (role, _level, _location), amount in heads.items():
        roles.setdefault(role, []).append(amount)
    people = tuple(RoleCost(r, Amount.total(roles[r])) for r in sorted(roles))
    spent = sum(spend.values(), ZERO)
    return Resources(
        people=people,
        people_total=Amount.total([p.amount for p in people]),
        spend=_categories(spend),
        spend_total=Amount(ZERO, spent, spent),
        flat=flat,
        capex=_categories(capex),
        capex_total=sum(capex.values(), ZERO),
        funded=funded,
        approved_funded=approved_funded,
        total=flat + funded,
        approved_total=flat + approved_funded,
    )


def _ratio(part: Decimal, whole: Decimal, otherwise: Decimal = Decimal(1)) -> Decimal:
    """``part`` of ``whole``; ``otherwise`` when the whole is zero."""
    return part / whole if whole else otherwise


def split_ask(info: AskInfo, amount: Amount, rates: RateTable, node_name: str) -> Hires:
    """An ask funded at ``amount`` as position groups (one per headcount line) and the
    rest, its non-headcount spend; the groups and the spend add up to ``amount``."""
    ask = info.ask
    natural = [line_amount(line, rates, full_year=False) for line in ask.headcount]
    spent = sum((cents(v) for v in ask.spend.values()), ZERO)
    if not natural:
        parts: list[Amount] = []
        spend = amount
    elif amount == info.requested:
        parts, spend = natural, Amount(ZERO, spent, spent)
    else:
        req = info.requested
        # an ask that costs nothing in-year (a saving offsets its heads) or at run rate
        # splits in the proportion of the next figure: run rate, then heads
        h = _ratio(amount.headcount, req.headcount)
        r = _ratio(amount.run_rate, req.run_rate, h)
        c = _ratio(amount.cost, req.cost, r)
        spend = Amount(ZERO, cents(spent * c), cents(spent * r))
        parts = [
            Amount(
                (n.headcount * h).quantize(HUNDREDTH, ROUND_HALF_UP),
                cents(n.cost * c),
                cents(n.run_rate * r),
            )
            for n in natural[:-1]
        ]
        parts.append(amount - spend - Amount.total(parts))
    rows = tuple(
        hire_row(
            info.ref,
            info.node,
            node_name,
            ask.title,
            line.role,
            line.level,
            line.location,
            line.start,
            part,
        )
        for line, part in zip(ask.headcount, parts, strict=True)
    )
    return rows, spend


@dataclass(frozen=True, slots=True)
class Hired:
    """Funded asks as hires: their position groups in order, the total of their spends,
    their groups' amounts by start quarter (:class:`Tallies` of four lists) and their
    head-months (heads x months from the start month to December, from zero), so that a
    subtree's are merged from its parts (asks, children) without scanning every group."""

    rows: tuple[HireRow, ...]
    spend: Amount
    quarters: Tallies
    head_months: Decimal


def hired(rows: tuple[HireRow, ...], spend: Amount) -> Hired:
    """One ask's hires: its position groups and its spend."""
    quarters: tuple[list[Amount], ...] = ([], [], [], [])
    head_months = ZERO
    for row in rows:
        quarters[(row.start - 1) // 3].append(row.amount)
        head_months += row.amount.headcount * (13 - row.start)
    return Hired(rows, spend, Tallies.of(quarters), head_months)


def combined(parts: Sequence[Hired]) -> Hired:
    """The hires of ``parts`` in order: their rows one after the other, the total of their
    spends (``Amount.total``, each part's spend one item) and their tallies merged."""
    if len(parts) == 1:
        return parts[0]
    return Hired(
        tuple(chain.from_iterable([p.rows for p in parts])),
        Amount.total([p.spend for p in parts]),
        merged([p.quarters for p in parts], 4),
        sum([p.head_months for p in parts], ZERO),
    )


class HireBook:
    """The hires of funded asks, built once per ask and funded amount."""

    def __init__(
        self, asks: Sequence[AskInfo], rates: RateTable, names: Mapping[NodeId, str]
    ) -> None:
        self._asks = asks
        self._rates = rates
        self._names = names
        # by ask and amount object: a view's amount is the ask's requested amount or the
        # one of the decision in effect, objects shared by every view above (an equal
        # amount in another object is looked up by value)
        self._by_object: dict[tuple[int, int], tuple[Amount, Hired]] = {}
        self._built: dict[tuple[int, Amount], Hired] = {}

    def hires(self, index: int, amount: Amount) -> Hired:
        """Ask ``index`` funded at ``amount``: its position groups and its spend."""
        key = (index, id(amount))
        known = self._by_object.get(key)
        if known is not None and known[0] is amount:
            return known[1]
        found = self._built.get((index, amount))
        if found is None:
            info = self._asks[index]
            found = self._built[index, amount] = hired(
                *split_ask(info, amount, self._rates, self._names[info.node])
            )
        self._by_object[key] = (amount, found)
        return found


def hiring_plan(hires: Hired, flat_headcount: Decimal) -> Hiring:
    """A view's hiring plan from its hires (its funded asks') and the flat heads."""
    quarters = hires.quarters
    by_quarter = tuple(quarters.total(q) for q in range(4))
    people = quarters.overall()
    return Hiring(
        rows=hires.rows,
        by_quarter=by_quarter,
        people=people,
        spend=hires.spend,
        flat_headcount=flat_headcount,
        exit_headcount=flat_headcount + people.headcount,
        average_headcount=(flat_headcount + hires.head_months / 12).quantize(
            HUNDREDTH, ROUND_HALF_UP
        ),
    )


def view_hires(view: View, book: HireBook) -> Hired:
    """The hires of the asks above the line in ``view``, by team (depth-first) and ask, as
    the approved plan lists them."""
    status = view.status
    funded = sorted(
        (
            (i, amount)
            for i, amount in zip(view.order, view.amounts, strict=True)
            if status[i] == ABOVE
        ),
        key=lambda pair: pair[0],
    )
    return combined([book.hires(i, amount) for i, amount in funded])


def approved_hires(
    own: Sequence[int],
    approved: View,
    amounts: Mapping[int, Amount],
    book: HireBook,
    children: Iterable[Hired],
) -> Hired:
    """A subtree's hires in the approved plan (``approved``, the root's view, with its
    live ``amounts``): its own asks funded there, then each child's subtree's."""
    status = approved.status
    parts = [book.hires(i, amounts[i]) for i in own if status.get(i) == ABOVE]
    parts.extend(children)
    return combined(parts)


def money_fields(
    resources: Resources, approved: Hired, here: Hired | None, envelopes: Envelopes
) -> dict[str, Any]:
    """The :class:`NodeReport` fields of the money, whole: the resources, the hiring plans
    from the approved plan's hires and this view's (``here``; None for the root, whose view
    is the approved plan), and the envelopes."""
    hiring = hiring_plan(approved, resources.flat.headcount)
    mine = hiring if here is None else hiring_plan(here, resources.flat.headcount)
    return {
        "resources": resources,
        "hiring": hiring,
        "hiring_here": mine,
        "hiring_differs": mine != hiring,
        "envelopes": envelopes,
    }


def _given_sum(values: Sequence[Decimal | None]) -> Decimal | None:
    given = [v for v in values if v is not None]
    return sum(given, ZERO) if given else None


def _excess(total: Decimal | None, own: Decimal | None) -> Decimal | None:
    if total is None or own is None or total <= own:
        return None
    return total - own


def envelopes(
    budget: tuple[Decimal | None, Decimal | None],
    children: Sequence[NodeReport],
    by_child: Sequence[ChildFigures],
) -> Envelopes:
    """A manager's children's envelopes against its own ``budget`` (heads, cost)."""
    if not children:
        return NO_ENVELOPES
    here = {f.child: f.funded for f in by_child}
    rows = tuple(
        EnvelopeRow(
            c.id,
            c.name,
            c.budget_headcount,
            c.budget_cost,
            c.totals.funded,
            here.get(c.id, ZERO_AMOUNT),
        )
        for c in children
    )
    heads = _given_sum([r.budget_headcount for r in rows])
    cost = _given_sum([r.budget_cost for r in rows])
    return Envelopes(rows, heads, cost, _excess(heads, budget[0]), _excess(cost, budget[1]))
