"""The review workbook's reference sheets: Headcount, Goals, Dependencies, Mandates, and
Changes (with ``opplan build --since``).

Values from the report model, numbers stored as numbers, wrapped text in rows
tall enough to hold it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from opplan.render.xlsx.cells import (
    header_row,
    put_formula,
    put_text,
    put_value,
    row_height,
    set_widths,
    text_width,
)
from opplan.report.records import NodeReport, Report


def headcount_sheet(ws: Worksheet, report: Report, node: NodeReport) -> None:
    """Flat heads of the subtree by child, role, level and location, with totals."""
    headers = ("From", "Role", "Level", "Location", "Headcount", "Cost", "Run rate")
    header_row(ws, 1, headers)
    r = 1
    for r, hr in enumerate(node.headcount, start=2):
        put_text(ws, r, 1, hr.child or f"{node.id} (own)", "text-plain")
        put_text(ws, r, 2, hr.role, "text-plain")
        put_text(ws, r, 3, hr.level, "text-plain")
        put_text(ws, r, 4, hr.location, "text-plain")
        put_value(ws, r, 5, hr.amount.headcount, "num-plain")
        put_value(ws, r, 6, hr.amount.cost, "money-plain")
        put_value(ws, r, 7, hr.amount.run_rate, "money-plain")
    total = r + 1
    put_text(ws, total, 1, "Total (headcount lines; flat spend not included)", "text-total")
    for c, kind in ((5, "num"), (6, "money"), (7, "money")):
        letter = get_column_letter(c)
        formula = f"=SUM({letter}2:{letter}{r})" if r >= 2 else "=0"
        put_formula(ws, total, c, formula, f"{kind}-total")
    set_widths(
        ws, [text_width([h.child for h in node.headcount], "From", high=30), 10, 8, 10, 11, 15, 15]
    )
    ws.freeze_panes = "A2"
    if r >= 2:
        ws.auto_filter.ref = f"A1:G{r}"


def goals_sheet(ws: Worksheet, node: NodeReport) -> None:
    """The node's own goals, then the goals at risk in its view (roll-up rule 10, docs/rollup.md)."""
    headers = (
        "Goal",
        "Title",
        "Kind",
        "Metric class",
        "Unit",
        "Baseline",
        "Target",
        "Due",
        "Owner",
        "Status",
        "Status note",
        "At risk",
    )
    header_row(ws, 1, headers)
    r = 1
    for r, goal in enumerate(node.goals, start=2):
        values = (
            goal.id,
            goal.title,
            goal.kind,
            goal.metric_class,
            goal.unit,
            goal.baseline,
            goal.target,
            str(goal.due) if goal.due is not None else None,
            goal.owner,
            goal.status,
            goal.status_note,
            "yes" if goal.at_risk else "no",
        )
        for c, value in enumerate(values, start=1):
            if isinstance(value, Decimal):
                put_value(ws, r, c, value, "general-plain")
            else:
                put_text(ws, r, c, value, "text-plain")
    widths = [
        10,
        text_width([g.title for g in node.goals], "Title", high=50),
        11,
        12,
        9,
        10,
        10,
        11,
        16,
        8,
        40,
        8,
    ]
    start = r + 3
    put_text(ws, start - 1, 1, "Goals at risk in this view", "label")
    header_row(ws, start, ("Node", "Goal", "Title"))
    for i, g in enumerate(node.goals_at_risk, start=start + 1):
        put_text(ws, i, 1, g.node, "text-plain")
        put_text(ws, i, 2, g.goal, "text-plain")
        put_text(ws, i, 3, g.title, "text-plain")
    set_widths(ws, widths)
    ws.freeze_panes = "A2"


