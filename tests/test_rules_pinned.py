"""Roll-up behaviours that only a mutation run showed to be unpinned, one test per behaviour.

Each test names the numbered roll-up rule (or money rule) it pins; docs/testing.md
lists the mutation run that found them. Cycles go through the loader and the checks
as users' plans do. The default rate is 120,000 a head, so one head from Q1 costs
120,000.00 in year, from Q3 60,000.00.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from cyclefactory import CYCLE_YAML, ask, heads, load_clean, make_cycle, plan, rolled, write_cycle

from opplan.engine.rollup import rollup
from opplan.model import HeadcountLine, Rates
from opplan.model.costing import Amount, RateTable, flat_amount, number_text, partial_amount
from opplan.report.records import ApprovedCounts, NodeReport, Totals

D = Decimal


def lines(node: NodeReport) -> list[tuple[str, str]]:
    """(ask, status) in the node's order."""
    return [(row.ask, row.status) for row in node.stack]


def amt(headcount: str | int, cost: str, run_rate: str | None = None) -> Amount:
    """An Amount from strings, run rate defaulting to cost."""
    return Amount(D(headcount), D(cost), D(run_rate if run_rate is not None else cost))


def row_of(node: NodeReport, ref: str):
    """The stack row of ask ``ref`` at ``node``."""
    return next(r for r in node.stack if r.ask == ref)


# --- rule 2: the effective decision and its note --------------------------------------


def test_rule_2_the_note_shown_is_the_effective_decisions_or_this_nodes_rank_entry(tmp_path):
    """A row shows the note of this node's own entry when it has one, else the note of the
    decision in effect (made lower down)."""
    report = rolled(
        tmp_path,
        {
            "org": plan(
                "Org",
                decisions={
                    "team/y": {"rank": 1},  # rank only, no note: the team's note shows
                    "team/z": {"rank": 2, "note": "Org: first things first."},
                },
            ),
            "org/team": plan(
                "Team",
                ask("x"),
                ask("y"),
                ask("z"),
                decisions={
                    "team/x": {"decision": "fund", "note": "Team: x."},
                    "team/y": {"decision": "fund", "note": "Team: y."},
                    "team/z": {"decision": "fund", "note": "Team: z."},
                },
            ),
        },
    )
    org = report.nodes["org"]
    assert row_of(org, "team/x").note == "Team: x."  # no entry at org
    assert row_of(org, "team/y").note == "Team: y."
    assert row_of(org, "team/z").note == "Org: first things first."
    assert row_of(org, "team/x").decided_by == "team"


# --- rule 3: decisions ------------------------------------------------------------------


def test_rule_3_a_partial_at_n_revives_an_ask_a_child_cut(tmp_path):
    """A partial is a funding decision: made higher up, it overrides the child's cut and
    the ask comes back with the partial amounts."""
    report = rolled(
        tmp_path,
        {
            "org": plan(
                "Org",
                budget={"headcount": 5},
                decisions={"team/x": {"decision": "partial", "headcount": 1}},
            ),
            "org/team": plan("Team", ask("x", 2), decisions={"team/x": {"decision": "cut"}}),
        },
    )
    assert [(r.ask, r.status, r.by) for r in report.nodes["team"].removed] == [
        ("team/x", "cut", "team")
    ]
    org = report.nodes["org"]
    row = row_of(org, "team/x")
    assert (row.status, row.forced, row.decision, row.decided_by) == (
        "above",
        True,
        "partial",
        "org",
    )
    assert row.child == "team" and row.child_removed == "cut" and row.child_status is None
    assert row.requested == amt(2, "240000.00") and row.amount == amt(1, "120000.00")
    assert org.removed == () and org.totals.funded == amt(1, "120000.00")


def test_rule_3_a_childs_defer_removes_the_ask_and_a_fund_above_revives_it(tmp_path):
    """A child's defer takes the ask off every stack above (listed as deferred, by the
    child) until a higher fund brings it back, marked as deferred in the child's view."""
    report = rolled(
        tmp_path,
        {
            "co": plan("Co", decisions={"team/y": {"decision": "fund"}}),
            "co/org": plan("Org"),
            "co/org/team": plan(
                "Team",
                ask("x"),
                ask("y"),
                ask("z"),
                decisions={"team/x": {"decision": "defer"}, "team/y": {"decision": "defer"}},
            ),
        },
    )
    org, co = report.nodes["org"], report.nodes["co"]
    assert lines(org) == [("team/z", "unlined")]
    assert [(r.ask, r.status, r.by) for r in org.removed] == [
        ("team/x", "deferred", "team"),
        ("team/y", "deferred", "team"),
    ]
    assert org.totals.deferred == amt(2, "240000.00")
    assert [(r.ask, r.status, r.by) for r in co.removed] == [("team/x", "deferred", "team")]
    revived = row_of(co, "team/y")
    assert revived.child == "org" and revived.child_removed == "deferred"
    assert revived.status == "above" and revived.decided_by == "co"


