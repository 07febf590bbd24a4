"""Diagnostics: problems found in the plans, collected (never raised) and printed.

Every stage of the pipeline returns its diagnostics beside its result. A
diagnostic points at a file, line and column, so that editors and CI logs can
jump to the exact YAML key or Markdown line:

    northwind/retail/plan.yaml:12:5: error: unknown key 'ownr' (did you mean 'owner'?) [unknown-key]
"""

from __future__ import annotations

import enum
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record or value came from: a file, a 1-based line and column.

    ``keys`` is the key path from the file's top-level mapping down to the
    value (e.g. ``("incremental", 0, "goals", 1)``). ``keypos`` holds the
    positions of the record's own keys, so :meth:`at` can point at a key at
    once: flat ``(key, line, col, key, ...)`` for a record of a few keys (a
    scan of at most :data:`KEYPOS_SCAN` keys), a ``{key: (line, col)}`` index
    for more (a file with 40,000 unknown keys must not cost 40,000 scans of
    40,000 keys). Deeper paths stay inexact until
    :func:`opplan.yamlsrc.resolve_positions` re-reads the file.
    """

    path: str
    line: int = 1
    col: int = 1
    keys: KeyPath = ()
    exact: bool = True
    # flat (key, line, col) triples (str | int keys and int positions, which no tuple type
    # spells), or for records of many keys an index of them: see key_positions()
    keypos: tuple[Any, ...] | dict[str | int, tuple[int, int]] = field(
        default=(), compare=False, repr=False
    )

    def at(self, *keys: str | int) -> Source:
        """The source of a value below this record (exact for the record's own keys)."""
        if not keys:
            return self
        path = self.keys + tuple(keys)
        first = keys[0]
        pos = self.keypos
        if isinstance(pos, dict):
            hit = pos.get(first)
            if hit is not None:
                return Source(self.path, hit[0], hit[1], path, exact=len(keys) == 1)
        else:
            for i in range(0, len(pos), 3):
                if pos[i] == first:
                    return Source(self.path, pos[i + 1], pos[i + 2], path, exact=len(keys) == 1)
        return Source(self.path, self.line, self.col, path, exact=False)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"

    def __reduce__(self) -> tuple[type[Source], tuple[Any, ...]]:
        # Loader workers send hundreds of thousands of these; the default for a
        # frozen slots dataclass (a Python __setstate__ per field) is ~10x slower.
        return (Source, (self.path, self.line, self.col, self.keys, self.exact, self.keypos))


#: Records with more keys than this index their key positions instead of listing them.
KEYPOS_SCAN = 16


def key_positions(
    flat: Sequence[Any],
) -> tuple[Any, ...] | dict[str | int, tuple[int, int]]:
    """A record's ``keypos`` from flat ``(key, line, col, ...)``: a tuple, or an index if long."""
    if len(flat) <= 3 * KEYPOS_SCAN:
        return tuple(flat)
    return {flat[i]: (flat[i + 1], flat[i + 2]) for i in range(0, len(flat), 3)}


class Severity(enum.StrEnum):
    """How bad a diagnostic is; policies may also be switched ``off``."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem: where, how bad, what, and which rule found it."""

    source: Source
    severity: Severity
    message: str
    rule: str

    def format(self) -> str:
        """The one-line text form: ``path:line:col: severity: message [rule]``."""
        return f"{self.source}: {self.severity.value}: {self.message} [{self.rule}]"

    def to_json(self) -> dict[str, str | int]:
        """The JSON form printed by ``--format json``."""
        return {
            "path": self.source.path,
            "line": self.source.line,
            "col": self.source.col,
            "severity": self.severity.value,
            "message": self.message,
            "rule": self.rule,
        }


def error(source: Source, message: str, rule: str) -> Diagnostic:
    """Shorthand for an error diagnostic."""
    return Diagnostic(source, Severity.ERROR, message, rule)


def warning(source: Source, message: str, rule: str) -> Diagnostic:
    """Shorthand for a warning diagnostic."""
    return Diagnostic(source, Severity.WARNING, message, rule)


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics in a stable order: by file, line, column, then message."""
    unique = dict.fromkeys(diags)
    return sorted(
        unique,
        key=lambda d: (d.source.path, d.source.line, d.source.col, d.rule, d.message),
    )


#: How many diagnostics of one rule one file shows; the rest become one summary line.
MAX_PER_FILE_AND_RULE = 100


def cap_per_file(
    diags: Sequence[Diagnostic], limit: int = MAX_PER_FILE_AND_RULE
) -> list[Diagnostic]:
    """Sorted ``diags`` with at most ``limit`` of one rule in one file, in order.

    The rest of that rule in that file become one diagnostic at the first one
    left out ("and 39,900 more unknown-key problems in this file"), so a file
    with 40,000 unknown keys gives a readable report and still fails.
    """
    shown: Counter[tuple[str, str]] = Counter()
    first_hidden: dict[tuple[str, str], Diagnostic] = {}
    out: list[Diagnostic] = []
    for d in diags:
        key = (d.source.path, d.rule)
        shown[key] += 1
        if shown[key] <= limit:
            out.append(d)
        elif key not in first_hidden:
            first_hidden[key] = d
    if not first_hidden:
        return out
    for key, d in first_hidden.items():
        more = shown[key] - limit
        out.append(
            Diagnostic(
                d.source,
                d.severity,
                f"and {more:,} more {d.rule} problem{'s' if more != 1 else ''} in this file "
                "(fix the ones above, then check again)",
                d.rule,
            )
        )
    return sort_diagnostics(out)


def listing(names: Sequence[str], limit: int = 10) -> str:
    """Names for a message, comma-separated; past ``limit``, the rest as a count.

    A message that lists a node's goals must not grow with a hostile file (20,000
    goals named in each of 20,000 errors would be gigabytes of output).
    """
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} and {len(names) - limit:,} more"


def count(diags: Sequence[Diagnostic]) -> tuple[int, int]:
    """(errors, warnings) in ``diags``."""
    errors = sum(1 for d in diags if d.severity is Severity.ERROR)
    return errors, len(diags) - errors


def failed(diags: Sequence[Diagnostic], strict: bool = False) -> bool:
    """True when ``diags`` should make a command exit 1."""
    errors, warnings = count(diags)
    return errors > 0 or (strict and warnings > 0)


def format_text(diags: Sequence[Diagnostic]) -> str:
    """All diagnostics as text lines, plus a one-line summary."""
    lines = [d.format() for d in diags]
    errors, warnings = count(diags)
    lines.append(
        f"{errors} error{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}"
    )
    return "\n".join(lines)


def format_json(diags: Sequence[Diagnostic]) -> str:
    """All diagnostics as one JSON document."""
    errors, warnings = count(diags)
    return json.dumps(
        {"diagnostics": [d.to_json() for d in diags], "errors": errors, "warnings": warnings},
        indent=2,
    )


class UserError(Exception):
    """A problem with what the user gave or asked for, not a bug: the CLI prints it plainly.

    ``problems`` lists every reason (one line each). ``usage`` marks a problem
    with the command line itself (exit code 2 instead of 1).
    """

    usage: bool = False

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))
