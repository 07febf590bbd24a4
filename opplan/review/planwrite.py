"""Writing decisions into plan.yaml with ruamel.yaml's round trip, comments and layout kept.

Only the changed ``review.decisions`` entries differ byte for byte: the rest of
the file (comments, quoting, indentation, CRLF, a byte order mark, a missing
final newline) is put back as it was.
"""

from __future__ import annotations

import contextlib
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from opplan.load.yamlsrc import resolve_scalar
from opplan.model.costing import number_text
from opplan.report.reviewkeys import ReviewValues
from opplan.review.merge import Change
from opplan.review.sheet import ReviewError
from opplan.util import atomic
from opplan.util.textsplice import entry_lines, splice


def round_trip(text: str) -> YAML:
    """A round-trip YAML instance with the file's own indentation."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    mapping, offset = _guess_indent(text)
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    yaml.representer.add_representer(Decimal, _represent_decimal)
    return yaml


_KEY_LINE = re.compile(r"^( *)[^\s#-][^#]*:\s*(#.*)?$")
_ITEM_LINE = re.compile(r"^( *)- ")
_CONTENT_LINE = re.compile(r"^( *)[^\s#]")


def _guess_indent(text: str) -> tuple[int, int]:
    """(mapping indent, sequence dash offset) as the file uses them; (2, 2) by default."""
    mapping = offset = None
    previous: tuple[int, bool] | None = None  # (indent, opens a block)
    for line in text.splitlines():
        content = _CONTENT_LINE.match(line)
        if content is None:
            continue
        indent = len(content.group(1))
        if previous is not None and previous[1] and indent >= previous[0]:
            if _ITEM_LINE.match(line) and offset is None:
                offset = indent - previous[0]
            elif not _ITEM_LINE.match(line) and mapping is None and indent > previous[0]:
                mapping = indent - previous[0]
        if mapping is not None and offset is not None:
            break
        previous = (indent, bool(_KEY_LINE.match(line)))
    return mapping or 2, offset if offset is not None else 2


def _represent_decimal(representer: Any, value: Decimal) -> Any:
    text = number_text(value)
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return representer.represent_scalar(tag, text)


def rewrite(plan_path: Path, raw: bytes, changes: list[Change]) -> bytes:
    """plan.yaml's new bytes with the changes applied, comments and layout kept.

    ruamel.yaml sees the text with LF line ends (it drops blank lines of CRLF
    text); CRLF, a byte order mark and a missing final newline are put back, so
    only the changed entries differ byte for byte.
    """
    text, bom, crlf = decode(raw)
    yaml = round_trip(text)
    try:
        data = yaml.load(text)
        decisions = _decisions_map(data)
        removed = {c.ask for c in changes if c.after.empty() and c.ask in decisions}
        if removed and len(removed) < len(decisions):
            text = _drop_entries(text, decisions, removed)
            data = yaml.load(text)
            decisions = _decisions_map(data)
    except YAMLError as exc:
        raise ReviewError(f"cannot parse {plan_path} for writing: {exc}") from exc
    touched = {c.ask for c in changes}
    old_starts = _entry_starts(decisions, touched)
    for change in changes:
        if change.after.empty():
            decisions.pop(change.ask, None)
            continue
        entry = decisions.get(change.ask)
        if not isinstance(entry, CommentedMap):
            entry = CommentedMap()
            entry.fa.set_flow_style()
            decisions[change.ask] = entry
        _fill_entry(entry, change.after)
    if not decisions:
        decisions.fa.set_flow_style()  # "decisions: {}", keeping comments around it
    out = io.StringIO()
    yaml.dump(data, out)
    new = _keep_layout(yaml, text, out.getvalue(), old_starts, touched)
    return encode(new, text, bom, crlf)


def decode(raw: bytes) -> tuple[str, bool, bool]:
    """plan.yaml's text with LF line ends, whether it had a byte order mark, and whether
    it used CRLF (ruamel.yaml drops blank lines of CRLF text)."""
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    crlf = "\r\n" in text
    if crlf:
        text = text.replace("\r\n", "\n")
    return text, bom, crlf


def encode(new: str, text: str, bom: bool, crlf: bool) -> bytes:
    """The bytes of ``new`` with what :func:`decode` took from ``text`` put back: CRLF, a
    byte order mark, a missing final newline."""
    if text and not text.endswith("\n") and new.endswith("\n"):
        new = new[:-1]
    if crlf:
        new = new.replace("\n", "\r\n")
    return (("\ufeff" if bom else "") + new).encode("utf-8")


def _drop_entries(text: str, decisions: CommentedMap, asks: set[str]) -> str:
    """``text`` without the decision entries of ``asks``, each with its comments: the
    whole-line comments directly above it (at its indentation, no blank line between) and
    its end-of-line comment. ruamel.yaml attaches a comment line to the entry *before* it,
    so popping an entry would drop the next entry's comment and keep its own. Text of a
    flow-style map, or of an entry not on its own lines, is returned unchanged."""
    if decisions.fa.flow_style():
        return text
    lines = text.splitlines(keepends=True)
    drop: set[int] = set()
    for ask in asks:
        try:
            line, column = decisions.lc.key(ask)
        except (KeyError, TypeError):
            return text
        key_text = lines[line][column:].lstrip("'\"")
        if not key_text.startswith(ask) or lines[line][:column].strip():
            return text
        drop.add(line)
        i = line + 1
        while i < len(lines) and lines[i].strip() and _indent(lines[i]) > column:
            drop.add(i)
            i += 1
        i = line - 1
        while i >= 0 and lines[i].lstrip().startswith("#") and _indent(lines[i]) == column:
            drop.add(i)
            i -= 1
    return "".join(text_line for i, text_line in enumerate(lines) if i not in drop)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _entry_starts(decisions: CommentedMap, asks: set[str]) -> list[tuple[int, int]]:
    """(line, column) of the keys of ``asks`` in ``decisions``, as parsed (0-based)."""
    out = []
    for key in decisions:
        if key in asks:
            with contextlib.suppress(KeyError, TypeError):
                line, column = decisions.lc.key(key)
                out.append((line, column))
    return out


def _keep_layout(
    yaml: YAML, text: str, dumped: str, old_starts: list[tuple[int, int]], asks: set[str]
) -> str:
    """``dumped`` with the original bytes of every line outside the changed decision
    entries (ruamel re-spaces flow mappings and colons); ``dumped`` itself if the
    spliced text would not read back the same."""
    try:
        new_data = yaml.load(dumped)
        new_starts = _entry_starts(_decisions_map(new_data), asks)
    except (YAMLError, ReviewError):
        return dumped
    return kept_layout(yaml, text, dumped, new_data, old_starts, new_starts)


def kept_layout(
    yaml: YAML,
    text: str,
    dumped: str,
    new_data: Any,
    old_starts: list[tuple[int, int]],
    new_starts: list[tuple[int, int]],
) -> str:
    """``dumped`` with the original lines of ``text`` put back outside the entries that
    start at ``old_starts`` (in ``text``) and ``new_starts`` (in ``dumped``, which loads
    as ``new_data``); ``dumped`` itself if the spliced text would not read back the same."""
    old_lines, new_lines = text.splitlines(keepends=True), dumped.splitlines(keepends=True)
    spliced = splice(
        old_lines,
        new_lines,
        entry_lines(old_lines, old_starts),
        entry_lines(new_lines, new_starts),
    )
    try:
        same = yaml.load(spliced) == new_data
    except YAMLError:
        same = False
    return spliced if same else dumped


def _decisions_map(data: Any) -> CommentedMap:
    """The ``review.decisions`` mapping of a plan, created where missing."""
    if not isinstance(data, CommentedMap):
        raise ReviewError("plan.yaml is not a mapping of keys")
    keys = list(data.keys())
    review = _child_map(data, "review", keys.index("policies") if "policies" in keys else len(keys))
    keys = list(review.keys())
    decisions = _child_map(review, "decisions", keys.index("budget") + 1 if "budget" in keys else 0)
    if decisions.fa.flow_style():
        decisions.fa.set_block_style()
    return decisions


def _child_map(parent: CommentedMap, key: str, where: int) -> CommentedMap:
    """``parent[key]`` as a mapping: an empty or missing one is created (at ``where``)."""
    child = parent.get(key)
    if isinstance(child, CommentedMap):
        return child
    child = CommentedMap()
    if key in parent:
        parent[key] = child
    else:
        parent.insert(where, key, child)
    return child


def as_text(text: str) -> str:
    """``text`` quoted when YAML would read it as something else (a number, a date,
    ``yes``), so it reads back as the same text."""
    return DoubleQuotedScalarString(text) if resolve_scalar(text) != text else text


def _fill_entry(entry: CommentedMap, values: ReviewValues) -> None:
    """Set the keys of one decision entry, keeping the keys' existing order."""
    note: Any = None if values.note is None else as_text(values.note)
    for key, value in (
        ("decision", values.decision),
        ("rank", values.rank),
        ("headcount", values.headcount),
        ("cost", values.cost),
        ("note", note),
    ):
        if value is None:
            entry.pop(key, None)
        elif entry.get(key) != value or type(entry.get(key)) is not type(value):
            entry[key] = value


def write_plan(
    plan_path: Path, new: bytes, before: bytes, *, doing: str, writer: str, again: str
) -> None:
    """Replace ``plan_path`` with ``new``, atomically and only while it still holds ``before``:
    a lock, or another writer since it was read, refuses with nothing written. The message
    says what the command was ``doing``, who else writes the file (``writer``) and what to
    run ``again``."""
    try:
        atomic.rewrite(plan_path, lambda _current: new, expected=before)
    except atomic.FileLocked as exc:
        raise ReviewError(f"{plan_path}: {exc.strerror}") from exc
    except atomic.FileChanged as exc:
        raise ReviewError(
            f"{plan_path} changed while {doing} ({writer} or an editor wrote it), so nothing "
            f"was written; run {again} again"
        ) from exc
