"""The approved plan as a workbook (``opplan approved --format xlsx``): two sheets,
``Nodes`` (what the approved plan gives each node's subtree) and ``Hiring plan`` (one row
per funded position), with the columns of the CSV (:mod:`opplan.render.approvedtables`).

Numbers are stored as numbers (money with the cycle currency's format), text as text
(never a formula), the header row frozen and filtered. The same plans give the same bytes:
fixed document properties from the cycle's ``as_of`` and a normalized zip.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from opplan.render.approvedtables import NODE_COLUMNS, POSITION_COLUMNS, Column, grid
from opplan.render.xlsx.cells import (
    add_styles,
    clean_text,
    header_row,
    put_text,
    put_value,
    set_widths,
)
from opplan.render.xlsx.workbook import save_workbook
from opplan.report.approved import ApprovedPlan

NODES = "Nodes"
HIRING = "Hiring plan"

_STYLES = {"heads": "num-plain", "money": "money-plain", "int": "int-plain"}


def _sheet(ws: Worksheet, columns: Sequence[Column], records: Sequence[Any]) -> None:
    """A header row of the column keys, then one row per record."""
    header_row(ws, 1, [c.key for c in columns])
    kinds = [c.kind for c in columns]
    for r, row in enumerate(grid(columns, records), start=2):
        for c, (kind, value) in enumerate(zip(kinds, row, strict=True), start=1):
            if kind == "text":
                put_text(ws, r, c, value, "text-plain")
            elif kind == "month":
                put_text(ws, r, c, f"{value:%Y-%m}", "text-plain")
            else:
                put_value(ws, r, c, value, _STYLES[kind])
    widths = [max(len(c.key) + 2, 12 if c.kind != "text" else 16) for c in columns]
    set_widths(ws, widths)
    ws.freeze_panes = "A2"
    last = len(records) + 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"


def render_approved_xlsx(plan: ApprovedPlan) -> bytes:
    """The approved plan's workbook, as deterministic .xlsx bytes."""
    wb = Workbook()
    add_styles(wb, plan.cycle.currency)
    nodes = wb.active
    assert isinstance(nodes, Worksheet)  # a new workbook has one sheet, a worksheet
    nodes.title = NODES
    _sheet(nodes, NODE_COLUMNS, plan.nodes)
    _sheet(wb.create_sheet(HIRING), POSITION_COLUMNS, plan.positions)
    as_of = plan.cycle.as_of or dt.date(2000, 1, 1)
    stamp = dt.datetime(as_of.year, as_of.month, as_of.day)
    props = wb.properties
    props.creator = "opplan"
    props.lastModifiedBy = "opplan"
    props.title = clean_text(f"{plan.cycle.name}: approved plan")
    props.created = stamp
    props.modified = stamp
    return save_workbook(wb)
