"""The review workbook ``<id>.xlsx`` of one node (docs/review.md).

Sheets: ``Summary``, ``Stack``, ``Headcount``, ``Goals``, ``Dependencies``,
``Mandates`` and a very hidden metadata sheet (see :mod:`opplan.reviewbook`).
The ``Stack`` sheet lists every live ask in the node's order with cumulative
formulas and the line drawn as a thick red border under the last ask funded
within the budget (funded rows are green, forced ones below the line too); below them come the asks removed in this view (cut or
deferred, grey), so that a manager can also revive one. Its review columns
(``Decision``, ``Partial headcount``, ``Partial cost``, ``Rank``, ``Note``) are
prefilled with the node's current decisions and are the only unlocked cells.

Numbers come from the report model; the renderer never computes a figure.
Totals are live formulas, which LibreOffice and Excel recalculate to the
engine's figures. The same report gives the same bytes: fixed document
properties from the cycle's ``as_of`` (never the clock) and a normalized zip.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from opplan.model import Decision, NodeId
from opplan.render.ooxml import normalize_zip, schema_ordered_fonts
from opplan.render.xlsx import sheets as xlsx_sheets
from opplan.render.xlsx.cells import (
    add_styles,
    clean_text,
    fmt_num,
    header_row,
    print_setup,
    put_formula,
    put_text,
    put_value,
    set_style,
    set_widths,
    text_width,
)
from opplan.report.records import NodeReport, Report
from opplan.report.reviewkeys import (
    COL_ASK,
    COL_DECISION,
    COL_NOTE,
    COL_PARTIAL_COST,
    COL_PARTIAL_HC,
    COL_RANK,
    DECISIONS,
    FORMAT,
    FORMAT_VERSION,
    META,
    META_ROW_HEADER,
    STACK,
    ReviewValues,
    budget_text,
    opplan_version,
    report_fingerprint,
)

#: Stack columns: (header, kind, width). Kinds pick the number format.
STACK_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("Position", "int", 9),
    (COL_ASK, "text", 0),
    ("Node", "text", 0),
    ("Title", "text", 0),
    ("From", "text", 0),
    ("Headcount", "num", 11),
    ("Cost", "money", 15),
    ("Run rate", "money", 15),
    ("Cumulative headcount", "num", 13),
    ("Cumulative cost", "money", 16),
    ("Status", "text", 10),
    ("Decided by", "text", 0),
    ("Requested headcount", "num", 12),
    ("Requested cost", "money", 15),
    (COL_DECISION, "text", 11),
    (COL_PARTIAL_HC, "num", 11),
    (COL_PARTIAL_COST, "money", 15),
    (COL_RANK, "int", 7),
    (COL_NOTE, "text", 40),
)
STACK_HEADERS = tuple(c[0] for c in STACK_COLUMNS)
_COL = {name: i + 1 for i, name in enumerate(STACK_HEADERS)}
#: Column letters of the Stack sheet, by header.
LETTER = {name: get_column_letter(i) for name, i in _COL.items()}
_FIRST_REVIEW = _COL[COL_DECISION]


@dataclass(frozen=True)
class StackLayout:
    """Where the Stack sheet's rows are (live and removed asks), for formulas elsewhere."""

    first: int  # first data row
    last: int  # last data row (first - 1 when there is none)

    def column(self, header: str) -> str:
        """An absolute range over one Stack column, e.g. ``Stack!$G$2:$G$40``."""
        letter = LETTER[header]
        last = max(self.last, self.first)
        return f"{STACK}!${letter}${self.first}:${letter}${last}"


def render_xlsx(report: Report, node_id: NodeId) -> bytes:
    """The review workbook of ``node_id``, as deterministic .xlsx bytes."""
    node = report.nodes[node_id]
    wb = Workbook()
    add_styles(wb, report.cycle.currency)
    summary = wb.active
    assert isinstance(summary, Worksheet)  # a new workbook has one sheet, a worksheet
    summary.title = "Summary"
    stack = wb.create_sheet(STACK)
    layout = _stack_sheet(stack, report, node)
    xlsx_sheets.summary_sheet(summary, report, node, layout)
    xlsx_sheets.headcount_sheet(wb.create_sheet("Headcount"), report, node)
    xlsx_sheets.goals_sheet(wb.create_sheet("Goals"), node)
    xlsx_sheets.dependencies_sheet(wb.create_sheet("Dependencies"), node)
    xlsx_sheets.mandates_sheet(wb.create_sheet("Mandates"), node)
    for ws in wb.worksheets:
        if ws is not summary and ws is not stack:
            print_setup(ws)
    print_setup(summary, None)
    _meta_sheet(wb.create_sheet(META), report, node)
    _properties(wb, report, node)
    return _save(wb)


