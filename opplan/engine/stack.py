"""The stack at one node: effective decisions, live asks, the order and the line (the roll-up rules, docs/rollup.md).

Stage 4 of the pipeline, its core. Every ask of the cycle gets an integer index
in depth-first order of its node, then ``incremental`` order; sorting by index
is therefore "the order of the asks at their own nodes". A node's
:class:`View` is derived from its children's views only (rules 1-5):

* the effective decision on an ask is the node's own decision if it made one,
  else the child's effective decision (rule 2: the highest decider wins);
* live asks are those whose effective decision is not ``cut`` or ``defer``
  (rule 1);
* the order is built from one list per source (own asks, then each child in id
  order) as ranked asks, then funded-in-child asks zipped, then the rest
  zipped (rule 4);
* forced asks (``fund``/``partial`` in effect) come off the budget first, then
  the non-forced asks are walked in order until one breaks a budget dimension
  (rule 5).

The functions here are pure; :mod:`opplan.rollup` calls them bottom-up and
turns the views into the report model.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from itertools import accumulate, chain, zip_longest
from typing import Final, TypeVar

from opplan.model import Ask, AskRef, Budget, Cycle, Decision, NodeId, ask_ref
from opplan.model.costing import (
    ZERO,
    ZERO_AMOUNT,
    Amount,
    RateTable,
    ask_amount,
    partial_amount,
)

ABOVE, BELOW, UNLINED, CUT, DEFERRED = "above", "below", "unlined", "cut", "deferred"
#: Decisions that change an ask's fate; ``escalate`` and rank-only entries do not.
DECIDING = frozenset({"fund", "partial", "cut", "defer"})
FORCING = frozenset({"fund", "partial"})
REMOVED_STATUS = {"cut": CUT, "defer": DEFERRED}
T = TypeVar("T")


class _Gap(enum.Enum):
    GAP = enum.auto()  # fills the short lists while zipping


_GAP: Final = _Gap.GAP


@dataclass(frozen=True, slots=True)
class AskInfo:
    """One ask of the cycle with its index and requested amount."""

    index: int
    ref: AskRef
    node: NodeId
    ask: Ask
    requested: Amount


@dataclass(frozen=True, slots=True)
class Effective:
    """The decision in effect on an ask in some node's view, and who made it."""

    decision: str  # fund, partial, cut or defer
    by: NodeId
    entry: Decision
    amount: Amount  # the ask's amount under this decision (after a partial)


@dataclass(frozen=True, slots=True)
class AskIndex:
    """Every ask of a cycle, indexed depth-first, with each node's own asks and decisions."""

    asks: tuple[AskInfo, ...]
    by_ref: Mapping[AskRef, int]
    own: Mapping[NodeId, tuple[int, ...]]
    decisions: Mapping[NodeId, Mapping[int, Decision]]

    @staticmethod
    def build(cycle: Cycle, rates: RateTable) -> AskIndex:
        """Index the asks and decisions of a checked cycle."""
        asks: list[AskInfo] = []
        own: dict[NodeId, tuple[int, ...]] = {}
        for nid, node in cycle.nodes.items():
            start = len(asks)
            for ask in node.plan.incremental if node.plan else ():
                asks.append(
                    AskInfo(len(asks), ask_ref(nid, ask.id), nid, ask, ask_amount(ask, rates))
                )
            own[nid] = tuple(range(start, len(asks)))
        by_ref = {a.ref: a.index for a in asks}
        decisions: dict[NodeId, dict[int, Decision]] = {}
        for nid, node in cycle.nodes.items():
            review = node.plan.review if node.plan else None
            if review is not None and review.decisions:
                decisions[nid] = {
                    by_ref[ref]: dec for ref, dec in review.decisions.items() if ref in by_ref
                }
        return AskIndex(tuple(asks), by_ref, own, decisions)


