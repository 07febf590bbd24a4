"""Cell helpers of the review workbook: safe text, number formats, styles, widths.

Every string that comes from a plan goes through :func:`put_text`, which writes
it as a string cell even when it starts with ``=`` (a title
``=HYPERLINK(...)`` must stay text in Excel and LibreOffice), and replaces the
characters that XML cannot hold (:func:`~opplan.xmltext.xml_safe`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from copy import copy
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.styles.styleable import StyleableObject
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from opplan.check.xmltext import xml_safe
from opplan.model.costing import number_text
from opplan.render.xlsx.fastcells import Shared, cells_of, materialize, put, style_array

#: Excel's limit on the characters of one cell.
MAX_CELL_TEXT = 32_767

_SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CNY": "¥",
    "INR": "₹",
    "AUD": "A$",
    "CAD": "C$",
    "NZD": "NZ$",
    "HKD": "HK$",
    "SGD": "S$",
    "KRW": "₩",
    "BRL": "R$",
    "MXN": "MX$",
    "ILS": "₪",
}

HEADCOUNT_FORMAT = "#,##0.##;-#,##0.##;0"
INTEGER_FORMAT = "0"

GREEN = "E2EFDA"
GREY = "F2F2F2"
YELLOW = "FFF2CC"
HEADER_FILL = "D9E1F2"
LINE_COLOR = "C00000"
#: Number cells: top-aligned, one line.
TOP = Alignment(vertical="top")
#: Text cells wrap within their column's width (a 164-character account name stays
#: readable in a 60-character column; short ids and codes never wrap).
WRAP = Alignment(vertical="top", wrap_text=True)


def money_format(currency: str, *, cents: bool = True) -> str:
    """An Excel number format for amounts in ``currency`` (symbol when well known);
    whole units (no cents) for summaries."""
    number = "#,##0.00" if cents else "#,##0"
    symbol = _SYMBOLS.get(currency)
    if symbol is None:
        return f'{number} "{currency}";-{number} "{currency}"'
    return f'"{symbol}"{number};-"{symbol}"{number}'


def clean_text(text: Any) -> str:
    """Text as a cell can hold it: XML-illegal characters as U+FFFD, at most 32,767 chars."""
    value = xml_safe(str(text))
    return value[:MAX_CELL_TEXT]


def text_value(text: Any) -> tuple[str | None, str | None]:
    """What a text cell holds, and its type: ``(clean text, "s")``, or ``(None, None)`` for
    no text (None or ``""``)."""
    if text is None or text == "":
        return None, None
    return clean_text(text), "s"


def put_text(ws: Worksheet, row: int, col: int, text: Any, style: str | None = None) -> None:
    """Write ``text`` as a string cell, never a formula; None leaves the cell empty."""
    fast = cells_of(ws)
    if fast is not None:
        put(fast, ws, row, col, *text_value(text), style)
        return
    cell = _cell(ws, row, col, style)
    value, kind = text_value(text)
    if value is not None:  # clean: no character openpyxl refuses, at most 32,767 of them
        _bind(cell, value, kind)
        cell.data_type = "s"


def put_value(
    ws: Worksheet, row: int, col: int, value: Decimal | int | None, style: str | None = None
) -> None:
    """Write a number (or nothing)."""
    fast = cells_of(ws)
    if fast is not None:
        put(fast, ws, row, col, value, number_kind(value), style)
        return
    cell = _cell(ws, row, col, style)
    if value is not None:
        _bind(cell, value, "n" if type(value) in _NUMBERS else None)


def formulaic(text: str) -> bool:
    """Whether openpyxl writes ``text`` as a formula: ``=`` and more, no control character."""
    return len(text) > 1 and text[0] == "=" and not _REFUSED.search(text)


def put_formula(ws: Worksheet, row: int, col: int, formula: str, style: str | None = None) -> None:
    """Write a formula (``formula`` starts with ``=``; only ever built by opplan)."""
    fast = cells_of(ws)
    is_formula = formulaic(formula)
    if fast is not None and is_formula:
        put(fast, ws, row, col, formula, "f", style)
        return
    if fast is not None:
        materialize(ws)  # not a formula openpyxl would write as one: let it decide
    cell = _cell(ws, row, col, style)
    _bind(cell, formula, "f" if is_formula else None)


def put_shared(ws: Worksheet, row: int, col: int, formula: Shared, style: str | None) -> None:
    """Write a column's shared formula in ``row`` (its own formula in an openpyxl sheet)."""
    fast = cells_of(ws)
    if fast is None:
        put_formula(ws, row, col, formula.at(row), style)
    else:
        put(fast, ws, row, col, formula, "f", style)


