"""The cells of the workbook's largest sheets, kept as values and written as XML text.

The root's ``Stack`` and ``Meta`` sheets of a 10,000-team org hold 2.3 million cells. As
openpyxl cells they took 22 s of the root workbook's 22 s: creating the cell objects, then
writing each through lxml's incremental writer, element by element. A sheet whose cells are
only ever written through :func:`~opplan.render.xlsx.cells.put_text`, ``put_value``,
``put_formula`` and ``put_shared`` (never read back, merged or made a table: ``ws.cell``
does not see them) keeps them here instead, as ``(value, type, style)`` by row and column
(:func:`enable`), and :func:`save_workbook`'s writer writes its ``<sheetData>`` as text.

The bytes are those openpyxl writes for the same cells: the same elements, attributes and
escapes, each number through openpyxl's own ``safe_string``, and each style's index taken
from the workbook's style list in the order openpyxl's writer takes it (a test compares both
writers on whole workbooks). Everything else in such a sheet (column widths, row heights,
validations, conditional formats, protection) stays openpyxl's.

One thing openpyxl's cells cannot write: a column's formula written once, as a shared
formula that the rows below refer to (:class:`Shared`; the root's ``Stack`` sheet of a
10,000-team org went from 202 MB of XML to 106 MB). openpyxl reads it back as each row's
own formula, as Excel and LibreOffice do; an openpyxl sheet writes each row's formula.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from copy import copy
from dataclasses import dataclass
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.compat import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.dimensions import RowDimension, SheetDimension
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.functions import Element

#: The attribute holding a sheet's :class:`FastCells`.
_KEY = "_opplan_fast"
#: Written where the rows go, then replaced by them (text is escaped, so no cell holds it).
_MARK = "opplanRows"


@dataclass(frozen=True, slots=True)
class Shared:
    """A column's formula down to row ``last``, the same in every row but for the row's own
    number (``{r}`` in ``template``, which starts with ``=``). A fast sheet writes its text
    once, in the first row that holds it, as a shared formula (``<f t="shared">``) that the
    rows below refer to by number; everywhere else it is the row's own formula. The Stack
    sheet makes one per formula column (``stack._shared``) only after checking that the rows
    below read it back as their own formulas."""

    template: str
    last: int

    def at(self, row: int) -> str:
        """The formula of ``row``."""
        return self.template.format(r=row)


class FastCells:
    """A sheet's cells: ``rows[row][col] = (value, type, style array)``; ``styles`` is the
    workbook's style-array cache (:func:`style_array`), held for the cells' fast path;
    ``heights[row]``: a row's height set by :func:`set_height` (openpyxl keeps a row
    dimension object per row, 0.5 s for the root's 55,000 Stack rows at 10,000 teams)."""

    __slots__ = ("heights", "rows", "styles")

    def __init__(self, styles: dict[str, Any]) -> None:
        self.rows: dict[int, dict[int, tuple[Any, str, Any]]] = {}
        self.styles = styles
        self.heights: dict[int, float] = {}


def enable(ws: Worksheet) -> None:
    """Keep ``ws``'s cells as :class:`FastCells` (before any is written)."""
    setattr(ws, _KEY, FastCells(_styles(ws)))


def cells_of(ws: Worksheet) -> FastCells | None:
    """``ws``'s :class:`FastCells`, or None for a sheet of openpyxl cells."""
    found: FastCells | None = ws.__dict__.get(_KEY)
    return found


def style_array(ws: Worksheet, style: str | None) -> Any:
    """The style array of the named ``style`` (None: no style), set on a cell once per
    workbook as a first cell of that style would be: its font, fill and border join the
    workbook's lists in the same order as with openpyxl's cells."""
    if style is None:
        return None
    cache = _styles(ws)
    array = cache.get(style)
    if array is None:
        probe = Cell(ws, row=1, column=1)
        probe.style = style
        array = cache[style] = copy(probe._style)  # type: ignore[attr-defined]
    return array


def _styles(ws: Worksheet) -> dict[str, Any]:
    """The workbook's style arrays by style name."""
    found: dict[str, Any] = ws.parent.__dict__.setdefault("_opplan_styles", {})
    return found


def put(
    fast: FastCells,
    ws: Worksheet,
    row: int,
    col: int,
    value: Any,
    kind: str | None,
    style: str | None,
) -> None:
    """A cell as openpyxl's ``ws.cell`` then a value would leave it: a second write keeps
    the value when the new one is empty, and the style when none is given."""
    put_many(fast, ws, row, ((col, value, kind, style),))


def set_height(ws: Worksheet, row: int, height: float) -> None:
    """Set the height (points) of ``row`` as ``ws.row_dimensions[row].height = height``
    does; a fast sheet keeps it with its cells and writes the same attributes. Set a row's
    height one way only: on a fast sheet, the height kept here is the one written."""
    fast = cells_of(ws)
    if fast is None:
        ws.row_dimensions[row].height = height
    else:
        fast.heights[row] = height


