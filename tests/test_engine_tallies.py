"""The engine's bottom-up sums (docs/performance.md, the roll-up): tallies merged from a
subtree's parts give exactly ``Amount.total`` of every row, the fast HireRow builder
gives the constructor's record."""

from __future__ import annotations

import dataclasses
import inspect
from decimal import Decimal

from opplan.engine.money import Tallies, merged
from opplan.engine.resources import combined, hired, hiring_plan
from opplan.model.costing import ZERO_AMOUNT, Amount
from opplan.report.money import HireRow, hire_row

D = Decimal


def amt(h: str, c: str, r: str) -> Amount:
    return Amount(D(h), D(c), D(r))


A = amt("1.5", "1000.50", "2000.00")
B = amt("2", "300.25", "400.75")
C = amt("0.25", "-10.00", "0.00")


def _exact(got: Amount, want: Amount) -> None:
    """Equal, and written the same: the documents print a decimal as it is."""
    assert got == want
    assert [str(v) for v in dataclasses.astuple(got)] == [str(v) for v in dataclasses.astuple(want)]


def test_a_tally_totals_each_list_as_amount_total_does():
    t = Tallies.of([[], [A], [A, B, C]])
    assert t.counts == (0, 1, 3)
    assert t.total(0) is ZERO_AMOUNT
    assert t.total(1) is A  # one item: the item itself, as Amount.total returns it
    _exact(t.total(2), amt("3.75", "1290.75", "2400.75"))
    _exact(t.overall(), Amount.total([A, A, B, C]))


def test_merged_tallies_are_the_tallies_of_the_lists_concatenated():
    parts = [Tallies.of([[A], []]), Tallies.of([[], []]), Tallies.of([[B, C], [C]])]
    both = merged(parts, 2)
    assert both.counts == (3, 1)
    _exact(both.total(0), Amount.total([A, B, C]))
    assert both.total(1) is C
    _exact(both.overall(), amt("4.00", "1280.75", "2400.75"))
    # merged again with another part: still the total of every list in order
    again = merged([both, Tallies.of([[], [A]])], 2)
    _exact(again.total(1), amt("1.75", "990.50", "2000.00"))
    assert merged([both], 2) is both
    empty = merged([], 3)
    assert empty.counts == (0, 0, 0) and empty.total(2) is ZERO_AMOUNT
    assert empty.overall() is ZERO_AMOUNT


def test_one_row_overall_is_that_row():
    t = merged([Tallies.of([[], []]), Tallies.of([[], [B]])], 2)
    assert t.overall() is B


def _row(start: int, amount: Amount) -> HireRow:
    return HireRow("t/a", "t", "T", "Ask", "SDE", None, None, start, amount)


def test_combined_hires_give_the_hiring_plan_of_all_their_rows():
    first = hired((_row(1, A), _row(5, B)), amt("0", "100.00", "100.00"))
    second = hired((_row(12, C),), amt("0", "50.00", "60.00"))
    plan_ = hiring_plan(combined([first, second]), D("10"))
    assert plan_.rows == (_row(1, A), _row(5, B), _row(12, C))
    assert plan_.by_quarter == (A, B, ZERO_AMOUNT, C)
    _exact(plan_.people, Amount.total([A, B, C]))
    _exact(plan_.spend, amt("0", "150.00", "160.00"))
    assert plan_.exit_headcount == D("13.75")
    # 1.5 x 12 + 2 x 8 + 0.25 x 1 head-months = 34.25: 10 + 34.25 / 12
    assert plan_.average_headcount == D("12.85")
    assert combined([first]) is first
    nothing = hiring_plan(combined([]), D("3"))
    assert nothing.rows == () and nothing.people is ZERO_AMOUNT
    assert nothing.average_headcount == D("3.00")


def test_hire_row_builder_takes_every_field_in_order_and_gives_the_constructors_record():
    params = inspect.signature(hire_row).parameters
    assert list(params) == [f.name for f in dataclasses.fields(HireRow)]
    values = [f"v{i}" for i in range(len(params))]
    built = hire_row(*values)  # type: ignore[arg-type]
    assert built == HireRow(*values)  # type: ignore[arg-type]
    assert vars(built) == vars(HireRow(*values))  # type: ignore[arg-type]
