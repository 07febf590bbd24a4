"""The narrative-style policy (docs/policies.md): a six-pager's writing rules, at exact lines.

Checks the body of every narrative.md (the part before ``# Appendix``, which
the reader reads in the meeting):

* a bullet list outside a Goals section (the body is prose; numbered lists,
  e.g. tenets, are allowed);
* a sentence of more than :data:`MAX_WORDS` words;
* a weasel word or phrase (:data:`WEASEL_WORDS`; the policy's ``words:``
  replaces the list);
* an acronym used before it is defined. ``keep the lights on (KTLO)`` and
  ``KTLO (keep the lights on)`` define KTLO; :data:`KNOWN_ACRONYMS` and the
  policy's ``acronyms:`` (added to them) need no definition.

Headings, tables and code are not prose and are skipped (a heading may define
an acronym). The check reads the *source* of narrative.md with jinja
expressions blanked, so every diagnostic points at the line and column of the
word in the file the author edits. Markdown is parsed by
:mod:`opplan.narrative`; each word of a parsed paragraph is found again in its
source lines to get its column.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from opplan.model import Cycle
from opplan.model.diagnostics import Diagnostic, Source
from opplan.narrative.markdown import Heading, ListBlock, Paragraph, Quote, Section, parse

if TYPE_CHECKING:
    from opplan.check.policies import Conf

RULE = "narrative-style"
MAX_WORDS = 30
WEASEL_WORDS: tuple[str, ...] = (
    "significantly",
    "substantially",
    "considerably",
    "dramatically",
    "nearly all",
    "almost all",
    "the vast majority",
    "a lot",
    "lots of",
    "very",
    "quite",
    "fairly",
    "relatively",
    "extremely",
    "several",
    "various",
    "numerous",
    "a few",
    "soon",
    "arguably",
    "virtually",
    "basically",
    "hopefully",
    "world-class",
    "best-in-class",
    "seamless",
    "seamlessly",
)
"""Default weasel words: vague amounts and intensifiers a number should replace."""
KNOWN_ACRONYMS: frozenset[str] = frozenset(
    {
        "OP1",
        "OP2",
        "FAQ",
        "FAQs",
        "US",
        "USA",
        "EU",
        "UK",
        "CEO",
        "CFO",
        "CTO",
        "VP",
        "VPs",
        "AI",
        "API",
        "APIs",
        "ID",
        "IDs",
        "IT",
        "PDF",
        "URL",
        "HTTP",
        "HTTPS",
        "SQL",
        "USD",
        "EUR",
        "GBP",
        "OK",
        "TV",
    }
)
"""Acronyms every reader knows; the policy's ``acronyms:`` adds to them."""

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_ACRONYM = re.compile(r"^(?=(?:[A-Z0-9&]*[A-Z]){2})[A-Z0-9&]+(s)?$")
_TWO_CAPITALS = re.compile(r"[A-Z][^A-Z]*[A-Z]")
_EDGE = "\"'“”‘’()[]{}.,;:!?*_`"
_ABBREVIATIONS = frozenset({"e.g.", "i.e.", "etc.", "vs.", "approx.", "dr.", "mr.", "inc.", "fig."})
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")


@dataclass(frozen=True, slots=True)
class Word:
    """A word of prose and where it starts in narrative.md."""

    text: str
    line: int
    col: int


def blank_jinja(source: str) -> str:
    """``source`` with jinja tags blanked in place: ``{{ x }}`` reads as a number."""

    def repl(m: re.Match[str]) -> str:
        text = m.group(0)
        filler = re.sub(r"[^\n]", " ", text)
        return "0" + filler[1:] if text.startswith("{{") else filler

    return _JINJA.sub(repl, source)


