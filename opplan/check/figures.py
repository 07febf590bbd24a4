"""The typed-figure policy (docs/policies.md): a figure the roll-up knows, typed by hand.

A narrative that types "an envelope of 5 heads" is wrong the day the budget
becomes 4. This policy finds numbers typed in narrative.md that equal a figure
of the node's template context and names the expression to write instead::

    narrative.md:3:40: warning: typed figure '5 heads' equals budget.headcount:
    write {{ budget.headcount }} [typed-figure]

Only figures with a unit are compared, so a year, a date, a quarter, a
percentage or a business metric ("310,000 orders") is never taken for one:

* **heads**: a number followed by a head word (``5 heads``, ``42.5 people``,
  ``3 more heads``, ``a 5-head envelope``), compared with the node's own
  headcount figures (budget, subtree and own totals, the approved plan, over
  budget, the line when the context has one);
* **money**: an amount in the cycle's currency (``$7,700,000``, ``$7.7M``,
  ``$480K``, ``$1.2 million``), equal to a figure exactly or printed the same
  by ``| money``; compared with the node's figures and each ask's and child's
  (a row's heads only where the sentence names the child or the ask's team,
  or the paragraph the ask's title: small counts of heads are too common);
* **counts**: a number of asks, teams, goals, dependencies or mandates
  (``14 of our 22 asks``), compared with the length of the context's lists.

Text inside ``{{ }}``, ``{% %}`` and ``{# #}`` is not read. When several
figures are equal, the one whose words appear in the sentence wins
("envelope" names the budget, "funded" the funded total...). One pass of simple
regular expressions, each number looking at a bounded window: linear time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from opplan.check.figuretext import (
    NUMBER,
    blank,
    paragraph,
    positions,
    sentence,
    words_after,
)
from opplan.model import Cycle, NodeId
from opplan.model.diagnostics import Diagnostic, Source
from opplan.narrative.filters import money_text
from opplan.narrative.helpers import child_row
from opplan.report.context import node_context
from opplan.report.records import Report

if TYPE_CHECKING:
    from opplan.check.policies import Conf

RULE = "typed-figure"


HEAD_WORDS = frozenset({"head", "heads", "headcount", "hc", "fte", "ftes", "people"})
MODIFIERS = frozenset(
    {"more", "new", "incremental", "funded", "unfunded", "flat", "additional", "extra",
     "requested", "approved", "forced", "net", "live", "open", "growth", "of", "our", "its"}
)  # fmt: skip
_ASKS = ("stack", "above", "below", "forced", "unlined", "removed")
COUNT_WORDS: Mapping[str, tuple[str, ...]] = {
    **dict.fromkeys(("ask", "asks"), _ASKS),
    **dict.fromkeys(("team", "teams", "group", "groups"), ("children",)),
    **dict.fromkeys(("goal", "goals"), ("goals", "goals_at_risk")),
    **dict.fromkeys(("dependency", "dependencies"), ("dependencies",)),
    **dict.fromkeys(("mandate", "mandates"), ("mandates",)),
}
"""Count nouns and the context lists whose length they may state, most likely first."""
SCALES = {"k": 3, "thousand": 3, "m": 6, "million": 6, "mn": 6, "b": 9, "bn": 9, "billion": 9}
CUES: Mapping[str, tuple[str, ...]] = {
    "budget": ("budget", "envelope"),
    "funded": ("fund", "above"),
    "funded_here": ("fund", "above"),
    "above": ("fund", "above"),
    "unfunded": ("unfund", "below"),
    "below": ("unfund", "below"),
    "requested": ("ask", "request"),
    "stack": ("live", "ask"),
    "cut": ("cut",),
    "removed": ("cut", "defer"),
    "deferred": ("defer",),
    "approved": ("approved",),
    "own": ("own",),
    "flat": ("flat",),
    "run_rate": ("run rate", "run-rate", "full-year", "full year", "annual"),
    "capex": ("capex", "capital"),
    "forced": ("decision", "outright", "forced"),
    "over_budget": ("over",),
    "goals_at_risk": ("risk",),
}
"""Words of a sentence that point at one of several equal figures (a path part -> cues)."""
NODE_FIGURES = ("budget", "line", "totals", "approved", "own", "over_budget")
"""Top-level context mappings whose headcount and money are the node's own figures."""
MAX_CANDIDATES = 50


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure of a node's context and the expression that prints it."""

    path: str
    expr: str
    cue: str = ""  # a child's name or an ask's team, when its sentence names it
    title: str = ""  # an ask's title, when its paragraph names it


