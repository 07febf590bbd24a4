"""The bounded sandbox: every loop, every built string or list, every render has a limit.

jinja2's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` stops templates
from reaching Python internals or changing lists and dicts in place; it does not
stop them from running for hours or building gigabytes. :class:`BoundedSandbox`
adds that, in the shared mechanism rather than per input, charging the
render's :class:`~opplan.budget.Budget`:

* every iteration of every ``for`` loop (over a range, a string, a list, a
  mapping, a filter's result, a recursive ``loop()``; nested loops multiply),
  every macro call and every ``include`` is a loop step;
* every operation that builds a string or a list sizes its result *before*
  building it, from its operands (:func:`~opplan.budget.weight`): ``~``, ``+``,
  ``*``, ``%``, ``replace``, ``join``, ``format``, ``indent``, ``wordwrap``,
  ``sum``, ``lipsum``, printing a value with ``{{ }}``... and refuses a result
  over :data:`~opplan.budget.MAX_OUTPUT` characters or items; what it built,
  and every piece of text written (also inside ``{% set %}`` blocks and
  macros, which the output limit never sees), is charged as work;
* integers of more than :data:`~opplan.budget.MAX_DIGITS` digits and widths
  over :data:`~opplan.budget.MAX_WIDTH` are refused.

The code generator (:class:`BoundedCode`) routes ``for`` loops, ``~``,
constant text and ``include`` through the environment, so no template can
loop, concatenate or write around the budget. Refusals are
:class:`~jinja2.exceptions.SecurityError`, which
:func:`opplan.templating.render` reports at the template's file and line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from jinja2 import Undefined, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum

from opplan.narrative.budget import (
    MAX_DIGITS,
    MAX_OUTPUT,
    MAX_SUMMED,
    charged_items,
    check_pattern,
    check_widths,
    counted,
    digits,
    loop_items,
    refuse_over,
    spend,
    step,
    weight,
)
from opplan.narrative.errors import MissingKey, missing_key_hint

_WIDTH_CALLS = frozenset(
    {"center", "ljust", "rjust", "zfill", "expandtabs", "indent", "wordwrap", "truncate"}
)
_WHOLE = ("join", "join_and", "sum")  # filters sized from the list of their input's items
_SIZED = (list, tuple, Undefined)
_WIDTH_FILTERS = ("center", "indent", "wordwrap", "truncate", "format", "batch", "slice")


# --- estimates of what a filter or method would build, from its arguments ----------


def _text(s: Any) -> tuple[int, str]:
    """A filter's input as the text it will become, with its size (no text when too long)."""
    size = weight(s)
    if isinstance(s, str) or size > MAX_OUTPUT:
        return size, s if isinstance(s, str) else ""
    return size, str(s)


def _est_replace(s: Any, old: Any, new: Any, count: Any = None) -> int:
    size, text = _text(s)
    if not isinstance(old, str) or not isinstance(new, str) or size > MAX_OUTPUT:
        return size
    times = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    return size + times * max(len(new) - len(old), 0)


def _est_join(value: Any, d: Any = "", attribute: Any = None) -> int:
    items = value if isinstance(value, (list, tuple, set, frozenset)) else ()
    sep = len(d) if isinstance(d, str) else 0
    return sum(weight(i) for i in items) + sep * max(len(items) - 1, 0)


def _est_format(value: Any, *args: Any, **kwargs: Any) -> int:
    check_pattern(value)
    return weight(value) + sum(weight(a) for a in (*args, *kwargs.values()))


def _est_indent(s: Any, width: Any = 4, first: Any = False, blank: Any = False) -> int:
    size, text = _text(s)
    lines = text.count("\n") + 1
    return size + lines * (len(width) if isinstance(width, str) else weight(width))


