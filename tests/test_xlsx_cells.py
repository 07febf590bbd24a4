"""The workbook's cell helpers write what openpyxl's own setters would, faster."""

from __future__ import annotations

import gc
from decimal import Decimal

import pytest
from openpyxl import Workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.worksheet.worksheet import Worksheet

from opplan.render.xlsx.cells import add_styles, put_formula, put_text, put_value, set_style
from opplan.util.gcpause import paused_for_garbage


def _sheet() -> Worksheet:
    wb = Workbook()
    add_styles(wb, "USD")
    ws = wb.active
    assert isinstance(ws, Worksheet)
    return ws


def _by_setter(ws: Worksheet, row: int, col: int, value: object, style: str) -> None:
    """What the helpers replaced: ``ws.cell``, the value setter, the named style."""
    cell = ws.cell(row=row, column=col)
    cell.value = value
    set_style(cell, style)


CASES: list[tuple[object, str, str]] = [
    (Decimal("1234.50"), "money-plain", "n"),
    (7, "review-int", "n"),
    (True, "review-int", "b"),  # not a number type of ours: the setter decides
    ("=SUM(A1:A3)", "money-plain", "f"),
    ("=", "text-plain", "s"),  # a lone '=' is text, as openpyxl says
]


@pytest.mark.parametrize(("value", "style", "data_type"), CASES)
def test_value_and_formula_cells_match_openpyxl(value: object, style: str, data_type: str) -> None:
    ws = _sheet()
    _by_setter(ws, 1, 1, value, style)
    if isinstance(value, str):
        put_formula(ws, 2, 1, value, style)
    else:
        put_value(ws, 2, 1, value, style)  # type: ignore[arg-type]
    mine, theirs = ws.cell(row=2, column=1), ws.cell(row=1, column=1)
    assert (mine.value, mine.data_type) == (theirs.value, data_type)
    assert mine.data_type == theirs.data_type
    assert mine.style_id == theirs.style_id
    assert ws._current_row == 2


def test_text_cells_stay_text_and_clean() -> None:
    ws = _sheet()
    put_text(ws, 1, 1, "=HYPERLINK(1)", "text-plain")
    put_text(ws, 1, 2, "#N/A", "text-plain")
    put_text(ws, 1, 3, "bell\x07here", "text-plain")
    put_text(ws, 1, 4, "", "text-plain")
    put_text(ws, 1, 5, None)
    got = [(c.value, c.data_type) for c in ws[1]]
    assert got == [
        ("=HYPERLINK(1)", "s"),
        ("#N/A", "s"),
        ("bell\ufffdhere", "s"),
        (None, "n"),
        (None, "n"),
    ]
    assert ws.cell(row=1, column=4).style_id == ws.cell(row=1, column=1).style_id
    assert ws.cell(row=1, column=5).style_id == 0


def test_styled_cell_written_twice_keeps_one_cell() -> None:
    ws = _sheet()
    put_value(ws, 3, 2, 5, "num-plain")
    first = ws.cell(row=3, column=2)
    put_value(ws, 3, 2, 6, "review-int")
    assert ws.cell(row=3, column=2) is first
    assert first.value == 6
    assert first.style_id == ws.parent._cell_styles.add(ws.parent._opplan_styles["review-int"])


def test_a_merged_cell_still_refuses_a_value() -> None:
    ws = _sheet()
    put_text(ws, 1, 1, "a", "text-plain")
    put_text(ws, 1, 2, "b", "text-plain")
    ws.merge_cells("A1:B1")
    assert isinstance(ws.cell(row=1, column=2), MergedCell)
    with pytest.raises(AttributeError):
        put_text(ws, 1, 2, "c", "text-plain")
    with pytest.raises(AttributeError):
        put_value(ws, 1, 2, 3, "num-plain")


def test_paused_for_garbage_restores_the_collector() -> None:
    assert gc.isenabled()
    with paused_for_garbage():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_for_garbage():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
