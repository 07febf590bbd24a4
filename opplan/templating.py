"""The one jinja2 environment factory: sandboxed, strict, bounded, with opplan's filters.

Narratives (``narrative.md``) and document templates (the default ``templates/``
or a cycle's own ``templates/``) are written by users, so they run in a
:class:`~jinja2.sandbox.SandboxedEnvironment` with ``StrictUndefined``: a typo
fails and names the variable, ``{{ ''.__class__.__mro__ }}`` is refused. On top
of the sandbox, :class:`BoundedSandbox` refuses the cheap ways to burn memory or
time (``range(10**9)``, ``'x' * 10**9``, ``10 ** 10 ** 10``, huge widths in
``center``/``format``/``ljust``) and :func:`render` stops any template whose
output passes :data:`MAX_OUTPUT` characters.

Every failure is a :class:`TemplateError` naming the file and line, e.g.
``northwind/narrative.md:12: 'totalz' is undefined``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    TemplateSyntaxError,
    pass_context,
)
from jinja2.exceptions import SecurityError
from jinja2.exceptions import TemplateError as JinjaError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

MAX_OUTPUT = 1_000_000
"""Most characters one template may produce."""
MAX_ITERATIONS = 100_000
"""Most ``range`` items one render may iterate over, all loops together."""
MAX_DIGITS = 10_000
"""Most digits of an integer a template may compute with ``*`` or ``**``."""
MAX_WIDTH = 10_000
"""Largest integer argument of a padding call or filter (``center``, ``ljust``...)."""

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "AUD": "A$", "CAD": "C$"}
_WIDTH_CALLS = frozenset(
    {"center", "ljust", "rjust", "zfill", "expandtabs", "indent", "wordwrap", "truncate", "format"}
)
_LONG_WIDTH = re.compile(r"\d{5,}")


class TemplateError(Exception):
    """A template or narrative could not be rendered; names the file and line."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


class _Budget:
    """Counts the ``range`` items of one render, so nested loops cannot run for hours."""

    def __init__(self, limit: int = MAX_ITERATIONS) -> None:
        self.left = limit

    def range(self, *args: int) -> range:
        """``range`` that charges its length to the budget."""
        items = range(*args)
        self.left -= len(items)
        if self.left < 0:
            raise SecurityError(
                f"loops over more than {MAX_ITERATIONS:,} items in one template are refused"
            )
        return items


class BoundedSandbox(SandboxedEnvironment):
    """A sandbox that also refuses operations whose result would be huge."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """Refuse repetition, powers and %-formats that would make a huge value."""
        if operator == "**" and isinstance(right, (int, float, Decimal)):
            power = -right if right < 0 else right  # abs(), which mypy cannot type on a union
            if power > 64 or _digits(left) * power > MAX_DIGITS:
                raise SecurityError(f"powers of more than {MAX_DIGITS:,} digits are refused")
        if operator == "*":
            if _digits(left) + _digits(right) > MAX_DIGITS:
                raise SecurityError(f"products of more than {MAX_DIGITS:,} digits are refused")
            for seq, n in ((left, right), (right, left)):
                if (
                    isinstance(seq, (str, list, tuple))
                    and isinstance(n, int)
                    and len(seq) * n > MAX_OUTPUT
                ):
                    raise SecurityError(f"a value longer than {MAX_OUTPUT:,} items is refused")
        if operator == "%" and isinstance(left, str) and _LONG_WIDTH.search(left):
            raise SecurityError("format widths of 5 digits or more are refused")
        return super().call_binop(context, operator, left, right)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """The sandbox's rule, minus ``str.format``/``format_map`` (widths cannot be bounded)."""
        if isinstance(obj, str) and attr in ("format", "format_map"):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def call(self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Refuse padding calls (``ljust``, ``center``...) with a huge width."""
        if getattr(__obj, "__name__", "") in _WIDTH_CALLS:
            _check_widths(args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def _digits(value: Any) -> int:
    """About how many decimal digits an integer has (0 for anything else)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value).bit_length() * 3 // 10 + 1
    return 0