def put_many(
    fast: FastCells,
    ws: Worksheet,
    row: int,
    cells: Sequence[tuple[int, Any, str | None, str | None]],
) -> None:
    """:func:`put` of each ``(col, value, kind, style)`` of ``cells`` in ``row``, in order
    (one look-up of the row and of each style for all of them)."""
    here = fast.rows.setdefault(row, {})
    styles = fast.styles
    for col, value, kind, style in cells:
        array = None if style is None else styles.get(style) or style_array(ws, style)
        old = here.get(col)
        if old is not None:
            if value is None:
                value, kind = old[0], old[1]
            if style is None:
                array = old[2]
        here[col] = (value, kind or "n", array)  # an empty cell is a number cell


def materialize(ws: Worksheet) -> None:
    """Turn ``ws``'s fast cells into openpyxl cells (a sheet that also got openpyxl cells)."""
    fast = cells_of(ws)
    if fast is None:
        return
    _heights_to_dimensions(ws, fast)
    for row, cells in fast.rows.items():
        for col, (value, kind, array) in cells.items():
            cell: Any = ws._cells.get((row, col))  # openpyxl's private fields: as Any
            if cell is not None:  # written directly since: its value and style are the later
                if array is not None and not cell.has_style:
                    cell._style = copy(array)
                continue
            cell = ws.cell(row=row, column=col)
            if array is not None:
                cell._style = copy(array)
            if type(value) is Shared:
                value = value.at(row)
            if value is not None:
                cell._value = value
                cell.data_type = kind
    ws.__dict__.pop(_KEY, None)


def _heights_to_dimensions(ws: Worksheet, fast: FastCells) -> None:
    """Give openpyxl's row dimensions the heights kept in ``fast`` (then forgotten there)."""
    for row, height in fast.heights.items():
        ws.row_dimensions[row].height = height
    fast.heights.clear()


def _text(value: str) -> str:
    """Text as lxml writes it in an element."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    return value


def _attribute(value: str) -> str:
    """An attribute's value as lxml writes it."""
    return _text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _rows_xml(ws: Worksheet, fast: FastCells) -> Iterator[str]:
    """``<row>`` elements as openpyxl's writer makes them for the same cells."""
    book: Any = ws.parent
    styles = book._cell_styles
    dims = ws.row_dimensions
    ids: dict[int, str] = {}  # by id() of a style array: its index (arrays live meanwhile)
    # by column, id() of a style array and kind: its letter, the attributes after r=, styled
    heads: dict[tuple[int, int, str], tuple[str, str, bool]] = {}
    masters: dict[tuple[int, int], tuple[str, int]] = {}  # (id of a Shared, column): si, last
    # by column, id() of a style array and of a Shared: a referring cell's text around its
    # row number, and the master's last row (each such cell is the same but for its row)
    refs: dict[tuple[int, int, int], tuple[str, str, int]] = {}
    heights = fast.heights
    for r in heights.keys() & dims.keys():  # a row with both: openpyxl's, with the height
        dims[r].height = heights.pop(r)
    shown: dict[float, str] = {}  # a height's attributes, made once by openpyxl's own row
    for r in sorted(fast.rows.keys() | dims.keys() | heights.keys()):
        if r in dims:
            attrs = "".join(f' {k}="{_attribute(v)}"' for k, v in dims[r])
        elif r in heights:
            attrs = shown.get(heights[r]) or shown.setdefault(
                heights[r], _row_attributes(ws, r, heights[r])
            )
        else:
            attrs = ""
        parts = [f'<row r="{r}"{attrs}>']
        cells = fast.rows.get(r, {})
        for c in sorted(cells):
            value, kind, array = cells[c]
            if type(value) is Shared and kind == "f":  # a row below its column's master
                below = refs.get((c, id(array), id(value)))
                if below is not None and r <= below[2]:
                    parts.append(f"{below[0]}{r}{below[1]}")
                    continue
            found = heads.get((c, id(array), kind))
            if found is None:  # the style's index is taken when first met, as openpyxl does
                found = heads[c, id(array), kind] = _head(c, array, kind, styles, ids)
            letter, tail, styled = found
            if value is None and not styled:
                continue
            head = f'<c r="{letter}{r}"{tail}'
            if kind == "f" and type(value) is Shared:  # first: == on a record calls __eq__
                parts.append(f"{head}>{_shared(value, r, c, letter, masters)}<v></v></c>")
                si, last = masters.get((id(value), c), ("", 0))
                if r < last:  # the rows below down to ``last`` refer to it: their text
                    refs[c, id(array), id(value)] = (
                        f'<c r="{letter}',
                        f'"{tail}>{_reference(si)}<v></v></c>',
                        last,
                    )
            elif value is None or value == "":
                parts.append(head + "></c>")
            elif kind == "f":
                parts.append(f"{head}><f>{_text(value[1:])}</f><v></v></c>")
            elif kind == "s":
                space = ' xml:space="preserve"' if value != value.strip() else ""
                parts.append(f"{head}><is><t{space}>{_text(value)}</t></is></c>")
            else:
                parts.append(f"{head}><v>{_text(safe_string(value))}</v></c>")
        parts.append("</row>")
        yield "".join(parts)