@dataclass(frozen=True, slots=True)
class Figures:
    """A node's figures, indexed for lookup by what a narrative would type."""

    heads: Mapping[Decimal, list[Figure]]
    money: Mapping[str, list[Figure]]  # by exact value and by compact text
    counts: Mapping[tuple[str, int], list[Figure]]
    currency: str


_RUNNING = frozenset({"cumulative", "used"})


def _leaves(value: Any, path: str) -> Iterator[tuple[str, str, Decimal]]:
    """(path, last key, number) of every decimal in nested mappings, depth first.

    Running totals (``cumulative``, and ``used``: the budget used down to an ask) are left
    out: they are rarely typed, and equal many sums a sentence may state for other reasons.
    """
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        at, item = stack.pop()
        if isinstance(item, Mapping):
            pairs = [(f"{at}.{k}", v) for k, v in item.items() if k not in _RUNNING]
            stack.extend(reversed(pairs))
        elif isinstance(item, Decimal) and item.is_finite():
            yield at, at.rsplit(".", 1)[-1], item


def figures_of(context: Mapping[str, Any], shown: dict[Decimal, str] | None = None) -> Figures:
    """Every figure of a node's context that a narrative might type; ``shown`` caches how
    ``| money`` prints each amount (the same amounts recur in every view above an ask)."""
    heads: dict[Decimal, list[Figure]] = {}
    money: dict[str, list[Figure]] = {}
    cycle = context.get("cycle")
    currency = str(cycle.get("currency", "USD")) if isinstance(cycle, Mapping) else "USD"

    def add_money(path: str, value: Decimal, expr: str, cue: str = "", title: str = "") -> None:
        fig = Figure(path, "{{ " + expr + " | money }}", cue, title)
        text = shown.get(value) if shown is not None else None
        if text is None:
            text = money_text(value, currency)
            if shown is not None:
                shown[value] = text
        for key in {_plain(value), text}:
            money.setdefault(key, []).append(fig)

    for top in NODE_FIGURES:
        for path, key, value in _leaves(context.get(top), top):
            if key == "headcount":
                heads.setdefault(value.normalize(), []).append(Figure(path, "{{ " + path + " }}"))
            else:
                add_money(path, value, path)
    for name, lookup, key in (("stack", "ask", "ask"), ("removed", "ask", "ask"),
                              ("children", "child", "id")):  # fmt: skip
        for row in context.get(name) or ():
            ref = row.get(key) if isinstance(row, Mapping) else None
            if not isinstance(ref, str):
                continue
            cue = str(row.get("name" if name == "children" else "node_name") or "").lower()
            title = str(row.get("title") or "").lower()
            row = child_row(row) if name == "children" else row
            for path, last, value in _leaves(row, f'{lookup}("{ref}")'):
                if last != "headcount":
                    add_money(path, value, path, cue, title)
                elif cue:  # a row's heads count only where the paragraph names the row
                    heads.setdefault(value, []).append(
                        Figure(path, "{{ " + path + " }}", cue, title)
                    )
    counts: dict[tuple[str, int], list[Figure]] = {}
    for word, lists in COUNT_WORDS.items():
        for name in lists:
            rows = context.get(name)
            if isinstance(rows, list):
                fig = Figure(f"{name} | length", f"{{{{ {name} | length }}}}")
                counts.setdefault((word, len(rows)), []).append(fig)
    return Figures(heads, money, counts, currency)


@dataclass(frozen=True, slots=True)
class Typed:
    """A figure typed in a narrative: its text, start offset and the figure it equals."""

    text: str
    start: int
    figure: Figure


