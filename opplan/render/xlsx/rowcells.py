"""A row's cells written at once: ``put_cells(ws, row, [text_cell(...), number_cell(...),
formula_cell(...)])`` writes what the helpers of :mod:`opplan.render.xlsx.cells` write one
by one in the same order. On a fast sheet (:mod:`opplan.render.xlsx.fastcells`) the row and
each style are looked up once for all its cells: the root's Stack of a 10,000-team org is
55,000 rows of 38 cells."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from operator import itemgetter
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from opplan.render.xlsx.cells import (
    formulaic,
    number_kind,
    put_formula,
    put_shared,
    put_text,
    put_value,
    text_value,
)
from opplan.render.xlsx.fastcells import Shared, cells_of, put_many

#: A cell for :func:`put_cells`: ``(col, value, kind, style)``, made by :func:`text_cell`,
#: :func:`number_cell` or :func:`formula_cell`.
CellItem = tuple[int, Any, str | None, str | None]
_KIND_OF = itemgetter(2)


def text_cell(col: int, text: Any, style: str | None = None) -> CellItem:
    """What ``put_text`` writes in column ``col``, for :func:`put_cells`."""
    value, kind = text_value(text)
    return (col, value, kind, style)


def number_cell(col: int, value: Decimal | int | None, style: str | None = None) -> CellItem:
    """What ``put_value`` writes in column ``col``, for :func:`put_cells`."""
    return (col, value, number_kind(value), style)


def formula_cell(col: int, formula: Shared | str, style: str | None = None) -> CellItem:
    """A shared formula (``put_shared``) or a formula's text (``put_formula``); a text that
    openpyxl would not write as a formula is of kind ``F``: ``put_formula`` lets it decide."""
    kind = "f" if type(formula) is Shared or formulaic(formula) else "F"  # type: ignore[arg-type]
    return (col, formula, kind, style)


def put_cells(ws: Worksheet, row: int, cells: Sequence[CellItem]) -> None:
    """Write ``cells`` in ``row``, in order, as their helpers would one by one (a fast
    sheet's row is looked up once for all of them: the Stack's 38 cells a row)."""
    if not cells:  # nothing to write: no row either
        return
    fast = cells_of(ws)
    if fast is not None and "F" not in map(_KIND_OF, cells):
        put_many(fast, ws, row, cells)
        return
    for col, value, kind, style in cells:
        if kind == "f" and type(value) is Shared:
            put_shared(ws, row, col, value, style)
        elif kind in ("f", "F"):
            put_formula(ws, row, col, value, style)
        elif kind == "s":
            put_text(ws, row, col, value, style)
        else:
            put_value(ws, row, col, value, style)
