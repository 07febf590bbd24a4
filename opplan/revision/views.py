"""One node's view on both sides: the asks that crossed its line, and why; its money bridge."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from opplan.model import NodeId
from opplan.model.costing import ZERO_AMOUNT, Amount
from opplan.report.changes import (
    AskChange,
    Bridge,
    BridgeKind,
    BridgeStep,
    BudgetChange,
    Cause,
    CauseKind,
    DecisionChange,
    LineMove,
    NodeChange,
    ViewStatus,
)
from opplan.report.records import NodeReport
from opplan.revision.words import amount_text, delta_text, named


@dataclass(frozen=True, slots=True)
class Row:
    """An ask as one view sees it."""

    node: NodeId  # its node, in new ids
    title: str
    status: ViewStatus
    requested: Amount
    amount: Amount  # what the line counts (after a partial); requested when cut or deferred
    position: int | None  # in the view's order (live asks only)
    forced: bool

    @property
    def funded(self) -> Amount:
        return self.amount if self.status == "above" else ZERO_AMOUNT


def rows_of(report: NodeReport, ref: Callable[[str], str]) -> dict[str, Row]:
    """The asks of a node's view by reference (in new ids, through ``ref``)."""
    out: dict[str, Row] = {}
    for r in report.stack:
        key = ref(r.ask)
        out[key] = Row(
            key.partition("/")[0], r.title, r.status, r.requested, r.amount, r.position, r.forced
        )
    for d in report.removed:
        key = ref(d.ask)
        out[key] = Row(
            key.partition("/")[0], d.title, d.status, d.requested, d.requested, None, False
        )
    return out


@dataclass(frozen=True)
class Context:
    """What the causes of a move are looked up in: the changes of the whole diff."""

    asks: Mapping[str, AskChange]  # by reference
    decisions: Mapping[str, Sequence[DecisionChange]]  # by reference
    in_view: Callable[[NodeId], bool]  # is the deciding node this view's node or below it
    budgets: Mapping[NodeId, BudgetChange]  # by node
    path: Callable[[NodeId], Sequence[NodeId]]  # a node, then its ancestors up to the view's node
    moved: Mapping[NodeId, NodeChange]  # the nodes moved under another parent, by id


def _ahead(b: Row | None, a: Row) -> bool:
    return b is not None and b.position is not None and (b.forced or b.position < a.position)  # type: ignore[operator]


def _tighter(b: BudgetChange) -> bool:
    """True when the budget gives less in some dimension (or limits one it did not)."""
    return any(
        new is not None and (old is None or new < old)
        for old, new in ((b.old_headcount, b.new_headcount), (b.old_cost, b.new_cost))
    )


def _tagged(refs: list[tuple[str, str]]) -> str:
    return named([f"{ref} ({tag})" for ref, tag in refs])


def causes(
    ref: str,
    old: Mapping[str, Row],
    new: Mapping[str, Row],
    ctx: Context,
    candidates: Collection[str],
) -> tuple[Cause, ...]:
    """Why ``ref`` crossed the line between ``old`` and ``new`` (one view on both sides)."""
    a0, a1 = old[ref], new[ref]
    below = a1.status != "above"
    out: list[Cause] = []
    path = ctx.path(a1.node)
    for at in reversed(path):  # the envelopes the ask is inside, top first
        budget = ctx.budgets.get(at)
        if budget is not None and _tighter(budget) == below:
            out.append(Cause("budget", f"budget at {at}: {budget.text}", by=at))
    for at in path[:-1]:  # its node, or a node between it and the view's, moved
        if at in ctx.moved:
            m = ctx.moved[at]
            out.append(
                Cause("node-moved", f"{at} moved from {m.old_parent} to {m.new_parent}", by=at)
            )
    for d in ctx.decisions.get(ref, ()):
        if ctx.in_view(d.by):
            out.append(
                Cause(
                    "decision",
                    f"decision at {d.by}: {d.old or 'none'} -> {d.new or 'none'}",
                    by=d.by,
                )
            )
    change = ctx.asks.get(ref)
    grew = a1.amount.headcount > a0.amount.headcount or a1.amount.cost > a0.amount.cost
    if change is not None and a0.requested != a1.requested and grew == below:
        out.append(
            Cause(
                "own-amount",
                f"its amount {amount_text(a0.requested)} -> {amount_text(a1.requested)}",
                amount=a1.requested - a0.requested,
            )
        )
    if a0.position is not None and a1.position is not None and not (a0.forced or a1.forced):
        found: dict[CauseKind, tuple[list[tuple[str, str]], Amount]] = {}

        def note(kind: CauseKind, b: str, tag: str, amount: Amount) -> None:
            refs, total = found.get(kind, ([], ZERO_AMOUNT))
            refs.append((b, tag))
            found[kind] = (refs, total + amount)

        for b in sorted(candidates):
            if b == ref:
                continue
            b0, b1 = old.get(b), new.get(b)
            was, now = _ahead(b0, a0), _ahead(b1, a1)
            if below and now and not was:
                assert b1 is not None
                tag = "new" if b0 is None else ("funded by decision" if b1.forced else "now ahead")
                if b0 is None and b in ctx.asks and ctx.asks[b].change != "added":
                    tag = "moved in"
                note("ranked-ahead", b, tag, b1.amount)
            elif not below and was and not now:
                assert b0 is not None
                tag = (
                    "removed"
                    if b1 is None
                    else (b1.status if b1.position is None else "now behind")
                )
                note("ahead-left", b, tag, ZERO_AMOUNT - b0.amount)
            elif was and now and b0 is not None and b1 is not None and b0.amount != b1.amount:
                grew = b1.amount.cost > b0.amount.cost or b1.amount.headcount > b0.amount.headcount
                if grew == below:
                    note("ahead-grew" if grew else "ahead-shrank", b, "", b1.amount - b0.amount)
        words = {
            "ranked-ahead": "ranked ahead",
            "ahead-left": "no longer ahead",
            "ahead-grew": "ahead grew",
            "ahead-shrank": "ahead shrank",
        }
        for kind in ("ranked-ahead", "ahead-grew", "ahead-left", "ahead-shrank"):
            if kind in found:
                refs, total = found[kind]
                names = (
                    _tagged(refs)
                    if kind in ("ranked-ahead", "ahead-left")
                    else named([r for r, _ in refs])
                )
                out.append(
                    Cause(
                        kind,
                        f"{names} {words[kind]} ({delta_text(total)})",
                        tuple(r for r, _ in refs),
                        amount=total,
                    )
                )
    if not out:
        out.append(Cause("other", "the line moved with no change this diff can name"))
    return tuple(out)


