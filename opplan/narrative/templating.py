"""The one jinja2 environment factory: sandboxed, strict, bounded, with opplan's filters.

Narratives (``narrative.md``) and document templates (the default ``templates/``
or a cycle's own ``templates/``) are written by users, so they run in
:class:`~opplan.sandbox.BoundedSandbox` with ``StrictUndefined``: a typo fails
and names the variable, ``{{ ''.__class__.__mro__ }}`` is refused, and every
loop, every built string or list and the time of each render are bounded
(:mod:`opplan.sandbox`). Templates are read only from inside the cycle
directory (or the default templates): a symlink out of it is refused.
:func:`render` stops any template whose output passes :data:`MAX_OUTPUT`
characters; :func:`output_limit` is that one limit, which ``opplan check``
also applies to narratives without jinja markup.

Every failure is a :class:`TemplateError` naming the file and line, e.g.
``northwind/narrative.md:12: 'totalz' is undefined``.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    TemplateSyntaxError,
)
from jinja2.exceptions import SecurityError
from jinja2.exceptions import TemplateError as JinjaError
from jinja2.loaders import split_template_path

from opplan.load.yamlsrc import read_text
from opplan.narrative.budget import (
    MAX_DIGITS,
    MAX_ITERATIONS,
    MAX_OUTPUT,
    MAX_SECONDS,
    MAX_WIDTH,
    MAX_WORK,
    budget_for,
)
from opplan.narrative.errors import in_words
from opplan.narrative.filters import FILTERS, headcount, money_text, plural, possessive
from opplan.narrative.helpers import HELPERS
from opplan.narrative.names import names_read, remember
from opplan.narrative.sandbox import BoundedSandbox, bounded_filter, finalize


class TemplateError(Exception):
    """A template or narrative could not be rendered; names the file and line."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


class OutsideTemplate(SecurityError):
    """A template file that resolves outside the directory its search path belongs to."""

    def __init__(self, name: str, path: str) -> None:
        super().__init__(
            f"template '{name}' is a link to a file outside the cycle directory; "
            "copy the text into the cycle instead"
        )
        self.path = path
        self.line = 1


class UnreadableTemplate(JinjaError):
    """A template file that cannot be read as text: too big, not UTF-8, unreadable."""

    def __init__(self, name: str, path: str, line: int, problem: str) -> None:
        super().__init__(f"template '{name}' cannot be used: {problem}")
        self.path = path
        self.line = line


class ConfinedLoader(FileSystemLoader):
    """Templates of one directory that must resolve inside ``root`` (symlinks may not leave it).

    Files are read like plans and narratives (:func:`opplan.yamlsrc.read_text`):
    at most 5 MB of UTF-8 text.
    """

    def __init__(self, searchpath: Path, root: Path) -> None:
        super().__init__(str(searchpath))
        self.root = root.resolve()

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        """The template's text, refused when its real path leaves :attr:`root`."""
        for base in self.searchpath:
            path = Path(base, *split_template_path(template))
            if not path.is_file():
                continue
            if not path.resolve().is_relative_to(self.root):
                raise OutsideTemplate(template, str(path))
            name = os.path.normpath(path)
            text, problems = read_text(path, name)
            if text is None:
                where = problems[0].source
                raise UnreadableTemplate(template, name, where.line, problems[0].message)
            mtime = path.stat().st_mtime
            return text, name, partial(_unchanged, name, mtime)
        raise TemplateNotFound(template)


def _unchanged(path: str, mtime: float) -> bool:
    try:
        return bool(os.path.getmtime(path) == mtime)
    except OSError:
        return False


# --- the environment --------------------------------------------------------


def environment(search_path: Sequence[Path] = ()) -> BoundedSandbox:
    """The sandboxed environment; templates are looked up in ``search_path`` in order.

    The document renderer passes ``[<cycle>/templates, <default templates>]`` so
    a cycle's own file overrides the default of the same name. A template must
    resolve inside the directory that holds its search path entry (the cycle
    directory for ``<cycle>/templates``): a symlink out of it is refused.
    """
    loader = ChoiceLoader([ConfinedLoader(p, p.parent) for p in search_path])
    env = BoundedSandbox(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize,
    )
    env.filters.update(FILTERS)
    for name, fn in list(env.filters.items()):
        env.filters[name] = bounded_filter(name, fn)
    env.globals.update(HELPERS)
    return env


def is_template(text: str) -> bool:
    """Whether a text has jinja markup; a text without any renders as itself."""
    return "{{" in text or "{%" in text or "{#" in text


def compile_text(env: BoundedSandbox, source: str, path: str) -> Template:
    """Compile a narrative (or any text) as a template whose errors name ``path``."""
    try:
        tree = env.parse(source, name=path, filename=path)
        reads = names_read(tree)  # before compiling: jinja's optimizer may rewrite the tree
        code = env.compile(tree, name=path, filename=path)
    except TemplateSyntaxError as exc:
        raise TemplateError(path, exc.lineno or 1, exc.message or str(exc)) from None
    except RecursionError:
        raise TemplateError(path, deepest_line(source), TOO_NESTED) from None
    template = env.template_class.from_code(env, code, env.make_globals(None))
    _SOURCES[template] = source
    remember(template, reads)
    return template


#: What a template gets when its expressions nest deeper than jinja's parser can follow.
TOO_NESTED = "brackets nest too deeply in this expression to read it; simplify it"