def test_rule_3_removed_rows_carry_the_ask_and_the_deciders_note(tmp_path):
    report = rolled(
        tmp_path,
        {
            "org": plan("Org", decisions={"team/x-ray": {"decision": "cut", "note": "Not now."}}),
            "org/team": plan("Team", ask("x-ray")),
        },
    )
    (removed,) = report.nodes["org"].removed
    assert (removed.ask, removed.node, removed.title, removed.note, removed.by) == (
        "team/x-ray",
        "team",
        "X ray",
        "Not now.",
        "org",
    )
    assert removed.requested == amt(1, "120000.00")


def test_rule_3_a_removed_row_names_the_child_whose_subtree_holds_the_ask(tmp_path):
    """A removed row names the child of N whose list it ends (rule 4: a child's list ends
    with the asks its view removed), however deep the ask's own node; None for N's own ask."""
    report = rolled(
        tmp_path,
        {
            "org": plan("Org", ask("own"), decisions={"org/own": {"decision": "cut"}}),
            "org/dir": plan("Dir"),
            "org/dir/team": plan("Team", ask("x"), decisions={"team/x": {"decision": "cut"}}),
        },
    )

    def child_of(nid: str) -> dict[str, str | None]:
        return {r.ask: r.child for r in report.nodes[nid].removed}

    # team/x is cut by team and stays cut above it; org/own is cut by org itself
    assert child_of("team") == {"team/x": None}  # team's own ask
    assert child_of("dir") == {"team/x": "team"}
    assert child_of("org") == {"org/own": None, "team/x": "dir"}  # dir's subtree, not team


def test_rule_3_partial_of_a_spend_only_ask_that_costs_nothing(tmp_path):
    """A spend-only ask whose spend nets to zero may be partially funded at zero cost; its
    run rate follows the cost (no division by the zero cost)."""
    report = rolled(
        tmp_path,
        {
            "org": plan("Org", decisions={"team/net": {"decision": "partial", "cost": 0}}),
            "org/team": plan("Team", ask("net", None, spend={"new": 5000, "retired": -5000})),
        },
    )
    assert report.nodes["org"].stack[0].amount == amt(0, "0.00")


def test_rule_3_partial_naming_zero_heads_of_a_spend_only_ask():
    """Zero heads of an ask without heads scale nothing: alone, the ask stays whole; with a
    cost, the cost is as given and the run rate follows it, as for a cost-only partial.
    (`opplan check` refuses headcount on a spend-only ask's partial; the engine still gives
    one answer whichever way the amounts reach it.)"""
    spend_only = Amount(D(0), D("100000.00"), D("100000.00"))
    assert partial_amount(spend_only, D(0), None) == spend_only
    assert partial_amount(spend_only, D(0), D(25000)) == amt(0, "25000.00")
    assert partial_amount(spend_only, D(0), D(25000)) == partial_amount(spend_only, None, D(25000))


def test_rule_3_partial_amounts_with_heads_given_on_an_ask_without_heads():
    """partial_amount: heads given for an ask without heads keep its cost (ratio one)."""
    spend_only = amt(0, "80000.00")
    assert partial_amount(spend_only, D(0), None) == spend_only
    assert partial_amount(amt(0, "0.00"), None, D(0)) == amt(0, "0.00")


# --- rule 4: the order ------------------------------------------------------------------


def test_rule_4_a_ranked_ask_remembers_the_child_it_came_from(tmp_path):
    """Ranked asks jump to the top of N's order but still show the child whose list they
    came from and their status there; N's own ranked asks came from no child."""
    report = rolled(
        tmp_path,
        {
            "org": plan(
                "Org",
                ask("own"),
                decisions={"beta/b2": {"rank": 1}, "org/own": {"rank": 2}},
            ),
            "org/alpha": plan("Alpha", ask("a1")),
            "org/beta": plan("Beta", ask("b1"), ask("b2"), budget={"headcount": 0}),
        },
    )
    org = report.nodes["org"]
    assert [r.ask for r in org.stack] == ["beta/b2", "org/own", "alpha/a1", "beta/b1"]
    assert [(r.child, r.child_status) for r in org.stack] == [
        ("beta", "below"),
        (None, None),
        ("alpha", "unlined"),
        ("beta", "below"),
    ]


