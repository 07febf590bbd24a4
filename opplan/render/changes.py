"""The diff's machine outputs: the JSON contract and CSV (docs/revisions.md, "The diff JSON").

Made of the change records (:mod:`opplan.report.changes`); nothing here compares or
computes. Money is a string with two places, headcount a number (as in the roll-up's
contract, :mod:`opplan.render.contract`). Fields may be added, never renamed or removed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from opplan.model.costing import ZERO_AMOUNT, Amount
from opplan.render.contract import amount, heads, money
from opplan.render.tabular import csv_rows
from opplan.report.changes import (
    AskChange,
    Bridge,
    BudgetChange,
    Cause,
    ChangeCounts,
    CycleDiff,
    DecisionChange,
    FieldChange,
    GoalChange,
    LineMove,
    NodeChange,
    NodeDiff,
)


def shown(result: CycleDiff, node: str | None = None) -> tuple[NodeDiff, ...]:
    """The nodes an output lists: those of ``node``'s subtree (default: the whole tree)
    where anything changed, depth-first."""
    nodes = result.subtree(node) if node is not None else result.nodes
    return tuple(n for n in nodes if n.changed)


def _amount(a: Amount | None) -> dict[str, Any] | None:
    return None if a is None else amount(a)


def _fields(fields: Sequence[FieldChange]) -> list[dict[str, Any]]:
    return [{"field": f.field, "old": f.old, "new": f.new} for f in fields]


def counts_entry(c: ChangeCounts) -> dict[str, int]:
    """Every count, by name, and ``total``."""
    return {**{k: getattr(c, k) for k in ChangeCounts.__dataclass_fields__}, "total": c.total}


def node_change_entry(c: NodeChange) -> dict[str, Any]:
    """A node added, removed, moved or renamed."""
    return {
        "node": c.node,
        "change": c.change,
        "name": c.name,
        "old_parent": c.old_parent,
        "new_parent": c.new_parent,
        "old_id": c.old_id,
        "flat": amount(c.flat),
    }


def ask_entry(c: AskChange) -> dict[str, Any]:
    """An ask added, removed or changed: its requested amount on each side, what changed."""
    return {
        "ask": c.ask,
        "node": c.node,
        "title": c.title,
        "change": c.change,
        "old": _amount(c.old),
        "new": _amount(c.new),
        "fields": _fields(c.fields),
    }


def cause_entry(c: Cause) -> dict[str, Any]:
    """One reason for a move across the line."""
    return {
        "kind": c.kind,
        "text": c.text,
        "asks": list(c.asks),
        "by": c.by,
        "amount": amount(c.amount),
    }


def move_entry(m: LineMove) -> dict[str, Any]:
    """An ask that crossed the node's line, with its statuses, amounts and causes."""
    return {
        "ask": m.ask,
        "node": m.node,
        "title": m.title,
        "old": m.old,
        "new": m.new,
        "direction": m.direction,
        "old_amount": amount(m.old_amount),
        "new_amount": amount(m.new_amount),
        "causes": [cause_entry(c) for c in m.causes],
    }


def decision_entry(d: DecisionChange) -> dict[str, Any]:
    """A review entry added, changed or removed, and who decided."""
    return {
        "ask": d.ask,
        "by": d.by,
        "change": d.change,
        "old": d.old,
        "new": d.new,
        "old_decision": d.old_decision,
        "new_decision": d.new_decision,
    }


def budget_entry(b: BudgetChange | None) -> dict[str, Any] | None:
    """The node's budget on each side (``null`` when it did not change)."""
    if b is None:
        return None
    return {
        "old": {"headcount": heads(b.old_headcount), "cost": money(b.old_cost)},
        "new": {"headcount": heads(b.new_headcount), "cost": money(b.new_cost)},
        "text": b.text,
    }


def goal_entry(g: GoalChange) -> dict[str, Any]:
    """A goal added, removed or changed (target, due, status)."""
    return {
        "goal": g.goal,
        "title": g.title,
        "change": g.change,
        "fields": _fields(g.fields),
    }


def bridge_entry(b: Bridge | None) -> dict[str, Any] | None:
    """Old, each step, new; in flat, requested and funded (``null`` for a node on one side)."""
    if b is None:
        return None
    return {
        "old": {
            "flat": amount(b.old_flat),
            "requested": amount(b.old_requested),
            "funded": amount(b.old_funded),
        },
        "steps": [
            {
                "kind": s.kind,
                "label": s.label,
                "count": s.count,
                "flat": amount(s.flat),
                "requested": amount(s.requested),
                "funded": amount(s.funded),
            }
            for s in b.steps
        ],
        "new": {
            "flat": amount(b.new_flat),
            "requested": amount(b.new_requested),
            "funded": amount(b.new_funded),
        },
    }


