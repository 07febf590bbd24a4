"""opplan's own template filters: ``money``, ``headcount``, ``number``, ``percent``...

Registered in the one environment factory (:func:`opplan.templating.environment`);
docs/templates.md lists them. Each filter checks its input and says, in a
planner's words, what it needs: ``{{ "x" | date }}`` is "the date filter needs
a date, got 'x'", reported at the template's file and line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from jinja2 import Undefined, pass_context
from jinja2.exceptions import FilterArgumentError
from jinja2.runtime import Context

from opplan.narrative.errors import NoValue

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "AUD": "A$", "CAD": "C$"}

MAX_NUMBER = Decimal(10) ** 18
"""Largest number the number filters print (plans stay far below: amounts are at most 10^15)."""
MAX_PLACES = 10
"""Most decimal places the number filters print."""


def _shown(value: Any) -> str:
    """A value as a message shows it: short texts quoted, other things by kind."""
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:40]) + "..."
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return str(value) if _short_number(value) else "a very long number"
    kinds = {list: "a list", tuple: "a list", dict: "a mapping", dt.date: "a date"}
    return next((k for t, k in kinds.items() if isinstance(value, t)), "something else")


def _short_number(value: Any) -> bool:
    """Whether a number is short enough to print in a message."""
    return not isinstance(value, int) or abs(value) < 10**40


def _needs(filter_name: str, what: str, value: Any) -> FilterArgumentError:
    if isinstance(value, Undefined):
        bool(value)  # StrictUndefined: raises the error that names the missing variable
    if value is None:
        return NoValue(filter_name)
    return FilterArgumentError(f"the {filter_name} filter needs {what}, got {_shown(value)}")


def _decimal(value: Any, filter_name: str = "number") -> Decimal:
    """A finite number below :data:`MAX_NUMBER` as a Decimal; anything else is refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise _needs(filter_name, "a number", value)
    if isinstance(value, int) and abs(value) >= MAX_NUMBER:
        raise _needs(filter_name, f"a number below {MAX_NUMBER:.0E}", value)
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise _needs(filter_name, "a number", value) from None
    if not d.is_finite() or abs(d) >= MAX_NUMBER:
        raise _needs(filter_name, f"a finite number below {MAX_NUMBER:.0E}", value)
    return d


def _places(places: Any, filter_name: str) -> int:
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= MAX_PLACES:
        raise FilterArgumentError(
            f"the {filter_name} filter prints 0 to {MAX_PLACES} decimal places, "
            f"got {_shown(places)}"
        )
    return places


def number(value: Any, places: int = 0) -> str:
    """A number with thousands separators: ``1234.5 -> '1,235'`` (``places`` decimals)."""
    q = Decimal(1).scaleb(-_places(places, "number"))
    return f"{_decimal(value, 'number').quantize(q, rounding=ROUND_HALF_UP):,}"


def headcount(value: Any) -> str:
    """Heads as people write them: ``Decimal('14.0') -> '14'``, ``2.5 -> '2.5'``."""
    d = _decimal(value, "headcount")
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}"


def money_text(value: Any, currency: str = "USD", full: bool = False) -> str:
    """An amount in the currency: compact ``$3.1M``/``$420K``, or ``$3,100,000`` with ``full``."""
    d = _decimal(value, "money")
    sign = "-" if d < 0 else ""
    d = abs(d)
    symbol = _SYMBOLS.get(currency)
    if full:
        body = f"{d.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
    else:
        body = ""
        for size, suffix in (
            (Decimal(10) ** 9, "B"),
            (Decimal(10) ** 6, "M"),
            (Decimal(10) ** 3, "K"),
        ):
            if d >= size:
                step = Decimal(1) if suffix == "K" else Decimal("0.1")
                scaled = (d / size).quantize(step, rounding=ROUND_HALF_UP)
                if scaled >= 1000 and suffix != "B":
                    continue
                text = f"{scaled:,}"
                body = (text[:-2] if text.endswith(".0") else text) + suffix
                break
        if not body:
            body = f"{d.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
    return f"{sign}{symbol}{body}" if symbol else f"{sign}{currency} {body}"


@pass_context
def money(context: Context, value: Any, full: bool = False) -> str:
    """``{{ cost | money }}`` in the cycle's currency: ``$3.1M`` (``full=True``: ``$3,100,000``)."""
    cycle = context.get("cycle")
    currency = cycle.get("currency", "USD") if isinstance(cycle, Mapping) else "USD"
    return money_text(value, currency if isinstance(currency, str) else "USD", bool(full))


def percent(value: Any, places: int = 0) -> str:
    """A fraction as a percentage: ``0.254 -> '25%'``."""
    return number(_decimal(value, "percent") * 100, _places(places, "percent")) + "%"


def plural(value: Any, word: str, many: str | None = None) -> str:
    """A count with its noun: ``14 | plural('head') -> '14 heads'``, ``1 -> '1 head'``."""
    n = _decimal(value, "plural")
    if not isinstance(word, str) or not (many is None or isinstance(many, str)):
        raise _needs("plural", "words as texts, e.g. plural('head')", word)
    return f"{headcount(n)} {word if n == 1 else (many or word + 's')}"


def join_and(items: Iterable[Any], last: str = "and") -> str:
    """``['a', 'b', 'c'] -> 'a, b and c'``."""
    if isinstance(items, (str, Mapping)) or not isinstance(items, Iterable):
        raise _needs("join_and", "a list", items)
    if not isinstance(last, str):
        raise _needs("join_and", "a text as its last word, e.g. join_and('or')", last)
    words = [str(i) for i in items]
    if len(words) <= 2:
        return f" {last} ".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def possessive(name: Any) -> str:
    """A name in the possessive: ``Retail -> "Retail's"``, ``Payments -> "Payments'"`` (a
    name ending in s takes the apostrophe alone, as plural names do)."""
    if not isinstance(name, str):
        raise _needs("possessive", "a name", name)
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def long_date(value: Any) -> str:
    """A date as documents print it: ``2026-09-15 -> '15 September 2026'``."""
    if not isinstance(value, dt.date):
        raise _needs("date", "a date", value)
    return f"{value.day} {value:%B %Y}"


FILTERS: dict[str, Callable[..., Any]] = {
    "money": money,
    "headcount": headcount,
    "number": number,
    "percent": percent,
    "plural": plural,
    "join_and": join_and,
    "date": long_date,
    "possessive": possessive,
}
"""opplan's filters, registered here and nowhere else (docs/templates.md lists them)."""

READS = ("cycle",)
"""The keys of the context a filter reads (``money``: the cycle's currency). Every template
is given them: a filter may be called by its name in a text (``map('money')``)."""