def _est_wordwrap(
    s: Any,
    width: Any = 79,
    break_long_words: Any = True,
    wrapstring: Any = None,
    break_on_hyphens: Any = True,
) -> int:
    size, text = _text(s)
    step = width if isinstance(width, int) and width > 0 else 1
    lines = min(len(text), len(text.split()) + len(text) // step) + 1
    return size + lines * (len(wrapstring) if isinstance(wrapstring, str) else 1)


def _est_join_and(items: Any, last: Any = "and") -> int:
    return _est_join(items, ", ") + (len(last) if isinstance(last, str) else 0)


def _est_sum(iterable: Any, attribute: Any = None, start: Any = 0) -> int:
    if isinstance(start, (int, float, Decimal)):
        return 0
    if isinstance(iterable, (list, tuple)) and len(iterable) > MAX_SUMMED:
        raise SecurityError(
            f"sum adds numbers; adding up more than {MAX_SUMMED:,} lists or texts is refused"
        )
    return weight(start) + weight(iterable)


def _est_whole(value: Any, *_: Any, **__: Any) -> int:
    return weight(value)


def _est_lipsum(n: Any = 5, html: Any = True, min: Any = 20, max: Any = 100) -> int:
    if not isinstance(n, int) or not isinstance(max, int):
        return 0
    return n * max * 16  # the longest lorem ipsum word is 14 characters


ESTIMATES: dict[str, Callable[..., int]] = {
    "replace": _est_replace,
    "join": _est_join,
    "join_and": _est_join_and,
    "format": _est_format,
    "indent": _est_indent,
    "wordwrap": _est_wordwrap,
    "sum": _est_sum,
    **dict.fromkeys(("string", "pprint", "tojson", "e", "escape", "forceescape", "urlize", "urlencode", "striptags", "title", "upper", "lower", "capitalize", "trim", "center", "truncate", "xmlattr", "wordcount", "list"), _est_whole),
}  # fmt: skip
"""Filters that build a string or list, by name: the size of what they would build."""


def _estimate(name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    estimate = ESTIMATES.get(name)
    if estimate is None:
        return
    try:
        size = estimate(*args, **kwargs)
    except TypeError:  # wrong arguments: the filter itself says what is wrong
        return
    refuse_over(size)


def bounded_filter(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` sizing its result before building it and charging it to the render's budget."""
    passes = 1 if hasattr(fn, "jinja_pass_arg") else 0

    def bounded(*args: Any, **kwargs: Any) -> Any:
        values = args[passes:]
        first = values[0] if values else None
        lazy = Iterator if name == "join_and" else Iterable  # join_and refuses texts itself
        if name in _WHOLE and isinstance(first, lazy) and not isinstance(first, _SIZED):
            values = (list(charged_items(first)), *values[1:])  # a text, mapping or generator
            args = (*args[:passes], *values)
        if name in _WIDTH_FILTERS:
            check_widths(values[1:], kwargs)
        _estimate(name, values, kwargs)
        return counted(fn(*args, **kwargs))

    bounded.__name__ = getattr(fn, "__name__", name)
    bounded.__doc__ = fn.__doc__
    if passes:  # keep pass_context/pass_environment/pass_eval_context markers
        bounded.jinja_pass_arg = fn.jinja_pass_arg  # type: ignore[attr-defined]
    return bounded


# --- the environment and its code generator --------------------------------------------


class BoundedCode(CodeGenerator):
    """jinja's code generator, routing loops, ``~`` and includes through the budget."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        """Every ``for`` iterates through :meth:`BoundedSandbox.loop_items`."""
        it = node.iter
        if not (isinstance(it, nodes.Call) and isinstance(it.node, nodes.EnvironmentAttribute)):
            attr = nodes.EnvironmentAttribute("loop_items", lineno=it.lineno)
            node.iter = nodes.Call(attr, [it], [], None, None, lineno=it.lineno)
        super().visit_For(node, frame)

    def visit_Const(self, node: nodes.Const, frame: Frame) -> None:
        """A number too large for a float (``1e400``) is refused where it is written.

        jinja would fold it to infinity and write ``inf`` into the compiled code,
        which then fails as an unknown name.
        """
        if isinstance(node.value, float) and not math.isfinite(node.value):
            self.fail("this number is too large; write a smaller one", node.lineno)
        super().visit_Const(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        """``a ~ b`` is joined by :meth:`BoundedSandbox.concat_bounded`, which sizes it first."""
        self.write("environment.concat_bounded((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")

    def _output_const_repr(self, group: Iterable[Any]) -> str:
        """Constant text is charged as work when written (a loop or macro may repeat it)."""
        return f"environment.emit({super()._output_const_repr(group)})"

    def visit_Include(self, node: nodes.Include, frame: Frame) -> None:
        """Every include is a step of the budget (a template including itself stops)."""
        self.writeline("environment.include_step()", node)
        super().visit_Include(node, frame)


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """A sandbox that bounds every loop, every built value and the time of a render."""

    code_generator_class = BoundedCode
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    loop_items = staticmethod(loop_items)
    """The items of a ``for`` loop, each charged as a loop iteration."""

    @staticmethod
    def concat_bounded(parts: tuple[Any, ...]) -> str:
        """``a ~ b ~ c``, sized before it is built."""
        size = sum(weight(p) for p in parts)
        refuse_over(size)
        spend(size)
        return "".join(map(str, parts))

    @staticmethod
    def emit(text: str) -> str:
        """Constant template text about to be written, charged as work."""
        spend(len(text))
        return text

    @staticmethod
    def include_step() -> None:
        """Charge an ``include`` as a loop iteration."""
        step()

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """Refuse repetition, concatenation, powers and %-formats that would be huge."""
        if operator == "**" and isinstance(right, (int, float, Decimal)):
            power = -right if right < 0 else right  # abs(), which mypy cannot type on a union
            if power > 64 or digits(left) * power > MAX_DIGITS:
                raise SecurityError(f"powers of more than {MAX_DIGITS:,} digits are refused")
        if operator == "*":
            if digits(left) + digits(right) > MAX_DIGITS:
                raise SecurityError(f"products of more than {MAX_DIGITS:,} digits are refused")
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and n > 0:
                    refuse_over(weight(seq) * n)
        if operator == "+" and isinstance(left, (str, list, tuple)):
            refuse_over(weight(left) + weight(right))
        if operator == "%" and isinstance(left, str):
            check_pattern(left)
            refuse_over(weight(left) + weight(right))
        return counted(super().call_binop(context, operator, left, right))

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``obj.attribute``; a key a mapping lacks is undefined with the keys it has."""
        value = super().getattr(obj, attribute)
        if isinstance(value, Undefined) and isinstance(obj, Mapping):
            return self.undefined(
                missing_key_hint(obj, attribute), obj=obj, name=attribute, exc=MissingKey
            )
        return value

    def getitem(self, obj: Any, argument: Any) -> Any:
        """``obj[argument]``; a key a mapping lacks is undefined with the keys it has."""
        value = super().getitem(obj, argument)
        if isinstance(value, Undefined) and isinstance(obj, Mapping) and isinstance(argument, str):
            return self.undefined(
                missing_key_hint(obj, argument), obj=obj, name=argument, exc=MissingKey
            )
        return value

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """The sandbox's rule, minus ``str.format``/``format_map`` (widths cannot be bounded)."""
        if isinstance(obj, str) and attr in ("format", "format_map"):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> None:
        """No sandboxed ``str.format``: jinja would hand it out before asking
        :meth:`is_safe_attribute`, and its widths cannot be sized before it runs
        (``"{:>1200000000}".format(x)`` builds 1.2 GB). The ``format`` filter is
        bounded instead."""
        return None

    def call(self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Size what a call would build, charge loops and macros, count what it built."""
        name = getattr(__obj, "__name__", "")
        if __obj is loop_items:  # a for loop's items: charged as iterations already
            return super().call(__context, __obj, *args, **kwargs)
        if isinstance(__obj, LoopContext) and args:  # a recursive loop's next level
            args = (loop_items(args[0]), *args[1:])
        elif isinstance(__obj, Macro):
            step()
        elif __obj is generate_lorem_ipsum:
            _estimate_call(_est_lipsum, args, kwargs)
        elif isinstance(getattr(__obj, "__self__", None), str):
            if name in _WIDTH_CALLS:
                check_widths(args, kwargs)
            owner = __obj.__self__
            if name == "replace":
                _estimate_call(_est_replace, (owner, *args), kwargs)
            elif name == "join" and args:
                items = list(charged_items(args[0]))
                args = (items, *args[1:])
                _estimate_call(_est_join, (items, owner), {})
            elif name == "expandtabs":
                tab = args[0] if args and isinstance(args[0], int) else 8
                refuse_over(len(owner) + owner.count("\t") * tab)
            elif name == "translate":
                refuse_over(len(owner) * max(weight(args[0] if args else ""), 1))
        return counted(super().call(__context, __obj, *args, **kwargs))


def _estimate_call(estimate: Callable[..., int], args: tuple[Any, ...], kwargs: Any) -> None:
    try:
        size = estimate(*args, **kwargs)
    except TypeError:
        return
    refuse_over(size)


def finalize(value: Any) -> Any:
    """What ``{{ value }}`` prints: sized before it becomes text, charged as work.

    Output captured by ``{% set %}`` blocks, macros and ``caller()`` never
    reaches the render's output limit, so every write is charged to the work
    budget instead (constant text through :meth:`BoundedSandbox.emit`).
    """
    size = len(value) if isinstance(value, str) else weight(value)
    refuse_over(size, f"output longer than {MAX_OUTPUT:,} characters is refused; shorten the text")
    spend(size)
    return value
