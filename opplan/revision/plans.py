"""One node's own plan on both sides: its asks, goals, review entries and budget."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from opplan.model import Ask, Decision, Goal, NodeId, Plan
from opplan.model.costing import Amount
from opplan.report.changes import AskChange, BudgetChange, DecisionChange, FieldChange, GoalChange
from opplan.report.goaltext import due_text, number
from opplan.revision.words import budget_text, decision_text, heads_text, money_text

_AMOUNT_FIELDS: tuple[tuple[str, Callable[[Amount], str]], ...] = (
    ("headcount", lambda a: heads_text(a.headcount)),
    ("cost", lambda a: money_text(a.cost)),
    ("run_rate", lambda a: money_text(a.run_rate)),
)


def _listed(values: Sequence[str]) -> str | None:
    return ", ".join(values) or None


def _starts(ask: Ask) -> str | None:
    return _listed([due_text(line.start) for line in ask.headcount])


def _field(name: str, old: str | None, new: str | None) -> list[FieldChange]:
    return [] if old == new else [FieldChange(name, old, new)]


def ask_changes(
    nid: NodeId,
    old_plan: Plan | None,
    new_plan: Plan | None,
    old_requested: Mapping[str, Amount],
    new_requested: Mapping[str, Amount],
) -> list[AskChange]:
    """The node's own asks added, removed or changed (``*_requested`` by ask id)."""
    olds = {a.id: a for a in old_plan.incremental} if old_plan else {}
    news = {a.id: a for a in new_plan.incremental} if new_plan else {}
    out: list[AskChange] = []
    for aid, ask in news.items():
        ref = f"{nid}/{aid}"
        before = olds.get(aid)
        amount = new_requested[aid]
        if before is None:
            out.append(AskChange(ref, nid, ask.title, "added", None, amount))
            continue
        was = old_requested[aid]
        fields = _field("title", before.title, ask.title)
        for name, text in _AMOUNT_FIELDS:
            fields += _field(name, text(was), text(amount))
        fields += _field("start", _starts(before), _starts(ask))
        fields += _field("goals", _listed(before.goals), _listed(ask.goals))
        fields += _field("depends_on", _listed(before.depends_on), _listed(ask.depends_on))
        if fields:
            out.append(AskChange(ref, nid, ask.title, "changed", was, amount, tuple(fields)))
    for aid, ask in olds.items():
        if aid not in news:
            out.append(
                AskChange(f"{nid}/{aid}", nid, ask.title, "removed", old_requested[aid], None)
            )
    return out


def _target(goal: Goal) -> str | None:
    if goal.target is None:
        return None
    return number(goal.target) + (f" {goal.unit}" if goal.unit else "")


def _status(goal: Goal) -> str | None:
    return goal.status[-1].color if goal.status else None


def goal_changes(nid: NodeId, old_plan: Plan | None, new_plan: Plan | None) -> list[GoalChange]:
    """The node's own goals added, removed, or whose target, due date or latest status changed."""
    olds = {g.id: g for g in old_plan.goals} if old_plan else {}
    news = {g.id: g for g in new_plan.goals} if new_plan else {}
    out: list[GoalChange] = []
    for gid, goal in news.items():
        before = olds.get(gid)
        if before is None:
            out.append(GoalChange(nid, gid, goal.title, "added"))
            continue
        fields = _field("target", _target(before), _target(goal))
        fields += _field(
            "due",
            due_text(before.due) or None,
            due_text(goal.due) or None,
        )
        fields += _field("status", _status(before), _status(goal))
        if fields:
            out.append(GoalChange(nid, gid, goal.title, "changed", tuple(fields)))
    for gid, goal in olds.items():
        if gid not in news:
            out.append(GoalChange(nid, gid, goal.title, "removed"))
    return out


def _entries(plan: Plan | None) -> Mapping[str, Decision]:
    return plan.review.decisions if plan is not None and plan.review is not None else {}


def _same(a: Decision, b: Decision) -> bool:
    return (a.decision, a.rank, a.headcount, a.cost, a.note) == (
        b.decision,
        b.rank,
        b.headcount,
        b.cost,
        b.note,
    )


def decision_changes(
    nid: NodeId, old_plan: Plan | None, new_plan: Plan | None, ref: Callable[[str], str]
) -> list[DecisionChange]:
    """The review entries of the node added, changed or removed (``ref`` maps an old ask
    reference to new ids)."""
    olds = {ref(k): v for k, v in _entries(old_plan).items()}
    news = _entries(new_plan)
    out: list[DecisionChange] = []
    for key, entry in news.items():
        before = olds.get(key)
        if before is None:
            out.append(
                DecisionChange(key, nid, "added", None, decision_text(entry), None, entry.decision)
            )
        elif not _same(before, entry):
            out.append(
                DecisionChange(
                    key,
                    nid,
                    "changed",
                    decision_text(before),
                    decision_text(entry),
                    before.decision,
                    entry.decision,
                )
            )
    for key, entry in olds.items():
        if key not in news:
            out.append(
                DecisionChange(
                    key, nid, "removed", decision_text(entry), None, entry.decision, None
                )
            )
    return out


def budget_change(nid: NodeId, old_plan: Plan | None, new_plan: Plan | None) -> BudgetChange | None:
    """The node's budget, when either dimension differs."""

    def dims(plan: Plan | None) -> tuple[Decimal | None, Decimal | None]:
        budget = plan.review.budget if plan is not None and plan.review is not None else None
        return (None, None) if budget is None else (budget.headcount, budget.cost)

    (oh, oc), (nh, nc) = dims(old_plan), dims(new_plan)
    if (oh, oc) == (nh, nc):
        return None
    text = f"{budget_text(oh, oc)} -> {budget_text(nh, nc)}"
    return BudgetChange(nid, oh, nh, oc, nc, text)
