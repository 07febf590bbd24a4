"""The pipeline for plans kept in git: CI output formats and CODEOWNERS.

``opplan check --format github|sarif`` prints the diagnostics for CI
(:mod:`opplan.render.diagnostics`); ``opplan codeowners`` writes the section of
CODEOWNERS that gives every node directory to its ``codeowners:``
(:mod:`opplan.check.codeowners`). Paths are relative to the repository's root.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from opplan.check.codeowners import LOCATIONS, codeowners_root, current_file, merged, section
from opplan.load.loader import load
from opplan.load.yamlsrc import resolve_positions
from opplan.model.diagnostics import Diagnostic, UserError, failed, sort_diagnostics
from opplan.render.diagnostics import github_text, sarif_text
from opplan.util import atomic
from opplan.util.repo import relative_to_root, repo_root

#: The formats of ``opplan check --format`` that this module prints.
CI_FORMATS: tuple[str, ...] = ("github", "sarif")


def opplan_version() -> str:
    """The installed opplan's version (``0+unknown`` when run from a bare source tree)."""
    try:
        return metadata.version("opplan")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def ci_output(diags: Sequence[Diagnostic], fmt: str, cycle_dir: str | Path) -> str:
    """``diags`` as GitHub Actions workflow commands (``github``) or a SARIF 2.1.0 log
    (``sarif``), paths relative to the root of the git repository holding ``cycle_dir``."""
    root = repo_root(cycle_dir)
    if fmt == "github":
        return github_text(diags, root)
    return sarif_text(diags, root, opplan_version())


def cycles_of(files: Sequence[str | Path]) -> list[Path]:
    """The cycles holding ``files`` (each file's nearest directory above with cycle.yaml),
    each once, in order; a file in no cycle (a README, a deleted file's path) adds none."""
    found: dict[Path, None] = {}
    for file in files:
        for directory in Path(file).parents:
            if (directory / "cycle.yaml").is_file():
                found.setdefault(directory)
                break
    return list(found)


@dataclass(frozen=True)
class Codeowners:
    """The CODEOWNERS section of a cycle and the file it belongs in.

    ``section`` is the cycle's section alone; ``file`` the CODEOWNERS file (the one
    asked for, else the one GitHub would read, else ``.github/CODEOWNERS``), ``old``
    its text now (None when it does not exist) and ``new`` its text with the section
    written. When the plans do not load, only ``diagnostics`` is filled.
    """

    diagnostics: list[Diagnostic]
    file: Path
    section: str = ""
    old: str | None = None
    new: str = ""
    owned: int = 0  #: how many node directories (and the cycle's) the section gives owners

    @property
    def stale(self) -> bool:
        """True when the file does not hold the section as it would be written now."""
        return self.old != self.new

    def diff(self) -> str:
        """What writing the section changes in the file, as a unified diff."""
        name = str(self.file)
        return "".join(
            difflib.unified_diff(
                (self.old or "").splitlines(keepends=True),
                self.new.splitlines(keepends=True),
                fromfile=name,
                tofile=f"{name} (as opplan codeowners writes it)",
            )
        )


def codeowners(
    cycle_dir: str | Path, *, out: str | Path | None = None, root: str | Path | None = None
) -> Codeowners:
    """The CODEOWNERS section of the cycle at ``cycle_dir`` and the file it goes in.

    ``root``: the directory the file's paths start from (default: the git repository's
    root, else the cycle directory's parent). Nothing is written (see
    :func:`write_codeowners`).
    """
    base = codeowners_root(cycle_dir, root)
    if not Path(os.path.abspath(cycle_dir)).is_relative_to(base):
        outside = UserError(f"the cycle directory {cycle_dir} is not under --root {root}")
        outside.usage = True
        raise outside
    file = (
        Path(out)
        if out is not None
        else Path(os.path.relpath(current_file(base) or base / LOCATIONS[0]))
    )
    cycle, diags = load(cycle_dir, cache=True)
    if failed(diags):
        return Codeowners(sort_diagnostics(resolve_positions(diags)), file)
    lines = section(cycle, base, relative_to_root(file, base))
    try:
        old = file.read_text(encoding="utf-8") if file.is_file() else None
    except UnicodeDecodeError as exc:
        raise UserError(f"{file} is not UTF-8 text, so opplan cannot update it") from exc
    owned = sum(1 for line in lines if not line.startswith("#"))
    return Codeowners([], file, "\n".join(lines) + "\n", old, merged(old, lines), owned)


def write_codeowners(result: Codeowners) -> bool:
    """Write the file with the section in place (atomically); False when it was current."""
    if not result.stale:
        return False
    result.file.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(result.file, result.new.encode("utf-8"))
    return True
