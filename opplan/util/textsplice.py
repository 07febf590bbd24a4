"""Keep a file's bytes outside the entries an edit meant to change.

A round-trip YAML writer (ruamel.yaml) keeps comments and order, but it still
normalises some layout it re-emits: spaces inside flow mappings, runs of spaces
after a colon, trailing spaces. :func:`splice` puts the original lines back
everywhere except where the edit meant to change something, so a review import
changes only the decision entries it writes, byte for byte. Pure text: the
caller says which lines hold the changed entries.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_CONTENT = re.compile(r"^( *)[^\s#]")


def entry_lines(lines: list[str], starts: Iterable[tuple[int, int]]) -> set[int]:
    """The lines of the block entries starting at ``(line, column)``: the key's line and
    every following line indented deeper than the key (or blank, or a comment) up to
    the next line of content at the key's indentation or less."""
    out: set[int] = set()
    for line, column in starts:
        out.add(line)
        for i in range(line + 1, len(lines)):
            content = _CONTENT.match(lines[i])
            if content is not None and len(content.group(1)) <= column:
                break
            out.add(i)
    return out


def splice(old: list[str], new: list[str], old_changed: set[int], new_changed: set[int]) -> str:
    """``new``, with every differing run of lines that touches no changed line
    (``old_changed`` in ``old``, ``new_changed`` in ``new``) put back as in ``old``."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(old[i1:i2])
        elif old_changed.intersection(range(i1, i2)) or new_changed.intersection(range(j1, j2)):
            out.extend(_mixed(old, new, range(i1, i2), range(j1, j2), old_changed, new_changed))
        else:
            out.extend(old[i1:i2])
    return "".join(out)


def _mixed(
    old: list[str],
    new: list[str],
    olds: range,
    news: range,
    old_changed: set[int],
    new_changed: set[int],
) -> list[str]:
    """A differing run that holds changed lines: the changed lines from ``new``; the
    others, when they pair up one to one, as they were in ``old``."""
    kept = [old[i] for i in olds if i not in old_changed]
    rest = [j for j in news if j not in new_changed]
    if len(kept) != len(rest):
        return new[news.start : news.stop]
    originals = dict(zip(rest, kept, strict=True))
    return [originals.get(j, new[j]) for j in news]
