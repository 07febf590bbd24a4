"""Where a path sits in its git repository, found without running git.

The repository root is the nearest directory at or above a path that holds a
``.git`` entry (a directory, or the file of a worktree or submodule): the
directory ``git rev-parse --show-toplevel`` prints, without needing git on the
machine. CI annotations, SARIF and CODEOWNERS name files relative to it.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath


def repo_root(start: str | Path) -> Path | None:
    """The root of the git repository holding ``start`` (absolute), or None outside git."""
    here = Path(os.path.abspath(start))
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return directory
    return None


def relative_to_root(path: str | Path, root: Path | None) -> str:
    """``path`` as a POSIX path relative to ``root``; as given when there is no root or
    the path lies outside it."""
    if root is None:
        return PurePosixPath(Path(path)).as_posix()
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return PurePosixPath(Path(path)).as_posix()
