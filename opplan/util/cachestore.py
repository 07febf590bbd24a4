"""A cache on disk that is never trusted: each entry is plain JSON under a keyed hash.

An entry is ``MAGIC``, the HMAC-SHA256 of its name and payload (hex), a newline, and the
payload: UTF-8 JSON, which cannot run code when it is read. The HMAC key is 32 random bytes
kept outside the cached directory, in the user's own cache directory
(``$XDG_CACHE_HOME/opplan/cache-key``, else ``~/.cache/opplan/cache-key``, mode 0600), so an
entry written by another user, another machine, another opplan version or by hand does not
verify and is ignored: a corrupted, truncated or foreign entry is a miss, never an error and
never a result. The name is part of what the key signs, so a valid entry copied under
another name does not verify either.

Every write is atomic (:mod:`opplan.util.atomic`); two processes writing one entry write the
same bytes, and the last rename wins. A directory that cannot be created or written, or a
key that cannot be read, means no cache: :func:`open_store` returns None and the caller
works without it. ``OPPLAN_CACHE=off`` turns every cache off.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from opplan.util.atomic import write_bytes

#: The cache directory inside a cycle directory (it holds a ``.gitignore`` of ``*``).
CACHE_DIR = ".opplan-cache"
#: The first bytes of every entry, with the entry format's version.
MAGIC = b"opplan-cache 1\n"
#: Largest entry read back (a larger file is not ours, or not worth reading).
MAX_ENTRY_BYTES = 64 * 1024 * 1024
#: Entries kept in one cache directory; past it the oldest-used are removed.
MAX_ENTRIES = 16
#: The environment variable that turns the cache off (``off``, ``0``, ``no``, ``false``).
ENV = "OPPLAN_CACHE"
_OFF = {"off", "0", "no", "false"}
_KEY_BYTES = 32


def enabled() -> bool:
    """False when the user turned the cache off with ``OPPLAN_CACHE=off``."""
    return os.environ.get(ENV, "").strip().lower() not in _OFF


def key_file() -> Path:
    """Where this user's cache key is kept (outside every cycle and repository)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "opplan" / "cache-key"


def _secret() -> bytes | None:
    """This user's key, created on first use; None when it cannot be read or made."""
    path = key_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(_KEY_BYTES))
        key = path.read_bytes()
    except OSError:
        return None
    return key if len(key) == _KEY_BYTES else None  # a half-written or foreign key: no cache


class Store:
    """The entries of one cache directory, signed with this user's key."""

    def __init__(self, directory: Path, key: bytes, limit: int = MAX_ENTRIES) -> None:
        self.directory = directory
        self._key = key
        self.limit = limit

    def _mac(self, name: str, payload: bytes) -> bytes:
        mac = hmac.new(self._key, name.encode() + b"\0" + payload, hashlib.sha256)
        return mac.hexdigest().encode()

    def _path(self, name: str) -> Path:
        return self.directory / f"{name}.json"

    def get(self, name: str) -> Any | None:
        """The value stored under ``name``, or None (missing, unreadable, not signed by us)."""
        try:
            with self._path(name).open("rb") as f:
                if os.fstat(f.fileno()).st_size > MAX_ENTRY_BYTES:
                    return None
                data = f.read(MAX_ENTRY_BYTES + 1)
        except OSError:
            return None
        head = len(MAGIC)
        mac, payload = data[head : head + 64], data[head + 65 :]
        if not data.startswith(MAGIC) or data[head + 64 : head + 65] != b"\n":
            return None
        if not hmac.compare_digest(mac, self._mac(name, payload)):
            return None
        try:
            value = json.loads(payload.decode("utf-8"))
        except ValueError:  # cannot happen for an entry we signed; stay safe anyway
            return None
        with contextlib.suppress(OSError):
            os.utime(self._path(name))  # used now: pruned last
        return value

    def put(self, name: str, value: Any, prune: bool = True) -> None:
        """Store ``value`` (plain JSON data) under ``name``, then (with ``prune``) remove the
        least recently used entries past the limit; a failure just stores nothing."""
        payload = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        with contextlib.suppress(OSError):
            write_bytes(self._path(name), MAGIC + self._mac(name, payload) + b"\n" + payload)
            if prune:
                self.prune(keep=name)

    def remove(self, name: str) -> None:
        """Remove the entry ``name`` if there is one."""
        with contextlib.suppress(OSError):
            self._path(name).unlink()

    def names(self) -> list[str]:
        """The names of the entries in this directory (signed or not)."""
        try:
            return sorted(p.stem for p in self.directory.glob("*.json") if p.is_file())
        except OSError:
            return []

    def prune(self, limit: int | None = None, keep: str = "") -> None:
        """Remove the least recently used entries past ``limit`` (default: the store's),
        never ``keep``."""
        limit = self.limit if limit is None else limit
        with contextlib.suppress(OSError):
            entries = sorted(
                (p.stat().st_mtime_ns, p)
                for p in self.directory.glob("*.json")
                if p.is_file() and p.stem != keep
            )
            limit -= 1 if keep else 0
            for _, path in entries[: max(0, len(entries) - limit)]:
                with contextlib.suppress(OSError):
                    path.unlink()


def open_store(directory: Path, limit: int = MAX_ENTRIES) -> Store | None:
    """The cache in ``directory`` (created, with a ``.gitignore`` of ``*`` so it is never
    committed; its parent must exist), keeping at most ``limit`` entries, or None when the
    cache is off or cannot be used here."""
    if not enabled():
        return None
    key = _secret()
    if key is None:
        return None
    try:
        directory.mkdir(exist_ok=True)
        ignore = directory / ".gitignore"
        if not ignore.is_file():
            write_bytes(ignore, b"*\n")
    except OSError:
        return None
    return Store(directory, key, limit)
