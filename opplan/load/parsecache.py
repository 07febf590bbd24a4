"""Parsed plan files kept between runs, keyed by their bytes: an edited cycle parses only
the files that changed.

What :func:`opplan.load.yamlsrc.parse` gives for one file (its values with their positions,
and its diagnostics) depends only on the file's bytes, the path it is shown as, and the
code that parses. Every :class:`~opplan.model.diagnostics.Source` it makes carries that
path and nothing else does, so an entry stores the values and positions without the path
and rebinds it when read: a moved file (``git mv``) is a hit too. An entry is named by the
SHA-256 of the file's bytes; what the code contributes (the cache format, opplan's source
digest, Python's and PyYAML's versions) is the shard's ``salt``, and a shard with another
salt is empty.

An entry is JSON text (a mapping is a JSON object with its position under ``__source__``; a
decimal is ``{"d": "1.50"}``, a date ``{"t": "2027-03-31"}``), made in the parse workers and
read back by the C JSON decoder with a hook that rebuilds positions, decimals and dates.
Entries are packed into at most :data:`SHARDS` signed entries of
:mod:`opplan.util.cachestore` (by the first two hex digits of the digest) in
``.opplan-cache/parse/``: 10,000 plans are 256 file reads, not 10,000, and one edited plan
rewrites one or two shards. Each save keeps only the files of
the cycle just loaded, so the cache holds one cycle's plans at most. A shard that does not
verify, or holds anything but this shape, is a miss; the values rebuilt from an entry equal
those a parse gives (tests/test_parse_cache.py compares whole cycles).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from opplan.load.orgtree import CYCLE_FILE
from opplan.load.yamlsrc import MAX_FILE_BYTES, SOURCE_KEY
from opplan.model.diagnostics import Diagnostic, Severity, Source, key_positions
from opplan.util.cachestore import CACHE_DIR, Store, open_store
from opplan.util.treedigest import code_digest

#: The layout of a cached parse; a change makes every older shard a miss.
PARSE_FORMAT = 1
#: Shards of the parse cache (entries ``parse-00`` to ``parse-ff``).
SHARDS = 256
#: The parse cache's directory, inside the cycle's cache directory.
PARSE_DIR = "parse"

Parsed = tuple[Any, list[Diagnostic]]


class _NotPlain(Exception):
    """A value that this format does not hold (the file is then not cached)."""


@functools.cache
def salt() -> str:
    """What the code contributes to every entry: a change of it makes every entry a miss."""
    inputs = [
        "parse",
        PARSE_FORMAT,
        code_digest(),
        list(sys.version_info[:3]),
        yaml.__version__,
        bool(getattr(yaml, "__with_libyaml__", False)),
    ]
    return hashlib.sha256(json.dumps(inputs).encode()).hexdigest()


def read_bytes(file: Path) -> bytes | None:
    """The bytes of a plan file to key it by; None when it cannot be read or is too large
    (such a file is parsed the usual way, which reports why)."""
    try:
        with file.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    return raw if len(raw) <= MAX_FILE_BYTES else None


def _source(src: Source) -> list[Any]:
    pos = src.keypos
    if isinstance(pos, dict):
        flat = [x for k, (line, col) in pos.items() for x in (k, line, col)]
    else:
        flat = list(pos)
    return [src.line, src.col, src.keys, src.exact, flat]


def _plain(value: object) -> Any:
    """What JSON holds for the values a parse makes beside JSON's own (``default=``)."""
    if type(value) is Source:
        return _source(value)
    if type(value) is Decimal:
        return {"d": str(value)}
    if type(value) is dt.date:
        return {"t": value.isoformat()}
    if type(value) is Diagnostic:
        return [value.source, value.severity.value, value.message, value.rule]
    raise _NotPlain


def encode(parsed: Parsed) -> str | None:
    """A parse's values and diagnostics as JSON text without their path (a mapping is an
    object with its position under ``__source__``); None when they hold something else."""
    try:
        return json.dumps(list(parsed), default=_plain, ensure_ascii=False, separators=(",", ":"))
    except (_NotPlain, ValueError):
        return None


