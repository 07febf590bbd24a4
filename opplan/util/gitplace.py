"""Where a directory stands in git: the commit its repository is at, and uncommitted changes.

``opplan revise`` records it in ``revises:`` and the "What changed" label shows it. git runs
through :mod:`opplan.util.gitrev` (read-only commands, the repository's own programs kept
from running, a bounded time); a directory outside any repository, a repository without
commits, or no ``git`` at all gives ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from opplan.util.gitrev import GitError, _run, commit_of, locate


@dataclass(frozen=True)
class GitPlace:
    """A directory inside a git repository: the commit checked out, the directory's path
    inside the repository (POSIX, ``.`` for the top), and whether it differs from that
    commit (modified, staged or untracked files under it)."""

    commit: str
    repo_path: str
    dirty: bool


def git_place(directory: Path) -> GitPlace | None:
    """Where ``directory`` stands in git, or None outside a repository (or before its first
    commit)."""
    try:
        top, inside = locate(directory)
        commit = commit_of(top, "HEAD")
        status = _run(["status", "--porcelain", "--untracked-files=normal", "--", inside], top)
    except GitError:
        return None
    return GitPlace(commit, inside, bool(status.strip()))
