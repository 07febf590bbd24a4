"""The import reads the Stack sheet's cells as openpyxl's read-only ``iter_rows`` gives them,
except that a shared formula's cell is not rebuilt into its own formula text (the import
only asks whether a cell holds a formula)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from opplan import pipeline
from opplan.render.xlsx.workbook import render_xlsx
from opplan.review.stackcells import stack_cells

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "northwind-op1-2027"
WIDTH = 40  # past the Stack's last column: every cell, empty ones too


def _seen(cells: Any) -> list[tuple[Any, bool, bool]]:
    """Each cell as the import reads it: its value (a formula's only as "a formula"), and
    whether it holds a formula or an error."""
    out = []
    for cell in cells:
        kind = getattr(cell, "data_type", None)
        value = getattr(cell, "value", None)
        out.append((None if kind == "f" else value, kind == "f", kind == "e"))
    return out


def _both(data: bytes, max_row: int) -> tuple[list[Any], list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        ws = book["Stack"]
        theirs = [_seen(r) for r in ws.iter_rows(min_row=2, max_row=max_row, max_col=WIDTH)]
        ours = [_seen(r) for r in stack_cells(ws, 2, max_row, WIDTH)]
        return ours, theirs
    finally:
        book.close()


@pytest.fixture(scope="module")
def report():
    rolled = pipeline.rollup(SAMPLE)
    assert rolled.report is not None
    return rolled.report


def test_every_sample_workbook_reads_as_openpyxl_reads_it(report) -> None:
    for nid in report.nodes:
        ours, theirs = _both(render_xlsx(report, nid), 500)
        assert ours == theirs, nid
        asks = [row[0][0] for row in ours if row[0][0]]
        node = report.nodes[nid]
        assert asks[: len(node.stack)] == [r.ask for r in node.stack]


def test_gaps_typed_formulas_errors_and_a_cell_past_the_last_row(report) -> None:
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(report, report.root)))
    ws = book["Stack"]
    ws["C3"] = "=1+1"  # a formula typed in a review cell
    ws["D4"] = "#DIV/0!"
    ws["D4"].data_type = "e"
    ws["E60"] = 5  # far below the last ask: empty rows between
    saved = io.BytesIO()
    book.save(saved)
    ours, theirs = _both(saved.getvalue(), 80)
    assert ours == theirs
    assert len(ours) == 59  # rows 2 to 60: the sheet ends there
    assert ours[1][2] == (None, True, False) and ours[2][3] == ("#DIV/0!", False, True)
    ours, theirs = _both(saved.getvalue(), 40)  # row 60 lies past the last row asked for
    assert ours == theirs and len(ours) == 39


def test_a_shared_formula_is_read_as_a_formula_without_its_text(report) -> None:
    book = openpyxl.load_workbook(
        io.BytesIO(render_xlsx(report, report.root)), read_only=True, data_only=False
    )
    try:
        first, second = list(stack_cells(book["Stack"], 2, 3, WIDTH))
    finally:
        book.close()
    status = 7  # column H
    assert first[status].data_type == second[status].data_type == "f"
    assert first[status].value.startswith("=IF(AG2=0,")
    assert second[status].value == "="