def paragraph_words(par: Paragraph, lines: Sequence[str]) -> list[Word]:
    """The prose words of a paragraph (code spans left out), each found in its source lines.

    Each word is searched for in the paragraph's source from where the last one
    was found; a word the source spells differently (an escape, an entity)
    takes the position of the word before it.
    """
    block = "\n".join(lines[par.line - 1 : par.end - 1])
    starts = [0]
    for line in block.split("\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    at = 0
    out: list[Word] = []
    for span in par.spans:
        for text in span.text.split():
            found = block.find(text, at)
            if found >= 0:
                at = found
            if not span.code:
                row = bisect_right(starts, at) - 1
                out.append(Word(text, par.line + row, at - starts[row] + 1))
            if found >= 0:
                at += len(text)
    return out


def sentences(words: Sequence[Word]) -> Iterator[list[Word]]:
    """Split words into sentences at ., ! or ? (common abbreviations do not end one)."""
    current: list[Word] = []
    for w in words:
        current.append(w)
        if _SENTENCE_END.search(w.text) and w.text.lower().strip(_EDGE[:8]) not in _ABBREVIATIONS:
            yield current
            current = []
    if current:
        yield current


def _counted(words: Iterable[Word]) -> int:
    return sum(1 for w in words if any(ch.isalnum() for ch in w.text))


def _key(word: Word) -> str:
    return word.text.strip(_EDGE).lower()


def check_text(
    source: str, path: str, weasel: Sequence[str] = WEASEL_WORDS, known: Iterable[str] = ()
) -> list[tuple[Source, str]]:
    """Every style problem of a narrative's body, as (where, message) pairs in order."""
    text = blank_jinja(source)
    lines = text.splitlines()
    doc = parse(text)
    phrases: dict[str, list[tuple[str, ...]]] = {}  # first word -> phrases, longest first
    for phrase in sorted(
        {tuple(p.lower().split()) for p in weasel if p.strip()}, key=len, reverse=True
    ):
        phrases.setdefault(phrase[0], []).append(phrase)
    known_set = KNOWN_ACRONYMS | set(known)
    defined: set[str] = set()
    reported: set[str] = set()
    out: list[tuple[Source, str]] = []

    def at(line: int, col: int = 1) -> Source:
        return Source(path, line, col)

    def prose(words: list[Word]) -> None:
        for sentence in sentences(words):
            n = _counted(sentence)
            if n > MAX_WORDS:
                out.append(
                    (
                        at(sentence[0].line, sentence[0].col),
                        f"sentence of {n} words, more than {MAX_WORDS}: split it",
                    )
                )
        keys = [_key(w) for w in words]
        i = 0
        while i < len(words):
            for phrase in phrases.get(keys[i], ()):
                if tuple(keys[i : i + len(phrase)]) == phrase:
                    out.append(
                        (
                            at(words[i].line, words[i].col),
                            f"weasel word '{' '.join(phrase)}': say what and how much, "
                            "with a number",
                        )
                    )
                    i += len(phrase) - 1
                    break
            i += 1
        acronyms(words, report=True)

    def acronyms(words: list[Word], report: bool) -> None:
        for i, w in enumerate(words):
            if not _TWO_CAPITALS.search(w.text):
                continue
            for part in re.split(r"[/-]", w.text.strip(_EDGE)):
                m = _ACRONYM.match(part)
                if not m:
                    continue
                name = part[:-1] if m.group(1) else part
                if name in known_set or part in known_set or name in defined:
                    continue
                nxt = words[i + 1].text if i + 1 < len(words) else ""
                if w.text.startswith("(") or (
                    nxt.startswith("(") and not _ACRONYM.match(nxt.strip(_EDGE))
                ):
                    defined.add(name)
                elif report and name not in reported:
                    reported.add(name)
                    out.append(
                        (
                            at(w.line, w.col),
                            f"acronym '{name}' is used before it is defined: write it out "
                            f"at first use, e.g. 'words ({name})'",
                        )
                    )

    def blocks(section: Section | None, items: Iterable[object], top: bool) -> None:
        for block in items:
            if isinstance(block, Paragraph):
                prose(paragraph_words(block, lines))
            elif isinstance(block, Heading):
                acronyms(
                    paragraph_words(Paragraph(block.spans, block.line, block.line + 1), lines),
                    report=False,
                )
            elif isinstance(block, ListBlock):
                name = section.name if section else ""
                if top and not block.ordered and not name.strip().lower().startswith("goal"):
                    where = f"the '{name}' section" if name else "the body"
                    out.append(
                        (
                            at(block.line),
                            f"bullet list in {where}: the body is prose; "
                            "bullets belong only in a Goals section",
                        )
                    )
                for item in block.items:
                    blocks(section, item.blocks, False)
            elif isinstance(block, Quote):
                blocks(section, block.blocks, top)

    for section in doc.body:
        if section.title:
            acronyms(
                paragraph_words(Paragraph(section.title, section.line, section.line + 1), lines),
                report=False,
            )
        blocks(section, section.blocks, True)
    return out


def check_narrative_style(cycle: Cycle, conf: Conf) -> Iterator[Diagnostic]:
    """Every narrative body is prose of short sentences, numbers and defined acronyms."""
    for nid, node in cycle.nodes.items():
        if node.narrative is None or node.plan is None:
            continue
        eff = conf(nid)
        if not eff.on:
            continue
        weasel = eff.words if eff.words is not None else WEASEL_WORDS
        for source, message in check_text(
            node.narrative.text, node.narrative.path, weasel, eff.acronyms or ()
        ):
            yield eff.diag(source, message, RULE)
