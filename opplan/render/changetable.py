"""The diff as text for a terminal: per node, the counts, then the details.

Laid out from the change records (:mod:`opplan.report.changes`); the words of each
change are decided there, the figures formatted as in ``opplan rollup``'s table.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from opplan.model.costing import Amount
from opplan.render.changes import shown
from opplan.render.contract import heads
from opplan.report.changes import Bridge, ChangeCounts, CycleDiff, FieldChange, NodeDiff

_COUNTS = (
    ("nodes", "node change", "node changes"),
    ("asks_added", "ask added", "asks added"),
    ("asks_removed", "ask removed", "asks removed"),
    ("asks_changed", "ask changed", "asks changed"),
    ("moved_below", "moved below the line", "moved below the line"),
    ("moved_above", "moved above the line", "moved above the line"),
    ("decisions", "decision", "decisions"),
    ("budgets", "budget", "budgets"),
    ("goals", "goal", "goals"),
)


def counts_text(c: ChangeCounts) -> str:
    """``'2 asks added, 1 moved below the line, 1 budget'`` (only the kinds present)."""
    parts = []
    for key, one, many in _COUNTS:
        n = getattr(c, key)
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts) or "totals only"


def _heads(value: Decimal) -> str:
    number = heads(value)
    return f"{number:,}" if isinstance(number, int) else f"{number:,.2f}".rstrip("0")


def _signed_heads(value: Decimal, sign: bool) -> str:
    text = _heads(value)
    return f"+{text}" if sign and value and not text.startswith("-") else text


def _signed_money(value: Decimal, sign: bool) -> str:
    return f"{value:+,.2f}" if sign and value else f"{value:,.2f}"


def _fields(fields: Sequence[FieldChange]) -> str:
    return "; ".join(f"{f.field} {f.old or '(none)'} -> {f.new or '(none)'}" for f in fields)


def _amount_words(a: Amount | None) -> str:
    return "" if a is None else f" ({_heads(a.headcount)} HC, {a.cost:,.2f})"


def _bridge_lines(b: Bridge) -> list[str]:
    columns = (
        ("flat", b.old_flat, b.new_flat, "flat"),
        ("requested", b.old_requested, b.new_requested, "requested"),
        ("funded", b.old_funded, b.new_funded, "funded"),
    )
    rows: list[list[str]] = []
    for name, old, new, attr in columns:
        steps = [(s.label, getattr(s, attr)) for s in b.steps if getattr(s, attr) != Amount()]
        if not steps:
            continue
        body = [("old", old, False), *((label, a, True) for label, a in steps), ("new", new, False)]
        for k, (label, a, sign) in enumerate(body):
            rows.append(
                [
                    name if k == 0 else "",
                    label,
                    _signed_heads(a.headcount, sign),
                    _signed_money(a.cost, sign),
                    _signed_money(a.run_rate, sign),
                ]
            )
    if not rows:
        return []
    header = ["", "", "HC", "cost", "run rate"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]

    def line(cells: list[str]) -> str:
        return (
            "    "
            + "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()
        )

    return ["  bridge:", line(header), *(line(r) for r in rows)]


def node_lines(n: NodeDiff) -> list[str]:
    """One node's block: a heading with the counts, then each change on a line."""
    out = [f"{n.name} [{n.id}]: {counts_text(n.counts)}"]
    for c in n.nodes:
        if c.change == "moved":
            out.append(f"  node moved: from {c.old_parent} to {c.new_parent}")
        elif c.change == "renamed":
            out.append(f"  node renamed: from {c.old_id}")
        elif c.change == "added":
            out.append(f"  node added under {c.new_parent}")
        else:
            out.append(f"  node removed from {c.old_parent}")
    for a in n.asks:
        if a.change == "changed":
            out.append(f'  ask changed: {a.ask} "{a.title}": {_fields(a.fields)}')
        else:
            out.append(f'  ask {a.change}: {a.ask} "{a.title}"{_amount_words(a.new or a.old)}')
    for m in n.moves:
        counted = m.old_amount if m.direction == "below" else m.new_amount
        out.append(
            f'  {m.direction} the line: {m.ask} "{m.title}" ({m.old} -> {m.new}, '
            f"{_heads(counted.headcount)} HC, {counted.cost:,.2f})"
        )
        out.extend(f"    because: {c.text}" for c in m.causes)
    for d in n.decisions:
        if d.change == "changed":
            out.append(f"  decision changed on {d.ask} by {d.by}: {d.old} -> {d.new}")
        elif d.change == "added":
            out.append(f"  decision added on {d.ask} by {d.by}: {d.new}")
        else:
            out.append(f"  decision removed on {d.ask} by {d.by}: {d.old}")
    if n.budget is not None:
        out.append(f"  budget: {n.budget.text}")
    for g in n.goals:
        detail = f": {_fields(g.fields)}" if g.fields else ""
        out.append(f'  goal {g.change}: {g.goal} "{g.title}"{detail}')
    if n.bridge is not None:
        out.extend(_bridge_lines(n.bridge))
    return out


def table_text(result: CycleDiff, node: str | None = None) -> str:
    """The diff for a reader: the two versions, then each node that changed; or only
    "No changes."."""
    nodes = shown(result, node)
    if not nodes:
        return "No changes.\n"
    out = [f"opplan diff: {result.old_label} -> {result.new_label}"]
    for n in nodes:
        out.append("")
        out.extend(node_lines(n))
    return "\n".join(out) + "\n"
