"""``opplan check`` with a cache: an unchanged cycle is not checked twice.

The diagnostics of a check are a function of what the check reads: every file of the
cycle directory (names, links and bytes: :func:`~opplan.util.treedigest.tree_digest`), the
way the user named the directory (diagnostics print paths as given), the page-counting
mode and, when pages are counted by LibreOffice, which LibreOffice; and of the code: the
opplan version, its source files and shipped templates, and the versions of Python and of the
libraries that parse and validate. Their digest
names a cache entry in ``.opplan-cache/`` inside the cycle directory; a hit returns the
diagnostics that the same inputs gave before, a miss checks and stores them. The store
(:mod:`opplan.util.cachestore`) verifies every entry with this user's key, so a corrupted
or foreign entry is a miss; the cache never changes what ``check`` prints.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import yaml

from opplan.check.codeowners import LOCATIONS
from opplan.load.orgtree import CYCLE_FILE
from opplan.model.diagnostics import Diagnostic, Severity, Source
from opplan.report.reviewkeys import opplan_version
from opplan.util.cachestore import CACHE_DIR as CACHE_DIR
from opplan.util.cachestore import Store, open_store
from opplan.util.libreoffice import find_soffice
from opplan.util.repo import repo_root
from opplan.util.resources import templates_dir
from opplan.util.treedigest import code_digest, file_sha, tree_digest

#: The layout of a cached check; a change makes every older entry a miss.
CHECK_FORMAT = 1
#: Libraries whose version can change what a check reports.
_LIBRARIES = ("pydantic", "pydantic-core", "PyYAML", "jinja2", "markdown-it-py")


def _library_versions() -> list[str]:
    found = []
    for name in _LIBRARIES:
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=none")
    return found


def _soffice(pages: str) -> list[object]:
    """Which LibreOffice counts pages (its path and stamp), when the mode may use one."""
    if pages not in ("auto", "exact"):
        return []
    found = find_soffice()
    if found is None:
        return ["none"]
    try:
        real = os.path.realpath(found)
        stat = os.stat(real)
    except OSError:
        return [found]
    return [found, real, stat.st_size, stat.st_mtime_ns]


def check_key(cycle_dir: str | Path, pages: str) -> str:
    """The digest of everything a check of ``cycle_dir`` with ``pages`` depends on."""
    inputs = [
        "check",
        CHECK_FORMAT,
        opplan_version(),
        code_digest(),
        tree_digest(templates_dir()),
        list(sys.version_info[:2]),
        _library_versions(),
        str(cycle_dir),
        pages,
        _soffice(pages),
        tree_digest(Path(cycle_dir), skip=(CACHE_DIR,)),
        _outside(Path(cycle_dir)),
    ]
    return hashlib.sha256(json.dumps(inputs).encode()).hexdigest()


def _outside(cycle_dir: Path) -> list[object]:
    """What a check reads outside the cycle directory: the repository's CODEOWNERS files
    (the ``codeowners-stale`` policy) and, for a revision, the directory of the cycle it
    revises (its documents' "What changed" section counts in their pages). A revised cycle
    found only in git is named by its commit, which cycle.yaml holds already."""
    root = repo_root(cycle_dir)
    owners = [file_sha(root / rel) for rel in LOCATIONS] if root is not None else []
    revised: object = None
    try:
        text = (cycle_dir / CYCLE_FILE).read_bytes()
        if b"revises:" in text:
            data = yaml.safe_load(text)
            path = data.get("revises", {}).get("path") if isinstance(data, dict) else None
            if isinstance(path, str) and (cycle_dir / path / CYCLE_FILE).is_file():
                revised = tree_digest(cycle_dir / path, skip=(CACHE_DIR,))
    except (OSError, yaml.YAMLError, AttributeError, ValueError):
        revised = "unreadable"
    return [owners, revised]


def encode(diags: list[Diagnostic]) -> list[list[Any]]:
    """Diagnostics as plain JSON data (everything they print and sort by)."""
    return [
        [
            *(d.source.path, d.source.line, d.source.col, list(d.source.keys), d.source.exact),
            *(d.severity.value, d.message, d.rule),
        ]
        for d in diags
    ]


def decode(data: object) -> list[Diagnostic] | None:
    """:func:`encode`'s data back as diagnostics; None when it is not that shape."""
    if not isinstance(data, list):
        return None
    out = []
    try:
        for path, line, col, keys, exact, severity, message, rule in data:
            if not (
                isinstance(path, str)
                and type(line) is int
                and type(col) is int
                and isinstance(keys, list)
                and all(type(k) in (str, int) for k in keys)
                and type(exact) is bool
                and isinstance(message, str)
                and isinstance(rule, str)
            ):
                return None
            source = Source(path, line, col, tuple(keys), exact)
            out.append(Diagnostic(source, Severity(severity), message, rule))
    except (TypeError, ValueError):
        return None
    return out


def cached_diagnostics(
    cycle_dir: str | Path, pages: str
) -> tuple[Store | None, str, list[Diagnostic] | None]:
    """The store of ``cycle_dir``, the key of this check, and the diagnostics stored under
    it (None on a miss or without a cache)."""
    top = Path(cycle_dir)
    if not (top / CYCLE_FILE).is_file():  # not a cycle: leave the directory alone
        return None, "", None
    store = open_store(top / CACHE_DIR)
    if store is None:
        return None, "", None
    key = check_key(cycle_dir, pages)
    return store, key, decode(store.get(f"check-{key}"))


def check_cached(
    cycle_dir: str | Path, pages: str, run: Callable[[], list[Diagnostic]]
) -> list[Diagnostic]:
    """The diagnostics of ``run()`` (a check of ``cycle_dir`` counting ``pages``), from the
    cache when the same inputs were checked before; a fresh result is stored only when the
    cycle did not change while it was checked."""
    store, key, found = cached_diagnostics(cycle_dir, pages)
    if found is not None:
        return list(found)
    diags = run()
    if store is not None and check_key(cycle_dir, pages) == key:
        store.put(f"check-{key}", encode(diags))
    return diags