_NUMBERS = (int, Decimal)


def number_kind(value: Any) -> str | None:
    """The cell type openpyxl gives a number: ``b`` for a bool, ``n`` for the others (None
    for no number)."""
    if value is None:
        return None
    if type(value) is bool:
        return "b"
    if isinstance(value, int | float | Decimal):
        return "n"
    raise TypeError(f"not a number: {value!r}")


#: the characters openpyxl refuses in a string cell
_REFUSED = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _bind(cell: Any, value: Any, data_type: str | None) -> None:
    """``cell.value = value`` when openpyxl would infer ``data_type``, without inferring it.

    openpyxl's setter infers the type and checks the text again on every cell, a tenth of
    the time of the root's workbook. None (a type to infer) and a merged cell, which refuses
    a value, take the setter."""
    if data_type is not None and type(cell) is Cell:
        cell._value = value  # type: ignore[attr-defined]
        cell.data_type = data_type
    else:
        cell.value = value


def _cell(ws: Worksheet, row: int, col: int, style: str | None) -> Any:
    """The cell at (row, col), styled: ``ws.cell`` and :func:`set_style` in one step.

    openpyxl's ``ws.cell`` checks, looks up and creates in three calls, a third of the
    time of the root's workbook; a new cell is made here directly with its style array.
    """
    cells: dict[tuple[int, int], Any] = ws._cells
    cell = cells.get((row, col))
    if cell is None and style and 0 < row < 1_048_577 and col > 0:
        array = style_array(ws, style)
        cell = Cell(ws, row=row, column=col, style_array=array)  # the array is copied
        cells[(row, col)] = cell
        ws._current_row = max(row, ws._current_row)  # type: ignore[attr-defined]
        return cell
    if cell is None:
        cell = ws.cell(row=row, column=col)
    if style:
        set_style(cell, style)
    return cell


def set_style(cell: StyleableObject, style: str) -> None:
    """Apply a named style, fast.

    ``cell.style = name`` looks the name up in a list on every call, a third of
    the time of a 10,000-row workbook; the style array it sets is the same for
    every cell of a workbook, so it is computed once per name
    (:func:`~opplan.render.xlsx.fastcells.style_array`) and copied.
    """
    styled: Any = cell  # the style array is private to openpyxl (and not in its stubs)
    styled._style = copy(style_array(styled.parent, style))


