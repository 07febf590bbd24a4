"""YAML syntax errors in a planner's words: what is wrong, on the line where it is, and the fix.

libyaml reports what its parser expected ("could not find expected ':'", "mapping values are
not allowed in this context"), often at the line *after* the mistake, where it noticed. This
module reads the lines around the mark and says what most likely happened: a tab, a missing
':', a line indented one space too far, a ':' or ',' inside an unquoted value, a quote or
bracket never closed.
"""

from __future__ import annotations

import re

import yaml

_KEY = re.compile(r"\s*(?:-\s+)*(?P<key>[^\s:#][^:#]*?)\s*:(\s|$)")


def _indent(line: str) -> int:
    """Where a line's content starts: after its spaces and any list dashes."""
    m = re.match(r"\s*(?:-\s+)*", line)
    return m.end() if m else 0


def _key(line: str) -> str:
    m = _KEY.match(line)
    return m.group("key") if m else line.strip()


def _previous(lines: list[str], index: int) -> int | None:
    """Index of the nearest line above ``index`` with content (not blank, not a comment)."""
    for i in range(index - 1, -1, -1):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#"):
            return i
    return None


def _spaces(n: int) -> str:
    return f"{n} space{'s' if n != 1 else ''}"


def explain(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str]:
    """``(line, col, message)`` for a parser error in ``text``: 1-based, at the mistake."""
    lines = text.split("\n")
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line, mark.column) if mark else (0, 0)
    here = lines[line] if line < len(lines) else ""
    problem, context = exc.problem or "", exc.context or ""
    ctx = exc.context_mark
    char = here[col] if col < len(here) else ""

    if char == "\t" or "tab character" in problem:
        tab = here.find("\t")
        return (
            line + 1,
            (tab if tab >= 0 else col) + 1,
            (
                "a tab character: YAML indents with spaces only; replace the tab with spaces "
                "(set your editor to insert spaces for the Tab key)"
            ),
        )
    if "cannot start any token" in problem:
        return (
            line + 1,
            col + 1,
            (
                f"a value cannot start with '{char}'; put the value in quotes, "
                f'e.g. {_key(here)}: "{here[col:].strip()}"'
            ),
        )
    if "could not find expected ':'" in problem and ctx is not None:
        bad = lines[ctx.line] if ctx.line < len(lines) else ""
        return (
            ctx.line + 1,
            ctx.column + 1,
            (
                f"no ':' after the key on this line ('{bad.strip()}'); write key: value, with a "
                "space after the ':'"
            ),
        )
    if "mapping values are not allowed" in problem:
        return _colon(lines, line, col)
    if problem.startswith("did not find expected") and "block" in context:
        return _misaligned(lines, line)
    if "end of stream" in problem and "quoted scalar" in context and ctx is not None:
        return (
            ctx.line + 1,
            ctx.column + 1,
            (
                "this quote is never closed; end the value with the same quote mark "
                '(a quote inside a value is written \\" between double quotes)'
            ),
        )
    if "flow" in context and ctx is not None:
        opened = "{" if "mapping" in context else "["
        closer = "}" if opened == "{" else "]"
        if ctx.line != line:
            return (
                ctx.line + 1,
                ctx.column + 1,
                (
                    f"this '{opened}' is never closed: end it with '{closer}' (or put the value in "
                    f"quotes if the '{opened}' is text)"
                ),
            )
        return (
            line + 1,
            col + 1,
            (
                f"inside {opened} {closer}, a ',' or ': ' in a value ends it; put such a value in "
                f"quotes, or write the entry one key per line without {opened} {closer}"
            ),
        )
    if "undefined alias" in problem:
        return (
            line + 1,
            col + 1,
            (
                "'*' starts a reference to an '&' anchor that does not exist; "
                "put the value in quotes if it is text"
            ),
        )
    detail = f"{problem} ({context})" if problem and context else problem or context
    return line + 1, col + 1, f"this is not valid YAML: {detail or 'malformed'}"


def _colon(lines: list[str], line: int, col: int) -> tuple[int, int, str]:
    """``mapping values are not allowed``: a ': ' in a value, or a line indented too far."""
    here = lines[line] if line < len(lines) else ""
    first = _KEY.match(here)
    if first is not None and first.end() <= col:
        key = first.group("key")
        value = here[first.end() :].split(" #")[0].strip()
        return (
            line + 1,
            col + 1,
            (f"a ': ' inside the value of '{key}'; put the value in quotes: {key}: \"{value}\""),
        )
    above = _previous(lines, line)
    if above is not None and _indent(here) > _indent(lines[above]):
        extra = _indent(here) - _indent(lines[above])
        return (
            line + 1,
            _indent(here) + 1,
            (
                f"'{_key(here)}' is indented {_spaces(extra)} more than '{_key(lines[above])}' on "
                f"line {above + 1}, so YAML reads it as part of that line's value; indent keys of "
                "one mapping by the same number of spaces"
            ),
        )
    return (
        line + 1,
        col + 1,
        ("a ': ' where no key can start; put the value in quotes, or check the indentation"),
    )


def _misaligned(lines: list[str], line: int) -> tuple[int, int, str]:
    """``did not find expected key`` / ``'-' indicator``: a line that lines up with nothing."""
    here = lines[line] if line < len(lines) else ""
    above = _previous(lines, line)
    n = _indent(here)
    if above is None:
        return line + 1, n + 1, "this line's indentation lines up with nothing above it"
    if here.lstrip().startswith("-"):
        dashes = [i for i in range(line - 1, -1, -1) if lines[i].lstrip().startswith("-")]
        if dashes:
            d, at = len(here) - len(here.lstrip()), dashes[0]
            other = len(lines[at]) - len(lines[at].lstrip())
            return (
                line + 1,
                d + 1,
                (
                    f"this '-' is indented {_spaces(d)}, but the '-' on line {at + 1} is at "
                    f"{other}: the items of one list line up exactly (spaces only)"
                ),
            )
    m = _indent(lines[above])
    return (
        line + 1,
        n + 1,
        (
            f"'{_key(here)}' is indented {_spaces(n)}, but '{_key(lines[above])}' on line "
            f"{above + 1} is at {m}: keys of one mapping, and the '-' of one list, line up "
            "exactly (spaces only)"
        ),
    )
