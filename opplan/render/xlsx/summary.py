"""The review workbook's ``Summary``: the line in this node's view and each child's figures.

The line block shows, per budget dimension, the budget, what is funded by
decision and above the line, the budget used, the headroom, any over-budget
excess, the first ask below, what it needs and by how much it misses (so which
dimension binds): formulas of the ``Stack`` sheet's live columns, beside the
roll-up's figures as built. The table below gives the node's own asks and each
child's subtree: the child's envelope (its budget), flat figures (values) and
requested, funded, unfunded, cut and deferred (live ``SUMIFS`` over the Stack,
so sorting or filtering the stack changes nothing). Money in whole units.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
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
from opplan.render.xlsx.stack import StackLayout
from opplan.report.records import NodeReport, Report, Totals

SUMMARY_HEADERS = (
    "Node",
    "Name",
    "Envelope headcount",
    "Envelope cost",
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
#: Rows of the line block: budget, funded by decision, above the line, used, headroom, over
#: budget, the first ask below, what it needs, by how much it misses, which dimension binds.
LINE_ROWS = (
    "Budget",
    "Funded by decision",
    "Funded above the line",
    "Budget used",
    "Headroom",
    "Over budget",
    "First ask below",
    "It needs",
    "It misses by",
    "Binds",
)
#: The line block's header row; its rows follow (the Stack's formulas read rows 6 and 7).
LINE_HEADER_ROW = 5
#: Row of the Summary table's header.
SUMMARY_HEADER_ROW = LINE_HEADER_ROW + len(LINE_ROWS) + 2


def summary_sheet(ws: Worksheet, report: Report, node: NodeReport, layout: StackLayout) -> None:
    """The line (budget, used, headroom, what binds), then the node and each child: envelope,
    flat, requested, funded, unfunded, cut and deferred. Live formulas of the Stack."""
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
    put_text(
        ws,
        3,
        1,
        "Every figure below recalculates from the Decision and Partial cells of the Stack "
        "sheet; rank edits reorder the stack only on import. The figures as built are the "
        "roll-up's, for checking.",
        "note",
    )
    ws.merge_cells("A3:I3")
    ws.row_dimensions[3].height = 32
    _line_block(ws, node, layout)
    _children_table(ws, report, node, layout)


def _line_block(ws: Worksheet, node: NodeReport, layout: StackLayout) -> None:
    """Budget, used and headroom per dimension, over budget, the first ask below and what
    binds: formulas of the Stack; beside them the roll-up's figures as built."""
    top = LINE_HEADER_ROW
    header_row(
        ws,
        top,
        ("The line in this view", "Headcount", "Cost", "As built: headcount", "As built: cost"),
    )
    row = {name: top + i for i, name in enumerate(LINE_ROWS, start=1)}
    hc, cost = layout.column("Headcount"), layout.column("Cost")
    forced, funded = layout.column("Forced"), layout.column("Funded")
    below, key, ask = layout.column("Below key"), layout.column("Order key"), layout.column("Ask")
    for name, r in row.items():
        put_text(ws, r, 1, name, "label")
    if node.has_budget:
        put_value(ws, row["Budget"], 2, node.budget_headcount, "num-plain")
        put_value(ws, row["Budget"], 3, node.budget_cost, "whole-plain")
    else:
        put_text(ws, row["Budget"], 4, "no budget at this node: no line is drawn", "subtitle")
    first_below = f"MIN({below})"
    for c, (rng, kind) in ((2, (hc, "num")), (3, (cost, "whole"))):
        L = get_column_letter(c)
        b = f"{L}{row['Budget']}"
        used = f"{L}{row['Budget used']}"
        needs = f"{L}{row['It needs']}"
        misses = f"{L}{row['It misses by']}"
        cells = {
            "Funded by decision": f"=SUMIFS({rng},{forced},1)",
            "Funded above the line": f"=SUMIFS({rng},{funded},1,{forced},0)",
            "Budget used": f"={L}{row['Funded by decision']}+{L}{row['Funded above the line']}",
            "Headroom": f'=IF({b}="","",{b}-{used})',
            "Over budget": f'=IF({b}="","",MAX(0,{L}{row["Funded by decision"]}-{b}))',
            "It needs": f'=IF(COUNT({below})=0,"",SUMIFS({rng},{key},{first_below}))',
            "It misses by": f'=IF(OR({needs}="",{b}=""),"",MAX(0,{used}+{needs}-{b}))',
            "Binds": f'=IF({misses}="","",IF({misses}>0,"binds",""))',
        }
        for name, formula in cells.items():
            put_formula(
                ws, row[name], c, formula, "text-plain" if name == "Binds" else f"{kind}-plain"
            )
    put_formula(
        ws,
        row["First ask below"],
        2,
        f'=IF(COUNT({below})=0,"none",INDEX({ask},MATCH({first_below},{key},0)))',
        "text-plain",
    )
    ws.merge_cells(
        start_row=row["First ask below"],
        start_column=2,
        end_row=row["First ask below"],
        end_column=3,
    )
    # the roll-up's figures, as built (docs/rollup.md, the line in figures)
    line = node.line
    put_value(ws, row["Funded by decision"], 4, line.forced.headcount, "num-plain")
    put_value(ws, row["Funded by decision"], 5, line.forced.cost, "whole-plain")
    put_value(ws, row["Budget used"], 4, node.totals.funded.headcount, "num-plain")
    put_value(ws, row["Budget used"], 5, node.totals.funded.cost, "whole-plain")
    if line.headroom_headcount is not None:
        put_value(ws, row["Headroom"], 4, line.headroom_headcount, "num-plain")
    if line.headroom_cost is not None:
        put_value(ws, row["Headroom"], 5, line.headroom_cost, "whole-plain")
    if line.first_below is not None:
        below_row = node.stack[line.first_below]
        put_text(ws, row["First ask below"], 4, below_row.ask, "text-plain")
        ws.merge_cells(  # as the live cell beside it: the reference needs both columns
            start_row=row["First ask below"],
            start_column=4,
            end_row=row["First ask below"],
            end_column=5,
        )
        put_value(ws, row["It needs"], 4, below_row.amount.headcount, "num-plain")
        put_value(ws, row["It needs"], 5, below_row.amount.cost, "whole-plain")
        if node.has_budget:
            for c, dim, miss in (
                (4, "headcount", line.misses_headcount),
                (5, "cost", line.misses_cost),
            ):
                put_value(
                    ws, row["It misses by"], c, miss, "num-plain" if c == 4 else "whole-plain"
                )
                put_text(ws, row["Binds"], c, "binds" if dim in line.binds else "", "text-plain")
    if node.over_budget is not None:
        put_value(ws, row["Over budget"], 4, node.over_budget.headcount, "num-plain")
        put_value(ws, row["Over budget"], 5, node.over_budget.cost, "whole-plain")


