"""A sheet whose cells are kept as values and written as text (``fastcells``) gives the
bytes openpyxl's own cells give: on a sheet of every kind of cell, and on every workbook
of the sample."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import REPO
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from opplan import pipeline
from opplan.render.xlsx import fastcells, stack, workbook
from opplan.render.xlsx.cells import (
    add_styles,
    put_formula,
    put_shared,
    put_text,
    put_value,
    row_height,
)
from opplan.render.xlsx.rowcells import formula_cell, number_cell, put_cells, text_cell
from opplan.render.xlsx.workbook import render_xlsx, save_workbook

SAMPLE = REPO / "samples" / "northwind-op1-2027"

HOSTILE = [
    "plain",
    "a & b < c > d",
    "  leading and trailing  ",
    "line one\nline two\r\nthree\rfour",
    "tab\there",
    '=HYPERLINK("http://x","y")',
    "ünïcödé € ₹ 漢字 👍",
    "\"quoted\" 'single'",
    "]]> <![CDATA[",
    "<opplanRows/>",
]


def _fill(ws: Worksheet) -> None:
    """Every kind of cell the helpers write, some twice, with row heights between."""
    put_text(ws, 1, 1, "Header", "header")
    for r, text in enumerate(HOSTILE, start=2):
        put_text(ws, r, 1, text, "text-plain")
        put_text(ws, r, 2, text)  # no style
        put_value(ws, r, 3, Decimal("1234.50") * r, "money-plain")
        put_value(ws, r, 4, r, "review-int")
        put_value(ws, r, 5, None, "review-num")  # styled, empty
        put_value(ws, r, 6, None)  # neither: no cell written
        put_formula(ws, r, 7, f'=IF(C{r}>0,"yes","<no>")', "text-plain")
        put_text(ws, r, 8, "", "review-text")  # styled, empty text
        if r % 2:  # kept with a fast sheet's cells, or openpyxl's own row dimension
            fastcells.set_height(ws, r, row_height((text, 10.0)))
        else:
            ws.row_dimensions[r].height = row_height((text, 10.0))
    put_value(ws, 3, 9, True, "review-int")
    put_value(ws, 3, 10, Decimal("0.1234567890123456789"), "num-plain")  # beyond a float
    put_value(ws, 3, 11, 10**20, "num-plain")
    put_text(ws, 2, 1, None, "review-text")  # restyle, keep the value
    put_text(ws, 2, 3, "now text", None)  # a new value, keep the style
    put_cells(  # a row at once: each cell as its helper writes it
        ws,
        30,
        [
            text_cell(1, "a & b", "label"),
            text_cell(2, ""),
            number_cell(3, Decimal("2.50"), "money-plain"),
            number_cell(4, None, "review-num"),
            text_cell(7, "\x01 bad"),
            text_cell(3, None, "review-text"),  # restyle, keep the value
        ],
    )
    put_cells(ws, 31, [formula_cell(5, "=C30*2", "num-plain"), text_cell(6, "x", "label")])
    put_cells(ws, 32, [])  # nothing: no row
    ws.row_dimensions[40].height = 30  # a row with a height and no cell
    fastcells.set_height(ws, 41, 45.5)  # the same, kept with the cells
    ws.row_dimensions[42].hidden = True  # a row dimension, then a height kept with the cells
    fastcells.set_height(ws, 42, 20)
    put_text(ws, 50, 30, "far away", "label")


def _workbook(currency: str) -> Workbook:
    """A workbook with our styles, its dates fixed (a new one is stamped with the clock)."""
    wb = Workbook()
    wb.properties.created = wb.properties.modified = dt.datetime(2026, 1, 1)
    add_styles(wb, currency)
    return wb


def _book(fast: bool) -> bytes:
    wb = _workbook("EUR")
    first = wb.active
    assert isinstance(first, Worksheet)
    put_text(first, 1, 1, "before", "title")
    ws = wb.create_sheet("Fast")
    if fast:
        fastcells.enable(ws)
    _fill(ws)
    put_text(wb.create_sheet("After"), 1, 1, "after", "subtitle")
    return save_workbook(wb)


def test_a_fast_sheet_writes_the_bytes_of_openpyxl_cells() -> None:
    assert _book(fast=True) == _book(fast=False)


def test_cells_put_at_once_are_those_their_helpers_put_one_by_one() -> None:
    """``put_cells`` (the Stack's and Meta's rows) writes what ``put_text``, ``put_value``
    and ``put_formula`` write called in the same order, on a fast sheet and on another."""
    cells = [
        text_cell(1, "a & b", "label"),
        number_cell(2, Decimal("2.50"), "money-plain"),
        text_cell(2, None, "review-text"),  # restyle, keep the value
        number_cell(3, 7, "review-int"),
        text_cell(3, "now text"),  # a new value, keep the style
        text_cell(4, ""),
        number_cell(5, None, "review-num"),
        text_cell(6, "\x01 bad", "label"),
    ]

    def book(fast: bool, at_once: bool, formula: bool | str) -> bytes:
        wb = _workbook("EUR")
        ws = wb.active
        assert isinstance(ws, Worksheet)
        if fast:
            fastcells.enable(ws)
        row = [*cells, formula_cell(7, "=B2*2", "num-plain")] if formula else cells
        if formula == "refused":  # not a formula to openpyxl: it decides, on its own cells
            row = [*row, formula_cell(8, "=", "num-plain")]
        if at_once:
            put_cells(ws, 2, row)
        else:
            for col, value, kind, style in row:
                put = {"s": put_text, "f": put_formula, "F": put_formula}.get(kind or "", put_value)
                put(ws, 2, col, value, style)
        return save_workbook(wb)

    for fast in (True, False):
        for formula in (True, False, "refused"):  # a formula's text, one openpyxl refuses
            assert book(fast, True, formula) == book(fast, False, formula), (fast, formula)


def test_a_fast_sheet_that_also_gets_an_openpyxl_cell_is_written_by_openpyxl() -> None:
    def book(fast: bool) -> bytes:
        wb = _workbook("USD")
        ws = wb.active
        assert isinstance(ws, Worksheet)
        if fast:
            fastcells.enable(ws)
        _fill(ws)
        ws.cell(row=60, column=1).value = "direct"  # not through the helpers
        ws.cell(row=2, column=3).value = "over a helper's cell"  # the later write wins
        return save_workbook(wb)

    assert book(fast=True) == book(fast=False)


def test_nothing_is_left_in_the_temporary_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    _book(fast=True)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def report():
    rolled = pipeline.rollup(SAMPLE)
    assert rolled.report is not None
    return rolled.report


def _unshared(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every Stack formula written in each row, as openpyxl's cells can only write it."""
    monkeypatch.setattr(stack, "_shared", lambda template, col, first, last: template)


