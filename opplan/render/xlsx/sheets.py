"""The review workbook's other sheets: Summary, Headcount, Goals, Dependencies, Mandates.

``Summary`` shows the node's own asks and each child's subtree in this node's
view. Its incremental figures are live ``SUMIFS`` formulas over the ``Stack``
sheet (a manager who filters or sorts the stack still sees the same totals),
and the Total row adds the rows above: after recalculation every one of them is
the engine's figure. Flat figures are values from the report model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from opplan.render.xlsx.cells import (
    fmt_num,
    header_row,
    put_formula,
    put_text,
    put_value,
    set_widths,
    text_width,
)
from opplan.report.records import NodeReport, Report

if TYPE_CHECKING:
    from opplan.render.xlsx.workbook import StackLayout

SUMMARY_HEADERS = (
    "Node",
    "Name",
    "Flat headcount",
    "Flat cost",
    "Capex",
    "Requested headcount",
    "Requested cost",
    "Funded headcount",
    "Funded cost",
    "Unfunded headcount",
    "Unfunded cost",
    "Cut headcount",
    "Cut cost",
    "Deferred headcount",
    "Deferred cost",
)
#: Row of the Summary table's header.
SUMMARY_HEADER_ROW = 6


def summary_sheet(ws: Worksheet, report: Report, node: NodeReport, layout: StackLayout) -> None:
    """The node and each child: flat, requested, funded, unfunded, cut and deferred."""
    cycle = report.cycle
    put_text(ws, 1, 1, f"{node.name}: review workbook", "title")
    as_of = cycle.as_of.isoformat() if cycle.as_of else "undated"
    put_text(
        ws,
        2,
        1,
        f"{cycle.name} · owner {node.owner} · as of {as_of} · amounts in {cycle.currency}",
        "subtitle",
    )
    put_text(ws, 3, 1, "Budget", "label")
    if node.budget_headcount is None and node.budget_cost is None:
        put_text(ws, 3, 2, "no budget at this node: nothing is lined")
    else:
        put_text(ws, 3, 2, "headcount", "label")
        put_value(ws, 3, 3, node.budget_headcount, "num-plain")
        put_text(ws, 3, 4, "cost", "label")
        put_value(ws, 3, 5, node.budget_cost, "money-plain")
    if node.over_budget is not None:
        put_text(ws, 4, 1, "Over budget", "label")
        put_text(ws, 4, 2, "headcount", "label")
        put_value(ws, 4, 3, node.over_budget.headcount, "num-plain")
        put_text(ws, 4, 4, "cost", "label")
        put_value(ws, 4, 5, node.over_budget.cost, "money-plain")

    header_row(ws, SUMMARY_HEADER_ROW, SUMMARY_HEADERS)
    rows = [(node.id, f"{node.name} (own)", node.own)]
    rows += [(c, report.nodes[c].name, report.nodes[c].totals) for c in node.children]
    col = {name: i for i, name in enumerate(SUMMARY_HEADERS, start=1)}
    first = SUMMARY_HEADER_ROW + 1
    hc, cost, req_hc, req_cost = (
        layout.column(h) for h in ("Headcount", "Cost", "Requested headcount", "Requested cost")
    )
    src, status = layout.column("From"), layout.column("Status")
    for r, (nid, name, totals) in enumerate(rows, start=first):
        put_text(ws, r, 1, nid, "text-plain")
        put_text(ws, r, 2, name, "text-plain")
        put_value(ws, r, col["Flat headcount"], totals.flat.headcount, "num-plain")
        put_value(ws, r, col["Flat cost"], totals.flat.cost, "money-plain")
        put_value(ws, r, col["Capex"], totals.capex, "money-plain")
        key = f"$A{r}"
        formulas = {
            "Requested headcount": f"=SUMIFS({req_hc},{src},{key})",
            "Requested cost": f"=SUMIFS({req_cost},{src},{key})",
            "Funded headcount": f'=SUMIFS({hc},{src},{key},{status},"above")',
            "Funded cost": f'=SUMIFS({cost},{src},{key},{status},"above")',
            "Unfunded headcount": f'=SUMIFS({hc},{src},{key},{status},"below")'
            f'+SUMIFS({hc},{src},{key},{status},"unlined")',
            "Unfunded cost": f'=SUMIFS({cost},{src},{key},{status},"below")'
            f'+SUMIFS({cost},{src},{key},{status},"unlined")',
            "Cut headcount": f'=SUMIFS({req_hc},{src},{key},{status},"cut")',
            "Cut cost": f'=SUMIFS({req_cost},{src},{key},{status},"cut")',
            "Deferred headcount": f'=SUMIFS({req_hc},{src},{key},{status},"deferred")',
            "Deferred cost": f'=SUMIFS({req_cost},{src},{key},{status},"deferred")',
        }
        for name_, formula in formulas.items():
            put_formula(
                ws, r, col[name_], formula, "money-plain" if name_.endswith("cost") else "num-plain"
            )
    last = first + len(rows) - 1
    total = last + 1
    put_text(ws, total, 1, "Total", "text-total")
    put_text(ws, total, 2, f"{node.name} and everything below", "text-total")
    for name_, c in col.items():
        if c < 3:
            continue
        letter = get_column_letter(c)
        kind = "num" if name_.endswith("headcount") else "money"
        put_formula(ws, total, c, f"=SUM({letter}{first}:{letter}{last})", f"{kind}-total")
    set_widths(
        ws,
        [
            text_width([r[0] for r in rows], "Node", high=30),
            text_width([r[1] for r in rows], "Name", high=40),
        ]
        + [12 if h.endswith("headcount") else 15 for h in SUMMARY_HEADERS[2:]],
    )
    ws.row_dimensions[SUMMARY_HEADER_ROW].height = 32
    ws.freeze_panes = f"C{first}"
    _summary_chart(ws, col, first, last, total)


def _summary_chart(ws: Worksheet, col: dict[str, int], first: int, last: int, total: int) -> None:
    """A stacked bar chart of funded and unfunded cost by row."""
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "Incremental cost in this view"
    chart.y_axis.title = "Cost"
    chart.y_axis.numFmt = "#,##0"
    for name in ("Funded cost", "Unfunded cost"):
        data = Reference(ws, min_col=col[name], min_row=SUMMARY_HEADER_ROW, max_row=last)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, min_row=first, max_row=last))
    chart.height = max(6.0, 1.2 * (last - first + 1) + 3)
    chart.width = 18
    ws.add_chart(chart, f"B{total + 3}")


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
            fmt_num(goal.baseline) or None,
            fmt_num(goal.target) or None,
            str(goal.due) if goal.due is not None else None,
            goal.owner,
            goal.status,
            goal.status_note,
            "yes" if goal.at_risk else "no",
        )
        for c, value in enumerate(values, start=1):
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
    headers = ("Mandate", "Title", "Due", "Leaves in scope", "Answered", "Funded", "Unfunded")
    header_row(ws, 1, headers)
    r = 1
    for r, m in enumerate(node.mandates, start=2):
        for c, text in enumerate((m.id, m.title, m.due), start=1):
            put_text(ws, r, c, text, "text-plain")
        for c, count in enumerate((m.leaves_in_scope, m.answered, m.funded, m.unfunded), start=4):
            put_value(ws, r, c, count, "int-plain")
    start = r + 3
    put_text(ws, start - 1, 1, "Answers", "label")
    answer_headers = ("Mandate", "Node", "Response", "Funded by", "Status")
    header_row(ws, start, answer_headers)
    i = start
    for m in node.mandates:
        for a in m.answers:
            i += 1
            for c, value in enumerate((m.id, a.node, a.response, a.funded_by, a.status), start=1):
                put_text(ws, i, c, value, "text-plain")
    _table_widths(
        ws,
        (
            "Mandate",
            "Title / node",
            "Due / response",
            "Leaves in scope",
            "Answered",
            "Funded",
            "Unfunded",
        ),
        i,
    )


def _table_widths(ws: Worksheet, headers: Sequence[str], last: int) -> None:
    widths = []
    for c, name in enumerate(headers, start=1):
        values = (ws.cell(row=r, column=c).value for r in range(2, min(last, 300) + 1))
        widths.append(text_width(values, name, high=50))
    set_widths(ws, widths)
    ws.freeze_panes = "A2"