# --- rule 5: the line -------------------------------------------------------------------


def test_rule_5_cost_excess_of_forced_asks_over_a_cost_budget(tmp_path):
    """Forced asks whose in-year cost alone exceeds the cost budget: N is over by the cost
    excess and every non-forced ask is below."""
    report = rolled(
        tmp_path,
        {
            "team": plan(
                "Team",
                ask("a"),
                ask("b", headcount=[heads(1, start="Q3")]),
                ask("small", None, spend={"x": 1}),
                budget={"cost": 100000},
                decisions={"team/a": {"decision": "fund"}, "team/b": {"decision": "fund"}},
            ),
        },
    )
    team = report.nodes["team"]
    # forced: 120,000 + 60,000 = 180,000 against a budget of 100,000
    assert team.over_budget == Amount(D(0), D("80000.00"), D(0))
    assert lines(team) == [("team/a", "above"), ("team/b", "above"), ("team/small", "below")]


def test_rule_5_forced_asks_alone_over_the_budget_put_the_line_after_the_last_ask(tmp_path):
    """Over budget with every ask forced: nothing is below, yet the line is drawn, after
    the last ask (the documents print it there with the excess)."""
    report = rolled(
        tmp_path,
        {
            "team": plan(
                "Team",
                ask("a"),
                ask("b"),
                budget={"headcount": 1},
                decisions={"team/a": {"decision": "fund"}, "team/b": {"decision": "fund"}},
            ),
        },
    )
    team = report.nodes["team"]
    # forced: 2 heads against a headcount budget of 1 (no cost budget): over by 1 head
    assert team.over_budget == Amount(D(1), D(0), D(0))
    assert lines(team) == [("team/a", "above"), ("team/b", "above")]
    assert team.line_at == 2  # len(stack): after the last ask
    within = rolled(tmp_path / "within", {"team": plan("Team", ask("a"), budget={"headcount": 1})})
    assert within.nodes["team"].line_at is None  # nothing below and within budget: no line


def test_rule_5_forced_asks_exactly_at_the_budget_are_not_over(tmp_path):
    report = rolled(
        tmp_path,
        {
            "team": plan(
                "Team",
                ask("a"),
                ask("b"),
                ask("c"),
                budget={"headcount": 2, "cost": 240000},
                decisions={"team/a": {"decision": "fund"}, "team/b": {"decision": "fund"}},
            ),
        },
    )
    team = report.nodes["team"]
    assert (team.budget_headcount, team.budget_cost) == (2, 240000)
    assert team.over_budget is None
    assert lines(team) == [("team/a", "above"), ("team/b", "above"), ("team/c", "below")]


def test_rule_5_an_ask_that_exactly_fills_the_cost_budget_is_above(tmp_path):
    """Within the budget means up to and including it."""
    report = rolled(
        tmp_path,
        {"team": plan("Team", ask("a"), ask("b"), ask("c", "0.01"), budget={"cost": 240000})},
    )
    assert lines(report.nodes["team"]) == [
        ("team/a", "above"),
        ("team/b", "above"),
        ("team/c", "below"),
    ]


def test_rule_5_a_negative_spend_ask_after_the_line_stays_below(tmp_path):
    """Once an ask breaks the budget, every later non-forced ask is below, even a saving
    that would bring the running total back within the budget."""
    report = rolled(
        tmp_path,
        {
            "team": plan(
                "Team",
                ask("a"),
                ask("b"),
                ask("saving", None, spend={"decommission": -100000}),
                budget={"cost": 150000},
            ),
        },
    )
    team = report.nodes["team"]
    assert lines(team) == [("team/a", "above"), ("team/b", "below"), ("team/saving", "below")]
    assert team.stack[-1].cumulative.cost == D("140000.00")  # within the budget, still below


# --- rule 6: totals and money -----------------------------------------------------------


def test_rule_6_own_funded_total_after_a_partial_of_its_own_ask(tmp_path):
    """A node's own totals count its own asks in its view: a partial at the amounts given,
    the rest by where they stand against the line."""
    report = rolled(
        tmp_path,
        {
            "org": plan(
                "Org",
                ask("hire", 2),
                ask("extra", 2),
                budget={"headcount": 1},
                decisions={"org/hire": {"decision": "partial", "headcount": 1}},
            ),
            "org/team": plan("Team", ask("t")),
        },
    )
    own = report.nodes["org"].own
    assert own.requested == amt(4, "480000.00")
    assert own.funded == amt(1, "120000.00")  # hire after the partial
    assert own.unfunded == amt(2, "240000.00")  # extra, below the line
    assert report.nodes["org"].totals.unfunded == amt(3, "360000.00")


