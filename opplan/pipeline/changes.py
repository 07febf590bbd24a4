"""``opplan build --since OLD``: the report with what changed since an older version.

OLD is a cycle directory, ``REV:path`` (a directory as it was at a git revision, as
``opplan diff`` reads it), or a bare revision (this cycle's directory at that revision). Without ``--since``, a cycle whose cycle.yaml has ``revises:``
(an OP2 made by ``opplan revise``) is compared with the cycle it revises: at
``revises.path``, else read from git at ``revises.commit``; when neither finds it, a
warning says so and the documents have no "What changed" section. ``--since none`` turns
the section off.
"""

from __future__ import annotations

import dataclasses
from contextlib import ExitStack
from pathlib import Path

from opplan.load.orgtree import CYCLE_FILE
from opplan.model import Cycle
from opplan.model.diagnostics import Diagnostic, UserError, failed, warning
from opplan.report.records import Report
from opplan.util.gitrev import GitError, commit_of, git_place, locate, revision_dir

#: ``--since none``: no "What changed" section, even for a revision.
SINCE_NONE = "none"
SINCE_RULE = "revises"


class SinceError(UserError):
    """``--since`` names something that cannot be compared (the message says why)."""

    usage = True


def _label(name: str, commit: str | None, dirty: bool) -> str:
    """``Northwind OP1 2027 (a1b2c3d)``: the name and the short commit, when it is known and
    the directory did not differ from it."""
    return f"{name} ({commit[:7]})" if commit and not dirty else name


def _revised_dir(cycle: Cycle, stack: ExitStack) -> tuple[Path | None, str, list[Diagnostic]]:
    """The directory of the cycle this one revises (at ``revises.path``, else read from git at
    ``revises.commit``), its label, or a warning."""
    settings = cycle.settings
    revises = settings.revises if settings is not None else None
    if revises is None:
        return None, "", []
    label = _label(revises.name, revises.commit, revises.dirty)
    where = cycle.dir / revises.path if revises.path else None
    if where is not None and (where / CYCLE_FILE).is_file():
        return where, label, []
    for candidate in _in_git(cycle, revises.path, revises.repo_path) if revises.commit else ():
        try:
            found = stack.enter_context(revision_dir(candidate, revises.commit or ""))
        except GitError:
            continue
        if (found / CYCLE_FILE).is_file():
            return found, label, []
    shown = revises.path or "(no path)"
    source = revises.source.at("path") if revises.path else revises.source
    message = (
        f"the revised cycle {revises.name} is not at {shown}"
        + (f" nor in git at {revises.commit[:7]}" if revises.commit else "")
        + ": the documents have no 'What changed' section "
        "(opplan build --since DIR names where it is)"
    )
    return None, label, [warning(source, message, SINCE_RULE)]


def _in_git(cycle: Cycle, path: str | None, repo_path: str | None) -> list[Path]:
    """Where git may find the revised cycle: its path from this cycle, and its path in the
    repository that holds this cycle."""
    out = [cycle.dir / path] if path else []
    if repo_path:
        try:
            top, _ = locate(cycle.dir)
        except GitError:
            return out
        out.append(top / repo_path)
    return out


def _old_side(since: str, cycle: Cycle, stack: ExitStack) -> tuple[Path, str | None]:
    """``--since``'s directory, and the commit when it names a git revision: ``REV:path``,
    or a bare revision (``op1-final``) of this cycle's own directory."""
    if Path(since).is_dir():
        if not (Path(since) / CYCLE_FILE).is_file():
            raise SinceError(f"--since {since}: not a cycle directory (no {CYCLE_FILE} in it)")
        return Path(since), None
    from opplan.pipeline.revisions import side_dir

    spec = since if ":" in since else f"{since}:{cycle.dir}"
    try:
        where, _ = side_dir(spec, stack)
    except UserError as exc:
        what = "" if ":" in since else "neither a cycle directory nor a git revision: "
        raise SinceError(f"--since {since}: {what}{exc}") from None
    rev, _, path = spec.partition(":")
    try:
        return where, commit_of(locate(path or ".")[0], rev)
    except GitError:
        return where, None


def with_changes(
    cycle: Cycle, report: Report, since: str | None
) -> tuple[Report, list[Diagnostic]]:
    """``report`` with the changes since ``since`` (a cycle directory or ``REV:path``; None:
    the cycle ``revises:``, if any; ``"none"``: no changes), and the warnings of finding it."""
    if since == SINCE_NONE:
        return report, []
    with ExitStack() as stack:
        if since is None:
            old_dir, label, diags = _revised_dir(cycle, stack)
            if old_dir is None:
                return report, diags
            commit = None
        else:
            (old_dir, commit), label, diags = _old_side(since, cycle, stack), "", []
        return _compared(cycle, report, old_dir, label, commit, since, diags)


def _compared(
    cycle: Cycle,
    report: Report,
    old_dir: Path,
    label: str,
    commit: str | None,
    since: str | None,
    diags: list[Diagnostic],
) -> tuple[Report, list[Diagnostic]]:
    from opplan.pipeline import rollup
    from opplan.revision.compare import compare
    from opplan.revision.doctext import document_changes

    before = rollup(old_dir, cache=False)  # often a checkout in a scratch directory
    if before.report is None or failed(before.diagnostics):
        shown = since or str(old_dir)
        problem = f"the old cycle {shown} has errors (opplan check shows them)"
        if since is not None:
            raise SinceError(f"--since {since}: {problem}")
        return report, [*diags, warning(cycle.source, f"{problem}: no 'What changed'", SINCE_RULE)]
    if not label:
        place = git_place(old_dir) if commit is None else None
        name = before.cycle.settings.name if before.cycle.settings else str(old_dir)
        if commit is None and place is not None and not place.dirty:
            commit = place.commit
        label = _label(name, commit, False)
    diff, found = compare(before.cycle, before.report, cycle, report, label, str(cycle.dir))
    changes = document_changes(diff, report, label)
    return dataclasses.replace(report, changes=changes), [*diags, *found]
