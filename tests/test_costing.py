"""Money (SPEC 3 and 6): rate matching, proration, rounding per line, partials."""

from __future__ import annotations

from decimal import Decimal

import pytest

from opplan.model import Ask, HeadcountLine, Rates
from opplan.model.costing import (
    Amount,
    RateTable,
    ask_amount,
    cents,
    flat_amount,
    line_amount,
    partial_amount,
    spend_total,
)

D = Decimal

RATES = RateTable(
    Rates.model_validate(
        {
            "default": 200000,
            "by": [
                {"role": "SDE", "cost": 210000},
                {"role": "SDE", "location": "DUB", "cost": 165000},
                {"role": "SDE", "level": "L6", "location": "DUB", "cost": 205000},
                {"level": "L7", "cost": 300000},
            ],
        }
    )
)


def line(**fields) -> HeadcountLine:
    """A headcount line (role SDE, one head, unless given)."""
    return HeadcountLine.model_validate({"role": "SDE", "count": 1, **fields})


@pytest.mark.parametrize(
    "value, expected",
    [
        ("0.005", "0.01"),
        ("0.004", "0.00"),
        ("-0.005", "-0.01"),
        ("2.675", "2.68"),
        ("91666.715", "91666.72"),
        ("1", "1.00"),
    ],
)
def test_cents_round_half_up(value, expected):
    assert cents(D(value)) == D(expected)


@pytest.mark.parametrize(
    "fields, rate",
    [
        ({}, "210000"),  # role only
        ({"location": "DUB"}, "165000"),  # role + location
        ({"level": "L6", "location": "DUB"}, "205000"),  # all three
        ({"level": "L5", "location": "DUB"}, "165000"),  # level not rated
        ({"role": "PM"}, "200000"),  # nothing matches: default
        ({"role": "PM", "level": "L7"}, "300000"),  # level only entry
        ({"rate": 99999}, "99999"),  # the line's own rate wins
    ],
)
def test_rate_the_most_specific_match_wins(fields, rate):
    assert RATES.rate(line(**fields)) == D(rate)


def test_two_equally_specific_matches_are_ambiguous():
    assert len(RATES.matches(line(level="L7", location="DUB"))) == 1  # role+loc vs level
    table = RateTable(
        Rates.model_validate(
            {"default": 1, "by": [{"role": "SDE", "cost": 2}, {"level": "L7", "cost": 3}]}
        )
    )
    assert len(table.matches(line(level="L7"))) == 2


@pytest.mark.parametrize(
    "start, months",
    [("Q1", 12), ("Q2", 9), ("Q3", 6), ("Q4", 3), *((m, 13 - m) for m in range(1, 13))],
)
def test_line_cost_is_prorated_from_the_start_month(start, months):
    amount = line_amount(line(count=2, start=start, rate=120000), RATES, full_year=False)
    assert amount == Amount(D(2), D(20000 * months), D(240000))


def test_flat_lines_cost_a_full_year():
    amount = line_amount(line(count="1.5", start="Q3", rate=100000), RATES, full_year=True)
    assert amount == Amount(D("1.5"), D("150000.00"), D("150000.00"))


def test_each_line_is_rounded_and_totals_add_the_rounded_lines():
    ask = Ask.model_validate(
        {
            "id": "a",
            "title": "A",
            "headcount": [
                {"role": "SDE", "count": 1, "start": 2, "rate": "100000.06"},
                {"role": "SDE", "count": 1, "start": 2, "rate": "100000.06"},
            ],
            "spend": {"x": "0.005", "y": "0.005"},
        }
    )
    amount = ask_amount(ask, RATES)
    # 91666.721666... rounds to 91666.72 per line; each spend rounds to 0.01
    assert amount == Amount(D(2), D("183333.46"), D("200000.14"))


def test_spend_may_be_negative():
    assert spend_total({"saving": D("-1000.004"), "cloud": D("500")}) == D("-500.00")
    flat = flat_amount([line(rate=100000)], {"offset": D(-25000)}, RATES)
    assert flat == Amount(D(1), D("75000.00"), D("75000.00"))


REQUESTED = Amount(D(4), D("300000.00"), D("480000.00"))


@pytest.mark.parametrize(
    "headcount, cost, expected",
    [
        ("1", None, Amount(D(1), D("75000.00"), D("120000.00"))),
        ("1.5", None, Amount(D("1.5"), D("112500.00"), D("180000.00"))),
        # a cost given: the run rate follows the cost (never below it)
        ("1", "50000", Amount(D(1), D("50000.00"), D("80000.00"))),
        # a cost alone on an ask with heads: the heads follow it, to hundredths of a head
        (None, "150000", Amount(D(2), D("150000.00"), D("240000.00"))),
        (None, "100000", Amount(D("1.33"), D("100000.00"), D("160000.00"))),
        # 4 x 1,875 / 300,000 = 0.025 heads: half up to 0.03
        (None, "1875", Amount(D("0.03"), D("1875.00"), D("3000.00"))),
        ("0", None, Amount(D(0), D("0.00"), D("0.00"))),
        ("4", None, REQUESTED),
    ],
)
def test_partial_amounts(headcount, cost, expected):
    got = partial_amount(
        REQUESTED, None if headcount is None else D(headcount), None if cost is None else D(cost)
    )
    assert got == expected


def test_partial_of_a_spend_only_ask_scales_run_rate_with_cost():
    spend_only = Amount(D(0), D("80000.00"), D("80000.00"))
    assert partial_amount(spend_only, None, D("20000.004")) == Amount(
        D(0), D("20000.00"), D("20000.00")
    )


def test_partial_of_an_ask_that_costs_nothing_in_year():
    """Two heads from Q3 (120,000.00 in-year, 240,000.00 run rate) offset by a saving of
    120,000.00: the ask costs nothing in the year and runs at 120,000.00. The cost cannot
    scale anything, so heads given scale the run rate; a cost alone keeps the heads and
    takes the run rate equal to the cost."""
    ask = Ask.model_validate(
        {
            "id": "a",
            "title": "A",
            "headcount": [{"role": "SDE", "count": 2, "start": 7, "rate": 120000}],
            "spend": {"saving": -120000},
        }
    )
    requested = ask_amount(ask, RATES)
    assert requested == Amount(D(2), D("0.00"), D("120000.00"))
    # 1.5 of 2 heads: three quarters of the run rate
    assert partial_amount(requested, D("1.5"), D(0)) == Amount(D("1.5"), D("0.00"), D("90000.00"))
    assert partial_amount(requested, None, D(0)) == Amount(D(2), D("0.00"), D("0.00"))


def test_amount_arithmetic():
    a = Amount(D(1), D("2.50"), D("3.00"))
    assert a + a == Amount(D(2), D("5.00"), D("6.00"))
    assert (a + a) - a == a
    assert Amount.total([]) == Amount()
    assert Amount.total([a]) is a
    assert Amount.total(iter([a, a, a])) == Amount(D(3), D("7.50"), D("9.00"))
