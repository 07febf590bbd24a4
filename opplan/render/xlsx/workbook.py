"""The review workbook ``<id>.xlsx`` of one node (docs/review.md).

Sheets: ``Summary`` (the line: budget, used, headroom, what binds; each child's
envelope and figures), ``Stack`` (:mod:`.stack`: the review cells first, then
Status, amounts and budget used as formulas of them, so the line moves as the
manager decides), ``Headcount``, ``Goals``, ``Dependencies``, ``Mandates``, ``Changes``
(with ``opplan build --since``: what changed since the older version),
``Instructions`` (:mod:`.instructions`) and a very hidden metadata sheet
(:mod:`opplan.report.reviewkeys`). Every sheet prints landscape, fit to width,
with the node, cycle, sheet and page in its header and footer.

Numbers come from the report model; the renderer never computes a figure.
Totals are live formulas, which LibreOffice and Excel recalculate to the
engine's figures. The same report gives the same bytes: fixed document
properties from the cycle's ``as_of`` (never the clock) and a normalized zip.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from opplan.model import NodeId
from opplan.render.ooxml import normalize_zip, schema_ordered_fonts
from opplan.render.xlsx import sheets as xlsx_sheets
from opplan.render.xlsx.cells import (
    add_styles,
    clean_text,
    fmt_num,
    put_text,
    put_value,
)
from opplan.render.xlsx.fastcells import enable, write_workbook
from opplan.render.xlsx.instructions import instructions_sheet
from opplan.render.xlsx.printsetup import print_setup
from opplan.render.xlsx.rowcells import put_cells, text_cell
from opplan.render.xlsx.stack import STACK_HEADERS, StackLayout, legend, stack_sheet
from opplan.render.xlsx.summary import summary_sheet
from opplan.report.records import NodeReport, Report
from opplan.report.reviewkeys import (
    DEPENDENCIES,
    FORMAT,
    FORMAT_VERSION,
    GOALS,
    HEADCOUNT,
    INSTRUCTIONS,
    MANDATES,
    META,
    META_ROW_HEADER,
    STACK,
    SUMMARY,
    ReviewValues,
    budget_text,
    opplan_version,
    report_fingerprint,
)

__all__ = ["STACK_HEADERS", "StackLayout", "render_xlsx", "save_workbook"]


def render_xlsx(report: Report, node_id: NodeId) -> bytes:
    """The review workbook of ``node_id``, as deterministic .xlsx bytes."""
    node = report.nodes[node_id]
    wb = Workbook()
    add_styles(wb, report.cycle.currency)
    summary = wb.active
    assert isinstance(summary, Worksheet)  # a new workbook has one sheet, a worksheet
    summary.title = SUMMARY
    stack = wb.create_sheet(STACK)
    layout = stack_sheet(stack, report, node)
    legend(stack)
    summary_sheet(summary, report, node, layout)
    xlsx_sheets.headcount_sheet(wb.create_sheet(HEADCOUNT), report, node)
    xlsx_sheets.goals_sheet(wb.create_sheet(GOALS), node)
    xlsx_sheets.dependencies_sheet(wb.create_sheet(DEPENDENCIES), node)
    xlsx_sheets.mandates_sheet(wb.create_sheet(MANDATES), node)
    if report.changes is not None:
        xlsx_sheets.changes_sheet(wb.create_sheet(xlsx_sheets.CHANGES), report, node)
    instructions_sheet(wb.create_sheet(INSTRUCTIONS), report, node)
    header = (f"{node.name} ({node.id})", report.cycle.name)
    for ws in wb.worksheets:
        title_rows = None if ws is summary or ws.title == INSTRUCTIONS else "1:1"
        print_setup(ws, title_rows, header=header, paper=report.cycle.page_size)
    _meta_sheet(wb.create_sheet(META), report, node)
    _properties(wb, report, node)
    data = save_workbook(wb)
    for ws in wb.worksheets:  # each cell and its sheet hold each other: free them now,
        ws._cells.clear()  # not in a scan of a million objects
        ws.__dict__.pop("_opplan_fast", None)
    return data


def _meta_sheet(ws: Worksheet, report: Report, node: NodeReport) -> None:
    """The very hidden sheet tying the workbook to its cycle, node and rows."""
    ws.sheet_state = "veryHidden"
    enable(ws)  # a row per ask, never read back: cells as text (fastcells)
    cycle = report.cycle
    put_text(ws, 1, 1, FORMAT)
    put_value(ws, 1, 2, FORMAT_VERSION)
    meta = (
        ("opplan_version", opplan_version()),
        ("cycle", cycle.name),
        ("kind", cycle.kind),
        ("year", str(cycle.year)),
        ("currency", cycle.currency),
        ("as_of", cycle.as_of.isoformat() if cycle.as_of else ""),
        ("node", node.id),
        ("budget", budget_text(node.budget_headcount, node.budget_cost)),
    )
    for i, (key, value) in enumerate(meta, start=2):
        put_text(ws, i, 1, key)
        put_text(ws, i, 2, value)
    start = len(meta) + 3
    for col, name in enumerate(META_ROW_HEADER, start=1):
        put_text(ws, start, col, name)
    own = node.decisions
    refs = [(r.ask, r.node, r.requested) for r in node.stack] + [
        (r.ask, r.node, r.requested) for r in node.removed
    ]
    for i, (ref, owner, requested) in enumerate(refs, start=start + 1):
        # the node's own decision is prefilled, so the fingerprint covers those below it
        values = ReviewValues.of(own.get(ref))
        fingerprint = report_fingerprint(
            report.nodes, ref, owner, node.id, requested, report.ask_json
        )
        cells = [text_cell(1, ref), text_cell(2, fingerprint)]
        if not values.empty():  # most rows: no decision here, and an empty cell writes nothing
            cells += (
                text_cell(3, values.decision),
                text_cell(4, fmt_num(values.headcount) or None),
                text_cell(5, fmt_num(values.cost) or None),
                text_cell(6, str(values.rank) if values.rank is not None else None),
                text_cell(7, values.note),
            )
        put_cells(ws, i, cells)


def _properties(wb: Workbook, report: Report, node: NodeReport) -> None:
    """Fixed document properties: the same plans give the same bytes."""
    as_of = report.cycle.as_of or dt.date(2000, 1, 1)
    stamp = dt.datetime(as_of.year, as_of.month, as_of.day)
    props = wb.properties
    props.creator = "opplan"
    props.lastModifiedBy = "opplan"
    props.title = clean_text(f"{node.name}: {report.cycle.name} review")
    props.created = stamp
    props.modified = stamp


def save_workbook(wb: Workbook) -> bytes:
    """Serialize without openpyxl's ``save`` (which stamps the clock) and normalize the zip,
    with the fonts' children in the order the OOXML schema requires. The first archive is
    stored, not compressed: :func:`normalize_zip` compresses every part once."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        write_workbook(wb, archive)
    return normalize_zip(buf.getvalue(), {"xl/styles.xml": schema_ordered_fonts})
