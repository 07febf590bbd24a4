"""Positioned YAML: parse plan files fast, keep where every mapping came from.

PyYAML's C parser (libyaml) composes the node tree; we convert it to plain
Python data ourselves so that

* every mapping carries its :class:`Source` (position, key path, key positions)
  under ``SOURCE_KEY``
  (records in the model are built from those and know their source line);
* duplicate keys, non-string keys, alias bombs and recursive aliases are
  diagnostics, not silent overwrites or hangs;
* plain scalars follow the YAML 1.2 core schema, not YAML 1.1: ``on``, ``no``
  and ``yes`` stay strings (``on:`` is a key of a dependency, ``NO`` is
  Norway), numbers with a fraction become exact ``Decimal`` (money must not go
  through binary floats), and ``2027-03-31`` becomes a ``date``.

Round-trip parsers (ruamel.yaml) keep positions too, but are pure Python and
~20x slower; they are used only where a file is written back (review import).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import yaml

from opplan.load.yamlerrors import explain
from opplan.model.diagnostics import Diagnostic, KeyPath, Source, error, key_positions

_Base: type[yaml.CSafeLoader | yaml.SafeLoader]
try:  # libyaml is what makes loading 10,000 plans fast; fall back if absent.
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc, valid-type]  # base chosen at import time
    """Composes nodes without PyYAML's YAML 1.1 tag guessing.

    We type plain scalars ourselves (:func:`resolve_scalar`), so PyYAML's
    resolver, a Python regex scan called once per scalar (a third of the load
    time of a large cycle), is replaced by a constant.
    """

    def resolve(self, kind: type[yaml.Node], value: object, implicit: object) -> str:
        return ""


#: Key under which every converted mapping stores its :class:`Source`.
SOURCE_KEY = "__source__"
#: Largest file we read as YAML (a plan is a few KB; anything this big is a mistake).
MAX_FILE_BYTES = 5 * 1024 * 1024
#: How many nodes one document may expand to (guards against alias bombs).
MAX_NODES = 500_000
#: How deeply collections may nest (a plan needs 6; 5,000 nested brackets is an attack).
MAX_DEPTH = 64

_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_INT_OCT = re.compile(r"0o[0-7]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


class _TooBig(Exception):
    pass


class _Recursive(Exception):
    pass


class _TooDeep(Exception):
    pass


def resolve_scalar(value: str) -> Any:
    """Resolve a plain (unquoted) scalar by the YAML 1.2 core schema."""
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.match(value):
        return int(value)
    if _INT_HEX.match(value):
        return int(value, 16)
    if _INT_OCT.match(value):
        return int(value[2:], 8)
    if _FLOAT.match(value):
        return Decimal(value)
    if _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Converter:
    """Turns a composed node tree into plain data, collecting diagnostics."""

    def __init__(self, path: str):
        self.path = path
        self.diagnostics: list[Diagnostic] = []
        self.count = 0
        self.active: set[int] = set()

    def convert(self, node: yaml.Node, keys: KeyPath, at: tuple[int, int]) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig
        if isinstance(node, yaml.ScalarNode):
            # Plain scalars are typed by the YAML 1.2 core schema; quoted and
            # block scalars are always strings. (libyaml marks plain style
            # with '', the pure-Python parser with None.)
            if not node.style:
                return resolve_scalar(node.value)
            return node.value
        ident = id(node)
        if ident in self.active:
            raise _Recursive
        if len(keys) >= MAX_DEPTH:
            raise _TooDeep
        self.active.add(ident)
        try:
            if isinstance(node, yaml.SequenceNode):
                return [
                    self.convert(item, (*keys, i), _mark(item)) for i, item in enumerate(node.value)
                ]
            # compose makes only scalar, sequence and mapping nodes
            return self._mapping(cast(yaml.MappingNode, node), keys, at)
        finally:
            self.active.discard(ident)

    def _mapping(
        self, node: yaml.MappingNode, keys: KeyPath, at: tuple[int, int]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        keypos: list[Any] = []
        for key_node, value_node in node.value:
            line, col = _mark(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.diagnostics.append(
                    error(Source(self.path, line, col), "keys must be plain strings", "yaml")
                )
                continue
            key = key_node.value
            if key == SOURCE_KEY:
                self.diagnostics.append(
                    error(Source(self.path, line, col), f"unknown key '{key}'", "unknown-key")
                )
                continue
            if key in seen:
                self.diagnostics.append(
                    error(
                        Source(self.path, line, col),
                        f"duplicate key '{key}' (first defined at line {seen[key]})",
                        "duplicate-key",
                    )
                )
                continue
            seen[key] = line
            keypos += (key, line, col)
            out[key] = self.convert(value_node, (*keys, key), (line, col))
        out[SOURCE_KEY] = Source(self.path, at[0], at[1], keys, keypos=key_positions(keypos))
        return out


def read_text(path: Path, display: str) -> tuple[str | None, list[Diagnostic]]:
    """Read a UTF-8 text file; an unreadable, too large or non-UTF-8 file is a diagnostic.

    At most ``MAX_FILE_BYTES`` (and one more) are read, so a huge or sparse file
    costs no memory before it is refused.
    """
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
            size = max(os.fstat(f.fileno()).st_size, len(raw))
    except OSError as exc:
        return None, [error(Source(display), f"cannot read file: {exc.strerror}", "io")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [
            error(
                Source(display),
                f"file is {size:,} bytes, more than the {MAX_FILE_BYTES:,} allowed",
                "io",
            )
        ]
    return decode_text(raw, display)


def decode_text(raw: bytes, display: str) -> tuple[str | None, list[Diagnostic]]:
    """The text of a file's bytes (at most ``MAX_FILE_BYTES``), or where it is not UTF-8."""
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, [
            error(
                Source(display, line, col),
                f"file is not UTF-8 (byte 0x{raw[exc.start]:02x})",
                "encoding",
            )
        ]