def test_rule_6_inclusive_headcount_rows_by_child_role_level_location(tmp_path):
    """Headcount rows: the node's own heads, then each child's heads over its whole
    subtree, each group sorted by role, level, location (unset before set), and the lines
    of one key added up."""
    mixed = [
        heads(1, level="L6"),
        heads(1, level="L5", location="SEA"),
        heads(1, location="DUB"),
        heads(1, role="PM", level="L5"),
        heads(1, level="L5"),
        heads(2, level="L5"),
    ]
    report = rolled(
        tmp_path,
        {
            "org": plan("Org", headcount=mixed),
            "org/area": plan("Area", headcount=[heads(1), heads(1, role="PM")]),
            "org/area/one": plan("One", headcount=[heads(2)]),
            "org/area/two": plan("Two", headcount=mixed),
        },
    )
    expected_keys = [
        ("PM", "L5", None),
        ("SDE", None, "DUB"),
        ("SDE", "L5", None),
        ("SDE", "L5", "SEA"),
        ("SDE", "L6", None),
    ]
    org = report.nodes["org"]
    own = [h for h in org.headcount if h.child is None]
    assert [(h.role, h.level, h.location) for h in own] == expected_keys
    assert [h.amount.headcount for h in own] == [1, 1, 3, 1, 1]
    assert own[2].amount == amt(3, "360000.00")
    area = [(h.role, h.level, h.location, h.amount.headcount) for h in org.headcount if h.child]
    assert [h.child for h in org.headcount if h.child] == ["area"] * 7
    # area's own SDE and PM, one's 2 SDE and two's mixed lines, merged by key
    assert area == [
        ("PM", None, None, 1),
        ("PM", "L5", None, 1),
        ("SDE", None, None, 3),
        ("SDE", None, "DUB", 1),
        ("SDE", "L5", None, 3),
        ("SDE", "L5", "SEA", 1),
        ("SDE", "L6", None, 1),
    ]
    sde = next(h for h in org.headcount if h.child == "area" and h.role == "SDE")
    assert sde.amount == amt(3, "360000.00")


def test_rule_6_a_managers_team_rows_are_its_own_each_child_and_the_total(tmp_path):
    """A manager's flat and asks by team: its own row (it has own heads), one row per
    child, and the total row, the own and total rows named by the manager's id."""
    report = rolled(
        tmp_path,
        {
            "org": plan("Org", ask("o"), hc=1),
            "org/team": plan("Team", ask("x"), hc=2),
        },
    )
    org = report.nodes["org"]
    # flat: org 1 head, team 2 heads, 120,000 each for a full year; one 1-head ask each
    expected = [
        ("own", "org", "Org", 1, amt(1, "120000.00"), amt(1, "120000.00")),
        ("child", "team", "Team", 1, amt(2, "240000.00"), amt(1, "120000.00")),
        ("total", "org", "Total", 1, amt(3, "360000.00"), amt(2, "240000.00")),
    ]
    for rows in (org.teams, org.teams_body):
        assert [(r.kind, r.id, r.name, r.count, r.flat, r.requested) for r in rows] == expected
    assert report.nodes["team"].teams == ()  # a leaf has no rows


def test_rule_6_flat_lines_cost_a_full_year_whatever_their_start(tmp_path):
    """Flat heads are the current run rate: a start month on a flat line prorates nothing."""
    report = rolled(tmp_path, {"team": plan("Team", headcount=[heads(2, start="Q3")])})
    team = report.nodes["team"]
    assert team.totals.flat == amt(2, "240000.00")
    assert [h.amount for h in team.headcount] == [amt(2, "240000.00")]
    line = heads(1, start="Q3", rate=100000)
    rates = RateTable(Rates.model_validate({"default": 1}))
    assert flat_amount([HeadcountLine.model_validate(line)], {}, rates) == amt(1, "100000.00")


def test_rule_6_prorated_cost_is_rounded_once(tmp_path):
    """rate x count x months / 12 is rounded to cents once, from the exact annual figure
    (not from the rounded run rate)."""
    report = rolled(
        tmp_path,
        {"team": plan("Team", ask("a", headcount=[heads(1, start=2, rate="100000.005")]))},
    )
    # exact: 100000.005 x 11 / 12 = 91666.67125 -> 91666.67; from the rounded run rate
    # 100000.01 it would be 91666.675833... -> 91666.68
    assert report.nodes["team"].stack[0].amount == amt(1, "91666.67", "100000.01")