def test_every_workbook_of_the_sample_is_the_same_with_openpyxl_cells(
    report, monkeypatch: pytest.MonkeyPatch
) -> None:
    _unshared(monkeypatch)
    fast = {nid: render_xlsx(report, nid) for nid in report.nodes}
    monkeypatch.setattr(stack, "enable", lambda ws: None)
    monkeypatch.setattr(workbook, "enable", lambda ws: None)
    slow = {nid: render_xlsx(report, nid) for nid in report.nodes}
    assert len(fast) == 34
    differ = [nid for nid in fast if fast[nid] != slow[nid]]
    assert differ == []


def _cells(data: bytes) -> dict[tuple[str, str], object]:
    book = load_workbook(io.BytesIO(data))
    return {(ws.title, c.coordinate): c.value for ws in book for row in ws.iter_rows() for c in row}


def test_shared_formulas_read_back_as_each_rows_own(
    report, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Stack sheet writes each formula column once (a shared formula); every cell of every
    sample workbook reads back as with a formula in each row, and the text is shorter."""
    shared = {nid: render_xlsx(report, nid) for nid in report.nodes}
    _unshared(monkeypatch)
    own = {nid: render_xlsx(report, nid) for nid in report.nodes}
    root = report.root
    stack_xml = zipfile.ZipFile(io.BytesIO(shared[root])).read("xl/worksheets/sheet2.xml")
    assert stack_xml.count(b'<f t="shared" ref="') == len(stack._formulas(root, 2, 3))
    assert len(shared[root]) < 0.9 * len(own[root])
    assert [nid for nid in report.nodes if _cells(shared[nid]) != _cells(own[nid])] == []


def test_a_formula_is_shared_only_when_every_row_reads_it_back() -> None:
    assert isinstance(stack._shared("=A{r}+$B$2+SUM($C$2:$C$9)", 8, 2, 9), fastcells.Shared)
    assert stack._shared("=A{r}+B2", 8, 2, 9) == "=A{r}+B2"  # B2 would move with the row
    assert stack._shared("=ROUND(A2,{r})", 8, 2, 9) == "=ROUND(A2,{r})"  # not a reference
    assert stack._shared('=A{r}&"\x01"', 8, 2, 9) == '=A{r}&"\x01"'  # not a formula


def _shared_sheet(shared: fastcells.Shared, rows: Iterable[int]) -> tuple[Workbook, Worksheet]:
    """A fast sheet with ``shared`` put in column B of ``rows``."""
    wb = _workbook("USD")
    ws = wb.active
    assert isinstance(ws, Worksheet)
    fastcells.enable(ws)
    for r in rows:
        put_shared(ws, r, 2, shared, "text-plain")
    return wb, ws


def _sheet_xml(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")


def test_a_shared_formula_is_written_once_and_referred_to_below() -> None:
    shared = fastcells.Shared('=IF(A{r}>0,"yes","no")', 4)
    wb, ws = _shared_sheet(shared, (2, 3, 4, 6))  # row 6: past the shared rows, its own
    put_shared(ws, 3, 3, shared, None)  # another column: another shared formula
    data = save_workbook(wb)
    xml = _sheet_xml(data)
    assert b'<c r="B2" s="1"><f t="shared" ref="B2:B4" si="0">IF(A2&gt;0,' in xml
    assert b'<c r="B3" s="1"><f t="shared" si="0"/><v></v></c>' in xml
    assert b'<c r="C3"><f t="shared" ref="C3:C4" si="1">IF(A3&gt;0' in xml
    assert b'<c r="B6" s="1"><f>IF(A6&gt;0,"yes","no")</f><v></v></c>' in xml
    back = load_workbook(io.BytesIO(data)).active
    assert [back.cell(r, 2).value for r in (2, 3, 4, 6)] == [shared.at(r) for r in (2, 3, 4, 6)]
    assert back.cell(3, 3).value == shared.at(3)


def test_a_fast_sheet_turned_into_openpyxl_cells_writes_each_rows_shared_formula() -> None:
    shared = fastcells.Shared('=IF(A{r}>0,"yes","no")', 5)
    wb, ws = _shared_sheet(shared, range(2, 6))
    ws.cell(row=9, column=1).value = "direct"  # an openpyxl cell: the sheet is openpyxl's
    data = save_workbook(wb)
    assert b't="shared"' not in _sheet_xml(data)
    back = load_workbook(io.BytesIO(data)).active
    assert [back.cell(r, 2).value for r in range(2, 6)] == [shared.at(r) for r in range(2, 6)]