def _stack_sheet(ws: Worksheet, report: Report, node: NodeReport) -> StackLayout:
    """One row per live ask (then per removed ask) with review columns; returns the layout."""
    header_row(ws, 1, STACK_HEADERS)
    own = node.decisions
    # The line closes the walk over non-forced asks (roll-up rule 5, docs/rollup.md); forced asks below it
    # are funded wherever they stand and show green.
    last_above = node.last_above
    lined = node.has_budget
    if lined and last_above is None and node.stack:
        for col in range(1, len(STACK_HEADERS) + 1):
            set_style(ws.cell(row=1, column=col), "header-line")
    row = 1
    for i, sr in enumerate(node.stack):
        row += 1
        band = "above" if sr.status == "above" else "below"
        if lined and i == last_above:
            band = "above-line"
        decided = f"{sr.decided_by}: {sr.decision}" if sr.decided_by and sr.decision else None
        texts = {
            "Position": None,
            COL_ASK: sr.ask,
            "Node": sr.node,
            "Title": sr.title,
            "From": sr.child or node.id,
            "Status": sr.status,
            "Decided by": decided,
        }
        _row(ws, row, band, texts, own.get(sr.ask))
        put_value(ws, row, _COL["Position"], sr.position, f"int-{band}")
        put_value(ws, row, _COL["Headcount"], sr.amount.headcount, f"num-{band}")
        put_value(ws, row, _COL["Cost"], sr.amount.cost, f"money-{band}")
        put_value(ws, row, _COL["Run rate"], sr.amount.run_rate, f"money-{band}")
        put_value(ws, row, _COL["Requested headcount"], sr.requested.headcount, f"num-{band}")
        put_value(ws, row, _COL["Requested cost"], sr.requested.cost, f"money-{band}")
        for target, source in (("Cumulative headcount", "Headcount"), ("Cumulative cost", "Cost")):
            here = f"{LETTER[source]}{row}"
            formula = f"={here}" if row == 2 else f"={LETTER[target]}{row - 1}+{here}"
            put_formula(
                ws,
                row,
                _COL[target],
                formula,
                f"{'num' if 'headcount' in target else 'money'}-{band}",
            )
    for rr in node.removed:
        row += 1
        texts = {
            "Position": None,
            COL_ASK: rr.ask,
            "Node": rr.node,
            "Title": rr.title,
            "From": rr.child or node.id,
            "Status": rr.status,
            "Decided by": f"{rr.by}: {'cut' if rr.status == 'cut' else 'defer'}",
        }
        _row(ws, row, "removed", texts, own.get(rr.ask))
        for header in (
            "Position",
            "Headcount",
            "Cost",
            "Run rate",
            "Cumulative headcount",
            "Cumulative cost",
        ):
            set_style(
                ws.cell(row=row, column=_COL[header]),
                "int-removed" if header == "Position" else "text-removed",
            )
        put_value(ws, row, _COL["Requested headcount"], rr.requested.headcount, "num-removed")
        put_value(ws, row, _COL["Requested cost"], rr.requested.cost, "money-removed")
    last = max(row, 2)
    _review_validation(ws, last)
    widths = []
    for i, (name, _kind, width) in enumerate(STACK_COLUMNS, start=1):
        if width == 0:
            values = (ws.cell(row=r, column=i).value for r in range(2, min(row, 500) + 1))
            width = text_width(values, name, high=50 if name == "Title" else 36)
        widths.append(width)
    set_widths(ws, widths)
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{LETTER[COL_NOTE]}{max(row, 1)}"
    print_setup(ws)
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    return StackLayout(2, row)


def _row(
    ws: Worksheet, row: int, band: str, texts: dict[str, str | None], decision: Decision | None
) -> None:
    """The text cells of one Stack row and its prefilled review cells."""
    for name, value in texts.items():
        if name == "Position":
            continue
        put_text(ws, row, _COL[name], value, f"text-{band}")
    lined = "-line" if band.endswith("-line") else ""
    values = ReviewValues.of(decision)
    put_text(ws, row, _COL[COL_DECISION], values.decision, f"review-text{lined}")
    put_value(ws, row, _COL[COL_PARTIAL_HC], values.headcount, f"review-num{lined}")
    put_value(ws, row, _COL[COL_PARTIAL_COST], values.cost, f"review-money{lined}")
    put_value(ws, row, _COL[COL_RANK], values.rank, f"review-int{lined}")
    put_text(ws, row, _COL[COL_NOTE], values.note, f"review-text{lined}")


def _review_validation(ws: Worksheet, last: int) -> None:
    """Dropdown and number checks on the review cells (the importer checks again)."""

    def rng(header: str) -> str:
        return f"{LETTER[header]}2:{LETTER[header]}{last}"

    choice = DataValidation(
        type="list",
        formula1='"' + ",".join(DECISIONS) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Decision",
        error="Choose one of: " + ", ".join(DECISIONS),
        promptTitle="Decision",
        prompt="fund, partial, defer, cut or escalate; leave empty for no decision",
        showInputMessage=True,
    )
    choice.add(rng(COL_DECISION))
    amounts = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Partial",
        error="A partial amount is a number of at least 0, at most the ask's requested figure",
    )
    amounts.add(rng(COL_PARTIAL_HC))
    amounts.add(rng(COL_PARTIAL_COST))
    rank = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="1",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Rank",
        error="A rank is a whole number from 1 (first)",
    )
    rank.add(rng(COL_RANK))
    for dv in (choice, amounts, rank):
        ws.add_data_validation(dv)


def _meta_sheet(ws: Worksheet, report: Report, node: NodeReport) -> None:
    """The very hidden sheet tying the workbook to its cycle, node and rows."""
    ws.sheet_state = "veryHidden"
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
        put_text(ws, i, 1, ref)
        put_text(ws, i, 2, report_fingerprint(report.nodes, ref, owner, node.id, requested))
        values = ReviewValues.of(own.get(ref))
        put_text(ws, i, 3, values.decision)
        put_text(ws, i, 4, fmt_num(values.headcount) or None)
        put_text(ws, i, 5, fmt_num(values.cost) or None)
        put_text(ws, i, 6, str(values.rank) if values.rank is not None else None)
        put_text(ws, i, 7, values.note)


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


def _save(wb: Workbook) -> bytes:
    """Serialize without openpyxl's ``save`` (which stamps the clock) and normalize the zip,
    with the fonts' children in the order the OOXML schema requires."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    return normalize_zip(buf.getvalue(), {"xl/styles.xml": schema_ordered_fonts})
