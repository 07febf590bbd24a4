"""``opplan status`` as a tree table, the JSON contract or CSV (docs/through-the-year.md).

Every value comes from :mod:`opplan.report.status`; this module only lays it out. The CSV goes
through :func:`~opplan.render.tabular.csv_rows`, which neutralises formula triggers in text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from opplan.render.tabular import aligned, csv_rows
from opplan.report.status import NodeStatus, StatusCounts, StatusReport

#: The keys of a node's ``below`` counts, in the order JSON and CSV give them.
COUNT_KEYS: tuple[str, ...] = (
    "plans",
    "submitted",
    "narratives",
    "owners",
    "managers",
    "reviews",
    "late",
)


def _counts(c: StatusCounts) -> dict[str, int]:
    return {key: getattr(c, key) for key in COUNT_KEYS}


def node_entry(s: NodeStatus) -> dict[str, Any]:
    """One node of the JSON contract."""
    return {
        "id": s.id,
        "name": s.name,
        "path": s.path,
        "parent": s.parent,
        "depth": s.depth,
        "children": list(s.children),
        "owner": s.owner,
        "owner_set": s.owner_set,
        "state": s.state,
        "narrative": s.narrative,
        "review": s.review,
        "late": s.late,
        "below": _counts(s.below),
    }


def status_json(report: StatusReport, nodes: Sequence[NodeStatus]) -> str:
    """The JSON contract: the cycle, the dates lateness was judged by, and the nodes."""
    doc = {
        "cycle": report.cycle,
        "as_of": report.as_of.isoformat(),
        "due": None if report.due is None else report.due.isoformat(),
        "root": report.root,
        "nodes": [node_entry(s) for s in nodes],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


_CSV_TEXT = ("id", "name", "path", "parent", "owner", "state", "narrative", "review")


def status_csv(nodes: Sequence[NodeStatus]) -> str:
    """CSV: a header row, then one row per node (its fields, then ``below_*`` counts)."""
    header = [
        "id",
        "name",
        "path",
        "parent",
        "depth",
        "owner",
        "owner_set",
        "state",
        "narrative",
        "review",
        "late",
        *(f"below_{k}" for k in COUNT_KEYS),
    ]
    rows: list[list[tuple[Any, bool]]] = [[(h, True) for h in header]]
    for s in nodes:
        entry = node_entry(s)
        row: list[tuple[Any, bool]] = []
        for key in header[:11]:
            value = entry[key]
            if isinstance(value, bool):
                value = "yes" if value else "no"
            row.append(("" if value is None else value, key in _CSV_TEXT))
        row.extend((entry["below"][k], False) for k in COUNT_KEYS)
        rows.append(row)
    return csv_rows(rows)


def _of(done: int, total: int) -> str:
    return f"{done} of {total}"


def status_table(report: StatusReport, nodes: Sequence[NodeStatus]) -> str:
    """A tree table: per node its owner, state, narrative, review (and lateness when the
    cycle has a due date); per manager the counts of the nodes below it."""
    late = report.due is not None
    headers = ["Node", "Owner", "State", "Narrative", "Review"]
    headers += ["Late"] if late else []
    headers += ["Submitted", "Written", "Owners set", "Reviewed"]
    headers += ["Late below"] if late else []
    top = min((s.depth for s in nodes), default=0)
    body = []
    for s in nodes:
        b = s.below
        cells = [
            "  " * (s.depth - top) + s.name,
            s.owner if s.owner_set else f"{s.owner or '-'} (placeholder)",
            s.state,
            s.narrative,
            s.review or "",
        ]
        cells += (["LATE" if s.late else ""]) if late else []
        if s.children:
            cells += [
                _of(b.submitted, b.plans),
                _of(b.narratives, b.plans),
                _of(b.owners, b.plans),
                _of(b.reviews, b.managers) if b.managers else "",
            ]
            cells += [str(b.late)] if late else []
        else:
            cells += [""] * (5 if late else 4)
        body.append(cells)
    when = f"as of {report.as_of.isoformat()}, " + (
        f"due {report.due.isoformat()}" if report.due else "no due date in cycle.yaml"
    )
    title = f"{report.cycle}: who has submitted ({when})"
    lines = aligned(headers, body, set(range(6 if late else 5)))
    return "\n".join([title, *lines]) + "\n"
