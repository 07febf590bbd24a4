"""The words of the documents' "What changed" section, from a diff (docs/revisions.md).

A node's body gets one short paragraph: the counts of its subtree's changes, what crossed
its own line, and the few largest moves with the first reason for each. Its appendix and
its workbook's ``Changes`` sheet get every change of the subtree, one line each, up to
:data:`LIST_LIMIT` lines (a larger org points to its teams' documents and ``opplan diff``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from opplan.model import NodeId
from opplan.narrative.filters import headcount, join_and, money_text, plural, possessive
from opplan.report.changes import (
    AskChange,
    BudgetChange,
    Cause,
    CycleDiff,
    DecisionChange,
    FieldChange,
    GoalChange,
    LineMove,
    NodeChange,
    NodeDiff,
)
from opplan.report.changetext import CHANGE_KINDS, ChangeLine, DocumentChanges, NodeChanges
from opplan.report.records import Report

#: Lines of one document's change list; the rest are counted.
LIST_LIMIT = 200
#: Moves across the line that a body names (the largest first).
BODY_MOVES = 2


class _Words:
    """Names, money and the diff's nodes, for one build."""

    def __init__(self, diff: CycleDiff, report: Report) -> None:
        self.diff = diff
        self.report = report
        self.currency = report.cycle.currency
        self.names = {n.id: n.name for n in diff.nodes}
        self.by_id = {n.id: n for n in diff.nodes}
        self.titles = {a.ask: a.title for n in diff.nodes for a in n.asks}
        self.titles.update({m.ask: m.title for n in diff.nodes for m in n.moves})

    def name(self, node: NodeId | None) -> str:
        return self.names.get(node, node) if node is not None else ""

    def money(self, value: Decimal) -> str:
        return money_text(value, self.currency, full=True)

    def title(self, ref: str) -> str:
        """The ask's title: from the diff, else from its owner's rows in the new report."""
        if ref not in self.titles:
            owner = self.report.nodes.get(ref.partition("/")[0])
            if owner is not None:
                for row in owner.stack:
                    self.titles.setdefault(row.ask, row.title)
                for gone in owner.removed:
                    self.titles.setdefault(gone.ask, gone.title)
        return self.titles.get(ref, "")

    def ask(self, ref: str) -> str:
        """An ask as prose names it: 'Title (Team)'."""
        title = self.title(ref)
        return f"{title} ({self.name(ref.partition('/')[0])})" if title else ref


def document_changes(diff: CycleDiff, report: Report, label: str) -> DocumentChanges:
    """Every node's "What changed since ``label``" of the new version ``report``."""
    words = _Words(diff, report)
    own = {n.id: _lines(n, words) for n in diff.nodes}
    order = [n for n in diff.nodes if n.id in report.nodes and n.status != "removed"]
    ends = _subtree_ends(diff.nodes)
    index = {n.id: i for i, n in enumerate(diff.nodes)}
    rank = {k: j for j, k in enumerate(CHANGE_KINDS)}
    out: dict[NodeId, NodeChanges] = {}
    for n in order:
        i = index[n.id]
        lines: list[ChangeLine] = [_move_line(m, n, words) for m in n.moves]
        more = 0
        for other in diff.nodes[i : ends[i]]:
            for line in own[other.id]:
                if len(lines) < LIST_LIMIT:
                    lines.append(line)
                else:
                    more += 1
        if len(lines) > LIST_LIMIT:
            more += len(lines) - LIST_LIMIT
            lines = lines[:LIST_LIMIT]
        lines.sort(key=lambda line: rank.get(line.kind, len(rank)))
        out[n.id] = NodeChanges(
            f"What changed since {label}", _summary(n, words, label), tuple(lines), more
        )
    return DocumentChanges(label, out)


def _subtree_ends(nodes: Sequence[NodeDiff]) -> list[int]:
    """For each node of the depth-first list, the index just past its subtree."""
    ends = [len(nodes)] * len(nodes)
    open_: list[int] = []
    for i, n in enumerate(nodes):
        while open_ and nodes[open_[-1]].depth >= n.depth:
            ends[open_.pop()] = i
        open_.append(i)
    return ends


# -- the body paragraph ----------------------------------------------------------------------


