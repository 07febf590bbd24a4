"""Money: cost rates, start-month proration and rounding (docs/plan-format.md, docs/rollup.md).

A headcount line's in-year ``cost`` is rate x count x (months from its start
month to December) / 12, rounded to cents half-up; its ``run_rate`` is the
full-year figure, also rounded. Flat lines cost a full year. Every total is the
exact sum of rounded line costs, so totals always add up. Spend is annual and
counts fully in both ``cost`` and ``run_rate``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import product

from opplan.model import Ask, HeadcountLine, RateEntry, Rates
from opplan.util.plainrepr import plain_repr

CENT = Decimal("0.01")
ZERO = Decimal(0)
_FIELDS = ("role", "level", "location")


def number_text(value: Decimal | int) -> str:
    """A number as plain text, trailing zeros dropped: ``2``, ``1.5``, ``0.25``."""
    return format(Decimal(value).normalize(), "f")


def cents(amount: Decimal) -> Decimal:
    """Round to cents, half-up."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@plain_repr
@dataclass(frozen=True, slots=True)
class Amount:
    """Heads and money of a line, an ask or a total."""

    headcount: Decimal = ZERO
    cost: Decimal = ZERO
    run_rate: Decimal = ZERO

    def __add__(self, other: Amount) -> Amount:
        return Amount(
            self.headcount + other.headcount, self.cost + other.cost, self.run_rate + other.run_rate
        )

    def __sub__(self, other: Amount) -> Amount:
        return Amount(
            self.headcount - other.headcount, self.cost - other.cost, self.run_rate - other.run_rate
        )

    @staticmethod
    def total(amounts: Iterable[Amount]) -> Amount:
        """The sum of ``amounts`` (exact: every amount is already rounded to cents)."""
        items = amounts if isinstance(amounts, (list, tuple)) else list(amounts)
        if len(items) <= 1:
            return items[0] if items else ZERO_AMOUNT
        h = c = r = ZERO
        for a in items:
            h += a.headcount
            c += a.cost
            r += a.run_rate
        return Amount(h, c, r)


ZERO_AMOUNT = Amount()


class RateTable:
    """Finds the rate of a headcount line: the match naming the most fields wins."""

    def __init__(self, rates: Rates):
        self.default = rates.default
        self._by_key: dict[tuple[str | None, ...], list[RateEntry]] = {}
        self._cache: dict[tuple[str | None, ...], Decimal] = {}
        for entry in rates.by:
            key = tuple(getattr(entry, f) for f in _FIELDS)
            self._by_key.setdefault(key, []).append(entry)

    def matches(self, line: HeadcountLine) -> list[RateEntry]:
        """The most specific matching entries (more than one means ambiguous)."""
        values = [getattr(line, f) for f in _FIELDS]
        best: list[RateEntry] = []
        best_n = 0
        for key in product(*[(None, v) if v is not None else (None,) for v in values]):
            entries = self._by_key.get(key)
            if not entries:
                continue
            n = sum(k is not None for k in key)
            if n > best_n:
                best, best_n = list(entries), n
            elif n == best_n and n > 0:
                best.extend(entries)
        return best

    def rate(self, line: HeadcountLine) -> Decimal:
        """The annual cost of one head of ``line`` (its own rate, else the best match)."""
        if line.rate is not None:
            return line.rate
        key = (line.role, line.level, line.location)
        rate = self._cache.get(key)
        if rate is None:
            found = self.matches(line)
            rate = self._cache[key] = found[0].cost if found else self.default
        return rate


def line_amount(line: HeadcountLine, rates: RateTable, *, full_year: bool) -> Amount:
    """Headcount, in-year cost and run rate of one headcount line."""
    annual = rates.rate(line) * line.count
    run_rate = cents(annual)
    if full_year or line.start == 1:
        return Amount(line.count, run_rate, run_rate)
    return Amount(line.count, cents(annual * (13 - line.start) / 12), run_rate)


def spend_total(spend: dict[str, Decimal]) -> Decimal:
    """The sum of a spend mapping, in cents."""
    return sum((cents(v) for v in spend.values()), ZERO)


def plus_spend(heads: Amount, spend: dict[str, Decimal]) -> Amount:
    """Heads' amount plus annual spend, which counts fully in both cost and run rate."""
    s = spend_total(spend)
    return Amount(heads.headcount, heads.cost + s, heads.run_rate + s)


def flat_amount(
    lines: Iterable[HeadcountLine], spend: dict[str, Decimal], rates: RateTable
) -> Amount:
    """A node's own flat figures: its headcount lines for a full year plus spend."""
    return plus_spend(
        Amount.total([line_amount(line, rates, full_year=True) for line in lines]), spend
    )


def ask_amount(ask: Ask, rates: RateTable) -> Amount:
    """An ask's requested headcount, in-year cost and run rate."""
    return plus_spend(
        Amount.total([line_amount(line, rates, full_year=False) for line in ask.headcount]),
        ask.spend,
    )


#: A headcount scaled from a partial's cost is rounded to hundredths of a head.
HEAD_STEP = Decimal("0.01")


def partial_amount(ask: Amount, headcount: Decimal | None, cost: Decimal | None) -> Amount:
    """An ask's amount after a partial decision (roll-up rule 3, docs/rollup.md).

    Given headcount alone, cost and run rate scale in proportion. Given a cost
    (alone or with headcount), the cost is taken as given, rounded to cents, and
    the run rate scales with the cost, so a partial keeps the ask's ratio of run
    rate to in-year cost (never a run rate below its cost). Given a cost alone on
    an ask with heads ("$150K of it"), the heads scale with the cost, rounded
    half-up to hundredths of a head. A spend-only ask keeps its zero heads.
    """
    if cost is None:
        assert headcount is not None, "a partial names headcount or cost"
        ratio = headcount / ask.headcount if ask.headcount else Decimal(1)
        return Amount(headcount, cents(ask.cost * ratio), cents(ask.run_rate * ratio))
    cost = cents(cost)
    if ask.cost:
        run_rate = cents(ask.run_rate * cost / ask.cost)
    elif headcount is not None and ask.headcount:
        run_rate = cents(ask.run_rate * headcount / ask.headcount)
    else:
        run_rate = cost
    if not ask.headcount:
        heads = ask.headcount
    elif headcount is not None:
        heads = headcount
    elif ask.cost:
        heads = (ask.headcount * cost / ask.cost).quantize(HEAD_STEP, rounding=ROUND_HALF_UP)
    else:
        heads = ask.headcount
    return Amount(heads, cost, run_rate)
