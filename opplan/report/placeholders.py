"""What a scaffold leaves for a person to replace: placeholder owners and scaffold narratives.

``opplan init`` and ``opplan new`` write ``owner: Your Name`` and a narrative.md of section
headings with one guiding sentence; ``opplan import table`` writes ``owner: Unassigned`` and a
narrative of one "Imported from ..." paragraph. ``opplan status`` and the ``placeholder`` policy
both ask this module whether a plan still holds them (docs/through-the-year.md), so the rule
has one copy.

A narrative is *still the scaffold* when, headings aside, every paragraph of it (its lines
joined and whitespace collapsed) is one of the scaffolds' paragraphs (:data:`SCAFFOLD_PARAGRAPHS`).
A narrative with prose of its own is *written*, even when a scaffold paragraph is left in it
(:func:`leftover_lines` finds those).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

#: Owners that name nobody, compared without case, surrounding punctuation and extra spaces:
#: what the scaffolds write (``Your Name``, ``Unassigned``) and the usual stand-ins. An owner
#: that is empty or only punctuation is a placeholder too.
PLACEHOLDER_OWNERS: tuple[str, ...] = (
    "your name",
    "unassigned",
    "tbd",
    "tba",
    "todo",
    "n/a",
    "none",
    "owner",
    "name",
)
_OWNERS = frozenset(PLACEHOLDER_OWNERS)
_EDGE = "-_?.!*<>[](){}'\"` \t"

#: The paragraphs the scaffolds write, whitespace collapsed: the guiding sentence of
#: ``templates/new/narrative.md.j2`` and the paragraph an imported node starts with.
SCAFFOLD_PARAGRAPHS: tuple[re.Pattern[str], ...] = (
    re.compile(
        re.escape("Who we are, our customers and our scope, and where this document is going.")
    ),
    re.compile(r"Imported from .* The owner replaces this text with the plan's narrative\."),
)

NarrativeState = Literal["written", "scaffold", "missing"]


def is_placeholder_owner(owner: str | None) -> bool:
    """True when ``owner`` names nobody: a placeholder of :data:`PLACEHOLDER_OWNERS`, or empty."""
    if owner is None:
        return True
    text = " ".join(owner.split()).strip(_EDGE).casefold()
    return not text or text in _OWNERS


def _paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """``(first line, text with whitespace collapsed)`` of each paragraph; headings skipped."""
    start = 0
    lines: list[str] = []
    for number, line in enumerate([*text.splitlines(), ""], start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            if lines:
                yield start, " ".join(" ".join(lines).split())
            lines = []
            continue
        if not lines:
            start = number
        lines.append(stripped)


def _is_scaffold(paragraph: str) -> bool:
    return any(p.fullmatch(paragraph) for p in SCAFFOLD_PARAGRAPHS)


def narrative_state(text: str | None) -> NarrativeState:
    """``missing`` (no narrative.md), ``scaffold`` (nothing but headings and scaffold
    paragraphs) or ``written``."""
    if text is None:
        return "missing"
    return "scaffold" if all(_is_scaffold(p) for _, p in _paragraphs(text)) else "written"


def leftover_lines(text: str) -> list[int]:
    """The first lines of the scaffold paragraphs still in ``text``, in order."""
    return [line for line, p in _paragraphs(text) if _is_scaffold(p)]