def _summary(n: NodeDiff, words: _Words, label: str) -> str:
    """Counts, the line, the largest moves: a few sentences with their figures."""
    c = n.subtree
    counted = [
        (k, w)
        for k, w in (
            (c.asks_added, "added"),
            (c.asks_removed, "removed"),
            (c.asks_changed, "changed"),
        )
        if k
    ]
    asks = [f"{plural(k, 'ask') if i == 0 else k} {w}" for i, (k, w) in enumerate(counted)]
    other = [
        plural(c.decisions, "decision") if c.decisions else "",
        plural(c.budgets, "budget") if c.budgets else "",
        plural(c.goals, "goal") if c.goals else "",
        plural(c.nodes, "team") if c.nodes else "",
    ]
    other = [o for o in other if o]
    parts = []
    if asks:
        parts.append(", ".join(asks))
    if other:
        parts.append(f"{join_and(other)} changed")
    if not parts and not n.moves:
        return f"Since {label}, nothing changed in {possessive(n.name)} plans or at its line."
    text = f"Since {label}: " + ("; ".join(parts) if parts else "no plan changed") + "."
    below = [m for m in n.moves if m.direction == "below"]
    above = [m for m in n.moves if m.direction == "above"]
    if n.moves:
        first, second = (below, above) if below else (above, below)
        crossed = f"{plural(len(first), 'ask')} moved {'below' if first is below else 'above'}"
        if second:
            crossed += f" and {len(second)} {'above' if second is above else 'below'}"
        text += f" At {possessive(n.name)} line {crossed}"
        bridge = n.bridge
        if bridge is not None and bridge.old_funded != bridge.new_funded:
            old, new = bridge.old_funded, bridge.new_funded
            text += (
                f"; funded went from {plural(old.headcount, 'head')} "
                f"({words.money(old.cost)}) to {headcount(new.headcount)} ({words.money(new.cost)})"
            )
        text += "."
        largest = sorted(n.moves, key=_size, reverse=True)[:BODY_MOVES]
        text += " " + "; ".join(_move_sentence(m, words) for m in largest) + "."
        if len(n.moves) > BODY_MOVES:
            text += f" {plural(len(n.moves) - BODY_MOVES, 'more move')} in the appendix."
    return text


def _size(m: LineMove) -> tuple[Decimal, Decimal]:
    amount = m.old_amount if m.direction == "below" else m.new_amount
    return amount.headcount, amount.cost


def _move_sentence(m: LineMove, words: _Words) -> str:
    where = "below" if m.direction == "below" else "above"
    text = f"{words.ask(m.ask)} moved {where} the line"
    return f"{text} because {_because(m.causes[0], m, words)}" if m.causes else text


def _because(cause: Cause, m: LineMove, words: _Words) -> str:
    """The first reason of a move in words: 'Retail's budget fell from 16 to 14 heads'."""
    if cause.kind == "budget":
        change = words.by_id[cause.by].budget if cause.by in words.by_id else None
        return _budget_words(change, words) if change else cause.text
    if cause.kind == "decision":
        return _decision_words(cause, m, words)
    asks = [words.ask(a) for a in cause.asks]
    named = join_and(asks) if len(asks) <= 2 else plural(len(asks), "ask")
    many = len(asks) != 1
    return {
        "ranked-ahead": f"{named} now {'rank' if many else 'ranks'} ahead of it",
        "ahead-grew": f"{named} ahead of it {'ask' if many else 'asks'} for more",
        "ahead-left": f"{named} no longer {'rank' if many else 'ranks'} ahead of it",
        "ahead-shrank": f"{named} ahead of it {'ask' if many else 'asks'} for less",
        "own-amount": f"it now asks for {plural(m.new_amount.headcount, 'head')}",
        "node-moved": "its team moved into this organization",
    }.get(cause.kind, cause.text)


def _budget_words(change: BudgetChange, words: _Words) -> str:
    name = possessive(words.name(change.node))
    old_h, new_h, old_c, new_c = (
        change.old_headcount,
        change.new_headcount,
        change.old_cost,
        change.new_cost,
    )
    if old_h is not None and new_h is not None and old_h != new_h:
        verb = "fell" if new_h < old_h else "rose"
        return f"{name} budget {verb} from {headcount(old_h)} to {headcount(new_h)} heads"
    if old_c is not None and new_c is not None and old_c != new_c:
        verb = "fell" if new_c < old_c else "rose"
        return f"{name} budget {verb} from {words.money(old_c)} to {words.money(new_c)}"
    return f"{name} budget changed ({change.text})"


def _decision_words(cause: Cause, m: LineMove, words: _Words) -> str:
    by = words.name(cause.by)
    node = words.by_id.get(cause.by) if cause.by is not None else None
    entry = next((d for d in (node.decisions if node else ()) if d.ask == m.ask), None)
    if entry is None:
        return f"of a decision at {by}" if by else "of a decision"
    old, new = entry.old_decision, entry.new_decision
    if new in ("fund", "partial"):
        return f"{by} now funds {'part of it' if new == 'partial' else 'it'}"
    if new in ("cut", "defer"):
        return f"{by} {'cut' if new == 'cut' else 'deferred'} it"
    if old in ("cut", "defer"):
        return f"{possessive(by)} {'cut' if old == 'cut' else 'deferral'} was lifted"
    if old in ("fund", "partial"):
        return f"{by} no longer funds it outright"
    return f"{by} ranked it anew"


