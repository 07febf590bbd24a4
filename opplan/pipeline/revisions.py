"""The façade of ``opplan diff`` (docs/revisions.md): two versions of a cycle compared.

Each side is a cycle directory, or a directory as it was at a git revision, read into
a temporary directory without touching the working tree (:mod:`opplan.util.gitrev`).
Each side is loaded, validated and rolled up by the pipeline's own stages, so the statuses
compared are the real roll-up's; the policies and narrative checks of ``opplan check``,
which change no figure, are not run (``opplan check`` reports them).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from opplan.check.validate import validate
from opplan.engine.rollup import rollup as roll_up
from opplan.load.loader import Reuse, load
from opplan.load.orgtree import PLAN_FILE
from opplan.load.yamlsrc import MAX_FILE_BYTES, resolve_positions
from opplan.model import Cycle, Plan
from opplan.model.diagnostics import (
    Diagnostic,
    UserError,
    cap_per_file,
    failed,
    sort_diagnostics,
)
from opplan.report.changes import CycleDiff
from opplan.report.records import Report
from opplan.revision.compare import compare
from opplan.util.gcpause import paused_gc
from opplan.util.gitrev import GitError, revision_dir


@dataclass(frozen=True)
class Diffed:
    """Both sides' diagnostics (when a side has errors) and, when neither has, the diff."""

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


def side_dir(arg: str | Path, stack: ExitStack) -> tuple[Path, str | None]:
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


def _rolled(
    cycle_dir: Path, reuse: Reuse | None = None
) -> tuple[Cycle, list[Diagnostic], Report | None]:
    """One side: loaded, validated and rolled up as ``opplan rollup`` does, without what
    changes no figure (the policies and the narrative checks of ``opplan check``). Its
    diagnostics when it has errors (sorted, at exact positions), else none and the roll-up.

    ``reuse`` hands over the other side's plans of unchanged files; when the side has
    errors it is loaded again without, so that every diagnostic names its own files."""
    cycle, diags = load(cycle_dir, reuse=reuse)
    diags.extend(validate(cycle))
    if failed(diags):
        if reuse is not None:
            return _rolled(cycle_dir)
        return cycle, cap_per_file(sort_diagnostics(resolve_positions(diags))), None
    return cycle, [], roll_up(cycle)


def _unchanged(old: Cycle, old_dir: Path) -> Reuse:
    """The old side's plan of a node whose plan.yaml is byte for byte the same on the new
    side (at the same place in the tree): most files of two drafts are."""
    by_rel = {n.rel: n.plan for n in old.nodes.values() if n.plan is not None}

    def reuse(rel: str, path: Path) -> Plan | None:
        plan = by_rel.get(rel)
        if plan is None:
            return None
        before = old_dir / rel / PLAN_FILE
        try:
            size = path.stat().st_size
            if size != before.stat().st_size or size > MAX_FILE_BYTES:
                return None
            return plan if before.read_bytes() == path.read_bytes() else None
        except OSError:
            return None  # the loader reports it

    return reuse


def diff(old: str | Path | None, new: str | Path = ".", *, old_rev: str | None = None) -> Diffed:
    """Compare two versions of a cycle: each a directory or ``REV:path`` (a directory as
    it was at a git revision); ``old_rev`` makes the old side ``new`` at that revision."""
    if old_rev is not None:
        if old is not None:
            raise _usage("give OLD or --old-rev, not both")
        if ":" in str(new) and not Path(new).is_dir():
            raise _usage("with --old-rev, NEW is a directory of the working tree")
        old = f"{old_rev}:{new}"
    if old is None:
        raise _usage("give OLD and NEW, or --old-rev REV [DIR]")
    with ExitStack() as stack:
        stack.enter_context(paused_gc())  # two roll-ups and their comparison: no cycles
        old_dir, old_tmp = side_dir(old, stack)
        new_dir, new_tmp = side_dir(new, stack)
        old_cycle, old_diags, old_report = _rolled(old_dir)
        reuse = _unchanged(old_cycle, old_dir) if old_report is not None else None
        new_cycle, new_diags, new_report = _rolled(new_dir, reuse)
        old_diags = _relabel(old_diags, old_tmp, str(old))
        new_diags = _relabel(new_diags, new_tmp, str(new))
        if old_report is None or new_report is None:
            return Diffed(old_diags, new_diags, None)
        result, diags = compare(old_cycle, old_report, new_cycle, new_report, str(old), str(new))
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