@dataclass(frozen=True, slots=True)
class View:
    """One node's view of every ask in its subtree (roll-up rules 1-5, docs/rollup.md).

    ``order``, ``came_from``, ``amounts``, ``cumulative`` and ``used`` are
    parallel lists over the live asks in the node's order. ``cumulative`` adds
    the asks where they stand; ``used`` is the budget used as rule 5 counts it:
    every forced ask first, then the non-forced asks down to this one. ``status``
    has every ask of the
    subtree: above, below or unlined when live, cut or deferred when removed.
    """

    node: NodeId
    order: tuple[int, ...]
    came_from: tuple[NodeId | None, ...]  # the child whose list it came from; None: own
    amounts: tuple[Amount, ...]  # after partials
    cumulative: tuple[Amount, ...]
    used: tuple[Amount, ...]
    status: Mapping[int, str]
    effective: Mapping[int, Effective]  # asks with a decision in effect in this view
    removed: tuple[int, ...]  # cut or deferred here, by index
    over_budget: Amount | None


def effective_decisions(
    node: NodeId,
    decisions: Mapping[int, Decision],
    children: Sequence[View],
    asks: Sequence[AskInfo],
) -> dict[int, Effective]:
    """Rule 2: the node's own decisions override the effective decisions of its children."""
    out: dict[int, Effective] = {}
    for child in children:
        out.update(child.effective)
    for i, dec in decisions.items():
        if dec.decision in DECIDING:
            amount = asks[i].requested
            if dec.decision == "partial":
                amount = partial_amount(amount, dec.headcount, dec.cost)
            out[i] = Effective(dec.decision, node, dec, amount)
    return out


def zipped(lists: Sequence[Sequence[T]]) -> list[T]:
    """The first item of each list in turn, then the second of each, ... (rule 4)."""
    lists = [lst for lst in lists if lst]
    if len(lists) <= 1:
        return list(lists[0]) if lists else []
    rows: Iterable[tuple[T | _Gap, ...]] = zip_longest(*lists, fillvalue=_GAP)
    return [x for x in chain.from_iterable(rows) if x is not _GAP]


def _sources(children: Sequence[View]) -> dict[int, NodeId]:
    """For each ask of the children's subtrees, the (first) child whose subtree holds it.

    Built once per node, so ranking N asks under C children costs N lookups, not N x C.
    """
    out: dict[int, NodeId] = {}
    for child in children:
        for i in child.status:
            out.setdefault(i, child.node)
    return out


def order_asks(
    own: Sequence[int],
    children: Sequence[View],
    keep: Set[int],
    drop: Set[int],
    ranks: Mapping[int, int],
) -> tuple[list[int], list[NodeId | None], list[int]]:
    """Rule 4: ranked asks by rank, then funded-in-child asks zipped, then the rest zipped.

    ``keep`` and ``drop`` are the asks the node itself funds (or partially
    funds) and removes. Lists are the node's own live asks, then per child its
    stack followed by the asks its view removed that are live here (revived).
    Returns the order, for each ask the child whose list it came from, and the
    asks removed in this view.
    """
    removed = [i for i in own if i in drop]
    funded_lists: list[list[int]] = []
    other_lists: list[list[int]] = [[i for i in own if i not in drop and i not in ranks]]
    tags: list[list[NodeId | None]] = [[None] * len(other_lists[0])]
    funded_tags: list[list[NodeId | None]] = []
    for child in children:
        stack: Sequence[int] = child.order
        if drop:
            removed.extend(i for i in stack if i in drop)
            stack = [i for i in stack if i not in drop]
        if keep:
            revived = [i for i in child.removed if i in keep]
            removed.extend(i for i in child.removed if i not in keep)
        else:
            revived = []
            removed.extend(child.removed)
        if ranks:
            stack = [i for i in stack if i not in ranks]
            revived = [i for i in revived if i not in ranks]
        status = child.status
        funded = [i for i in stack if status[i] == ABOVE]
        other = [i for i in stack if status[i] != ABOVE] + revived
        funded_lists.append(funded)
        other_lists.append(other)
        funded_tags.append([child.node] * len(funded))
        tags.append([child.node] * len(other))
    order = sorted(ranks, key=ranks.__getitem__)
    source = _sources(children) if order else {}
    came_from: list[NodeId | None] = [source.get(i) for i in order]
    order.extend(zipped(funded_lists))
    order.extend(zipped(other_lists))
    came_from.extend(zipped(funded_tags))
    came_from.extend(zipped(tags))
    removed.sort()
    return order, came_from, removed