def dependencies_sheet(ws: Worksheet, node: NodeReport) -> None:
    """Dependencies this node sees, as requester, host or the manager who resolves them."""
    headers = (
        "Requester",
        "Dependency",
        "Host",
        "What",
        "Needed by",
        "Away team",
        "Funded by",
        "Manager",
        "Status",
        "Approved status",
        "Asks at risk",
        "Seen as",
    )
    header_row(ws, 1, headers)
    r = 1
    for r, d in enumerate(node.dependencies, start=2):
        values = (
            d.requester,
            d.id,
            d.host,
            d.what,
            d.needed_by,
            "yes" if d.away_team else "no",
            d.funded_by or "no commitment",
            d.manager,
            d.status,
            d.approved_status,
            ", ".join(d.at_risk_asks) or None,
            d.role,
        )
        for c, value in enumerate(values, start=1):
            put_text(ws, r, c, value, "text-plain")
    _table_widths(ws, headers, r)
    if r >= 2:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{r}"


def mandates_sheet(ws: Worksheet, node: NodeReport) -> None:
    """Mandate coverage in the subtree (roll-up rule 9, docs/rollup.md), then every leaf's answer."""
    headers = (
        "Mandate",
        "Title",
        "Due",
        "Leaves in scope",
        "Answered",
        "Funded",
        "Unfunded",
        "Funded, approved plan",
        "Unfunded, approved plan",
    )
    header_row(ws, 1, headers)
    r = 1
    for r, m in enumerate(node.mandates, start=2):
        for c, text in enumerate((m.id, m.title, m.due), start=1):
            put_text(ws, r, c, text, "text-plain")
        counts = (
            m.leaves_in_scope,
            m.answered,
            m.funded,
            m.unfunded,
            m.approved_funded,
            m.approved_unfunded,
        )
        for c, count in enumerate(counts, start=4):
            put_value(ws, r, c, count, "int-plain")
    start = r + 3
    put_text(ws, start - 1, 1, "Answers", "label")
    answer_headers = ("Mandate", "Node", "Response", "Funded by", "Status", "Approved plan")
    header_row(ws, start, answer_headers)
    i = start
    for m in node.mandates:
        for a in m.answers:
            i += 1
            values = (m.id, a.node, a.response, a.funded_by, a.status, a.approved_status)
            for c, value in enumerate(values, start=1):
                put_text(ws, i, c, value, "text-plain")
    _table_widths(
        ws,
        (
            "Mandate",
            "Title / node",
            "Due / response",
            "Leaves in scope",
            "Answered",
            "Funded / status",
            "Unfunded / approved plan",
            "Funded, approved plan",
            "Unfunded, approved plan",
        ),
        i,
    )


#: The sheet of what changed since an older version (docs/revisions.md).
CHANGES = "Changes"


def changes_sheet(ws: Worksheet, report: Report, node: NodeReport) -> None:
    """What changed in the subtree since the older version, one row per change (the rows
    the document's appendix lists), heads and cost as signed numbers."""
    changes = report.changes.nodes.get(node.id) if report.changes is not None else None
    headers = ("Where", "Change", "Item", "Title", "What", "Headcount", "Cost")
    header_row(ws, 1, headers)
    r = 1
    for r, line in enumerate(changes.lines if changes is not None else (), start=2):
        for c, text in enumerate((line.where, line.kind, line.item, line.title, line.change), 1):
            put_text(ws, r, c, text, "text-plain")
        put_value(ws, r, 6, line.heads, "num-plain")
        put_value(ws, r, 7, line.cost, "money-plain")
    if changes is not None and changes.more:
        r += 1
        put_text(ws, r, 1, f"{changes.more} more changes: see the teams' workbooks", "label")
    _table_widths(ws, headers, r)
    if r >= 2:
        ws.auto_filter.ref = f"A1:G{r}"


def _table_widths(ws: Worksheet, headers: Sequence[str], last: int) -> None:
    """Column widths from the values, and row heights that fit the wrapped text (LibreOffice
    keeps the default height of a row openpyxl writes, so a long cell would overprint)."""
    widths = []
    for c, name in enumerate(headers, start=1):
        values = (ws.cell(row=r, column=c).value for r in range(2, min(last, 300) + 1))
        widths.append(text_width(values, name, high=50))
    set_widths(ws, widths)
    ws.freeze_panes = "A2"
    for r in range(2, last + 1):
        cells = [
            (None if v is None else str(v), widths[c - 1])
            for c in range(1, len(widths) + 1)
            if (v := ws.cell(row=r, column=c).value) is not None
        ]
        if cells:
            ws.row_dimensions[r].height = row_height(*cells)