def deepest_line(source: str) -> int:
    """The line where brackets (``( [ {``) nest deepest: where a too-nested expression is."""
    depth = best = 0
    line = best_line = 1
    for char in source:
        if char == "\n":
            line += 1
        elif char in "([{":
            depth += 1
            if depth > best:
                best, best_line = depth, line
        elif char in ")]}" and depth:
            depth -= 1
    return best_line


def get_template(env: BoundedSandbox, name: str) -> Template:
    """A named template from the search path; a syntax error names its file and line."""
    try:
        return env.get_template(name)
    except TemplateNotFound:
        raise TemplateError(name, 1, f"template '{name}' not found") from None
    except (OutsideTemplate, UnreadableTemplate) as exc:
        raise TemplateError(exc.path, exc.line, exc.message or str(exc)) from None
    except TemplateSyntaxError as exc:
        raise TemplateError(
            exc.filename or name, exc.lineno or 1, exc.message or str(exc)
        ) from None
    except RecursionError:
        path, source = _source_of(env, name)
        raise TemplateError(path, deepest_line(source), TOO_NESTED) from None


def _source_of(env: Environment, name: str) -> tuple[str, str]:
    """A template's file name and text, for an error found while compiling it."""
    assert env.loader is not None
    source, filename, _ = env.loader.get_source(env, name)
    return filename or name, source


def output_limit(size: int, path: str, *, max_output: int = MAX_OUTPUT) -> TemplateError | None:
    """The error for a text of ``size`` characters once rendered, if it is over the limit.

    The one output limit: :func:`render` applies it to what a template writes,
    ``opplan check`` to a narrative without jinja markup (which renders as itself).
    """
    if size <= max_output:
        return None
    return TemplateError(
        path,
        1,
        f"output longer than {max_output:,} characters is refused; "
        "shorten the text (a document holds at most that much)",
    )


_PLAIN = {
    TypeError: "a value of the wrong kind",
    ZeroDivisionError: "a division by zero",
    OverflowError: "a number too large",
    RecursionError: "a macro or template that calls itself too deeply",
    MemoryError: "a value too large for memory",
    LookupError: "no such item",
    ValueError: "a value that does not fit",
    ArithmeticError: "a calculation that cannot be done",
}


def render(template: Template, context: Mapping[str, Any], *, max_output: int = MAX_OUTPUT) -> str:
    """Render with a fresh budget (loops, work, time); stop at ``max_output`` characters.

    Raises :class:`TemplateError` naming the file and line for any failure in
    the template: an undefined name, a sandbox violation, a limit, a runtime error.
    """
    parts: list[str] = []
    size = 0
    path = template.filename or template.name or "<template>"
    try:
        with budget_for() as budget:
            for chunk in template.generate({**context, "range": budget.range}):
                size += len(chunk)
                too_long = output_limit(size, path, max_output=max_output)
                if too_long is not None:
                    raise SecurityError(too_long.message)
                budget.clock()
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
        message = in_words(exc, _line_of(template, where, line)) or _message(exc)
        raise TemplateError(where, line, message) from None
    return "".join(parts)


_SOURCES: weakref.WeakKeyDictionary[Template, str] = weakref.WeakKeyDictionary()
"""The text of templates compiled from a text (narratives), for error messages."""


def _line_of(template: Template, where: str, line: int) -> str:
    """The text of line ``line`` of the template file ``where`` ('' when unknown)."""
    own = where == (template.filename or template.name)
    source = _SOURCES.get(template) if own else None
    if source is None:  # a template of the search path (or one it includes), read again
        env = template.environment
        try:
            name = template.name if own and template.name else where
            source = _source_of(env, name)[1] if env.loader is not None else ""
        except (JinjaError, OSError):
            source = ""
    lines = source.split("\n", line)
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _message(exc: BaseException) -> str:
    """A failure in a planner's words: jinja's own message, or what kind of problem it is."""
    if isinstance(exc, TemplateNotFound) and not isinstance(exc, OutsideTemplate):
        return f"template '{exc.name}' not found"
    if isinstance(exc, JinjaError):
        text = str(exc)
        if text.startswith(("access to attribute 'format' ", "access to attribute 'format_map' ")):
            text += ' Use the format filter instead: {{ "%8s" | format(value) }}.'
        return text
    if isinstance(exc, OverflowError) and "range" in str(exc).lower():
        return f"range too big: {exc}"
    if isinstance(exc, TypeError) and "'NoneType'" in str(exc):
        return (
            "a value that is not set (None) is used in a calculation; "
            "test it first, e.g. {% if budget.headcount is not none %}"
        )
    kind = next((k for t, k in _PLAIN.items() if isinstance(exc, t)), "an error")
    detail = "" if isinstance(exc, (RecursionError, MemoryError)) else str(exc)
    return f"{kind}: {detail[:200]}" if detail else kind


def _template_frame(tb: TracebackType | None, default: str) -> tuple[str, int]:
    """The innermost traceback frame that belongs to a template (jinja rewrites them)."""
    found = (default, 1)
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if not name.endswith(".py") and not name.startswith("<"):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found


__all__ = [
    "FILTERS",
    "MAX_DIGITS",
    "MAX_ITERATIONS",
    "MAX_OUTPUT",
    "MAX_SECONDS",
    "MAX_WIDTH",
    "MAX_WORK",
    "BoundedSandbox",
    "TemplateError",
    "headcount",
    "money_text",
    "plural",
    "possessive",
]
