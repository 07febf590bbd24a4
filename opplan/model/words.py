"""The model's rules in a planner's words, for messages: ids and the forms of numbers.

Messages never show a regular expression or a class name; they say what to write.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

#: What a node id (a directory name) may be.
NODE_ID_WORDS = (
    "use 1 to 63 lowercase letters, digits and '-', starting with a letter or a digit "
    "(e.g. sign-in or team-2)"
)
#: What the id of an ask, goal, flat line or dependency may be.
ITEM_ID_WORDS = (
    "an id is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or a digit, "
    "with no spaces (e.g. G1 or fraud-model)"
)

_GROUPED = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?|[-+]?\d+(\.\d+)?")
_SUFFIX = {"k": Decimal(1000), "m": Decimal(10**6), "mm": Decimal(10**6), "b": Decimal(10**9)}
_MONEY = re.compile(
    r"(?P<neg>-)?\s*(?P<cur>[$€£¥]|USD|EUR|GBP)?\s*(?P<num>[-+]?[\d,]*\.?\d+)\s*"
    r"(?P<suf>k|m|mm|b|bn)?\s*(?P<cur2>USD|EUR|GBP|€)?",
    re.IGNORECASE,
)


def number_form(value: object) -> str | None:
    """How to write ``value`` as a plain number, when it is a number written in another form.

    ``"$640,000"`` -> ``"write 640000"``; ``"1.2m"`` -> ``"write 1200000"``; ``"50%"`` ->
    ``"write 50"``; None when ``value`` does not read as a number at all.
    """
    if not isinstance(value, str):
        return None
    text = value.strip().replace("\u2212", "-").replace("_", "")
    if text.endswith("%"):
        text = text[:-1].strip()
    m = _MONEY.fullmatch(text)
    if m is None or not any(ch.isdigit() for ch in m.group("num")):
        return None
    num = m.group("num")
    if "," in num and not _GROUPED.fullmatch(num):
        return None
    try:
        amount = Decimal(num.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None
    suffix = (m.group("suf") or "").lower()
    amount *= _SUFFIX.get("b" if suffix == "bn" else suffix, Decimal(1))
    if m.group("neg"):
        amount = -amount
    shown = format(amount.normalize(), "f") if amount == amount.to_integral_value() else str(amount)
    if "." in shown:
        shown = shown.rstrip("0").rstrip(".")
    if shown == value.strip():
        return None
    return f"write {shown}"


#: How numbers are written in plan files.
NUMBER_FORMS = "write digits, such as 640000 or 1.5, with no currency sign, ',' or 'k'"
