"""Printing a review workbook's sheets: landscape, one page wide, the header row on every
page, the node and cycle in the page header and page numbers in the footer."""

from __future__ import annotations

from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from opplan.render.xlsx.cells import clean_text

PAPER = {"letter": 1, "a4": 9}


def print_setup(
    ws: Worksheet,
    title_rows: str | None = "1:1",
    *,
    header: tuple[str, str] = ("", ""),
    paper: str = "letter",
) -> None:
    """Print landscape, as wide as one page, repeating the header row on every page, with
    a header (``header``: the node and the cycle, and the sheet) and a page-numbered footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER.get(paper.lower(), 1)
    if ws.sheet_properties.pageSetUpPr is None:  # openpyxl makes one; its stubs allow None
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.7, bottom=0.6, header=0.3, footer=0.3)
    if title_rows:
        ws.print_title_rows = title_rows
    node, cycle = (_hf(t) for t in header)
    top, bottom = ws.oddHeader, ws.oddFooter
    assert top is not None and bottom is not None  # openpyxl makes both; its stubs allow None
    top.left.text = node
    top.center.text = cycle
    top.right.text = "&A"  # the sheet's name
    bottom.left.text = node
    bottom.right.text = "Page &P of &N"


def _hf(text: str) -> str:
    """Plain text for a header or footer field: ``&`` doubled, at most 80 characters."""
    return clean_text(text)[:80].replace("&", "&&")
