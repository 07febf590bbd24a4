"""Page geometry of the Word documents, shared by the writer and the page estimate.

Kept free of python-docx so that ``opplan check --pages estimate`` never loads it.
"""

from __future__ import annotations

EMU_PER_INCH = 914_400
#: Font size of table text, in points.
TABLE_FONT_PT = 8.5
#: Page width and height in EMU (English Metric Units, 914,400 to the inch).
PAGE_SIZES: dict[str, tuple[int, int]] = {
    "letter": (int(8.5 * EMU_PER_INCH), int(11 * EMU_PER_INCH)),
    "a4": (int(8.27 * EMU_PER_INCH), int(11.69 * EMU_PER_INCH)),
}