def test_rule_6_money_totals_are_decimals_even_when_empty(tmp_path):
    """Amounts are exact decimals: a node without capex or spend still totals Decimal zero."""
    report = rolled(tmp_path, {"org": plan("Org"), "org/team": plan("Team")})
    for node in report.nodes.values():
        assert isinstance(node.totals.capex, Decimal) and isinstance(node.own.capex, Decimal)
        assert isinstance(node.totals.flat.cost, Decimal)


RATED_CYCLE = (
    CYCLE_YAML
    + """\
  by:
    - {role: SDE, cost: 150000}
    - {role: SDE, location: SEA, cost: 90000}
    - {level: L6, location: DUB, cost: 200000}
"""
)


def test_rule_6_cost_rates_the_most_specific_match_wins(tmp_path):
    """Rate matching in the roll-up: the entry naming the most fields wins; a line that
    matches nothing costs the default."""
    report = rolled(
        tmp_path,
        {
            "team": plan(
                "Team",
                ask(
                    "a",
                    headcount=[
                        heads(1),
                        heads(1, location="SEA"),
                        heads(1, level="L6", location="DUB"),
                        heads(1, role="PM"),
                    ],
                ),
                headcount=[heads(1), heads(1, location="SEA")],
            )
        },
        RATED_CYCLE,
    )
    team = report.nodes["team"]
    assert team.totals.flat == amt(2, "240000.00")  # 150,000 + 90,000
    # 150,000 + 90,000 + 200,000 (level and location beat role alone, met first or not)
    # + 120,000 default
    assert team.stack[0].amount == amt(4, "560000.00")


def test_rule_6_rate_matches_a_less_specific_entry_is_not_ambiguous():
    """matches() keeps only the most specific entries, whatever order they are met in."""
    table = RateTable(
        Rates.model_validate(
            {
                "default": 1,
                "by": [
                    {"level": "L6", "location": "DUB", "cost": 3},
                    {"role": "SDE", "cost": 2},
                ],
            }
        )
    )
    line = HeadcountLine.model_validate(
        {"role": "SDE", "level": "L6", "location": "DUB", "count": 1}
    )
    assert [e.cost for e in table.matches(line)] == [D(3)]
    assert table.rate(line) == D(3)


@pytest.mark.parametrize(
    "value, text", [(D("10"), "10"), (D("1.50"), "1.5"), (2, "2"), (D("0.25"), "0.25")]
)
def test_money_number_text_is_plain(value, text):
    """Headcount and amounts print as plain numbers, trailing zeros dropped, no exponent."""
    assert number_text(value) == text


# --- rule 7: the approved plan ----------------------------------------------------------


def test_rule_7_a_teams_totals_and_counts_in_the_approved_plan(tmp_path):
    """t has no budget, so its own view leaves its asks unlined; in the approved plan (co's
    view, 1 head) co cuts c, a fits and b is below. Flat, capex and requested are the
    team's own figures, whatever the view; the approved plan gives t its flat plus a."""
    report = rolled(
        tmp_path,
        {
            "co": plan("Co", budget={"headcount": 1}, decisions={"t/c": {"decision": "cut"}}),
            "co/t": plan("T", ask("a"), ask("b"), ask("c"), hc=2, capex={"hw": 5000}),
        },
    )
    assert report.nodes["t"].approved == Totals(
        flat=amt(2, "240000.00"),
        capex=D("5000.00"),
        requested=amt(3, "360000.00"),
        funded=amt(1, "120000.00"),
        unfunded=amt(1, "120000.00"),
        cut=amt(1, "120000.00"),
        deferred=amt(0, "0"),
    )
    t = report.nodes["t"]
    assert t.approved_counts == ApprovedCounts(funded=1, below=1, unlined=0, cut=1, deferred=0)
    assert t.approved_total == amt(3, "360000.00")


# --- rule 8: dependencies ---------------------------------------------------------------


