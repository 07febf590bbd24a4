"""The façade of ``opplan diff`` (docs/revisions.md): two versions of a cycle compared.

Each side is a cycle directory, or a git revision of the cycle's repository read into
a temporary directory without touching the working tree (:mod:`opplan.util.gitrev`).
Each side goes through the pipeline's own check and roll-up, so the statuses compared
are the real roll-up's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from opplan.model.diagnostics import Diagnostic, failed
from opplan.report.changes import CycleDiff
from opplan.revision.compare import compare


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


def diff(
    old: str | Path,
    new: str | Path,
    *,
    old_label: str | None = None,
    new_label: str | None = None,
) -> Diffed:
    """Compare two cycle directories: each is checked and rolled up, then compared."""
    from opplan.pipeline import rollup

    before = rollup(old)
    after = rollup(new)
    if before.report is None or after.report is None:
        return Diffed(before.diagnostics, after.diagnostics, None)
    result, diags = compare(
        before.cycle,
        before.report,
        after.cycle,
        after.report,
        old_label or str(old),
        new_label or str(new),
    )
    return Diffed(before.diagnostics, after.diagnostics, result, diags)
