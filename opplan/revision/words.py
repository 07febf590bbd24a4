"""The words of a change: amounts, deltas and review entries as short text."""

from __future__ import annotations

from decimal import Decimal

from opplan.model import Decision
from opplan.model.costing import Amount


def heads_text(value: Decimal) -> str:
    """``Decimal(2) -> '2 heads'``, ``Decimal(1) -> '1 head'``, ``Decimal('1.5') -> '1.5 heads'``."""
    number = format(value.normalize(), "f") if value != value.to_integral() else str(int(value))
    return f"{number} head" if value == 1 else f"{number} heads"


def money_text(value: Decimal) -> str:
    """``Decimal('240000') -> '240,000.00'``."""
    return f"{value:,.2f}"


def amount_text(amount: Amount) -> str:
    """Heads and in-year cost: ``'2 heads, 240,000.00'``."""
    return f"{heads_text(amount.headcount)}, {money_text(amount.cost)}"


def delta_text(amount: Amount) -> str:
    """A signed change of heads and in-year cost: ``'+1 head, +120,000.00'``."""
    sign_h = "+" if amount.headcount >= 0 else "-"
    sign_c = "+" if amount.cost >= 0 else "-"
    return f"{sign_h}{heads_text(abs(amount.headcount))}, {sign_c}{money_text(abs(amount.cost))}"


def budget_text(headcount: Decimal | None, cost: Decimal | None) -> str:
    """A budget in words: ``'4 heads, 600,000.00'``, ``'4 heads'``, or ``'none'``."""
    parts = []
    if headcount is not None:
        parts.append(heads_text(headcount))
    if cost is not None:
        parts.append(money_text(cost))
    return ", ".join(parts) or "none"


def decision_text(entry: Decision) -> str:
    """A review entry in a few words: ``'partial 1 head 120,000.00, rank 2, note "..."'``."""
    parts: list[str] = []
    if entry.decision:
        text: str = entry.decision
        if entry.headcount is not None:
            text += f" {heads_text(entry.headcount)}"
        if entry.cost is not None:
            text += f" {money_text(entry.cost)}"
        parts.append(text)
    if entry.rank is not None:
        parts.append(f"rank {entry.rank}")
    if entry.note:
        note = entry.note if len(entry.note) <= 40 else entry.note[:39] + "…"
        parts.append(f'note "{note}"')
    return ", ".join(parts) or "(empty)"


def named(refs: list[str], limit: int = 3) -> str:
    """Up to ``limit`` names joined, then how many more: ``'a, b, c and 2 more'``."""
    shown = ", ".join(refs[:limit])
    return shown if len(refs) <= limit else f"{shown} and {len(refs) - limit} more"