def add_styles(wb: Workbook, currency: str) -> None:
    """Register the named styles the sheets use.

    Named styles are cheap to apply to many cells; names are
    ``<kind>`` or ``<kind>-<band>`` where band is above, below, removed or review.
    """
    thin = Side(style="thin", color="808080")
    money = money_format(currency)
    header = NamedStyle(
        "header",
        font=Font(bold=True),
        fill=_fill(HEADER_FILL),
        border=Border(bottom=thin),
        alignment=Alignment(wrap_text=True, vertical="top"),
    )
    wb.add_named_style(header)
    wb.add_named_style(
        NamedStyle(
            "header-line",
            font=Font(bold=True),
            fill=_fill(HEADER_FILL),
            border=Border(bottom=Side(style="thick", color=LINE_COLOR)),
            alignment=Alignment(wrap_text=True, vertical="top"),
        )
    )
    wb.add_named_style(NamedStyle("title", font=Font(bold=True, size=14)))
    wb.add_named_style(NamedStyle("subtitle", font=Font(italic=True, color="595959")))
    wb.add_named_style(NamedStyle("label", font=Font(bold=True)))
    wb.add_named_style(NamedStyle("note", font=Font(italic=True), alignment=WRAP))
    wb.add_named_style(NamedStyle("wrap", alignment=WRAP))
    for name, shade in (("swatch-green", GREEN), ("swatch-grey", GREY), ("swatch-yellow", YELLOW)):
        wb.add_named_style(NamedStyle(name, fill=_fill(shade), alignment=WRAP))
    wb.add_named_style(
        NamedStyle(
            "swatch-line",
            border=Border(bottom=Side(style="thick", color=LINE_COLOR)),
            alignment=WRAP,
        )
    )
    bands = {"plain": None, "total": None}
    line = Border(bottom=Side(style="thick", color=LINE_COLOR))
    for band, color in bands.items():
        for lined in (False, True):
            if lined and band != "above":
                continue
            suffix = f"{band}-line" if lined else band
            kwargs: dict[str, Any] = {}
            if color:
                kwargs["fill"] = _fill(color)
            if lined:
                kwargs["border"] = line
            font = (
                Font(bold=True)
                if band == "total"
                else (Font(italic=True, color="7F7F7F") if band == "removed" else Font())
            )
            if band == "total":
                kwargs["border"] = Border(top=thin)
            for kind, fmt in (
                ("text", "General"),
                ("num", HEADCOUNT_FORMAT),
                ("money", money),
                ("whole", money_format(currency, cents=False)),
                ("int", INTEGER_FORMAT),
                ("general", "General"),
            ):
                wb.add_named_style(
                    NamedStyle(
                        f"{kind}-{suffix}",
                        number_format=fmt,
                        font=font,
                        alignment=WRAP if kind == "text" else TOP,
                        **kwargs,
                    )
                )
    review_fill = _fill(YELLOW)
    for kind, fmt in (
        ("text", "@"),
        ("num", HEADCOUNT_FORMAT),
        ("money", money),
        ("int", INTEGER_FORMAT),
    ):
        for lined in (False, True):
            wb.add_named_style(
                NamedStyle(
                    f"review-{kind}" + ("-line" if lined else ""),
                    number_format=fmt,
                    fill=review_fill,
                    border=line if lined else Border(),
                    protection=Protection(locked=False),
                    alignment=WRAP if kind == "text" else TOP,
                )
            )


def _fill(color: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=color, end_color=color)


def header_row(ws: Worksheet, row: int, headers: Sequence[str]) -> None:
    """Write a header row in the header style."""
    for col, name in enumerate(headers, start=1):
        put_text(ws, row, col, name, "header")


#: Paper sizes of the cycle's ``page_size`` (OOXML's paperSize codes).
#: Points per line of wrapped 11 pt text (Excel's default row height), and padding.
LINE_POINTS = 15.0


def wrapped_lines(text: str | None, width: float) -> int:
    """How many lines ``text`` takes in a column ``width`` characters wide (word wrap,
    a long word broken; an estimate on the safe side: a character counts as a digit's
    width)."""
    if not text:
        return 1
    room = max(int(width) - 1, 1)
    lines = 0
    for paragraph in str(text).split("\n"):
        used = 0
        lines += 1
        for word in paragraph.split(" "):
            size = len(word)
            if used and used + 1 + size > room:
                lines += 1
                used = 0
            elif used:
                used += 1
            while size > room:
                lines += 1
                size -= room
            used += size
    return lines


def row_height(*cells: tuple[str | None, float]) -> float:
    """The height (points) of a row whose wrapped cells are ``(text, width)``: LibreOffice
    does not fit rows openpyxl writes, so the workbook sets them."""
    lines = max((wrapped_lines(text, width) for text, width in cells), default=1)
    return LINE_POINTS * lines + (2.0 if lines > 1 else 0.0)


def set_widths(ws: Worksheet, widths: Iterable[float]) -> None:
    """Set column widths (in characters), first column first."""
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def text_width(values: Iterable[Any], header: str, *, low: int = 8, high: int = 60) -> float:
    """A readable width for a column: its longest value (or header), clamped."""
    longest = len(header)
    for value in values:
        if value is not None:
            longest = max(longest, len(str(value)))
    return float(min(max(round(longest * 1.1) + 2, low), high))


def fmt_num(value: Decimal | None) -> str:
    """A number as short text: ``2``, ``1.5``."""
    return "" if value is None else number_text(value)