def test_rule_8_approved_status_and_at_risk_judged_where_the_host_is_held(tmp_path):
    """The status is taken in the lowest common manager's view, the approved status in the
    root's; an ask's at-risk flag is judged in the node's own view when that node holds the
    host (it can see the host's ask), else in the manager's."""
    report = rolled(
        tmp_path,
        {
            "co": plan("Co", decisions={"search/lookup": {"decision": "cut"}}),
            "co/shop": plan("Shop", decisions={"search/lookup": {"decision": "fund"}}),
            "co/shop/cart": plan(
                "Cart",
                ask("fast", depends_on=["D1"]),
                dependencies=[{"id": "D1", "on": "search", "what": "Lookup API"}],
            ),
            "co/shop/search": plan(
                "Search", ask("lookup"), commitments=[{"to": "cart/D1", "funded_by": "lookup"}]
            ),
        },
    )
    (dep,) = report.nodes["shop"].dependencies
    assert (dep.manager, dep.role, dep.status, dep.approved_status) == (
        "shop",
        "manager",
        "funded",
        "cut",
    )
    assert not dep.at_risk and dep.at_risk_asks == ()
    assert row_of(report.nodes["shop"], "cart/fast").at_risk is False
    assert row_of(report.nodes["cart"], "cart/fast").at_risk is False  # judged at shop
    assert row_of(report.nodes["co"], "cart/fast").at_risk is True  # co holds search: cut
    assert report.nodes["co"].dependencies == ()


def test_rule_8_a_dependency_committed_by_an_unlined_ask_is_unfunded(tmp_path):
    """With no budget at the manager the committing ask is unlined: not funded, so the
    requester's asks that need it are at risk at every level."""
    report = rolled(
        tmp_path,
        {
            "co": plan("Co"),
            "co/shop": plan("Shop"),
            "co/shop/cart": plan(
                "Cart",
                ask("fast", depends_on=["D1"]),
                dependencies=[{"id": "D1", "on": "tools", "what": "Build API"}],
            ),
            # tools comes right after shop's subtree, depth-first: not inside it
            "co/tools": plan(
                "Tools", ask("api"), commitments=[{"to": "cart/D1", "funded_by": "api"}]
            ),
        },
    )
    (dep,) = report.nodes["co"].dependencies
    assert (dep.manager, dep.funded_by, dep.status, dep.approved_status) == (
        "co",
        "tools/api",
        "unfunded",
        "unfunded",
    )
    assert dep.at_risk and dep.at_risk_asks == ("cart/fast",)
    for nid in ("cart", "shop", "co"):
        assert row_of(report.nodes[nid], "cart/fast").at_risk is True


def test_rule_8_a_requester_that_is_its_own_lowest_common_manager(tmp_path):
    """An org depending on a team below it is both requester and manager: its documents
    list the dependency once, as manager; the host's list it as host. Rows carry the
    dependency as written."""
    report = rolled(
        tmp_path,
        {
            "org": plan(
                "Org",
                ask("build", depends_on=["D1", "D2"]),
                ask("staff"),
                budget={"headcount": 0},
                dependencies=[
                    {"id": "D1", "on": "team", "what": "Feature store", "needed_by": "Q2"},
                    {"id": "D2", "on": "team", "what": "Event bus"},
                    {
                        "id": "D3",
                        "on": "team",
                        "what": "Schema",
                        "away_team": True,
                        "funded_by": "staff",
                    },
                ],
            ),
            "org/team": plan(
                "Team", ask("store"), commitments=[{"to": "org/D1", "funded_by": "flat"}]
            ),
        },
    )
    org_rows = report.nodes["org"].dependencies
    assert [(d.id, d.role, d.manager, d.requester, d.host) for d in org_rows] == [
        ("D1", "manager", "org", "org", "team"),
        ("D2", "manager", "org", "org", "team"),
        ("D3", "manager", "org", "org", "team"),
    ]
    assert [(d.what, d.needed_by, d.away_team) for d in org_rows] == [
        ("Feature store", "Q2", False),
        ("Event bus", None, False),
        ("Schema", None, True),
    ]
    assert [(d.status, d.at_risk_asks) for d in org_rows] == [
        ("committed", ()),
        ("unacknowledged", ("org/build",)),
        ("unfunded", ()),  # staff is below org's line of 0 heads; no ask depends on D3
    ]
    assert [(d.id, d.role) for d in report.nodes["team"].dependencies] == [
        ("D1", "host"),
        ("D2", "host"),
        ("D3", "host"),
    ]
    assert row_of(report.nodes["org"], "org/build").at_risk is True


