"""The line, checkable (roll-up rule 5): the budget used as the line counts it, forced asks
first; the headroom per budget dimension; what binds; by how much the first ask below misses."""

from __future__ import annotations

from decimal import Decimal as D

from cyclefactory import ask, plan, rolled

from opplan.engine.stack import budget_used, running_totals
from opplan.model.costing import Amount


def test_budget_used_counts_every_forced_ask_first(tmp_path):
    """A forced ask further down comes off the budget before the asks above it: the plain
    running total says b fits (2 of 2 heads), the line's running total says it breaks."""
    team = rolled(
        tmp_path,
        {
            "team": plan(
                "Team",
                ask("a", 1),
                ask("b", 1),
                ask("c", 1),
                ask("f", 1),
                budget={"headcount": 2},
                decisions={"team/f": {"decision": "fund"}},
            )
        },
    ).nodes["team"]
    assert [(r.ask, r.status) for r in team.stack] == [
        ("team/a", "above"),
        ("team/b", "below"),
        ("team/c", "below"),
        ("team/f", "above"),
    ]
    assert [r.cumulative.headcount for r in team.stack] == [1, 2, 3, 4]
    assert [r.used.headcount for r in team.stack] == [2, 3, 4, 4]
    line = team.line
    assert (line.forced.headcount, line.used.headcount) == (1, 2)
    assert line.used == team.totals.funded
    assert (line.headroom_headcount, line.headroom_cost) == (0, None)
    assert (line.first_below, line.binds) == (1, ("headcount",))
    assert (line.misses_headcount, line.misses_cost) == (1, 0)


def test_without_forced_asks_budget_used_is_the_running_total():
    amounts = [Amount(D(1), D(10)), Amount(D(2), D(20))]
    cumulative = tuple(running_totals(amounts))
    assert budget_used(amounts, [False, False], cumulative) is cumulative
    assert budget_used(amounts, [False, True], cumulative) == (
        Amount(D(3), D(30)),
        Amount(D(3), D(30)),
    )
    assert budget_used(amounts, [True, False], cumulative) == (
        Amount(D(1), D(10)),
        Amount(D(3), D(30)),
    )


def test_cost_binds_when_the_heads_fit(tmp_path):
    """A budget in both dimensions: the first ask below fits the heads and breaks the cost;
    the headroom and the miss are stated per dimension."""
    team = rolled(
        tmp_path,
        {
            "team": plan(
                "Team",
                ask("a", 1),
                ask("b", 1, spend={"licences": 50000}),
                budget={"headcount": 5, "cost": 200000},
            )
        },
    ).nodes["team"]
    a, b = team.stack
    assert (a.status, b.status) == ("above", "below")
    line = team.line
    assert line.used == a.amount == team.totals.funded
    assert line.headroom_headcount == 4
    assert line.headroom_cost == 200000 - a.amount.cost
    assert line.binds == ("cost",)
    assert line.misses_headcount == 0
    assert line.misses_cost == b.amount.cost - line.headroom_cost > 0
    assert line.first_below == 1


def test_both_dimensions_bind(tmp_path):
    team = rolled(
        tmp_path,
        {
            "team": plan(
                "Team",
                ask("a", 1),
                ask("b", 2),
                budget={"headcount": 2, "cost": 150000},
            )
        },
    ).nodes["team"]
    line = team.line
    assert line.binds == ("headcount", "cost")
    assert line.misses_headcount == 1
    assert line.misses_cost == team.stack[1].used.cost - 150000


def test_over_budget_headroom_is_negative_and_every_other_ask_misses_by_the_excess(tmp_path):
    team = rolled(
        tmp_path,
        {
            "team": plan(
                "Team",
                ask("a", 1),
                ask("f", 3),
                budget={"headcount": 2},
                decisions={"team/f": {"decision": "fund"}},
            )
        },
    ).nodes["team"]
    assert team.over_budget is not None and team.over_budget.headcount == 1
    line = team.line
    assert (line.used.headcount, line.headroom_headcount) == (3, -1)
    assert (line.first_below, line.binds, line.misses_headcount) == (0, ("headcount",), 2)


def test_no_budget_no_headroom_nothing_binds(tmp_path):
    team = rolled(
        tmp_path,
        {
            "team": plan(
                "Team",
                ask("a", 1),
                ask("f", 1),
                decisions={"team/f": {"decision": "fund"}},
            )
        },
    ).nodes["team"]
    line = team.line
    assert (line.budget_headcount, line.headroom_headcount, line.headroom_cost) == (None,) * 3
    assert (line.first_below, line.binds) == (None, ())
    assert line.used == line.forced == team.totals.funded
    assert line.used.headcount == 1


def test_nothing_below_leaves_headroom_and_nothing_binds(tmp_path):
    team = rolled(
        tmp_path,
        {"team": plan("Team", ask("a", 1), budget={"headcount": 3})},
    ).nodes["team"]
    line = team.line
    assert (line.headroom_headcount, line.first_below, line.binds) == (2, None, ())
    assert (line.misses_headcount, line.misses_cost) == (0, 0)
