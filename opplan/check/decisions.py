"""The rules of a manager's decision entries (roll-up rule 3, docs/rollup.md), one copy for every caller.

``opplan check`` applies them to ``review.decisions`` in plan.yaml and ``opplan
review import`` to the rows of a review workbook; both call these functions, so
a decision the one refuses the other refuses with the same words. The callers
differ only in how they name the partial amounts (:class:`Fields`: plan.yaml's
keys or the workbook's columns) and in where they point (a YAML key or a row).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from opplan.model import AskRef
from opplan.model.costing import Amount, number_text


@dataclass(frozen=True, slots=True)
class Fields:
    """How a caller names a partial's amounts in its messages."""

    headcount: str
    cost: str


#: plan.yaml's keys of a decision entry.
PLAN_FIELDS = Fields("headcount", "cost")
#: The review workbook's columns.
SHEET_FIELDS = Fields("Partial headcount", "Partial cost")


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with a decision entry: the key it is about, the message, the rule."""

    key: str  # "decision", "headcount", "cost" or "rank"
    message: str
    rule: str  # "decision", "partial-over-ask" or "duplicate-rank"


def partial_problems(
    ref: AskRef,
    decision: str | None,
    headcount: Decimal | None,
    cost: Decimal | None,
    asked: Amount | None,
    fields: Fields,
) -> list[Problem]:
    """A partial gives headcount, cost or both (a spend-only ask: cost) within the ask's
    requested ``asked``; cost alone on an ask with heads scales its heads (costing's
    ``partial_amount``); other decisions give no amounts. ``asked`` None (cost rates unknown) skips
    the checks that need it."""
    hc, co = fields.headcount, fields.cost
    if decision != "partial":
        if headcount is not None or cost is not None:
            key = "headcount" if headcount is not None else "cost"
            return [Problem(key, f"{hc} and {co} apply only to a partial decision", "decision")]
        return []
    if asked is None:
        return []
    out = []
    if headcount is None and cost is None:
        out.append(
            Problem(
                "decision",
                f"a partial needs {hc} or {co} ({co} alone for a spend-only ask)",
                "decision",
            )
        )
    elif headcount is not None and asked.headcount == 0:
        out.append(
            Problem(
                "headcount",
                f"'{ref}' asks for no heads: a partial of a spend-only ask gives {co}, not {hc}",
                "decision",
            )
        )
    if headcount is not None and 0 < asked.headcount < headcount:
        out.append(
            Problem(
                "headcount",
                f"partial over the ask: {hc} {number_text(headcount)} is more than the "
                f"{number_text(asked.headcount)} asked",
                "partial-over-ask",
            )
        )
    if cost is not None and cost > asked.cost:
        out.append(
            Problem(
                "cost",
                f"partial over the ask: {co} {cost:.2f} is more than the {asked.cost:.2f} asked",
                "partial-over-ask",
            )
        )
    return out


def rank_problems(ranks: Mapping[AskRef, int]) -> dict[AskRef, Problem]:
    """Ranks at one node are unique: for each ask sharing its rank with another, the problem
    (naming every ask of that rank)."""
    counts = Counter(ranks.values())
    shared: dict[int, list[AskRef]] = {}
    for ref, rank in ranks.items():
        if counts[rank] > 1:
            shared.setdefault(rank, []).append(ref)
    out: dict[AskRef, Problem] = {}
    for rank, refs in sorted(shared.items()):
        message = f"rank {rank} is given to more than one ask: {', '.join(sorted(refs))}"
        for ref in refs:
            out[ref] = Problem("rank", message, "duplicate-rank")
    return out
