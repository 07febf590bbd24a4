"""``opplan revise``: a revision (OP2) made from a cycle (OP1), and what it revises."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from opplan.model.diagnostics import Diagnostic, failed

if TYPE_CHECKING:
    from opplan.review.revise import Revision


@dataclass(frozen=True)
class Revised:
    """The revised cycle's diagnostics and the revision written (None when it had errors:
    then nothing was written)."""

    diagnostics: list[Diagnostic]
    revision: Revision | None


def revise(op1: str | Path, op2: str | Path, *, name: str | None = None) -> Revised:
    """Copy the cycle ``op1`` into ``op2`` as its revision: ``kind: OP2``, ``name`` (default:
    OP1 -> OP2 in the old name), a ``revises:`` mapping, deferred asks live again.

    Raises :class:`~opplan.model.diagnostics.UserError` (a usage error) when ``op2`` exists
    and is not empty or overlaps ``op1``; returns the diagnostics, writing nothing, when
    ``op1`` has errors.
    """
    from opplan.pipeline import check
    from opplan.review.revise import refuse_target
    from opplan.review.revise import revise as write

    refuse_target(Path(op1), Path(op2))
    checked = check(op1)
    if failed(checked.diagnostics):
        return Revised(checked.diagnostics, None)
    return Revised(checked.diagnostics, write(checked.cycle, Path(op1), Path(op2), name))