def test_rule_8_every_manager_on_the_path_and_none_above_the_lowest_common_manager(tmp_path):
    """D1: app, three levels below org, needs api, org's team: sub and dir, between app and
    org, see it on the path. D2: org needs api itself, so org is its own lowest common
    manager: nothing lies between, and co, above org, sees neither."""
    report = rolled(
        tmp_path,
        {
            "co": plan("Co"),
            "co/org": plan("Org", dependencies=[{"id": "D2", "on": "api", "what": "Quota"}]),
            "co/org/api": plan("Api"),
            "co/org/dir": plan("Dir"),
            "co/org/dir/sub": plan("Sub"),
            "co/org/dir/sub/app": plan(
                "App", dependencies=[{"id": "D1", "on": "api", "what": "An API"}]
            ),
        },
    )
    roles = {nid: [(d.id, d.role) for d in n.dependencies] for nid, n in report.nodes.items()}
    assert roles == {
        "co": [],
        "org": [("D2", "manager"), ("D1", "manager")],
        "api": [("D2", "host"), ("D1", "host")],
        "dir": [("D1", "path")],
        "sub": [("D1", "path")],
        "app": [("D1", "requester")],
    }


# --- rule 9: mandates -------------------------------------------------------------------

DEFAULT_SCOPE_CYCLE = (
    CYCLE_YAML
    + """\
mandates:
  - {id: eu, title: Launch in Frankfurt}
policies:
  mandate-answer: warning
"""
)


def test_rule_9_default_scope_is_the_whole_tree_and_asks_naming_the_mandate_fund_answers(
    tmp_path,
):
    """A mandate without applies_to covers every leaf. An answer without funded_by is funded
    by any of the leaf's asks that names the mandate and is above the line."""
    report = rolled(
        tmp_path,
        {
            "co": plan("Co", decisions={"c/eu-c": {"decision": "fund"}}),
            "co/a": plan("A"),
            "co/b": plan("B", mandates={"eu": {"response": "From flat.", "funded_by": "flat"}}),
            "co/c": plan(
                "C",
                ask("other"),
                ask("eu-c", mandate="eu"),
                mandates={"eu": {"response": "With our EU ask."}},
            ),
            "co/d": plan("D", ask("big", 3), mandates={"eu": {"response": "Somehow."}}),
            "co/e": plan(
                "E",
                ask("eu-e", 5, mandate="eu"),
                mandates={"eu": {"response": "With a big ask."}},
            ),
        },
        DEFAULT_SCOPE_CYCLE,
    )
    (cov,) = report.nodes["co"].mandates
    assert (cov.id, cov.title, cov.due) == ("eu", "Launch in Frankfurt", None)
    assert (cov.leaves_in_scope, cov.answered, cov.funded, cov.unfunded) == (5, 4, 2, 2)
    assert [(a.node, a.response, a.funded_by, a.status) for a in cov.answers] == [
        ("a", None, None, "missing"),
        ("b", "From flat.", "flat", "flat"),
        ("c", "With our EU ask.", "c/eu-c", "funded"),  # co funds c/eu-c
        ("d", "Somehow.", None, "unfunded"),  # no ask names the mandate
        ("e", "With a big ask.", "e/eu-e", "unfunded"),  # names it, unlined
    ]
    assert row_of(report.nodes["co"], "c/eu-c").mandate == "eu"
    assert row_of(report.nodes["co"], "c/other").mandate is None
    # every leaf sees only itself in scope
    for leaf in "abcde":
        (mine,) = report.nodes[leaf].mandates
        assert mine.leaves_in_scope == 1 and [a.node for a in mine.answers] == [leaf]


def test_rule_9_coverage_counts_answers_funded_and_unfunded_in_the_approved_plan(tmp_path):
    """Each node counts its answers in its own view and in the approved plan (co's): c's
    ask is unlined in c's view (no budget) but funded by co's decision."""
    report = rolled(
        tmp_path,
        {
            "co": plan("Co", decisions={"c/eu-c": {"decision": "fund"}}),
            "co/c": plan("C", ask("eu-c", mandate="eu"), mandates={"eu": {"response": "Ask."}}),
            "co/d": plan("D", mandates={"eu": {"response": "Somehow."}}),
        },
        DEFAULT_SCOPE_CYCLE,
    )

    def counts(nid):
        (cov,) = report.nodes[nid].mandates
        return (cov.funded, cov.unfunded, cov.approved_funded, cov.approved_unfunded)

    assert counts("c") == (0, 1, 1, 0)
    assert counts("d") == (0, 1, 0, 1)
    assert counts("co") == (1, 1, 1, 1)


# --- rule 10: goals at risk -------------------------------------------------------------