def excess(forced: Amount, budget: Budget | None) -> Amount | None:
    """Rule 5: by how much the forced asks' total exceeds the budget in each dimension it
    gives (zero in a dimension within it), or None when it is within every one."""
    if budget is None:
        return None
    hc_cap, cost_cap = budget.headcount, budget.cost
    over_hc = (
        forced.headcount - hc_cap if hc_cap is not None and forced.headcount > hc_cap else ZERO
    )
    over_cost = forced.cost - cost_cap if cost_cap is not None and forced.cost > cost_cap else ZERO
    return Amount(over_hc, over_cost, ZERO) if over_hc or over_cost else None


def draw_line(
    amounts: Sequence[Amount], forced: Sequence[bool], budget: Budget | None
) -> tuple[list[str], Amount | None]:
    """Rule 5: the status of each ask in order, and the excess of forced asks over the budget."""
    hc_cap = budget.headcount if budget is not None else None
    cost_cap = budget.cost if budget is not None else None
    if hc_cap is None and cost_cap is None:
        return [ABOVE if f else UNLINED for f in forced], None
    hc = cost = ZERO
    for amount, f in zip(amounts, forced, strict=False):
        if f:
            hc += amount.headcount
            cost += amount.cost
    over = excess(Amount(hc, cost), budget)
    if over is not None:
        return [ABOVE if f else BELOW for f in forced], over
    out: list[str] = []
    fits = True
    for amount, f in zip(amounts, forced, strict=False):
        if f:
            out.append(ABOVE)
            continue
        if fits:
            hc += amount.headcount
            cost += amount.cost
            fits = (hc_cap is None or hc <= hc_cap) and (cost_cap is None or cost <= cost_cap)
        out.append(ABOVE if fits else BELOW)
    return out, None


def node_view(
    node: NodeId,
    own: Sequence[int],
    children: Sequence[View],
    decisions: Mapping[int, Decision],
    budget: Budget | None,
    asks: Sequence[AskInfo],
) -> View:
    """A node's view from its own asks, decisions and budget and its children's views."""
    effective = effective_decisions(node, decisions, children, asks)
    keep = {i for i, d in decisions.items() if d.decision in FORCING}
    drop = {i for i, d in decisions.items() if d.decision in REMOVED_STATUS}
    ranks = {
        i: d.rank
        for i, d in decisions.items()
        if d.rank is not None and (i not in effective or effective[i].decision in FORCING)
    }
    order, came_from, removed = order_asks(own, children, keep, drop, ranks)

    get = effective.get
    amounts = [e.amount if (e := get(i)) is not None else asks[i].requested for i in order]
    forced = [i in effective for i in order]
    statuses, over = draw_line(amounts, forced, budget)
    cumulative = tuple(running_totals(amounts))
    status: dict[int, str] = dict(zip(order, statuses, strict=False))
    for i in removed:
        status[i] = REMOVED_STATUS[effective[i].decision]
    return View(
        node,
        tuple(order),
        tuple(came_from),
        tuple(amounts),
        cumulative,
        budget_used(amounts, forced, cumulative),
        status,
        effective,
        tuple(removed),
        over,
    )


def budget_used(
    amounts: Sequence[Amount], forced: Sequence[bool], cumulative: tuple[Amount, ...]
) -> tuple[Amount, ...]:
    """Rule 5's running total at each ask: all forced asks first, then the non-forced asks
    in order down to this one (a forced ask's row shows the total where it stands).

    With no forced ask it is the plain running total, ``cumulative``, shared as is.
    """
    if not any(forced):
        return cumulative
    first = Amount.total([a for a, f in zip(amounts, forced, strict=True) if f])
    return tuple(
        accumulate(
            (ZERO_AMOUNT if f else a for a, f in zip(amounts, forced, strict=True)),
            operator.add,
            initial=first,
        )
    )[1:]


def running_totals(amounts: Iterable[Amount]) -> Iterator[Amount]:
    """The cumulative amount down to and including each item."""
    return accumulate(amounts, operator.add)


def views(cycle: Cycle, index: AskIndex) -> dict[NodeId, View]:
    """Every node's view, computed bottom-up (children before parents)."""
    out: dict[NodeId, View] = {}
    no_decisions: Mapping[int, Decision] = {}
    for nid in reversed(list(cycle.nodes)):
        node = cycle.nodes[nid]
        review = node.plan.review if node.plan else None
        out[nid] = node_view(
            nid,
            index.own[nid],
            [out[c] for c in node.children],
            index.decisions.get(nid, no_decisions),
            review.budget if review else None,
            index.asks,
        )
    return out
