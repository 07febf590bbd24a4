"""Where a node's line is drawn, in figures a reader can check (roll-up rule 5, docs/rollup.md).

A record of the report model, decided once by :func:`opplan.report.derive.line_figures`:
the budget, what the asks funded by decision take off it first, what is used at the
line, the headroom left in each budget dimension, which dimension the first ask below
the line breaks and by how much it misses.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from opplan.model.costing import ZERO, ZERO_AMOUNT, Amount
from opplan.util.plainrepr import plain_repr

Dimension = Literal["headcount", "cost"]


@plain_repr
@dataclass(frozen=True)
class LineFigures:
    """The line of one node's view, as figures.

    ``used`` is the budget used at the line: the forced asks, then the non-forced
    asks above the line; it equals the node's funded total. Headroom is the budget
    less ``used`` in each dimension the budget gives (None where it gives none;
    negative when the forced asks alone exceed the budget). ``first_below`` is the
    stack index of the first ask below the line; ``misses_*`` is how much that ask
    exceeds the headroom (zero where it fits), and ``binds`` the dimensions where it
    does not fit (empty when nothing is below).
    """

    budget_headcount: Decimal | None = None
    budget_cost: Decimal | None = None
    forced: Amount = ZERO_AMOUNT  # the asks funded by decision, counted first
    used: Amount = ZERO_AMOUNT
    headroom_headcount: Decimal | None = None
    headroom_cost: Decimal | None = None
    binds: tuple[Dimension, ...] = ()
    first_below: int | None = None
    misses_headcount: Decimal = ZERO
    misses_cost: Decimal = ZERO