def test_rule_10_an_unlined_ask_does_not_protect_its_goal(tmp_path):
    """Only a funded ask protects a goal: one that is merely live (unlined, no budget) does
    not. Each node lists only the goals of its own subtree."""
    goal = [{"id": "G1", "title": "Goal one", "kind": "initiative", "due": "Q4"}]
    report = rolled(
        tmp_path,
        {
            "co": plan("Co", decisions={"b/fund": {"decision": "fund"}}),
            "co/a": plan("A", ask("try", goals=["G1"]), goals=goal),
            "co/b": plan("B", ask("fund", goals=["G1"]), goals=goal),
        },
    )
    assert [(g.node, g.goal) for g in report.nodes["a"].goals_at_risk] == [("a", "G1")]
    assert [(g.node, g.goal) for g in report.nodes["b"].goals_at_risk] == [("b", "G1")]
    assert [(g.node, g.goal) for g in report.nodes["co"].goals_at_risk] == [("a", "G1")]


def test_rule_10_a_plans_goal_rows_mark_its_own_goals_at_risk(tmp_path):
    """The node's goal rows carry the rule 10 verdict of its own view: G1's ask is funded
    (forced by the team), G2's ask is unlined (no budget), so only G2 is at risk."""
    goals = [
        {"id": "G1", "title": "Goal one", "kind": "initiative", "due": "Q4"},
        {"id": "G2", "title": "Goal two", "kind": "initiative", "due": "Q4"},
    ]
    report = rolled(
        tmp_path,
        {
            "co": plan("Co"),
            "co/team": plan(
                "Team",
                ask("one", goals=["G1"]),
                ask("two", goals=["G2"]),
                goals=goals,
                decisions={"team/one": {"decision": "fund"}},
            ),
        },
    )
    team = report.nodes["team"]
    assert [(g.id, g.at_risk) for g in team.goals] == [("G1", False), ("G2", True)]
    assert report.nodes["co"].goals == ()  # co's rows are its own goals: it has none


# --- the report around the rules --------------------------------------------------------

DOCUMENT_CYCLE = (
    CYCLE_YAML
    + """\
document: {page_size: a4, body_font: Carlito, heading_font: Caladea, font_size: 11}
"""
)


def test_report_carries_cycle_node_identity_review_note_and_ask_fields(tmp_path):
    """The roll-up's report names the cycle and every node as written, with the manager's
    review note, and every stack row carries its ask's own fields."""
    base = write_cycle(
        tmp_path,
        {
            "org": plan("Org") | {"review": {"note": "Hold the line."}},
            "org/team": plan(
                "Team",
                ask(
                    "x",
                    summary="Why now.",
                    goals=["G1"],
                    depends_on=["D1"],
                ),
                goals=[{"id": "G1", "title": "Goal", "kind": "initiative", "due": "Q4"}],
                dependencies=[{"id": "D1", "on": "org", "what": "Help"}],
            ),
        },
        DOCUMENT_CYCLE,
    )
    (base / "org" / "team" / "narrative.md").write_text("## Introduction\n\nHello.\n")
    cycle = load_clean(base)
    report = rollup(cycle)
    assert dataclasses.astuple(report.cycle) == (
        "Rollup Test OP1 2027",
        "OP1",
        2027,
        "USD",
        cycle.settings.as_of,
        "a4",
        "Carlito",
        "Caladea",
        D(11),
        45,  # goal_stale_days: the default, as cycle.yaml does not set it
    )
    org, team = report.nodes["org"], report.nodes["team"]
    assert (org.name, org.owner, org.path, org.parent) == ("Org", "Org Owner", "org", None)
    assert (team.name, team.owner, team.path, team.parent) == (
        "Team",
        "Team Owner",
        "org/team",
        "org",
    )
    assert org.review_note == "Hold the line." and team.review_note is None
    assert team.narrative is not None and team.narrative is cycle.nodes["team"].narrative
    assert org.narrative is None
    row = org.stack[0]
    assert (row.node, row.node_name, row.title, row.summary) == ("team", "Team", "X", "Why now.")
    assert (row.goals, row.mandate, row.depends_on) == (("G1",), None, ("D1",))


@pytest.mark.parametrize("broken", ["settings", "root", "plan"])
def test_rollup_refuses_a_cycle_that_did_not_load(broken):
    """The engine rolls up only a cycle that loaded without errors."""
    cycle = make_cycle({"org": plan("Org"), "org/team": plan("Team")})
    if broken == "plan":
        team = dataclasses.replace(cycle.nodes["team"], plan=None)
        cycle = dataclasses.replace(cycle, nodes={**cycle.nodes, "team": team})
    else:
        cycle = dataclasses.replace(cycle, **{broken: None})
    with pytest.raises(ValueError, match=r"^the roll-up needs a cycle that loaded without errors$"):
        rollup(cycle)
