"""The façade of ``opplan diff`` (docs/revisions.md): two versions of a cycle compared.

Each side is a cycle directory, or a directory as it was at a git revision, read into
a temporary directory without touching the working tree (:mod:`opplan.util.gitrev`).
Each side goes through the pipeline's own check and roll-up, so the statuses compared
are the real roll-up's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from opplan.model.diagnostics import Diagnostic, UserError, failed
from opplan.report.changes import CycleDiff
from opplan.revision.compare import compare
from opplan.util.gitrev import GitError, revision_dir


@dataclass(frozen=True)
class Diffed:
    """Both sides' diagnostics and, when neither has errors, the diff."""

    old_diagnostics: list[Diagnostic]
    new_diagnostics: list[Diagnostic]
    diff: CycleDiff | None
    diagnostics: list[Diagnostic] = field(default_factory=list)  # the diff's own (renamed_from)

    @property
    def failed_side(self) -> str | None:
        """``"old"`` or ``"new"`` when that side has errors (the old side first), else None."""
        if failed(self.old_diagnostics):
            return "old"
        if failed(self.new_diagnostics):
            return "new"
        return None


def _usage(message: str) -> UserError:
    problem = UserError(message)
    problem.usage = True
    return problem


def _side(arg: str | Path, stack: ExitStack) -> tuple[Path, str | None]:
    """A side's directory, and the temporary directory a revision was read into (whose
    paths diagnostics name by the argument instead)."""
    text = str(arg)
    if Path(text).is_dir() or ":" not in text:
        if not Path(text).is_dir():
            raise _usage(f"no directory '{text}'")
        return Path(text), None
    rev, _, path = text.partition(":")
    try:
        where = stack.enter_context(revision_dir(path or ".", rev))
    except GitError as exc:
        raise _usage(str(exc)) from None
    return where, str(where)


def _relabel(diags: list[Diagnostic], tmp: str | None, label: str) -> list[Diagnostic]:
    """Diagnostics of a revision read into ``tmp``, their paths under ``label`` instead."""
    if tmp is None:
        return diags
    out = []
    for d in diags:
        path = d.source.path
        if path.startswith(tmp):
            path = label + path[len(tmp) :]
        out.append(dataclasses.replace(d, source=dataclasses.replace(d.source, path=path)))
    return out


def diff(old: str | Path | None, new: str | Path = ".", *, old_rev: str | None = None) -> Diffed:
    """Compare two versions of a cycle: each a directory or ``REV:path`` (a directory as
    it was at a git revision); ``old_rev`` makes the old side ``new`` at that revision."""
    from opplan.pipeline import rollup

    if old_rev is not None:
        if old is not None:
            raise _usage("give OLD or --old-rev, not both")
        if ":" in str(new) and not Path(new).is_dir():
            raise _usage("with --old-rev, NEW is a directory of the working tree")
        old = f"{old_rev}:{new}"
    if old is None:
        raise _usage("give OLD and NEW, or --old-rev REV [DIR]")
    with ExitStack() as stack:
        old_dir, old_tmp = _side(old, stack)
        new_dir, new_tmp = _side(new, stack)
        before = rollup(old_dir)
        after = rollup(new_dir)
        old_diags = _relabel(before.diagnostics, old_tmp, str(old))
        new_diags = _relabel(after.diagnostics, new_tmp, str(new))
        if before.report is None or after.report is None:
            return Diffed(old_diags, new_diags, None)
        result, diags = compare(
            before.cycle, before.report, after.cycle, after.report, str(old), str(new)
        )
        return Diffed(old_diags, new_diags, result, _relabel(diags, new_tmp, str(new)))


def diff_output(result: CycleDiff, fmt: str, node: str | None = None) -> Iterator[str]:
    """The diff (of ``node``'s subtree) as ``table``, ``json`` (the contract) or ``csv``."""
    from opplan.render.changes import csv_text, json_text
    from opplan.render.changetable import table_text

    if fmt == "json":
        yield json_text(result, node)
    elif fmt == "csv":
        yield csv_text(result, node)
    else:
        yield table_text(result, node)
