"""``opplan build --since OLD``: the report with what changed since an older version.

OLD is a cycle directory. Without ``--since``, a cycle whose cycle.yaml has ``revises:``
(an OP2 made by ``opplan revise``) is compared with the cycle it revises when that is
found at ``revises.path``; when it is not, a warning says so and the documents have no
"What changed" section. ``--since none`` turns the section off.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from opplan.load.orgtree import CYCLE_FILE
from opplan.model import Cycle
from opplan.model.diagnostics import Diagnostic, UserError, failed, warning
from opplan.report.records import Report
from opplan.util.gitplace import git_place

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


def _revised_dir(cycle: Cycle) -> tuple[Path | None, str, list[Diagnostic]]:
    """The directory of the cycle this one revises, its label, or a warning."""
    settings = cycle.settings
    revises = settings.revises if settings is not None else None
    if revises is None:
        return None, "", []
    label = _label(revises.name, revises.commit, revises.dirty)
    where = cycle.dir / revises.path if revises.path else None
    if where is not None and (where / CYCLE_FILE).is_file():
        return where, label, []
    shown = revises.path or "(no path)"
    return (
        None,
        label,
        [
            warning(
                revises.source.at("path") if revises.path else revises.source,
                f"the revised cycle {revises.name} is not at {shown}: the documents have no "
                "'What changed' section (opplan build --since DIR names where it is)",
                SINCE_RULE,
            )
        ],
    )


def with_changes(
    cycle: Cycle, report: Report, since: str | None
) -> tuple[Report, list[Diagnostic]]:
    """``report`` with the changes since ``since`` (None: the cycle ``revises:``, if any;
    ``"none"``: no changes), and the warnings of finding it."""
    from opplan.pipeline import rollup
    from opplan.revision.compare import compare
    from opplan.revision.doctext import document_changes

    if since == SINCE_NONE:
        return report, []
    if since is None:
        old_dir, label, diags = _revised_dir(cycle)
        if old_dir is None:
            return report, diags
    else:
        old_dir, label, diags = Path(since), "", []
        if not (old_dir / CYCLE_FILE).is_file():
            raise SinceError(f"--since {since}: not a cycle directory (no {CYCLE_FILE} in it)")
    before = rollup(old_dir)
    if before.report is None or failed(before.diagnostics):
        problem = f"the old cycle {old_dir} has errors (opplan check {old_dir} shows them)"
        if since is not None:
            raise SinceError(f"--since {since}: {problem}")
        return report, [*diags, warning(cycle.source, f"{problem}: no 'What changed'", SINCE_RULE)]
    if not label:
        place = git_place(old_dir)
        name = before.cycle.settings.name if before.cycle.settings else str(old_dir)
        label = _label(name, place.commit if place else None, bool(place and place.dirty))
    diff, found = compare(before.cycle, before.report, cycle, report, label, str(cycle.dir))
    changes = document_changes(diff, report, label)
    return dataclasses.replace(report, changes=changes), [*diags, *found]