def node_entry(n: NodeDiff) -> dict[str, Any]:
    """Everything the contract promises about one node."""
    return {
        "id": n.id,
        "name": n.name,
        "path": n.path,
        "parent": n.parent,
        "depth": n.depth,
        "status": n.status,
        "counts": counts_entry(n.counts),
        "subtree": counts_entry(n.subtree),
        "nodes": [node_change_entry(c) for c in n.nodes],
        "asks": [ask_entry(c) for c in n.asks],
        "moves": [move_entry(m) for m in n.moves],
        "decisions": [decision_entry(d) for d in n.decisions],
        "budget": budget_entry(n.budget),
        "goals": [goal_entry(g) for g in n.goals],
        "bridge": bridge_entry(n.bridge),
    }


def document(result: CycleDiff, node: str | None = None) -> dict[str, Any]:
    """The whole JSON document of the diff (of ``node``'s subtree)."""
    nodes = shown(result, node)
    return {
        "diff": {
            "old": result.old_label,
            "new": result.new_label,
            "root": node or result.root,
            "changed": bool(nodes),
        },
        "nodes": [node_entry(n) for n in nodes],
    }


def json_text(result: CycleDiff, node: str | None = None) -> str:
    """:func:`document` as compact JSON text (keys in contract order), one line."""
    return json.dumps(document(result, node), ensure_ascii=False, separators=(",", ":")) + "\n"


CSV_HEADER = (
    "node",
    "change",
    "item",
    "title",
    "field",
    "old",
    "new",
    "by",
    "detail",
    "headcount",
    "cost",
    "run_rate",
)
_TEXT = (True, True, True, True, True, True, True, True, True, False, False, False)


def _delta(a: Amount | None) -> tuple[Any, Any, Any]:
    return (
        (None, None, None) if a is None else (heads(a.headcount), money(a.cost), money(a.run_rate))
    )


def _minus(new: Amount | None, old: Amount | None) -> Amount | None:
    if new is None and old is None:
        return None
    zero = Amount()
    return (new or zero) - (old or zero)


def csv_records(n: NodeDiff) -> Iterator[tuple[Any, ...]]:
    """One row per change of a node: (node, change, item, title, field, old, new, by,
    detail, heads, cost, run rate); amounts are the signed change (of a move across the
    line: what it adds to or takes from the funded total), ``detail`` a move's causes."""
    for c in n.nodes:
        old = c.old_id if c.change == "renamed" else c.old_parent
        new = c.node if c.change == "renamed" else c.new_parent
        yield (n.id, f"node-{c.change}", c.node, c.name, "", old, new, "", "", *_delta(None))
    for a in n.asks:
        delta = _delta(_minus(a.new, a.old))
        if not a.fields:
            yield (n.id, f"ask-{a.change}", a.ask, a.title, "", None, None, "", "", *delta)
        for k, f in enumerate(a.fields):
            yield (
                n.id,
                "ask-changed",
                a.ask,
                a.title,
                f.field,
                f.old,
                f.new,
                "",
                "",
                *(delta if k == 0 else _delta(None)),
            )
    for m in n.moves:
        causes = "; ".join(c.text for c in m.causes)
        yield (
            n.id,
            f"moved-{m.direction}",
            m.ask,
            m.title,
            "status",
            m.old,
            m.new,
            "",
            causes,
            *_delta(ZERO_AMOUNT - m.old_amount if m.direction == "below" else m.new_amount),
        )
    for d in n.decisions:
        yield (n.id, f"decision-{d.change}", d.ask, "", "", d.old, d.new, d.by, "", *_delta(None))
    if n.budget is not None:
        b = n.budget
        dims: tuple[tuple[str, Any, Any], ...] = (
            ("headcount", heads(b.old_headcount), heads(b.new_headcount)),
            ("cost", money(b.old_cost), money(b.new_cost)),
        )
        for dim, was, now in dims:
            if was != now:
                yield (n.id, "budget", n.id, n.name, dim, was, now, n.id, "", *_delta(None))
    for g in n.goals:
        if not g.fields:
            yield (n.id, f"goal-{g.change}", g.goal, g.title, "", None, None, "", "", *_delta(None))
        for f in g.fields:
            yield (
                n.id,
                "goal-changed",
                g.goal,
                g.title,
                f.field,
                f.old,
                f.new,
                "",
                "",
                *_delta(None),
            )
    if n.bridge is not None:
        for s in n.bridge.steps:
            for column, step in (
                ("flat", s.flat),
                ("requested", s.requested),
                ("funded", s.funded),
            ):
                if step != Amount():
                    yield (
                        n.id,
                        "bridge",
                        s.kind,
                        s.label,
                        column,
                        None,
                        None,
                        "",
                        "",
                        *_delta(step),
                    )


def _cell(value: Any) -> Any:
    return "" if value is None else (str(value) if isinstance(value, Decimal) else value)


def csv_text(result: CycleDiff, node: str | None = None) -> str:
    """CSV: a header, then one row per change (text cells safe from formula injection)."""
    rows = [[(h, True) for h in CSV_HEADER]]
    for n in shown(result, node):
        for record in csv_records(n):
            rows.append([(_cell(v), t) for v, t in zip(record, _TEXT, strict=True)])
    return csv_rows(rows)