def _named(fig: Figure, sentence: str, paragraph: str) -> int:
    """2 or 4 when the text names the figure's row, 0 when it does not, -1 for a node figure."""
    if not fig.cue and not fig.title:
        return -1
    named = 2 if fig.cue and fig.cue in sentence else 0
    return named + (2 if fig.title and fig.title in paragraph else 0)


def _best(found: list[Figure], sentence: str, paragraph: str) -> Figure:
    """The figure whose path parts the sentence names most (the first on a tie).

    A figure of one ask or child wins when its paragraph names that row.
    """

    def score(fig: Figure) -> int:
        parts = re.split(r"[.\s:(\"]+", fig.path)
        named = max(_named(fig, sentence, paragraph), 0)
        return named + sum(any(c in sentence for c in CUES.get(p, ())) for p in parts)

    return max(found[:MAX_CANDIDATES], key=score)  # max keeps the first of equal scores


def _plain(value: Decimal) -> str:
    """An amount as a lookup key: ``Decimal('1590000.00') -> '1590000'``."""
    return f"{value.normalize():f}"


def _money_key(num: str, dec: str, scale: int) -> str:
    """The lookup key of a typed amount (``1.2`` with scale 6 is ``1200000``)."""
    return _plain(Decimal(num.replace(",", "") + dec).scaleb(scale))


