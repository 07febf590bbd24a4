"""Column widths that never break a word inside a table cell.

A table's columns have relative widths (:class:`~.grids.Column`); laid out as
they are, a long word in a narrow column ("Recommendations" in a Team column)
is broken in the middle. :func:`column_widths` first gives every column the
width of its longest word, measured with a conservative estimate of the
document font's character widths, and takes that width from the columns that
can give it: first from columns of long text that wrap at spaces anyway, the
widest first; then what a column has beyond its longest line of text (it still
fits on one line); then from any column down to its own longest word. The
table keeps its total width. The Word writer and
the page estimate both use it, so the estimate measures the table the reader
sees. Free of python-docx, like the page estimate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import repeat, zip_longest

from opplan.render.docx.grids import LINE, MUTED, Grid

_LOWER = (
    "0.49 0.54 0.42 0.54 0.50 0.32 0.47 0.54 0.25 0.26 0.48 0.25 0.81 "
    "0.54 0.54 0.54 0.54 0.36 0.40 0.35 0.54 0.47 0.75 0.46 0.47 0.40"
)
_UPPER = (
    "0.61 0.56 0.53 0.63 0.49 0.46 0.64 0.63 0.27 0.33 0.55 0.42 0.87 "
    "0.66 0.68 0.53 0.69 0.56 0.47 0.50 0.65 0.59 0.91 0.55 0.52 0.48"
)
#: Advance widths of Carlito Bold (metric-compatible with Calibri Bold), in ems; the bold
#: face is wider than the regular one, so every cell is measured as if bold (headers and
#: totals are).
_EM = {
    **dict(zip("abcdefghijklmnopqrstuvwxyz", map(float, _LOWER.split()), strict=True)),
    **dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", map(float, _UPPER.split()), strict=True)),
    **dict.fromkeys("0123456789$#", 0.51),
    **dict.fromkeys(".,;:'!", 0.28),
    **dict.fromkeys("()-", 0.31),
    **dict.fromkeys("%&@", 0.75),
}
_OTHER_EM = 0.62
"""Any other character: wider than most letters."""

#: How much wider than Calibri a body font's letters are (unknown fonts: the widest).
FONT_SCALE = {
    "calibri": 1.0,
    "carlito": 1.0,
    "arial": 1.13,
    "liberation sans": 1.13,
    "helvetica": 1.13,
    "times new roman": 1.0,
    "liberation serif": 1.0,
    "cambria": 1.08,
    "caladea": 1.08,
    "georgia": 1.15,
}
UNKNOWN_FONT_SCALE = 1.2
SAFETY = 1.06
"""Headroom over the estimate (kerning, rounding of twips, the renderer's own metrics)."""
CELL_PAD_PT = 7.5
"""Left and right cell margins (3.5 pt each) and the border."""

_BREAKS = re.compile(r"\s+|(?<=-)")
_BREAK_AT = re.compile(r"[\s-]")  # where _BREAKS can split a text


@lru_cache(maxsize=1 << 16)
def _units(text: str) -> float:
    """The width of ``text`` in ems of the reference font (cells repeat: names, amounts)."""
    return sum(map(_EM.get, text, repeat(_OTHER_EM)))  # each character's, in order


@lru_cache(maxsize=1 << 16)
def _word_units(text: str) -> float:
    """The widest piece of ``text`` that cannot wrap, in ems of the reference font."""
    if text and _BREAK_AT.search(text) is None:  # one piece (an amount, an id): its width
        return _units(text)
    return max((_units(w) for w in _BREAKS.split(text) if w), default=0.0)


def _scale(size_pt: float, font: str) -> float:
    return size_pt * FONT_SCALE.get(font.lower(), UNKNOWN_FONT_SCALE) * SAFETY


def text_width(text: str, size_pt: float, font: str = "Calibri") -> float:
    """The width of ``text`` on one line, in points, estimated on the safe side."""
    return _units(text) * _scale(size_pt, font)


def longest_word(text: str, size_pt: float, font: str = "Calibri") -> float:
    """The width of the widest piece of ``text`` that cannot wrap (split at spaces and
    after hyphens), in points."""
    return _word_units(text) * _scale(size_pt, font)


def column_widths(
    weights: Sequence[float],
    rows: Sequence[Sequence[str]],
    total: float,
    size_pt: float,
    font: str = "Calibri",
) -> list[float]:
    """Widths of columns in points, summing to ``total`` points.

    ``weights`` are the relative widths asked for; ``rows`` hold one text per column
    (header included; rows that span the table are left out). Every column gets at
    least its longest word plus the cell margins when the table is wide enough for
    all of them; the width comes first from the columns whose text wraps anyway, widest
    first, then from slack (what a column has beyond its longest line), only then from
    any column down to its longest word. When even the longest words do not fit, widths follow them.
    """
    n = len(weights)
    if n == 0:
        return []
    weight_sum = sum(weights) or 1.0
    widths = [total * w / weight_sum for w in weights]
    pad = CELL_PAD_PT
    # the widest text of each column in ems, then in points: the same as the widest in
    # points (scaling and padding keep the order), and a ninth of the time on 900,000 cells;
    # each distinct text of a column once (the root's 900,000 cells hold 170,000)
    words = [0.0] * n
    lines = [0.0] * n
    for i, column in enumerate(zip_longest(*rows, fillvalue="")):
        if i == n:
            break
        texts = {text for text in column if text}
        words[i] = max(map(_word_units, texts), default=0.0)
        lines[i] = max(map(_units, texts), default=0.0)
    scale = _scale(size_pt, font)
    need = [max(pad, w * scale + pad) for w in words]
    line = [max(pad, w * scale + pad) for w in lines]
    if sum(need) >= total:
        scale = total / sum(need)
        return [w * scale for w in need]
    short = sum(max(need[i] - widths[i], 0.0) for i in range(n))
    if short <= 0:
        return widths
    for i in range(n):
        widths[i] = max(widths[i], need[i])
    # 1. columns whose text wraps at spaces anyway, widest first
    for i in sorted(range(n), key=lambda i: -widths[i]):
        if short <= 0:
            break
        if line[i] > widths[i]:
            give = min(widths[i] - need[i], short)
            widths[i] -= give
            short -= give
    # 2. slack: what a column has beyond its longest line (it then still fits one line)
    short = _take(widths, [max(widths[i] - max(line[i], need[i]), 0.0) for i in range(n)], short)
    # 3. anyone above its longest word, in proportion
    _take(widths, [widths[i] - need[i] for i in range(n)], short)
    return widths


def _take(widths: list[float], room: Sequence[float], short: float) -> float:
    """Take ``short`` from ``widths`` in proportion to ``room``; return what is still short."""
    available = sum(room)
    if short <= 0 or available <= 0:
        return short
    share = min(short / available, 1.0)
    for i, r in enumerate(room):
        widths[i] -= r * share
    return short - available * share


def grid_texts(grid: Grid) -> list[tuple[str, ...]]:
    """The texts of a grid by column: its header and its rows, less those that span it."""
    spanning = (LINE, MUTED)
    return [
        tuple(c.title for c in grid.columns),
        *(row for row, kind in zip(grid.rows, grid.kinds, strict=False) if kind not in spanning),
    ]
