"""Reading a narrative's text for the typed-figure policy (:mod:`opplan.check.figures`):
numbers, the words after them, their sentence, paragraph and table column, and where they
are. Each function looks at a bounded window, so a scan of a narrative is linear."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable

JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
NUMBER = re.compile(r"(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?(?!\d)")
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
END = re.compile(r"[.!?](?:\s|$)|\n\s*\n|\|[ \t]*\n")  # a sentence, paragraph, table row


def blank(source: str) -> str:
    """``source`` with jinja tags replaced by spaces (newlines kept): offsets stay put."""
    return JINJA.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), source)


def words_after(text: str, at: int, n: int = 4) -> list[tuple[str, int]]:
    """Up to ``n`` words right after ``at`` (stopping at punctuation), with their ends."""
    out: list[tuple[str, int]] = []
    window = text[at : at + 80]
    pos = 0
    while len(out) < n:
        rest = window[pos:]
        gap = pos + len(rest) - len(rest.lstrip(" -\u00a0\t\n"))
        if window.count("\n", pos, gap) > 1:  # a blank line ends the paragraph
            break
        m = WORD.match(window, gap)
        if m is None:
            break
        out.append((m.group(0).lower(), at + m.end()))
        pos = m.end()
    return out


def sentence(text: str, start: int, end: int) -> str:
    """The sentence around ``text[start:end]``, lowercased (at most 200 characters).

    In a table row, the header of the figure's column is added: it names what
    the column holds ("Funded at Buying").
    """
    before = text[max(0, start - 150) : start]
    cut = [m.end() for m in END.finditer(before)]
    after = text[end : end + 80]
    stop = END.search(after)
    found = before[cut[-1] if cut else 0 :] + " " + after[: stop.start() if stop else None]
    return (found + " " + column_header(text, start)).lower()


def paragraph(text: str, start: int) -> str:
    """The paragraph before ``start`` (at most 400 characters), lowercased: it names the row."""
    before = text[max(0, start - 400) : start]
    return before[before.rfind("\n\n") + 1 :].lower()


def column_header(text: str, at: int) -> str:
    """The header cell above ``at`` when it is in a table row (looking back 200 rows at most)."""
    line_start = text.rfind("\n", 0, at) + 1
    if not text.startswith("|", line_start):
        return ""
    column = text.count("|", line_start, at)
    header = line_start
    for _ in range(200):
        if header == 0:
            break
        previous = text.rfind("\n", 0, header - 1) + 1
        if not text.startswith("|", previous):
            break
        header = previous
    cells = text[header : text.find("\n", header) % (len(text) + 1)].split("|")
    return cells[column] if 0 < column < len(cells) else ""


def positions(source: str) -> Callable[[int], tuple[int, int]]:
    """Offset -> (line, column), both 1-based."""
    starts = [0] + [i + 1 for i, ch in enumerate(source) if ch == "\n"]

    def at(offset: int) -> tuple[int, int]:
        row = bisect_right(starts, offset) - 1
        return row + 1, offset - starts[row] + 1

    return at