def typed_figures(source: str, figures: Figures) -> Iterator[Typed]:
    """Every typed figure of ``source`` that equals one of ``figures``, in order."""
    text = blank(source)
    symbol = money_text(0, figures.currency)[:-1]  # "$", "€", "CHF "
    for m in NUMBER.finditer(text):
        if text[m.end() : m.end() + 1] == "%":  # a percentage is never a figure of the roll-up
            continue
        words = words_after(text, m.end())
        first = words[0][0] if words else ""
        start = m.start() - len(symbol)
        if start >= 0 and text.startswith(symbol, start):
            end, scale = m.end(), 0
            if first in SCALES:  # "$480K", "$1.2 million"
                end, scale = words[0][1], SCALES[first]
            shown = text[start:end]
            compact = text[start : m.end()] + ("BMK"[(9 - scale) // 3] if scale else "")
            key = _money_key(m.group("num"), m.group("dec") or "", scale)
            found = [f for k in dict.fromkeys((key, compact)) for f in figures.money.get(k, ())]
            if found:
                context = sentence(text, start, end), paragraph(text, start)
                yield Typed(shown, start, _best(found, *context))
            continue
        try:
            value = Decimal(m.group("num").replace(",", "") + (m.group("dec") or ""))
        except InvalidOperation:
            continue
        yield from _counted(text, m, value, words, figures)


def _unit(text: str, m: re.Match[str], words: list[tuple[str, int]]) -> tuple[str, int]:
    """The head word or count noun a number states (directly or in ``N of our M asks``) and
    where the figure's text ends; ``""`` when it states neither."""
    for word, stop in words:
        if word in HEAD_WORDS or word in COUNT_WORDS:
            return word, stop
        if word not in MODIFIERS:
            break
    if words and words[0][0] == "of":  # "14 of our 22 asks"
        nxt = NUMBER.match(text, _skip_words(text, words))
        if nxt is not None:
            for word, _ in words_after(text, nxt.end()):
                if word in COUNT_WORDS or word in HEAD_WORDS:
                    return word, m.end()
                if word not in MODIFIERS:
                    break
    return "", m.end()


@lru_cache(maxsize=8)
def _quick(symbol: str) -> re.Pattern[str]:
    """A pattern that matches wherever :func:`may_type_figures` could find a figure (and in
    more places): an amount after the currency symbol, or a number followed, across at most
    four modifier words, by a head word or a count noun."""
    units = sorted(HEAD_WORDS | set(COUNT_WORDS), key=len, reverse=True)
    gap = r"[ \-\u00a0\t\n]+"
    return re.compile(
        rf"{re.escape(symbol)}\d|\d(?:{gap}[A-Za-z'’]+){{0,4}}?{gap}(?:{'|'.join(units)})(?![A-Za-z'’])",
        re.IGNORECASE,
    )


def may_type_figures(source: str, currency: str) -> bool:
    """Whether ``source`` holds anything :func:`typed_figures` could report: an amount in the
    currency, or a number of heads or of asks, teams, goals... (most narratives of a large
    org hold none, and then the node's figures are never built)."""
    symbol = money_text(0, currency)[:-1]
    if _quick(symbol).search(source) is None:  # one C-speed pass rules most narratives out
        return False
    text = blank(source)
    for m in NUMBER.finditer(text):
        if text[m.end() : m.end() + 1] == "%":
            continue
        start = m.start() - len(symbol)
        if start >= 0 and text.startswith(symbol, start):
            return True
        if _unit(text, m, words_after(text, m.end()))[0]:
            return True
    return False


def _counted(
    text: str, m: re.Match[str], value: Decimal, words: list[tuple[str, int]], figures: Figures
) -> Iterator[Typed]:
    """A number followed by a head word or a count noun (directly or in ``N of our M asks``)."""
    unit, end = _unit(text, m, words)
    if not unit:
        return
    shown = text[m.start() : end]
    context = sentence(text, m.start(), end), paragraph(text, m.start())
    if unit in HEAD_WORDS:  # a row's heads only where its sentence or paragraph names it
        found = [f for f in figures.heads.get(value, []) if _named(f, *context) != 0]
        if found:
            yield Typed(shown, m.start(), _best(found, *context))
    elif value == value.to_integral_value():
        options = figures.counts.get((unit, int(value)), [])
        if options:
            yield Typed(shown, m.start(), _best(options, *context))


def _skip_words(text: str, words: list[tuple[str, int]]) -> int:
    """Where the number after ``of`` (and ``our``/``the``/``its``/``their``) starts."""
    at = words[0][1]
    for word, stop in words[1:]:
        if word not in ("our", "the", "its", "their", "all", "these", "those"):
            break
        at = stop
    while at < len(text) and text[at] in " \t" and at - words[0][1] < 80:
        at += 1
    return at


def typing_nodes(cycle: Cycle) -> frozenset[NodeId]:
    """The nodes whose narrative may type a figure (:func:`may_type_figures`), whatever the
    policy's settings: the check's first pass, which needs no roll-up."""
    currency = cycle.settings.currency if cycle.settings is not None else "USD"
    return frozenset(
        nid
        for nid, node in cycle.nodes.items()
        if node.narrative is not None and may_type_figures(node.narrative.text, currency)
    )


def check_typed_figures(
    cycle: Cycle,
    conf: Conf,
    report_of: Callable[[], Report],
    typing: frozenset[NodeId] | None = None,
) -> list[Diagnostic]:
    """No narrative types a figure that its node's context holds: it writes the expression.
    ``typing``: :func:`typing_nodes` of ``cycle``, when the caller has it already."""
    loaded = cycle.settings is not None and cycle.root is not None
    if not loaded or any(n.plan is None for n in cycle.nodes.values()):
        return []  # a file that did not load: its errors are reported, the roll-up cannot run
    currency = cycle.settings.currency if cycle.settings is not None else "USD"
    wanted = [
        (nid, node.narrative)
        for nid, node in cycle.nodes.items()
        if node.narrative is not None
        and conf(nid).on
        and (
            nid in typing if typing is not None else may_type_figures(node.narrative.text, currency)
        )
    ]
    if not wanted:
        return []
    report = report_of()
    out: list[Diagnostic] = []
    shown: dict[Decimal, str] = {}
    for nid, narrative in wanted:
        if nid not in report.nodes:
            continue
        eff = conf(nid)
        figures = figures_of(node_context(report.nodes[nid], report), shown)
        at = positions(narrative.text)
        for typed in typed_figures(narrative.text, figures):
            line, col = at(typed.start)
            out.append(
                eff.diag(
                    Source(narrative.path, line, col),
                    f"typed figure '{typed.text}' equals {typed.figure.path}: "
                    f"write {typed.figure.expr}",
                    RULE,
                )
            )
    return out