# -- the list --------------------------------------------------------------------------------


def _lines(n: NodeDiff, words: _Words) -> list[ChangeLine]:
    """The changes of one node's own plan, one line each (its moves are its view's)."""
    out = [_node_line(c, n, words) for c in n.nodes]
    if n.budget is not None:
        out.append(_budget_line(n.budget, n, words))
    out += [_ask_line(a, n, words) for a in n.asks]
    out += [_decision_line(d, n, words) for d in n.decisions]
    out += [_goal_line(g, n) for g in n.goals]
    return out


def _signed(value: Decimal, text: str) -> str:
    return f"+{text}" if value > 0 else (f"-{text.lstrip('-')}" if value < 0 else text)


def _node_line(c: NodeChange, n: NodeDiff, words: _Words) -> ChangeLine:
    change = {
        "added": f"added under {words.name(c.new_parent)}",
        "removed": f"removed from under {words.name(c.old_parent)}",
        "moved": f"moved from under {words.name(c.old_parent)} to {words.name(c.new_parent)}",
        "renamed": f"renamed from {c.old_id}",
    }[c.change]
    return ChangeLine(n.name, "Team", c.node, c.name, change)


def _budget_line(b: BudgetChange, n: NodeDiff, words: _Words) -> ChangeLine:
    heads = (
        b.new_headcount - b.old_headcount
        if b.old_headcount is not None and b.new_headcount is not None
        else None
    )
    cost = b.new_cost - b.old_cost if b.old_cost is not None and b.new_cost is not None else None
    return ChangeLine(n.name, "Budget", n.id, f"{possessive(n.name)} budget", b.text, heads, cost)


def _ask_line(a: AskChange, n: NodeDiff, words: _Words) -> ChangeLine:
    old, new = a.old, a.new
    if a.change == "added" and new is not None:
        text = f"{plural(new.headcount, 'head')}, {words.money(new.cost)}"
        return ChangeLine(n.name, "Ask added", a.ask, a.title, text, new.headcount, new.cost)
    if a.change == "removed" and old is not None:
        text = f"{plural(old.headcount, 'head')}, {words.money(old.cost)}"
        return ChangeLine(n.name, "Ask removed", a.ask, a.title, text, -old.headcount, -old.cost)
    text = "; ".join(_field_text(f, a, words) for f in a.fields)
    heads = cost = None
    if old is not None and new is not None and old != new:
        heads, cost = new.headcount - old.headcount, new.cost - old.cost
    return ChangeLine(n.name, "Ask changed", a.ask, a.title, text, heads, cost)


def _field_text(f: FieldChange, a: AskChange, words: _Words) -> str:
    """One changed field in words; money as the documents print it (``$117,500``)."""
    label = f.field.replace("_", " ")
    if f.field in ("cost", "run_rate") and a.old is not None and a.new is not None:
        old, new = getattr(a.old, f.field), getattr(a.new, f.field)
        return f"{label} {words.money(old)} -> {words.money(new)}"
    return f"{label} {f.old or 'none'} -> {f.new or 'none'}"


def _decision_line(d: DecisionChange, n: NodeDiff, words: _Words) -> ChangeLine:
    text = f"{d.old or 'none'} -> {d.new or 'none'}"
    return ChangeLine(n.name, "Decision", d.ask, words.title(d.ask), text)


def _goal_line(g: GoalChange, n: NodeDiff) -> ChangeLine:
    text = "; ".join(f"{f.field} {f.old or 'none'} -> {f.new or 'none'}" for f in g.fields)
    return ChangeLine(n.name, "Goal", g.goal, g.title, text or g.change)


def _move_line(m: LineMove, view: NodeDiff, words: _Words) -> ChangeLine:
    below = m.direction == "below"
    amount = m.old_amount if below else m.new_amount
    why = "; ".join(_because(c, m, words) for c in m.causes)
    text = f"{m.old} -> {m.new}" + (f": {why}" if why else "")
    sign = -1 if below else 1
    return ChangeLine(
        view.name,
        "Below the line" if below else "Above the line",
        m.ask,
        m.title,
        text,
        sign * amount.headcount,
        sign * amount.cost,
    )


__all__ = ["LIST_LIMIT", "document_changes"]
