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
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from opplan.engine.money import HeadcountKey
from opplan.engine.stack import ABOVE, AskInfo, View
from opplan.model import Node, NodeId
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


class HireBook:
    """The position groups of funded asks, built once per ask and funded amount."""

    def __init__(
        self, asks: Sequence[AskInfo], rates: RateTable, names: Mapping[NodeId, str]
    ) -> None:
        self._asks = asks
        self._rates = rates
        self._names = names
        self._built: dict[tuple[int, Amount], Hires] = {}

    def hires(self, index: int, amount: Amount) -> Hires:
        """Ask ``index`` funded at ``amount``: its position groups and its spend."""
        key = (index, amount)
        found = self._built.get(key)
        if found is None:
            info = self._asks[index]
            found = self._built[key] = split_ask(info, amount, self._rates, self._names[info.node])
        return found


def hiring_plan(rows: Sequence[HireRow], spend: Amount, flat_headcount: Decimal) -> Hiring:
    """A view's hiring plan from its position groups, its funded spend and the flat heads."""
    quarters: list[list[Amount]] = [[], [], [], []]
    head_months = ZERO
    for row in rows:
        quarters[(row.start - 1) // 3].append(row.amount)
        head_months += row.amount.headcount * (13 - row.start)
    people = Amount.total([row.amount for row in rows])
    return Hiring(
        rows=tuple(rows),
        by_quarter=tuple(Amount.total(q) for q in quarters),
        people=people,
        spend=spend,
        flat_headcount=flat_headcount,
        exit_headcount=flat_headcount + people.headcount,
        average_headcount=(flat_headcount + head_months / 12).quantize(HUNDREDTH, ROUND_HALF_UP),
    )


def view_hires(view: View, book: HireBook) -> Hires:
    """The position groups and spend of the asks above the line in ``view``, by team
    (depth-first) and ask, as the approved plan lists them."""
    rows: list[HireRow] = []
    spend: list[Amount] = []
    status = view.status
    funded = sorted(
        (
            (i, amount)
            for i, amount in zip(view.order, view.amounts, strict=True)
            if status[i] == ABOVE
        ),
        key=lambda pair: pair[0],
    )
    for i, amount in funded:
        got, spent = book.hires(i, amount)
        rows.extend(got)
        spend.append(spent)
    return tuple(rows), Amount.total(spend)


def approved_hires(
    node: Node,
    own: Sequence[int],
    approved: View,
    amounts: Mapping[int, Amount],
    book: HireBook,
    children: Mapping[NodeId, Hires],
) -> Hires:
    """A subtree's position groups and spend in the approved plan (``approved``, the root's
    view, with its live ``amounts``): its own asks funded there, then each child's."""
    rows: list[HireRow] = []
    spend: list[Amount] = []
    for i in own:
        if approved.status.get(i) == ABOVE:
            got, spent = book.hires(i, amounts[i])
            rows.extend(got)
            spend.append(spent)
    for c in node.children:
        rows.extend(children[c][0])
        spend.append(children[c][1])
    return tuple(rows), Amount.total(spend)


def money_fields(
    resources: Resources, approved: Hires, here: Hires | None, envelopes: Envelopes
) -> dict[str, Any]:
    """The :class:`NodeReport` fields of the money, whole: the resources, the hiring plans
    from the approved plan's hires and this view's (``here``; None for the root, whose view
    is the approved plan), and the envelopes."""
    hiring = hiring_plan(*approved, resources.flat.headcount)
    mine = hiring if here is None else hiring_plan(*here, resources.flat.headcount)
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
