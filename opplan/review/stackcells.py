"""The Stack sheet's cells as the import reads them, without rebuilding shared formulas.

The build writes each formula column of the Stack once, as a shared formula that the rows
below refer to. openpyxl's reader rebuilds the formula text of every such cell by moving the
first row's references (about 0.2 ms a row for the sheet's 17 formula columns: seconds for a
root's 50,000 asks). The import needs each review cell's value and whether it holds a
formula, never a formula's text, so this reader keeps a shared formula's cell as it is
written (``=`` and the text, if any) and otherwise reads the rows as
``Worksheet.iter_rows`` does in openpyxl's read-only mode.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

_FORMULA = f"{{{SHEET_MAIN_NS}}}f"


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell's value and openpyxl's type of it (``f``: a formula, ``e``: an error...)."""

    value: Any
    data_type: str | None


EMPTY = Cell(None, None)


class _Parser(WorkSheetParser):
    """openpyxl's sheet parser, leaving a shared formula's text as written."""

    def parse_formula(self, element: Any) -> Any:
        formula = element.find(_FORMULA)
        if formula is not None and formula.get("t") == "shared":
            return "=" + (formula.text or "")
        return super().parse_formula(element)  # type: ignore[no-untyped-call]


def stack_cells(ws: Any, min_row: int, max_row: int, width: int) -> Iterator[tuple[Cell, ...]]:
    """Rows ``min_row`` to ``max_row`` of a read-only sheet (fewer when the sheet ends first),
    each its first ``width`` cells; a missing row or cell is empty, and a sheet with a cell past
    ``max_row`` gives every row to ``max_row`` (as ``iter_rows`` gives them)."""
    book = ws.parent
    empty = (EMPTY,) * width
    at = min_row
    with ws._get_source() as src:
        parser = _Parser(
            src,
            ws._shared_strings,
            data_only=book.data_only,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for idx, cells in parser.parse():
            if idx < at:
                continue
            while at < min(idx, max_row + 1):  # rows between, up to the last one asked for
                at += 1
                yield empty
            if idx > max_row:  # a cell past the last row: the caller sees the rows run on
                return
            row = [EMPTY] * width
            for cell in cells:
                column = cell["column"]
                if 1 <= column <= width:
                    row[column - 1] = Cell(cell["value"], cell["data_type"])
            at += 1
            yield tuple(row)