def _is_depth_guard(exc: yaml.MarkedYAMLError) -> bool:
    """Whether libyaml stopped at its own nesting guard (1,000 levels since 0.2.5).

    Our limit is far lower and the converter applies it to every document that
    libyaml accepts; a document deep enough to trip libyaml's guard first is
    reported with our message, so the error does not depend on the release.
    """
    return "nesting depth" in f"{exc.problem} {exc.context}"


def parse(text: str, path: str) -> tuple[Any, list[Diagnostic]]:
    """Parse one YAML document into plain data with positions.

    Returns ``(data, diagnostics)``; ``data`` is None only when the text is not
    YAML at all (the diagnostics say why). An empty or null document (``---``,
    ``~``, ``null``) gives an empty mapping, so its missing keys are reported
    like those of any other file.
    """
    too_deep = [error(Source(path), f"values nest more than {MAX_DEPTH} levels deep", "yaml")]
    try:
        node = yaml.compose(text, Loader=_Loader)
    except RecursionError:
        return None, too_deep
    except yaml.MarkedYAMLError as exc:
        if _is_depth_guard(exc):
            return None, too_deep
        line, col, message = explain(exc, text)
        return None, [error(Source(path, line, col), message, "yaml")]
    except yaml.YAMLError as exc:  # pragma: no cover - reader errors without marks
        return None, [error(Source(path), f"this is not valid YAML: {exc}", "yaml")]
    if node is None:
        return {SOURCE_KEY: Source(path)}, []
    conv = _Converter(path)
    try:
        data = conv.convert(node, (), _mark(node))
    except _TooBig:
        return None, [
            error(
                Source(path),
                f"document expands to more than {MAX_NODES} values (an alias bomb?)",
                "yaml",
            )
        ]
    except _Recursive:
        return None, [error(Source(path), "recursive alias: a value contains itself", "yaml")]
    except (_TooDeep, RecursionError):
        return None, too_deep
    if data is None:
        return {SOURCE_KEY: Source(path)}, conv.diagnostics
    return data, conv.diagnostics


def source_of(data: dict[str, Any], path: str) -> Source:
    """The :class:`Source` of a converted mapping."""
    return data.get(SOURCE_KEY) or Source(path)


@lru_cache(maxsize=64)
def _compose_file(path: str) -> yaml.Node | None:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
        return yaml.compose(text, Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return None


_KeyIndex = dict[str, tuple[yaml.Node, yaml.Node]]
#: Key index of each mapping node :func:`locate` has searched, by node id; each entry
#: holds its node, so the id cannot be reused while it is cached.
_KEY_INDEX: dict[int, tuple[yaml.MappingNode, _KeyIndex]] = {}


def _keys_of(node: yaml.MappingNode) -> _KeyIndex:
    """``{key: (key node, value node)}`` of a mapping node, built once (the first key wins)."""
    cached = _KEY_INDEX.get(id(node))
    if cached is not None and cached[0] is node:
        return cached[1]
    index: _KeyIndex = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            index.setdefault(key_node.value, (key_node, value_node))
    _KEY_INDEX[id(node)] = (node, index)
    return index


def locate(path: str, keys: KeyPath) -> tuple[int, int] | None:
    """Line and column of the value at ``keys`` in the YAML file ``path``.

    Points at the key for mapping entries, at the item for sequence entries;
    stops at the deepest node that exists.
    """
    node = _compose_file(path)
    if node is None:
        return None
    pos = _mark(node)
    for key in keys:
        if isinstance(node, yaml.MappingNode) and isinstance(key, str):
            found = _keys_of(node).get(key)
            if found is None:
                return pos
            pos, node = _mark(found[0]), found[1]
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(key, int)
            and 0 <= key < len(node.value)
        ):
            node = node.value[key]
            pos = _mark(node)
        else:
            return pos
    return pos


def resolve_positions(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Refine diagnostics that name a key path to that key's exact position.

    Files are re-read in path order, so each is composed at most once.
    """
    out = []
    for d in sorted(diags, key=lambda d: d.source.path):
        src = d.source
        if not src.exact and src.path.endswith((".yaml", ".yml")):
            pos = locate(src.path, src.keys)
            if pos is not None:
                src = Source(src.path, pos[0], pos[1], src.keys)
            d = Diagnostic(
                Source(src.path, src.line, src.col, src.keys), d.severity, d.message, d.rule
            )
        out.append(d)
    _compose_file.cache_clear()
    _KEY_INDEX.clear()
    return out
