"""Goals as written: a goal's figures, change and status as the documents print them.

One copy of the rules, used by the Word tables and the template context alike
(docs/documents.md, "Goals as written"):

* a figure keeps the precision the plan used: ``99.95`` stays ``99.95``, ``3.10``
  stays ``3.10``, ``42`` stays ``42`` (the loader keeps exact decimals; nothing
  here rounds), with a thousands separator (``1,500,000``);
* a unit made of symbols (``%``, ``‰``) follows the number without a space; a
  currency symbol (``$``, ``€``, ``£``) comes before it; a unit written as one
  lowercase word agrees with the number (``1 call``, ``42 calls``, ``1 hour``);
  abbreviations (``ms``, ``bps``, ``USD``) and units of several words print as written;
* the change (target - baseline, decided in the report model) carries its sign:
  ``+0.04 pts``, ``-120 ms``, and ``no change`` when the target equals the baseline;
* a status is its colour and the date of the report: ``green, 1 Sep`` (the year too
  when it is not the cycle's as-of year).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

__all__ = ["due_text", "number", "quantity", "signed", "status_text", "unit_for"]

_CURRENCY = frozenset("$€£¥")
#: Abbreviations with a singular of their own.
_IRREGULAR = {"pts": "pt", "bps": "bp"}
#: Words that take no plural.
_INVARIANT = frozenset({"percent", "per cent"})
_WORD = re.compile(r"[a-z]*[aeiouy][a-z]*")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def number(value: Decimal) -> str:
    """A figure as written, with a thousands separator: ``Decimal('99.95') -> '99.95'``,
    ``Decimal('1500000') -> '1,500,000'``, ``Decimal('3.10') -> '3.10'``."""
    return format(value, ",f")


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _plural(word: str) -> str:
    one = _singular(word)
    if one.endswith("y") and one[-2:-1] not in ("a", "e", "i", "o", "u"):
        return one[:-1] + "ies"
    if one.endswith(("s", "x", "z", "ch", "sh")):
        return one + "es"
    return one + "s"


def unit_for(value: Decimal, unit: str) -> str:
    """The unit agreeing with ``value``: singular for exactly one (``1 call``), plural
    otherwise (``42 calls``), for a unit written as one lowercase word; ``pts`` and ``bps``
    become ``pt`` and ``bp`` for one; any other unit is returned as written."""
    one = abs(value) == 1
    if unit in _IRREGULAR:
        return _IRREGULAR[unit] if one else unit
    if unit in _INVARIANT or not _WORD.fullmatch(unit):
        return unit
    return _singular(unit) if one else _plural(unit)


def _with_unit(text: str, value: Decimal, unit: str | None) -> str:
    if not unit:
        return text
    if unit in _CURRENCY:
        sign = text[0] if text[0] in "+-" else ""
        return f"{sign}{unit}{text[len(sign) :]}"
    if not any(c.isalnum() for c in unit):
        return f"{text}{unit}"
    return f"{text} {unit_for(value, unit)}"


def quantity(value: Decimal, unit: str | None) -> str:
    """A figure with its unit: ``99.95%``, ``1 call``, ``42 contacts``, ``$1,500``, ``120 ms``."""
    return _with_unit(number(value), value, unit)


def signed(change: Decimal, unit: str | None) -> str:
    """A change with its sign and unit: ``+0.04 pts``, ``-120 ms``, ``no change``."""
    if change == 0:
        return "no change"
    return _with_unit(format(change, "+,f"), change, unit)


def due_text(due: object) -> str:
    """A due month as its short name (``3 -> 'Mar'``); a quarter or date as written."""
    if due is None:
        return ""
    if isinstance(due, int):
        return _MONTHS[due - 1]
    return str(due)


def status_text(color: str | None, date: dt.date | None, as_of: dt.date | None) -> str:
    """The latest status and when it was reported (``green, 1 Sep``); ``not reported``."""
    if color is None:
        return "not reported"
    if date is None:
        return color
    when = f"{date.day} {_MONTHS[date.month - 1]}"
    if as_of is None or date.year != as_of.year:
        when += f" {date.year}"
    return f"{color}, {when}"
