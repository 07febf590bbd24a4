"""A digest of a directory tree: every name, link and file content below it.

Two trees with the same digest hold the same names, the same symlinks and the same bytes,
so anything computed from what a reader can see in the tree can be keyed by it. Entries
whose name starts with a dot are left out (the org tree ignores them too), and so are the
names in ``skip``. Symlinked directories that resolve inside the tree are walked (each real
directory once), as the org tree walks them. The walk is iterative: any depth is fine.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path


def file_sha(path: Path) -> str | None:
    """The SHA-256 (hex) of a file's bytes, or None when it cannot be read."""
    try:
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


def _file_digest(path: str) -> str:
    """The SHA-256 of a file's bytes, or the reason it could not be read."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError as exc:
        return f"unreadable:{exc.errno}"


def tree_digest(top: Path, skip: Iterable[str] = ()) -> str:
    """SHA-256 (hex) of every entry below ``top`` (names, kinds, link texts, file bytes)."""
    skipped = set(skip)
    digest = hashlib.sha256()
    try:
        real_top = top.resolve()
    except (OSError, RuntimeError):
        return "unreadable"
    seen: set[str] = set()
    stack = [("", str(top))]
    while stack:
        rel, path = stack.pop()
        try:
            real = os.path.realpath(path)
            if real in seen:
                digest.update(f"\0seen\0{rel}".encode())
                continue
            seen.add(real)
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as exc:
            digest.update(f"\0unlisted\0{rel}\0{exc.errno}".encode())
            continue
        below = []
        for entry in entries:
            if entry.name.startswith(".") or entry.name in skipped:
                continue
            name = f"{rel}/{entry.name}" if rel else entry.name
            link = entry.is_symlink()
            if link:
                try:
                    digest.update(f"\0link\0{name}\0{os.readlink(entry.path)}".encode())
                except OSError as exc:
                    digest.update(f"\0link\0{name}\0{exc.errno}".encode())
            if entry.is_dir():
                if not link or _inside(entry.path, real_top):
                    below.append((name, entry.path))
                digest.update(f"\0dir\0{name}".encode())
            elif entry.is_file():
                digest.update(f"\0file\0{name}\0{_file_digest(entry.path)}".encode())
            else:
                digest.update(f"\0other\0{name}".encode())
        stack.extend(reversed(below))
    return digest.hexdigest()


def _inside(path: str, top: Path) -> bool:
    try:
        Path(path).resolve().relative_to(top)
        return True
    except (ValueError, OSError, RuntimeError):
        return False


@functools.cache
def code_digest() -> str:
    """The digest of opplan's own source files: an edited checkout changes it, not only a
    new release (caches keyed by it never outlive the code that made them)."""
    return tree_digest(Path(__file__).resolve().parent.parent, skip=("__pycache__",))