def _row_attributes(ws: Worksheet, r: int, height: float) -> str:
    """The attributes after ``r=`` that openpyxl writes for a row of ``height`` points."""
    row = RowDimension(ws, index=r, ht=height)
    return "".join(f' {k}="{_attribute(v)}"' for k, v in row)


def _head(c: int, array: Any, kind: str, styles: Any, ids: dict[int, str]) -> tuple[str, str, bool]:
    """A cell's column letter, its attributes after ``r=`` (style index, type) and whether
    it has a style, for a cell of column ``c`` with style ``array`` and type ``kind``."""
    styled = array is not None and any(array)
    tail = ""
    if styled:
        sid = ids.get(id(array))
        if sid is None:
            sid = ids[id(array)] = str(styles.add(array))
        tail = f' s="{sid}"'
    if kind == "s":
        tail += ' t="inlineStr"'
    elif kind != "f":
        tail += f' t="{kind}"'
    return get_column_letter(c), tail, styled


def _shared(
    value: Shared, r: int, c: int, letter: str, masters: dict[tuple[int, int], tuple[str, int]]
) -> str:
    """A cell's ``<f>`` for ``value``: a reference to the shared formula written above it in
    its column, else (the first row) that formula, shared down to ``value.last``; a last
    row with none above writes its own formula."""
    key = (id(value), c)
    master = masters.get(key)
    if master is not None and r <= master[1]:
        return _reference(master[0])
    if r >= value.last:
        return f"<f>{_text(value.at(r)[1:])}</f>"
    si = str(len(masters))
    masters[key] = (si, value.last)
    return f'<f t="shared" ref="{letter}{r}:{letter}{value.last}" si="{si}">{_text(value.at(r)[1:])}</f>'


def _reference(si: str) -> str:
    """The ``<f>`` of a cell that refers to the shared formula numbered ``si``."""
    return f'<f t="shared" si="{si}"/>'


def _dimension(fast: FastCells) -> str:
    """What openpyxl's ``calculate_dimension`` gives for the same cells."""
    rows = [r for r, cells in fast.rows.items() if cells]
    if not rows:
        return "A1:A1"
    cols = {c for cells in fast.rows.values() for c in cells}
    return f"{get_column_letter(min(cols))}{min(rows)}:{get_column_letter(max(cols))}{max(rows)}"


class _SheetWriter(WorksheetWriter):
    """openpyxl's sheet writer, with a fast sheet's rows left as a mark to fill."""

    ws: Any
    xf: Any

    def write_dimensions(self) -> None:
        fast = cells_of(self.ws)
        if fast is None:
            super().write_dimensions()
        else:
            self.xf.send(SheetDimension(_dimension(fast)).to_tree())

    def write_rows(self) -> None:
        if cells_of(self.ws) is None:
            super().write_rows()
            return
        xf = self.xf.send(True)
        with xf.element("sheetData"):
            xf.write(Element(_MARK))
        self.xf.send(None)


class _Writer(ExcelWriter):
    """openpyxl's workbook writer, writing each sheet with :class:`_SheetWriter`."""

    _archive: Any

    def write_worksheet(self, ws: Any) -> None:
        """``ExcelWriter.write_worksheet`` (openpyxl 3.1) with a fast sheet's rows filled in."""
        if cells_of(ws) is not None and ws._cells:
            materialize(ws)  # openpyxl cells as well: let openpyxl write them all
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer: Any = _SheetWriter(ws)
        writer.write()
        ws._rels = writer._rels
        fast = cells_of(ws)
        if fast is None:
            self._archive.write(writer.out, ws.path[1:])
        else:
            with open(writer.out, "rb") as f:
                data = f.read()
            mark = f"<{_MARK}/>".encode()
            at = data.index(mark)
            # lxml writes the sheet in ASCII: other characters as references
            rows = "".join(_rows_xml(ws, fast)).encode("ascii", "xmlcharrefreplace")
            self._archive.writestr(ws.path[1:], b"".join((data[:at], rows, data[at + len(mark) :])))
        self.manifest.append(ws)
        writer.cleanup()  # removes its temporary file


def write_workbook(wb: Workbook, archive: Any) -> None:
    """Write ``wb`` into the open zip ``archive`` as openpyxl's ``ExcelWriter().save()``."""
    _Writer(wb, archive).save()
