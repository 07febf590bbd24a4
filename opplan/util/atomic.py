"""Atomic writes: a crash or a full disk leaves the old file, never half a new one.

:func:`write_bytes` writes a whole file: a temporary file beside it, fsync,
rename. A path that is a symlink is written through to its target, so the link
stays a link. Every failure is an :class:`OSError` whose ``filename`` is the
path written, and the temporary file is always removed.

:func:`rewrite` is for commands that edit a file others may edit at the same
moment (``review import`` into a plan.yaml): it takes an exclusive lock on the
file, checks that the file still holds the bytes the command based its edit on,
and only then writes. A concurrent change makes the command refuse with
:class:`FileChanged` instead of silently losing the other command's edit.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

#: How long :func:`rewrite` waits for another command to release the file.
LOCK_TIMEOUT = 60.0


class FileChanged(OSError):
    """The file changed while a command was editing it."""


class FileLocked(FileChanged):
    """Another command held the file's lock for more than :data:`LOCK_TIMEOUT` seconds."""


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file + fsync + rename)."""
    path = Path(path)
    target = _target(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _with_path(exc, path) from exc
    _replace(target, data, shown=path)


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    write_bytes(path, text.encode("utf-8"))


def rewrite(path: Path, edit: Callable[[bytes], bytes], *, expected: bytes | None = None) -> bool:
    """Edit the existing file ``path`` in place, atomically, under an exclusive lock.

    Under the lock: read the file; if ``expected`` is given and the file no
    longer holds exactly those bytes (the bytes the command read when it
    started), raise :class:`FileChanged`; else write ``edit(current)`` if it
    differs. Returns whether the file was written. Symlinks are written through.

    Every command that rewrites a file others may be editing uses this, so two
    runs on one file never lose each other's changes: the second one refuses.
    """
    path = Path(path)
    target = _target(path)
    with _locked(target, path) as fh:
        try:
            current = fh.read()
        except OSError as exc:
            raise _with_path(exc, path) from exc
        if expected is not None and current != expected:
            raise FileChanged(
                errno.EAGAIN,
                f"{path.name} changed while this command was running (another "
                "command or an editor wrote it); run the command again",
                str(path),
            )
        new = edit(current)
        if new == current:
            return False
        _replace(target, new, shown=path)
        return True


def _target(path: Path) -> Path:
    """The file a write to ``path`` lands in: the final target of a symlink."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


@contextlib.contextmanager
def _locked(target: Path, shown: Path) -> Iterator[IO[bytes]]:
    """``target`` open for reading under an exclusive ``flock``.

    The lock is on the file itself (no lock file left in the repository). A
    rename by the previous holder replaces the file, so after locking we check
    that the file we hold is still the one at the path, and retry if not.
    """
    deadline = time.monotonic() + LOCK_TIMEOUT
    while True:
        try:
            fh = target.open("rb")
        except OSError as exc:
            raise _with_path(exc, shown) from exc
        try:
            while True:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise FileLocked(
                            errno.EAGAIN,
                            f"{shown.name} is being written by another command "
                            f"(locked for more than {LOCK_TIMEOUT:.0f} s); try again",
                            str(shown),
                        ) from None
                    time.sleep(0.01)
            try:
                same = os.fstat(fh.fileno()).st_ino == os.stat(target).st_ino
            except FileNotFoundError:
                same = False
            if same:
                yield fh
                return
        finally:
            fh.close()  # closing releases the lock


def _replace(target: Path, data: bytes, *, shown: Path) -> None:
    """Write ``data`` to a temporary file beside ``target``, fsync, rename over it."""
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        tmp = None
        _fsync_dir(target.parent)
    except OSError as exc:
        raise _with_path(exc, shown) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (best effort: not every file system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _with_path(exc: OSError, path: Path) -> OSError:
    """``exc`` as an OSError of the same kind naming ``path`` (the file the user asked for)."""
    return OSError(exc.errno, exc.strerror or str(exc), str(path))