def _children_table(ws: Worksheet, report: Report, node: NodeReport, layout: StackLayout) -> None:
    header_row(ws, SUMMARY_HEADER_ROW, SUMMARY_HEADERS)
    rows: list[tuple[str, str, Totals, NodeReport | None]] = [
        (node.id, f"{node.name} (own)", node.own, None)
    ]
    rows += [
        (c, report.nodes[c].name, report.nodes[c].totals, report.nodes[c]) for c in node.children
    ]
    col = {name: i for i, name in enumerate(SUMMARY_HEADERS, start=1)}
    first = SUMMARY_HEADER_ROW + 1
    hc, cost, req_hc, req_cost = (
        layout.column(h) for h in ("Headcount", "Cost", "Requested headcount", "Requested cost")
    )
    src, funded, live = layout.column("From"), layout.column("Funded"), layout.column("Live")
    here = layout.column("In effect")
    envelopes = {e.child: e for e in node.envelopes.rows}
    for r, (nid, name, totals, child) in enumerate(rows, start=first):
        put_text(ws, r, 1, nid, "text-plain")
        put_text(ws, r, 2, name, "text-plain")
        if child is not None:
            # the report's envelope of the child (its budget), else the child's own budget
            envelope = envelopes.get(nid)
            hc_cap, cost_cap = (
                (envelope.budget_headcount, envelope.budget_cost)
                if envelope is not None
                else (child.budget_headcount, child.budget_cost)
            )
            put_value(ws, r, col["Envelope headcount"], hc_cap, "num-plain")
            put_value(ws, r, col["Envelope cost"], cost_cap, "whole-plain")
        put_value(ws, r, col["Flat headcount"], totals.flat.headcount, "num-plain")
        put_value(ws, r, col["Flat cost"], totals.flat.cost, "whole-plain")
        put_value(ws, r, col["Capex"], totals.capex, "whole-plain")
        key = f"$A{r}"
        formulas = {
            "Requested headcount": f"=SUMIFS({req_hc},{src},{key})",
            "Requested cost": f"=SUMIFS({req_cost},{src},{key})",
            "Funded headcount": f"=SUMIFS({hc},{src},{key},{funded},1)",
            "Funded cost": f"=SUMIFS({cost},{src},{key},{funded},1)",
            "Unfunded headcount": f"=SUMIFS({hc},{src},{key},{live},1,{funded},0)",
            "Unfunded cost": f"=SUMIFS({cost},{src},{key},{live},1,{funded},0)",
            "Cut headcount": f'=SUMIFS({req_hc},{src},{key},{here},"cut")',
            "Cut cost": f'=SUMIFS({req_cost},{src},{key},{here},"cut")',
            "Deferred headcount": f'=SUMIFS({req_hc},{src},{key},{here},"defer")',
            "Deferred cost": f'=SUMIFS({req_cost},{src},{key},{here},"defer")',
        }
        for name_, formula in formulas.items():
            put_formula(
                ws, r, col[name_], formula, "whole-plain" if name_.endswith("cost") else "num-plain"
            )
    last = first + len(rows) - 1
    total = last + 1
    put_text(ws, total, 1, "Total", "text-total")
    put_text(ws, total, 2, f"{node.name} and everything below", "text-total")
    for name_, c in col.items():
        if c < col["Flat headcount"]:
            continue
        letter = get_column_letter(c)
        kind = "num" if name_.endswith("headcount") else "whole"
        put_formula(ws, total, c, f"=SUM({letter}{first}:{letter}{last})", f"{kind}-total")
    widths = [
        max(text_width([r[0] for r in rows], "Node", high=30), 24.0),
        text_width([r[1] for r in rows], "Name", high=40),
    ]
    widths += [10 if h.endswith("headcount") else 13 for h in SUMMARY_HEADERS[2:]]
    set_widths(ws, widths)
    ws.row_dimensions[SUMMARY_HEADER_ROW].height = row_height(
        *zip(SUMMARY_HEADERS, widths, strict=True)
    )
    ws.row_dimensions[LINE_HEADER_ROW].height = 32
    below = LINE_HEADER_ROW + 1 + LINE_ROWS.index("First ask below")
    built = ws.cell(row=below, column=4).value  # the as-built reference, merged over D:E
    if built is not None:
        ws.row_dimensions[below].height = row_height((str(built), widths[3] + widths[4]))
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