def _unsource(path: str, data: Any) -> Source:
    line, col, keys, exact, flat = data
    if not (type(line) is int and type(col) is int and type(exact) is bool):
        raise _NotPlain
    if type(keys) is not list or type(flat) is not list or len(flat) % 3:
        raise _NotPlain
    return Source(path, line, col, tuple(keys), exact, key_positions(flat))


def decode(text: object, path: str) -> Parsed | None:
    """:func:`encode`'s text back, its sources bound to ``path``; None if not that shape.
    JSON is parsed by the C decoder; a hook rebuilds each mapping's source, decimal and date.
    """

    def hook(obj: dict[str, Any]) -> Any:
        if SOURCE_KEY in obj:
            obj[SOURCE_KEY] = _unsource(path, obj[SOURCE_KEY])
            return obj
        if len(obj) == 1:
            if type(obj.get("d")) is str:
                return Decimal(obj["d"])
            if type(obj.get("t")) is str:
                return dt.date.fromisoformat(obj["t"])
        raise _NotPlain

    if type(text) is not str:
        return None
    try:
        values, diags = json.loads(text, object_hook=hook, parse_float=_no_float)
        out = []
        for src, severity, message, rule in diags:
            if not isinstance(message, str) or not isinstance(rule, str):
                raise _NotPlain
            out.append(Diagnostic(_unsource(path, src), Severity(severity), message, rule))
        return values, out
    except (_NotPlain, TypeError, ValueError, ArithmeticError):
        return None


def _no_float(text: str) -> float:
    raise _NotPlain  # a parse makes decimals, never floats


class ParseCache:
    """The parse cache of one cycle for one load: :meth:`get`, :meth:`put`, then :meth:`save`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._stored: dict[str, dict[str, Any]] = {}  # shard -> entries read from it
        self._wanted: dict[str, dict[str, Any]] = {}  # shard -> entries of this cycle
        self._changed: set[str] = set()  # shards with an entry parsed in this load

    def _shard(self, shard: str) -> dict[str, Any]:
        if shard not in self._stored:
            found = self.store.get(f"parse-{shard}")
            ok = isinstance(found, dict) and found.get("salt") == salt()
            files = found.get("files") if ok else None  # type: ignore[union-attr]
            self._stored[shard] = files if isinstance(files, dict) else {}
        return self._stored[shard]

    def has(self, digest: str) -> bool:
        """Whether there is an entry for a file whose bytes have SHA-256 ``digest``."""
        return digest in self._shard(digest[:2])

    def get(self, digest: str, path: str) -> Parsed | None:
        """The parse of a file whose bytes have SHA-256 ``digest``, shown as ``path``."""
        shard = digest[:2]
        entry = self._shard(shard).get(digest)
        found = decode(entry, path) if entry is not None else None
        if found is not None:
            self._wanted.setdefault(shard, {})[digest] = entry
        return found

    def put(self, digest: str, entry: str) -> None:
        """Keep ``entry`` (:func:`encode`'s text) for a file whose bytes have SHA-256 ``digest``."""
        self._wanted.setdefault(digest[:2], {})[digest] = entry
        self._changed.add(digest[:2])

    def save(self) -> None:
        """Write the shards that changed; remove those no file of the cycle needs."""
        for shard, files in self._wanted.items():
            if shard in self._changed or self._shard(shard).keys() != files.keys():
                self.store.put(f"parse-{shard}", {"salt": salt(), "files": files}, prune=False)
        for name in self.store.names():
            if name.startswith("parse-") and name[6:] not in self._wanted:
                self.store.remove(name)


def open_parse_cache(cycle_dir: Path) -> ParseCache | None:
    """The parse cache of the cycle in ``cycle_dir``; None when the cache is off or cannot
    be used there, or the directory is not a cycle (it is then left alone)."""
    if not (cycle_dir / CYCLE_FILE).is_file():
        return None
    if open_store(cycle_dir / CACHE_DIR) is None:
        return None
    store = open_store(cycle_dir / CACHE_DIR / PARSE_DIR, limit=SHARDS)
    return ParseCache(store) if store is not None else None


def digest_of(raw: bytes) -> str:
    """The name of a file's entry: the SHA-256 of its bytes."""
    return hashlib.sha256(raw).hexdigest()
