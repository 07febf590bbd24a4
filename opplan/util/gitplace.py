"""Where a directory stands in git: the commit its repository is at, and uncommitted changes.

Runs the ``git`` program (read-only commands, a bounded time each); a directory outside any
repository, a repository without commits, or no ``git`` at all gives ``None``.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: Seconds one git command may take.
GIT_TIMEOUT = 30


@dataclass(frozen=True)
class GitPlace:
    """A directory inside a git repository: the commit checked out, the directory's path
    inside the repository (POSIX, ``.`` for the top), and whether it differs from that
    commit (modified, staged or untracked files under it)."""

    commit: str
    repo_path: str
    dirty: bool


def _git(directory: Path, *args: str) -> str | None:
    """``git -C directory args``' output, or None when it fails."""
    exe = shutil.which("git")
    if exe is None:
        return None
    try:
        done = subprocess.run(
            [exe, "-C", str(directory), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_place(directory: Path) -> GitPlace | None:
    """Where ``directory`` stands in git, or None outside a repository (or before its first
    commit)."""
    top = _git(directory, "rev-parse", "--show-toplevel")
    commit = _git(directory, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    if not top or not commit:
        return None
    repo_path = Path(directory).resolve().relative_to(Path(top.strip()).resolve()).as_posix()
    status = _git(directory, "status", "--porcelain", "--untracked-files=normal", "--", ".")
    return GitPlace(commit.strip(), repo_path, status is None or bool(status.strip()))
