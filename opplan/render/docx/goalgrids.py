"""The goal tables of a node's document: its own goals, and its children's in the appendix.

Format-free grids (:class:`~opplan.render.docx.grids.Grid`) of goals as written
(:mod:`opplan.report.goaltext`): each figure with the plan's precision and its
unit, the change from baseline to target, the metric class, the latest status
and its date, and the verdict on goals at risk naming its view. Every figure and
verdict comes from the report model; this module only lays them out as text.
"""

from __future__ import annotations

from opplan.narrative.templating import possessive
from opplan.render.docx.grids import Builder, Column, Grid
from opplan.report.goals import own_view_judges
from opplan.report.goaltext import due_text, quantity, signed, status_text
from opplan.report.records import GoalRow, NodeReport, Report

__all__ = ["child_goals_grid", "child_goals_summary_grid", "goals_grid", "goals_year_grid"]


def _what(g: GoalRow) -> str:
    """``G1: Availability (input metric)``; an initiative says so."""
    if g.kind == "metric":
        kind = f"{g.metric_class} metric" if g.metric_class else "metric"
    else:
        kind = g.kind
    return f"{g.id}: {g.title} ({kind})"


def _figures(g: GoalRow) -> list[str]:
    """From, to and change, as written."""
    return [
        "" if g.baseline is None else quantity(g.baseline, g.unit),
        "" if g.target is None else quantity(g.target, g.unit),
        "" if g.change is None else signed(g.change, g.change_unit),
    ]


def at_risk_text(g: GoalRow, node: NodeReport) -> str:
    """Where the goal is at risk, naming the view: in the approved plan, in this node's view
    (when that view judges, see :func:`~opplan.report.goals.own_view_judges`), or both."""
    here = g.at_risk and own_view_judges(node)
    if here and g.approved_at_risk:
        return f"at risk in {possessive(node.name)} view and in the approved plan"
    if here:
        return f"at risk in {possessive(node.name)} view"
    return "at risk in the approved plan" if g.approved_at_risk else ""


def goals_grid(node: NodeReport, report: Report) -> Grid:
    """The node's own goals: what (and its class), from where to where and by how much, by
    when, who, the latest status with its date, and where it is at risk."""
    b = Builder(
        [
            Column("Goal", "left", 2.0),
            Column("From", "right", 0.8),
            Column("To", "right", 0.8),
            Column("Change", "right", 0.85),
            Column("Due", "left", 0.5),
            Column("Owner", "left", 0.95),
            Column("Status", "left", 1.1),
        ]
    )
    as_of = report.cycle.as_of
    for g in node.goals:
        status = status_text(g.status, g.status_date, as_of)
        risk = at_risk_text(g, node)
        b.add(
            [
                _what(g),
                *_figures(g),
                due_text(g.due),
                g.owner or "",
                f"{status}; {risk}" if risk else status,
            ]
        )
    return b.grid()


def child_goals_summary_grid(node: NodeReport) -> Grid:
    """Per child with goals: how many, by latest colour, and how many at risk in the
    approved plan."""
    b = Builder(
        [
            Column("Team", "left", 1.9),
            Column("Goals", "right", 0.6),
            Column("Green", "right", 0.6),
            Column("Yellow", "right", 0.65),
            Column("Red", "right", 0.5),
            Column("Not reported", "right", 0.95),
            Column("At risk in the approved plan", "right", 1.3),
        ]
    )
    for c in node.child_goals:
        counts = (len(c.goals), c.green, c.yellow, c.red, c.unreported, c.at_risk)
        b.add([c.name, *(str(n) for n in counts)])
    return b.grid()


def child_goals_grid(node: NodeReport, report: Report) -> Grid:
    """Every child's own goals, grouped by child (named on its first row), with the
    latest status and the verdict of the approved plan."""
    b = Builder(
        [
            Column("Team", "left", 1.1),
            Column("Goal", "left", 1.9),
            Column("From", "right", 0.75),
            Column("To", "right", 0.75),
            Column("Change", "right", 0.8),
            Column("Due", "left", 0.45),
            Column("Status", "left", 1.05),
        ]
    )
    as_of = report.cycle.as_of
    for c in node.child_goals:
        for i, g in enumerate(c.goals):
            status = status_text(g.status, g.status_date, as_of)
            if g.approved_at_risk:
                status += "; at risk in the approved plan"
            b.add([c.name if i == 0 else "", _what(g), *_figures(g), due_text(g.due), status])
    return b.grid()


def goals_year_grid(node: NodeReport, report: Report) -> Grid:
    """The appendix's "Goals this year": each row's goal (a child's under its team's name),
    its latest status with its date (and stale when it is), the trend and the number of
    reports, as the report decided them as of the cycle's date."""
    b = Builder(
        [
            Column("Goal", "left", 3.2),
            Column("Latest status", "left", 1.5),
            Column("Trend", "left", 0.95),
            Column("Reports", "right", 0.75),
        ]
    )
    as_of = report.cycle.as_of
    for row in node.goals_this_year:
        t = row.track
        what = f"{row.goal}: {row.title}"
        status = status_text(t.color, t.date, as_of)
        b.add(
            [
                what if row.node == node.id else f"{row.node_name}, {what}",
                f"{status}; stale" if t.stale else status,
                t.trend or "",
                str(t.updates),
            ]
        )
    return b.grid()
