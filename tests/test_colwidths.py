"""Column widths: no word broken in a cell, the table's width kept, slack given first."""

from __future__ import annotations

import pytest

from opplan.render.docx.colwidths import (
    CELL_PAD_PT,
    column_widths,
    grid_texts,
    longest_word,
    text_width,
)
from opplan.render.docx.grids import LINE, Builder, Column

SIZE = 8.5


def test_a_narrow_column_widens_to_its_longest_word_taken_from_the_wrapping_column() -> None:
    rows = [
        ("#", "Ask", "Team", "HC"),
        (
            "1",
            "Feature store replica for the Platform line, then a second region " * 2,
            "Recommendations",
            "2",
        ),
    ]
    weights = [0.3, 3.0, 0.6, 0.4]
    asked = [468 * w / sum(weights) for w in weights]
    widths = column_widths(weights, rows, 468, SIZE)
    assert sum(widths) == pytest.approx(468)
    assert widths[2] >= longest_word("Recommendations", SIZE) + CELL_PAD_PT > asked[2]
    assert widths[1] < asked[1]  # the Ask column wraps anyway: it gives the width
    assert widths[0] == pytest.approx(asked[0]) and widths[3] == pytest.approx(asked[3])


def test_widths_stay_as_asked_when_every_word_fits() -> None:
    widths = column_widths([1.0, 3.0], [("Team", "What"), ("Cart", "An index")], 400, SIZE)
    assert widths == pytest.approx([100, 300])


def test_without_a_wrapping_column_slack_beyond_a_columns_longest_line_is_taken() -> None:
    rows = [("Supercalifragilistic", "short", "medium text")]
    widths = column_widths([0.2, 2.0, 1.0], rows, 200, SIZE)
    assert widths[0] >= longest_word(rows[0][0], SIZE) + CELL_PAD_PT
    assert widths[1] >= text_width("short", SIZE) + CELL_PAD_PT  # still one line
    assert widths[2] >= text_width("medium text", SIZE) + CELL_PAD_PT
    assert sum(widths) == pytest.approx(200)


def test_words_that_cannot_all_fit_share_the_width_by_their_length() -> None:
    rows = [("Internationalisation", "Recommendations")]
    widths = column_widths([1.0, 1.0], rows, 60, SIZE)
    assert sum(widths) == pytest.approx(60)
    assert widths[0] > widths[1]


def test_words_break_at_spaces_and_after_hyphens_and_unknown_fonts_measure_wider() -> None:
    assert longest_word("build-deploy pipeline", SIZE) == text_width("pipeline", SIZE)
    assert text_width("Recommendations", SIZE, "Some Font") > text_width(
        "Recommendations", SIZE, "Calibri"
    )
    assert text_width("mmm", SIZE) > text_width("iii", SIZE)


def test_rows_that_span_the_table_are_not_measured() -> None:
    b = Builder([Column("#"), Column("Team")])
    b.add(["1", "Cart"])
    b.add(["The line: budget 5 heads and a very long label"], LINE)
    assert grid_texts(b.grid()) == [("#", "Team"), ("1", "Cart")]