def _check_widths(args: Iterable[Any], kwargs: Mapping[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_WIDTH:
            raise SecurityError(f"widths above {MAX_WIDTH:,} are refused in templates")


def _bounded_filter(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` refusing huge integer arguments (and, for ``format``, huge widths in the pattern)."""

    def bounded(*args: Any, **kwargs: Any) -> Any:
        _check_widths(args, kwargs)
        if fn.__name__ == "do_format" and isinstance(args[0], str) and _LONG_WIDTH.search(args[0]):
            raise SecurityError("format widths of 5 digits or more are refused")
        return fn(*args, **kwargs)

    bounded.__name__ = fn.__name__
    bounded.__doc__ = fn.__doc__
    if hasattr(fn, "jinja_pass_arg"):  # keep pass_environment/pass_eval_context markers
        bounded.jinja_pass_arg = fn.jinja_pass_arg  # type: ignore[attr-defined]
    return bounded


# --- filters ----------------------------------------------------------------


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def number(value: Any, places: int = 0) -> str:
    """A number with thousands separators: ``1234.5 -> '1,235'`` (``places`` decimals)."""
    q = Decimal(1).scaleb(-places)
    return f"{_decimal(value).quantize(q, rounding=ROUND_HALF_UP):,}"


def headcount(value: Any) -> str:
    """Heads as people write them: ``Decimal('14.0') -> '14'``, ``2.5 -> '2.5'``."""
    d = _decimal(value)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}"


def money_text(value: Any, currency: str = "USD", full: bool = False) -> str:
    """An amount in the currency: compact ``$3.1M``/``$420K``, or ``$3,100,000`` with ``full``."""
    d = _decimal(value)
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
    return money_text(value, currency, full)


def percent(value: Any, places: int = 0) -> str:
    """A fraction as a percentage: ``0.254 -> '25%'``."""
    return number(_decimal(value) * 100, places) + "%"


def plural(value: Any, word: str, many: str | None = None) -> str:
    """A count with its noun: ``14 | plural('head') -> '14 heads'``, ``1 -> '1 head'``."""
    n = _decimal(value)
    return f"{headcount(n)} {word if n == 1 else (many or word + 's')}"


def join_and(items: Iterable[Any], last: str = "and") -> str:
    """``['a', 'b', 'c'] -> 'a, b and c'``."""
    words = [str(i) for i in items]
    if len(words) <= 2:
        return f" {last} ".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def long_date(value: dt.date) -> str:
    """A date as documents print it: ``2026-09-15 -> '15 September 2026'``."""
    return f"{value.day} {value:%B %Y}"


FILTERS: dict[str, Callable[..., Any]] = {
    "money": money,
    "headcount": headcount,
    "number": number,
    "percent": percent,
    "plural": plural,
    "join_and": join_and,
    "date": long_date,
}
"""opplan's filters, registered here and nowhere else (docs/templates.md lists them)."""


# --- the environment --------------------------------------------------------


def environment(search_path: Sequence[Path] = ()) -> BoundedSandbox:
    """The sandboxed environment; templates are looked up in ``search_path`` in order.

    The document renderer passes ``[<cycle>/templates, <default templates>]`` so
    a cycle's own file overrides the default of the same name.
    """
    loader = ChoiceLoader([FileSystemLoader(str(p)) for p in search_path])
    env = BoundedSandbox(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    for name in ("center", "indent", "wordwrap", "truncate", "format"):
        env.filters[name] = _bounded_filter(env.filters[name])
    env.filters.update(FILTERS)
    return env


def compile_text(env: BoundedSandbox, source: str, path: str) -> Template:
    """Compile a narrative (or any text) as a template whose errors name ``path``."""
    try:
        code = env.compile(source, name=path, filename=path)
    except TemplateSyntaxError as exc:
        raise TemplateError(path, exc.lineno or 1, exc.message or str(exc)) from None
    return env.template_class.from_code(env, code, env.make_globals(None))


def get_template(env: BoundedSandbox, name: str) -> Template:
    """A named template from the search path; a syntax error names its file and line."""
    try:
        return env.get_template(name)
    except TemplateNotFound:
        raise TemplateError(name, 1, f"template '{name}' not found") from None
    except TemplateSyntaxError as exc:
        raise TemplateError(
            exc.filename or name, exc.lineno or 1, exc.message or str(exc)
        ) from None


def render(template: Template, context: Mapping[str, Any], *, max_output: int = MAX_OUTPUT) -> str:
    """Render with a fresh loop budget; stop at ``max_output`` characters.

    Raises :class:`TemplateError` naming the file and line for any failure in
    the template: an undefined name, a sandbox violation, a limit, a runtime error.
    """
    budget = _Budget()
    parts: list[str] = []
    size = 0
    path = template.filename or template.name or "<template>"
    try:
        for chunk in template.generate({**context, "range": budget.range}):
            size += len(chunk)
            if size > max_output:
                raise SecurityError(f"output longer than {max_output:,} characters is refused")
            parts.append(chunk)
    except TemplateSyntaxError as exc:
        raise TemplateError(
            exc.filename or path, exc.lineno or 1, exc.message or str(exc)
        ) from None
    except (
        JinjaError,
        ArithmeticError,
        TypeError,
        ValueError,
        LookupError,
        MemoryError,
        RecursionError,
    ) as exc:
        where, line = _template_frame(exc.__traceback__, path)
        message = str(exc) if isinstance(exc, JinjaError) else f"{type(exc).__name__}: {exc}"
        if isinstance(exc, OverflowError) and "range" in str(exc).lower():
            message = f"range too big: {exc}"
        raise TemplateError(where, line, message) from None
    return "".join(parts)


def _template_frame(tb: TracebackType | None, default: str) -> tuple[str, int]:
    """The innermost traceback frame that belongs to a template (jinja rewrites them)."""
    found = (default, 1)
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if not name.endswith(".py") and not name.startswith("<"):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found
