"""The budget of one render: loop iterations, work and time, and the size of values.

A template is charged as it runs (:mod:`opplan.sandbox` does the charging):
every loop iteration and macro call against :data:`MAX_ITERATIONS`, every
character or item built, and every step of sizing a value, against
:data:`MAX_WORK`, and the wall clock against :data:`MAX_SECONDS`, checked
whenever anything is charged. :func:`weight` sizes a value before anything
turns it into text, so ``[[0] * 999999] * 999999`` is refused, not printed.
The budget of the render in progress lives in a context variable set by
:func:`budget_for`, so templates it includes share it and no template can
reach it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.utils import Namespace

MAX_OUTPUT = 1_000_000
"""Most characters one template may produce, and most characters or items of one value."""
MAX_ITERATIONS = 100_000
"""Most loop iterations (and macro calls) of one render, all loops together."""
MAX_WORK = 20_000_000
"""Most characters and items one render may build or size, all operations together."""
MAX_SECONDS = 5.0
"""Longest one render may run."""
MAX_DIGITS = 10_000
"""Most digits of an integer a template may compute with ``*`` or ``**``."""
MAX_WIDTH = 10_000
"""Largest integer argument of a padding call or filter (``center``, ``ljust``, ``batch``...)."""

MAX_SUMMED = 1_000
"""Most lists or texts the ``sum`` filter may add up (each addition copies the total so far)."""

TOO_LONG = (
    f"a text or list longer than {MAX_OUTPUT:,} characters or items is refused; build shorter ones"
)
LOOPS = (
    f"loops over more than {MAX_ITERATIONS:,} items in one template are refused; "
    "loop over fewer items"
)
_LONG_WIDTH = re.compile(r"\d{5,}|%[^a-zA-Z%]*\*")  # 5-digit or `*` widths in %-formats


class Budget:
    """What one render may still spend: loop iterations, work, and time."""

    def __init__(self) -> None:
        self.iterations = MAX_ITERATIONS
        self.work = MAX_WORK
        self.deadline = time.monotonic() + MAX_SECONDS

    def step(self, n: int = 1) -> None:
        """Charge ``n`` loop iterations."""
        self.iterations -= n
        if self.iterations < 0:
            raise SecurityError(LOOPS)
        self.clock()

    def spend(self, n: int) -> None:
        """Charge ``n`` characters or items built."""
        self.work -= n
        if self.work < 0:
            raise SecurityError(
                f"a template that builds more than {MAX_WORK:,} characters or items "
                "in one render is refused; build less text in its loops"
            )
        self.clock()

    def clock(self) -> None:
        """Refuse a render that has run past its time."""
        if time.monotonic() > self.deadline:
            raise SecurityError(
                f"a template that runs longer than {MAX_SECONDS:g} seconds is refused; "
                "simplify its loops"
            )

    def range(self, *args: int) -> range:
        """``range`` refusing more items than the loops may still take (the loop charges them)."""
        items = range(*args)
        if len(items) > self.iterations:
            raise SecurityError(LOOPS)
        return items


_CURRENT: ContextVar[Budget | None] = ContextVar("opplan_template_budget", default=None)


@contextmanager
def budget_for() -> Iterator[Budget]:
    """A fresh budget for the render inside the ``with`` block (nested templates share it)."""
    budget = Budget()
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


def spend(n: int) -> None:
    """Charge ``n`` characters or items to the render in progress (if any)."""
    budget = _CURRENT.get()
    if budget is not None:  # None while jinja folds constants at compile time
        budget.spend(n)


def step(n: int = 1) -> None:
    """Charge ``n`` loop steps to the render in progress (if any)."""
    budget = _CURRENT.get()
    if budget is not None:
        budget.step(n)


# --- sizing values before building them --------------------------------------------


def digits(value: Any) -> int:
    """About how many decimal digits an integer has (0 for anything else)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value).bit_length() * 3 // 10 + 1
    return 0


def weight(value: Any, limit: int = MAX_OUTPUT) -> int:
    """About how many characters ``str(value)`` has, counting shared parts every time.

    Walks lists, tuples, sets, mappings and namespaces; stops as soon as the
    count passes ``limit``, so sizing ``[[0] * 999999] * 999999`` costs about
    ``limit`` steps, not 10^12. Every step is charged to the render's work.
    """
    total = steps = 0
    stack = [value]
    while stack and total <= limit:
        v = stack.pop()
        steps += 1
        if isinstance(v, (str, bytes)):
            total += max(len(v), 1)
        elif isinstance(v, int) and not isinstance(v, bool):
            total += digits(v)
        elif isinstance(v, (list, tuple, set, frozenset)):
            total += 1
            stack.extend(v)
        elif isinstance(v, Mapping):
            total += 1
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, Namespace):
            total += 1
            attrs = object.__getattribute__(v, "_Namespace__attrs")
            stack.extend(attrs.keys())
            stack.extend(attrs.values())
        else:  # numbers, dates, None, jinja objects: short texts
            total += 4
    spend(steps)
    return total


def refuse_over(size: int, message: str = TOO_LONG) -> None:
    """Refuse a result of ``size`` characters or items over :data:`MAX_OUTPUT`."""
    if size > MAX_OUTPUT:
        raise SecurityError(message)


def counted(result: Any) -> Any:
    """Charge what a call built; a lazy result (``map``, ``batch``...) is charged per item."""
    if isinstance(result, (str, bytes, list, tuple, dict, set, frozenset)):
        refuse_over(len(result))
        spend(len(result))
        return result
    if isinstance(result, Iterator):
        return charged_items(result)
    return result


def charged_items(items: Iterable[Any]) -> Iterator[Any]:
    """The items of a lazy result (``map``, ``select``...), each charged as work."""
    for item in items:
        spend(1)
        yield item


def loop_items(items: Iterable[Any]) -> Iterator[Any]:
    """The items of a ``for`` loop, each charged as a loop step."""
    for item in items:
        step()
        yield item


def check_widths(args: Iterable[Any], kwargs: Mapping[str, Any]) -> None:
    """Refuse integer arguments above :data:`MAX_WIDTH` (padding widths, batch sizes)."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_WIDTH:
            raise SecurityError(f"widths above {MAX_WIDTH:,} are refused in templates")


def check_pattern(pattern: Any) -> None:
    """Refuse a %-format with a width of 5 digits or a ``*`` width (taken from the values)."""
    if isinstance(pattern, str) and _LONG_WIDTH.search(pattern):
        raise SecurityError("format widths of 5 digits or more, or `*` widths, are refused")
