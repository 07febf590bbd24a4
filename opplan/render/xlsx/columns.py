"""The Stack sheet's columns (review first, then live, reference and hidden helper columns),
the status words and the Summary cells the Stack's formulas read."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from opplan.report.reviewkeys import (
    COL_ASK,
    COL_DECISION,
    COL_NOTE,
    COL_PARTIAL_COST,
    COL_PARTIAL_HC,
    COL_RANK,
)

#: Where the Summary keeps the figures the Stack's formulas read (see sheets.summary_sheet).
BUDGET_HC, BUDGET_COST = "Summary!$B$6", "Summary!$C$6"
FORCED_HC, FORCED_COST = "Summary!$B$7", "Summary!$C$7"

#: Status words, as the Word documents say them.
FUNDED, PARTIAL, BY_DECISION, BELOW, NO_BUDGET = (
    "funded",
    "partial",
    "funded by decision",
    "below",
    "no budget",
)

# Columns: (header, kind, width); kinds pick the style, width 0 fits the text.
REVIEW = (
    (COL_ASK, "text", 0),
    ("Title", "text", 0),
    (COL_DECISION, "review-text", 10),
    (COL_PARTIAL_HC, "review-num", 10),
    (COL_PARTIAL_COST, "review-money", 12),
    (COL_RANK, "review-int", 6),
    (COL_NOTE, "review-text", 12),
)
LIVE = (
    ("Status", "text", 17),
    ("Approved plan", "text", 14),
    ("Headcount", "num", 11),
    ("Cost", "whole", 12),
    ("Budget used headcount", "num", 10),
    ("Budget used cost", "whole", 12),
)
MORE = (
    ("Position", "int", 9),
    ("Run rate", "whole", 12),
    ("Decided by", "text", 14),
    ("Decision below", "text", 10),
    ("Decided below by", "text", 14),
    ("Requested headcount", "num", 11),
    ("Requested cost", "whole", 12),
    ("Requested run rate", "whole", 12),
    ("Node", "text", 0),
    ("From", "text", 0),
)
HELPERS = (
    ("Below headcount", "num", 10),
    ("Below cost", "money", 12),
    ("Below run rate", "money", 12),
    ("Order group", "int", 14),
    ("List", "int", 6),
    ("Place in list", "int", 8),
    ("Decision here", "text", 10),
    ("In effect", "text", 10),
    ("Forced", "int", 8),
    ("Live", "int", 6),
    ("Order key", "int", 16),
    ("Funded", "int", 8),
    ("Below key", "int", 16),
    ("Line key", "int", 16),
    ("Last above", "int", 8),
)
STACK_COLUMNS = REVIEW + LIVE + MORE + HELPERS
STACK_HEADERS = tuple(c[0] for c in STACK_COLUMNS)
COL = {name: i + 1 for i, name in enumerate(STACK_HEADERS)}
#: Column letters of the Stack sheet, by header.
LETTER = {name: get_column_letter(i) for name, i in COL.items()}
#: The columns printed (review and live ones) and the helper columns (hidden).
PRINTED = len(REVIEW) + len(LIVE)
FIRST_HELPER = len(REVIEW) + len(LIVE) + len(MORE) + 1
LEGEND_COLUMN = len(STACK_COLUMNS) + 2
LEGEND_WIDTH = 96


@dataclass(frozen=True)
class StackLayout:
    """Where the Stack sheet's rows are (live and removed asks), for formulas elsewhere."""

    first: int  # first data row
    last: int  # last data row (first - 1 when there is none)

    def column(self, header: str) -> str:
        """An absolute range over one Stack column, e.g. ``Stack!$J$2:$J$40``."""
        letter = LETTER[header]
        last = max(self.last, self.first)
        return f"Stack!${letter}${self.first}:${letter}${last}"
