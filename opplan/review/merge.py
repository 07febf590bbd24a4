"""The three-way merge of a review workbook: rows against the build's prefill and plan.yaml.

For each ``Stack`` row: the values the build prefilled (in the workbook's
metadata), the values in the sheet now, and the node's decision in plan.yaml
now. An unedited row changes nothing; an edited row becomes a :class:`Change`
once it passes the decision rules of :mod:`opplan.check.decisions` (the same
rules, and words, as ``opplan check``); a row whose plans changed since the
build is stale.
"""

from __future__ import annotations

from dataclasses import dataclass

from opplan.check.decisions import SHEET_FIELDS, partial_problems, rank_problems
from opplan.model import Ask, AskRef, Cycle, Decision, NodeId, ask_ref
from opplan.model.costing import Amount, RateTable, ask_amount, number_text
from opplan.report.reviewkeys import (
    AskLookup,
    ReviewValues,
    budget_text,
    decisions_below,
    fingerprint,
)
from opplan.review.sheet import ReviewBook, SheetRow


@dataclass(frozen=True)
class Change:
    """One decision entry changed by an import."""

    ask: AskRef
    row: int
    before: ReviewValues
    after: ReviewValues


def merge(
    book: ReviewBook,
    cycle: Cycle,
    node_id: NodeId,
    current: dict[AskRef, Decision],
    rates: RateTable,
) -> tuple[list[Change], list[str], list[str]]:
    """Changes, problems and stale rows, row by row (a three-way merge)."""
    problems = list(book.problems)
    changes: list[Change] = []
    stale: list[str] = []
    seen: dict[str, int] = {}
    asks = AskLookup(cycle.nodes)
    for row in book.rows:
        label = f"Stack row {row.row} ({row.ask})"
        problems.extend(row.problems)
        if row.ask in seen:
            problems.append(f"{label}: the ask is also in row {seen[row.ask]}")
            continue
        seen[row.ask] = row.row
        found = asks.find(row.ask)
        if found is None:
            problems.append(f"{label}: unknown ask '{row.ask}' (no such ask in the plans)")
            continue
        owner, ask = found
        if not cycle.in_subtree(owner, node_id):
            problems.append(
                f"{label}: '{row.ask}' is outside {node_id}'s subtree; a manager "
                "decides only on asks below them"
            )
            continue
        amount = ask_amount(ask, rates)
        now = ReviewValues.of(current.get(row.ask))
        built = book.built.get(row.ask)
        prefill = built.prefill if built is not None else now
        if built is not None and built.fingerprint != _fingerprint(
            cycle, row.ask, owner, ask, amount, node_id
        ):
            stale.append(
                f"row {row.row} ({row.ask}): the ask or a decision below {node_id} changed"
            )
        if row.values.same(prefill) or row.values.same(now):
            continue  # not edited, or edited to what plan.yaml already says
        if not prefill.same(now):
            stale.append(
                f"row {row.row} ({row.ask}): {node_id}'s decision changed in "
                f"plan.yaml since the build (now {describe(now)})"
            )
        if row.problems:
            continue  # a value could not be read: the decision rules would only repeat it
        row_problems = _check_values(label, row, amount)
        if row_problems:
            problems.extend(row_problems)
            continue
        changes.append(Change(row.ask, row.row, now, row.values))
    return changes, problems, stale


def stale_workbook(book: ReviewBook, cycle: Cycle, node_id: NodeId) -> list[str]:
    """Changes since the build that move rows or the line without touching a row's own
    fingerprint: asks added below the node, and the node's budget."""
    out = []
    plans = ((n, cycle.node(n).plan) for n in cycle.subtree(node_id))
    added = [
        ref
        for n, plan in plans
        for ref in (ask_ref(n, a.id) for a in (plan.incremental if plan else ()))
        if ref not in book.built
    ]
    if added:
        shown = ", ".join(added[:5]) + (f" and {len(added) - 5} more" if len(added) > 5 else "")
        out.append(f"asks added below {node_id} since the build, not in the workbook: {shown}")
    plan = cycle.node(node_id).plan
    budget = plan.review.budget if plan and plan.review else None
    now = budget_text(budget.headcount if budget else None, budget.cost if budget else None)
    if book.meta.get("budget") != now:
        out.append(
            f"{node_id}'s budget changed since the build (was {book.meta.get('budget')}, now {now})"
        )
    return out


def _fingerprint(
    cycle: Cycle, ref: AskRef, owner: NodeId, ask: Ask, amount: Amount, top: NodeId
) -> str:
    """The fingerprint of a row from the plans as they are now (see :mod:`opplan.report.reviewkeys`)."""
    return fingerprint(ref, ask, amount, decisions_below(cycle.nodes, ref, owner, top))


def _check_values(label: str, row: SheetRow, amount: Amount) -> list[str]:
    """What is wrong with a row's new review values, given the ask's requested amount."""
    v = row.values
    problems = partial_problems(row.ask, v.decision, v.headcount, v.cost, amount, SHEET_FIELDS)
    return [f"{label}: {p.message}" for p in problems]


def ranks_after(current: dict[AskRef, Decision], changes: list[Change]) -> list[str]:
    """Ranks must stay unique at the node once the changes are applied."""
    ranks = {ref: d.rank for ref, d in current.items() if d.rank is not None}
    for change in changes:
        ranks.pop(change.ask, None)
        if change.after.rank is not None:
            ranks[change.ask] = change.after.rank
    return list(dict.fromkeys(p.message for p in rank_problems(ranks).values()))


def describe(values: ReviewValues) -> str:
    """A decision entry in a few words: ``partial 1 head 120000.00, rank 2, note "..."``."""
    if values.empty():
        return "(none)"
    parts = []
    if values.decision:
        text = values.decision
        if values.headcount is not None:
            text += f" {number_text(values.headcount)} head{'s' if values.headcount != 1 else ''}"
        if values.cost is not None:
            text += f" {values.cost:.2f}"
        parts.append(text)
    if values.rank is not None:
        parts.append(f"rank {values.rank}")
    if values.note:
        note = values.note if len(values.note) <= 40 else values.note[:39] + "…"
        parts.append(f'note "{note}"')
    return ", ".join(parts)