def moves(
    old: Mapping[str, Row],
    new: Mapping[str, Row],
    ctx: Context,
    changed: Collection[str],
) -> list[LineMove]:
    """The asks on both sides of the view funded on one side only, in the new order."""
    candidates = {r for r in changed if r in old or r in new}
    candidates.update(r for r in new if r not in old)
    candidates.update(r for r in old if r not in new)
    out: list[LineMove] = []
    for ref, a1 in new.items():
        a0 = old.get(ref)
        if a0 is None or (a0.status == "above") == (a1.status == "above"):
            continue
        out.append(
            LineMove(
                ref,
                a1.node,
                a1.title,
                a0.status,
                a1.status,
                "above" if a1.status == "above" else "below",
                a0.amount,
                a1.amount,
                causes(ref, old, new, ctx, candidates),
            )
        )
    return out


_STEPS: tuple[tuple[BridgeKind, str], ...] = (
    ("flat-changed", "flat plans changed"),
    ("nodes-added", "nodes added or moved in"),
    ("nodes-removed", "nodes removed or moved out"),
    ("asks-added", "asks added"),
    ("asks-removed", "asks removed"),
    ("asks-changed", "asks changed"),
    ("decisions", "partial amounts changed by decisions"),
    ("moved-above", "asks now above the line"),
    ("moved-below", "asks now below the line"),
)


def bridge(
    old_node: NodeReport,
    new_node: NodeReport,
    flats: tuple[Mapping[NodeId, Amount], Mapping[NodeId, Amount]],
    members: tuple[Collection[NodeId], Collection[NodeId]],
    old: Mapping[str, Row],
    new: Mapping[str, Row],
) -> Bridge:
    """From the old totals of the view to the new: ``flats`` are each side's own flat per
    node and ``members`` each side's subtree, both in new ids."""
    acc: dict[BridgeKind, list[Amount | int]] = {}

    def add(kind: BridgeKind, flat: Amount, requested: Amount, funded: Amount) -> None:
        if flat == ZERO_AMOUNT and requested == ZERO_AMOUNT and funded == ZERO_AMOUNT:
            return
        f, r, u, n = acc.get(kind, [ZERO_AMOUNT, ZERO_AMOUNT, ZERO_AMOUNT, 0])
        acc[kind] = [f + flat, r + requested, u + funded, n + 1]  # type: ignore[operator]

    (old_flat, new_flat), (old_members, new_members) = flats, members
    for nid in new_members:
        if nid in old_members:
            add("flat-changed", new_flat[nid] - old_flat[nid], ZERO_AMOUNT, ZERO_AMOUNT)
        else:
            add("nodes-added", new_flat[nid], ZERO_AMOUNT, ZERO_AMOUNT)
    for nid in old_members:
        if nid not in new_members:
            add("nodes-removed", ZERO_AMOUNT - old_flat[nid], ZERO_AMOUNT, ZERO_AMOUNT)
    for ref, b in new.items():
        a = old.get(ref)
        if a is None:
            kind: BridgeKind = "asks-added" if b.node in old_members else "nodes-added"
            add(kind, ZERO_AMOUNT, b.requested, b.funded)
        elif (a.status == "above") != (b.status == "above"):
            add("asks-changed", ZERO_AMOUNT, b.requested - a.requested, ZERO_AMOUNT)
            kind = "moved-above" if b.status == "above" else "moved-below"
            add(kind, ZERO_AMOUNT, ZERO_AMOUNT, b.funded - a.funded)
        elif a.requested != b.requested:
            add("asks-changed", ZERO_AMOUNT, b.requested - a.requested, b.funded - a.funded)
        else:
            add("decisions", ZERO_AMOUNT, ZERO_AMOUNT, b.funded - a.funded)
    for ref, a in old.items():
        if ref not in new:
            kind = "asks-removed" if a.node in new_members else "nodes-removed"
            add(kind, ZERO_AMOUNT, ZERO_AMOUNT - a.requested, ZERO_AMOUNT - a.funded)
    steps = tuple(
        BridgeStep(kind, label, acc[kind][3], *acc[kind][:3])  # type: ignore[arg-type]
        for kind, label in _STEPS
        if kind in acc
    )
    t0, t1 = old_node.totals, new_node.totals
    return Bridge(t0.flat, t0.requested, t0.funded, steps, t1.flat, t1.requested, t1.funded)
