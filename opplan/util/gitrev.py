"""Reading a directory of a git revision without touching the working tree.

``opplan diff`` compares a cycle with an earlier revision of it. The revision's files
are streamed out of the object store (``git archive``) into a temporary directory:
no checkout, no stash, no index update, nothing written in the repository. git runs
as a subprocess (no git library), with options that keep a repository's own
configuration from running programs (fsmonitor, hooks, pagers), a timeout, and caps
on what it may extract. Every failure is a :class:`GitError` with a one-line message.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

#: Caps on a revision's directory: bytes of file content, and files.
MAX_BYTES = 2 * 1024**3
MAX_FILES = 500_000
#: Seconds any one git command may take.
TIMEOUT = 300

_SAFE = (
    "-c", "core.fsmonitor=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.pager=cat",
    "-c", "protocol.allow=never",
)  # fmt: skip
_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}


class GitError(Exception):
    """A revision that cannot be read: the message is one line for the user."""


class GitMissing(GitError):
    """git itself cannot be run."""


def _first_line(stderr: bytes, fallback: str) -> str:
    """git's message, first line, without its ``fatal:``/``error:`` prefix."""
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    if not lines:
        return fallback
    text = lines[0]
    for prefix in ("fatal: ", "error: "):
        text = text.removeprefix(prefix)
    return text


def _run(args: Sequence[str], cwd: Path) -> str:
    """Run ``git args`` in ``cwd``; its stdout, or :class:`GitError` with its first line."""
    try:
        done = subprocess.run(
            ["git", *_SAFE, *args],
            cwd=cwd,
            capture_output=True,
            timeout=TIMEOUT,
            env={**os.environ, **_ENV},
            check=False,
        )
    except FileNotFoundError:
        raise GitMissing(
            "git is not installed (or not on PATH): it is needed to read a revision"
        ) from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took more than {TIMEOUT} s; stopped") from None
    if done.returncode != 0:
        raise GitError(_first_line(done.stderr, f"git {args[0]} failed"))
    return done.stdout.decode("utf-8", "replace")


def _existing(path: Path) -> Path:
    """``path`` or its nearest existing parent directory (a directory removed since the
    revision is still found through its parent)."""
    at = path
    while not at.is_dir() and at != at.parent:
        at = at.parent
    return at


def locate(path: str | Path) -> tuple[Path, str]:
    """The repository holding ``path`` (relative to the current directory) and the path
    inside it, as git names it (``"."`` for the top)."""
    full = Path(os.path.realpath(Path(path)))
    try:
        top = Path(_run(["rev-parse", "--show-toplevel"], _existing(full)).strip())
    except GitMissing:
        raise
    except GitError as exc:
        raise GitError(f"{path}: not in a git repository ({exc})") from None
    top = Path(os.path.realpath(top))
    try:
        inside = full.relative_to(top).as_posix()
    except ValueError:
        raise GitError(f"{path}: not inside the repository at {top}") from None
    return top, inside or "."


def commit_of(repo: Path, rev: str) -> str:
    """The commit ``rev`` names in ``repo`` (a branch, tag, hash, ``HEAD~1``...)."""
    if not rev or rev.startswith("-"):
        raise GitError(f"'{rev}' is not a revision")
    try:
        return _run(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], repo
        ).strip()
    except GitError:
        raise GitError(f"'{rev}' is not a revision of the repository at {repo}") from None


def _entries(repo: Path, commit: str, inside: str, rev: str) -> tuple[int, int]:
    """How many files and bytes the revision's directory holds; :class:`GitError` when it
    is not a directory of that revision or passes the caps."""
    spec = f"{commit}:{inside}" if inside != "." else f"{commit}:"
    try:
        kind = _run(["cat-file", "-t", spec], repo).strip()
    except GitError:
        kind = ""
    if kind != "tree":
        raise GitError(f"revision '{rev}' has no directory '{inside}'")
    files = size = 0
    for line in _run(["ls-tree", "-r", "-l", "-z", commit, "--", inside], repo).split("\0"):
        meta = line.split("\t", 1)[0].split()
        if len(meta) == 4 and meta[1] == "blob":
            files += 1
            size += int(meta[3]) if meta[3].isdigit() else 0
    if files > MAX_FILES or size > MAX_BYTES:
        raise GitError(
            f"revision '{rev}' of '{inside}' holds {files} files, {size} bytes: more than "
            f"opplan reads ({MAX_FILES} files, {MAX_BYTES} bytes)"
        )
    return files, size


def _extract(repo: Path, commit: str, inside: str, dest: Path) -> None:
    """Stream ``git archive`` of the directory into ``dest``: regular files and directories
    only, every name inside ``dest``, the caps enforced as it reads."""
    args = ["git", *_SAFE, "archive", "--format=tar", commit, "--", inside]
    proc = subprocess.Popen(
        args, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **_ENV}
    )
    assert proc.stdout is not None
    files = size = 0
    try:
        with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
            for member in tar:
                name = PurePosixPath(member.name)
                if name.is_absolute() or ".." in name.parts:
                    raise GitError(f"revision holds an unsafe path: {member.name}")
                target = dest.joinpath(*name.parts)
                if member.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                elif member.isfile():
                    files += 1
                    size += member.size
                    if files > MAX_FILES or size > MAX_BYTES:
                        raise GitError("the revision's directory is larger than opplan reads")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    source = tar.extractfile(member)
                    assert source is not None
                    with open(target, "wb") as out:
                        shutil.copyfileobj(source, out)
        proc.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise GitError(f"git archive took more than {TIMEOUT} s; stopped") from None
    except tarfile.TarError as exc:
        raise GitError(f"git archive gave an unreadable archive: {exc}") from None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        err = proc.stderr.read() if proc.stderr else b""
        proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
    if proc.returncode != 0:
        raise GitError(_first_line(err, "git archive failed"))


@contextmanager
def revision_dir(path: str | Path, rev: str) -> Iterator[Path]:
    """The directory ``path`` (relative to the current directory) as it was at ``rev``,
    read into a temporary directory that is removed on exit. The working tree, the
    index and the repository are not touched."""
    repo, inside = locate(path)
    commit = commit_of(repo, rev)
    _entries(repo, commit, inside, rev)
    tmp = Path(tempfile.mkdtemp(prefix="opplan-rev-"))
    try:
        _extract(repo, commit, inside, tmp)
        yield tmp / inside if inside != "." else tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@dataclass(frozen=True)
class GitPlace:
    """A directory inside a git repository: the commit checked out, the directory's path
    inside the repository (POSIX, ``.`` for the top), and whether it differs from that
    commit (modified, staged or untracked files under it)."""

    commit: str
    repo_path: str
    dirty: bool


def git_place(directory: Path) -> GitPlace | None:
    """Where ``directory`` stands in git (``opplan revise`` records it in ``revises:``, the
    "What changed" label shows it), or None outside a repository (or before its first
    commit)."""
    try:
        top, inside = locate(directory)
        commit = commit_of(top, "HEAD")
        status = _run(["status", "--porcelain", "--untracked-files=normal", "--", inside], top)
    except GitError:
        return None
    return GitPlace(commit, inside, bool(status.strip()))
