"""``opplan goals`` output: a tree table, the JSON contract, CSV (docs/through-the-year.md).

Every figure comes from :class:`~opplan.report.goalstatus.GoalsReport`; this module only
lays it out. CSV goes through :func:`~opplan.render.tabular.csv_rows`, which neutralises
text a spreadsheet would run as a formula.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from opplan.render.tabular import csv_rows
from opplan.report.goalstatus import GoalsReport, GoalStatus, ManagerGoals

__all__ = ["CSV_KEYS", "goals_csv", "goals_document", "goals_json", "goals_table"]

#: The CSV's columns, one row per goal.
CSV_KEYS: tuple[str, ...] = (
    "ref",
    "node",
    "node_name",
    "goal",
    "title",
    "owner",
    "color",
    "date",
    "trend",
    "updates",
    "days_since_update",
    "stale",
    "note",
)
_TEXT = frozenset({"ref", "node", "node_name", "goal", "title", "owner", "note"})


def _goal(s: GoalStatus) -> dict[str, Any]:
    t = s.track
    return {
        "ref": s.ref,
        "node": s.node,
        "node_name": s.node_name,
        "goal": s.goal,
        "title": s.title,
        "owner": s.owner,
        "color": t.color,
        "date": None if t.date is None else t.date.isoformat(),
        "trend": t.trend,
        "updates": t.updates,
        "days_since_update": t.days,
        "stale": t.stale,
        "note": t.note,
    }


def _manager(m: ManagerGoals) -> dict[str, Any]:
    return {
        "node": m.node,
        "name": m.name,
        "goals": m.goals,
        "green": m.green,
        "yellow": m.yellow,
        "red": m.red,
        "not_reported": m.unreported,
        "stale": m.stale,
        "red_goals": list(m.red_goals),
        "stale_goals": list(m.stale_goals),
    }


def goals_document(r: GoalsReport) -> dict[str, Any]:
    """The JSON contract as plain data (docs/through-the-year.md)."""
    return {
        "cycle": r.cycle,
        "node": r.top,
        "as_of": r.as_of.isoformat(),
        "as_of_from": r.as_of_from,
        "stale_days": r.stale_days,
        "goals": [_goal(s) for s in r.goals],
        "managers": [_manager(m) for m in r.managers],
    }


def goals_json(r: GoalsReport) -> str:
    """The JSON contract, indented, keys in contract order."""
    return json.dumps(goals_document(r), ensure_ascii=False, indent=2) + "\n"


def goals_csv(r: GoalsReport) -> str:
    """CSV: a header of :data:`CSV_KEYS`, then one row per goal (booleans as yes/no)."""
    rows: list[Sequence[tuple[Any, bool]]] = [[(k, True) for k in CSV_KEYS]]
    for s in r.goals:
        data = _goal(s)
        data["stale"] = "yes" if s.track.stale else "no"
        rows.append([("" if data[k] is None else data[k], k in _TEXT) for k in CSV_KEYS])
    return csv_rows(rows)


_HEADERS = (
    "Node / goal",
    "Goals",
    "Green",
    "Yellow",
    "Red",
    "None",
    "Stale",
    "Latest",
    "Trend",
    "Updates",
)
_LEFT = frozenset({0, 7, 8})


def _source(r: GoalsReport) -> str:
    return {
        "option": "--as-of",
        "cycle": "the cycle's as_of",
        "today": "today; the cycle sets no as_of",
    }.get(r.as_of_from, r.as_of_from)


def goals_table(r: GoalsReport) -> str:
    """A tree table: each manager with its subtree's counts by colour, every goal under its
    node with its latest status, trend and number of reports; then the red and stale goals
    of the top node's subtree."""
    by_node: dict[str, list[GoalStatus]] = {}
    for s in r.goals:
        by_node.setdefault(s.node, []).append(s)
    managers = {m.node: m for m in r.managers}
    top = min((d for _, _, d in r.nodes), default=0)
    body: list[list[str]] = []
    for nid, name, depth in r.nodes:
        pad = "  " * (depth - top)
        m = managers.get(nid)
        counts = (
            [str(v) for v in (m.goals, m.green, m.yellow, m.red, m.unreported, m.stale)]
            if m
            else [""] * 6
        )
        body.append([pad + name, *counts, "", "", ""])
        for s in by_node.get(nid, ()):
            t = s.track
            latest = "not reported" if t.color is None else f"{t.color} {t.date}"
            if t.stale:
                latest += f" (stale, {t.days} days)"
            body.append(
                [f"{pad}  {s.goal}: {s.title}", *[""] * 6, latest, t.trend or "", str(t.updates)]
            )
    widths = [max([len(h), *(len(row[k]) for row in body)]) for k, h in enumerate(_HEADERS)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if k in _LEFT else c.rjust(w)
            for k, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [
        f"{r.cycle}: goals as of {r.as_of} ({_source(r)}); "
        f"stale after {r.stale_days} days without a report",
        line(_HEADERS),
        line(["-" * w for w in widths]),
        *(line(row) for row in body),
    ]
    red = [s for s in r.goals if s.track.color == "red"]
    stale = [s for s in r.goals if s.track.stale]
    out.append("")
    out.append(f"Red ({len(red)}):" + ("" if red else " none"))
    out += [f"  {s.ref}: {s.title} ({s.track.date}: {s.track.note})" for s in red]
    out.append(f"Stale ({len(stale)}):" + ("" if stale else " none"))
    out += [
        f"  {s.ref}: {s.title} (last report {s.track.date}, {s.track.days} days)" for s in stale
    ]
    return "\n".join(out) + "\n"
