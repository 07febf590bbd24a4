"""The façade of goals through the year: ``opplan goals`` and ``opplan goal update``.

``goals`` checks and rolls up the cycle, then reports every goal's status as of a
date (docs/through-the-year.md); ``goal_update`` appends a status report to one
goal's plan.yaml, validated like a review import. The writer needs ruamel.yaml, so
it is imported when it is called.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from opplan.model import NodeId
from opplan.model.diagnostics import Diagnostic, UserError, failed
from opplan.report.goalstatus import COLORS, GoalsReport, goals_report

if TYPE_CHECKING:
    from opplan.review.goalwrite import GoalUpdate

__all__ = ["GOAL_COLORS", "GoalsResult", "goal_status", "goal_update", "goals_output", "today"]

#: The colours a goal's status takes, best first.
GOAL_COLORS: tuple[str, ...] = COLORS


def today() -> dt.date:
    """Today's date: the default of ``--date`` and, when the cycle sets no ``as_of``,
    of ``--as-of`` (the only place these commands read the clock)."""
    return dt.date.today()


@dataclass(frozen=True)
class GoalsResult:
    """The cycle's diagnostics and the goals report (None when the plans have errors)."""

    diagnostics: list[Diagnostic]
    report: GoalsReport | None


def goal_status(
    cycle_dir: str | Path, *, node: NodeId | None = None, as_of: dt.date | None = None
) -> GoalsResult:
    """Every goal of ``node``'s subtree (default: the root) with its status as of ``as_of``
    (default: the cycle's ``as_of``, else today), and each manager's counts.

    Raises :class:`UserError` (a usage error) for a node not in the cycle.
    """
    from opplan.pipeline import rollup

    rolled = rollup(cycle_dir)
    if failed(rolled.diagnostics) or rolled.report is None:
        return GoalsResult(rolled.diagnostics, None)
    report = rolled.report
    top = node or report.root
    if top not in report.nodes:
        exc = UserError(f"no node '{top}' in this cycle")
        exc.usage = True
        raise exc
    if as_of is not None:
        when, source = as_of, "option"
    elif report.cycle.as_of is not None:
        when, source = report.cycle.as_of, "cycle"
    else:
        when, source = today(), "today"
    return GoalsResult(rolled.diagnostics, goals_report(report, top, when, source))


def goals_output(report: GoalsReport, fmt: str) -> str:
    """The goals report as ``table`` text, ``json`` (the contract) or ``csv``."""
    from opplan.render.goaltable import goals_csv, goals_json, goals_table

    if fmt == "json":
        return goals_json(report)
    if fmt == "csv":
        return goals_csv(report)
    return goals_table(report)


def goal_update(
    cycle_dir: str | Path,
    ref: str,
    color: str,
    note: str,
    *,
    date: dt.date | None = None,
    dry_run: bool = False,
) -> GoalUpdate:
    """Append a status report (dated ``date``, default today) to the goal ``ref``
    (``<node-id>/<goal-id>``) in its plan.yaml. Raises :class:`UserError` with every
    reason when the update is refused; nothing is written then."""
    from opplan.review.goalwrite import update_goal

    return update_goal(cycle_dir, ref, color, note, date or today(), dry_run=dry_run)
