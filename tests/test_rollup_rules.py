"""SPEC 7, rule by rule: one test per numbered rule, the worked example, and the edge cases.

Every cycle here is written to tmp_path as YAML and goes through the loader and
the checks, exactly as users' plans do. The default rate is 120,000 a head, so
one head from Q1 costs 120,000.00 in year, from Q2 90,000.00, and so on.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from cyclefactory import CYCLE_YAML, ask, heads, plan, rolled

from opplan.model.costing import Amount
from opplan.report.records import NodeReport

D = Decimal


def order(node: NodeReport) -> list[str]:
    """The asks of a node's stack, in order."""
    return [row.ask for row in node.stack]


def lines(node: NodeReport) -> list[tuple[str, str]]:
    """(ask, status) in the node's order."""
    return [(row.ask, row.status) for row in node.stack]


def removed(node: NodeReport) -> list[tuple[str, str, str]]:
    """(ask, status, by) of the asks removed in the node's view."""
    return [(r.ask, r.status, r.by) for r in node.removed]


def amt(headcount: str | int, cost: str, run_rate: str | None = None) -> Amount:
    """An Amount from strings, run rate defaulting to cost."""
    return Amount(D(headcount), D(cost), D(run_rate if run_rate is not None else cost))


# --- rule 1 ------------------------------------------------------------------


def test_rule_1_live_asks(tmp_path):
    """The stack holds every ask of the subtree that is not cut or deferred in N's view."""
    report = rolled(
        tmp_path,
        {
            "org": """
            name: Org
            owner: Olga
            incremental:
              - {id: hire, title: Own hire, headcount: [{role: SDE, count: 1}]}
            review:
              decisions:
                team/b: {decision: cut}
                team/c: {decision: defer}
            """,
            "org/team": """
            name: Team
            owner: Tim
            incremental:
              - {id: a, title: A, headcount: [{role: SDE, count: 1}]}
              - {id: b, title: B, headcount: [{role: SDE, count: 1}]}
              - {id: c, title: C, headcount: [{role: SDE, count: 1}]}
            """,
        },
    )
    assert order(report.nodes["team"]) == ["team/a", "team/b", "team/c"]
    assert report.nodes["team"].removed == ()
    assert order(report.nodes["org"]) == ["org/hire", "team/a"]
    assert removed(report.nodes["org"]) == [("team/b", "cut", "org"), ("team/c", "deferred", "org")]


# --- rule 2 ------------------------------------------------------------------


def test_rule_2_effective_decision(tmp_path):
    """The highest deciding node on the path wins; escalate and no entry decide nothing."""
    report = rolled(
        tmp_path,
        {
            "vp": plan(
                "VP", decisions={"team/x": {"decision": "cut"}, "team/z": {"decision": "escalate"}}
            ),
            "vp/dir": plan(
                "Dir",
                decisions={
                    "team/x": {"decision": "fund"},
                    "team/y": {"decision": "escalate"},
                    "team/z": {"decision": "defer"},
                },
            ),
            "vp/dir/team": plan(
                "Team", ask("x"), ask("y"), ask("z"), decisions={"team/y": {"decision": "cut"}}
            ),
        },
    )
    team, dirn, vp = (report.nodes[n] for n in ("team", "dir", "vp"))
    assert removed(team) == [("team/y", "cut", "team")]
    # dir funds x; escalating y leaves team's cut standing; dir defers z
    assert lines(dirn) == [("team/x", "above")]
    assert dirn.stack[0].forced and dirn.stack[0].decided_by == "dir"
    assert removed(dirn) == [("team/y", "cut", "team"), ("team/z", "deferred", "dir")]
    # vp cuts x over dir's fund; vp's escalate on z is no decision, so dir's defer stands
    assert order(vp) == []
    assert removed(vp) == [
        ("team/x", "cut", "vp"),
        ("team/y", "cut", "team"),
        ("team/z", "deferred", "dir"),
    ]


# --- rule 3 ------------------------------------------------------------------


def test_rule_3_decisions(tmp_path):
    """fund forces an ask above the line; partial forces it with smaller amounts; cut and
    defer remove it, listed as cut or deferred."""
    report = rolled(
        tmp_path,
        {
            "org": plan(
                "Org",
                budget={"headcount": 1},
                decisions={
                    "team/f": {"decision": "fund", "note": "Must do."},
                    "team/p": {"decision": "partial", "headcount": 1},
                    "team/c": {"decision": "cut"},
                    "team/d": {"decision": "defer"},
                },
            ),
            "org/team": plan("Team", ask("f", 2), ask("p", 4), ask("c"), ask("d"), ask("n")),
        },
    )
    org = report.nodes["org"]
    rows = {r.ask: r for r in org.stack}
    assert rows["team/f"].status == "above" and rows["team/f"].forced
    assert rows["team/f"].decision == "fund" and rows["team/f"].note == "Must do."
    assert rows["team/p"].status == "above" and rows["team/p"].decision == "partial"
    assert rows["team/p"].requested == amt(4, "480000.00")
    assert rows["team/p"].amount == amt(1, "120000.00")
    # forced asks alone (3 heads) exceed the budget of 1: everything else is below
    assert rows["team/n"].status == "below" and not rows["team/n"].forced
    assert org.over_budget == Amount(D(2), D(0), D(0))
    assert removed(org) == [("team/c", "cut", "org"), ("team/d", "deferred", "org")]


# --- rule 4 ------------------------------------------------------------------


def test_rule_4_order(tmp_path):
    """Ranked asks by rank; then funded-in-child zipped (own list first, children by id);
    then the rest zipped; a child's list ends with the asks it removed that N revives."""
    report = rolled(
        tmp_path,
        {
            "org": plan(
                "Org",
                ask("own1"),
                ask("own2"),
                decisions={
                    "beta/b3": {"rank": 1},
                    "org/own2": {"rank": 2},
                    "alpha/a1": {"decision": "fund"},
                },
            ),
            "org/beta": plan("Beta", ask("b1"), ask("b2"), ask("b3"), budget={"headcount": 1}),
            "org/alpha": plan(
                "Alpha",
                ask("a1"),
                ask("a2"),
                ask("a3"),
                ask("a4"),
                budget={"headcount": 1},
                decisions={"alpha/a1": {"decision": "cut"}, "alpha/a3": {"decision": "fund"}},
            ),
        },
    )
    # a leaf (with a budget) keeps its incremental order
    assert order(report.nodes["beta"]) == ["beta/b1", "beta/b2", "beta/b3"]
    # alpha: a1 is cut; a3 forced; a2 fits? 1 forced head uses the budget: a2, a4 below
    assert lines(report.nodes["alpha"]) == [
        ("alpha/a2", "below"),
        ("alpha/a3", "above"),
        ("alpha/a4", "below"),
    ]
    org = report.nodes["org"]
    assert order(org) == [
        "beta/b3",
        "org/own2",  # (a) ranked, by rank
        "alpha/a3",
        "beta/b1",  # (b) funded in the child's view, zipped
        "org/own1",
        "alpha/a2",
        "beta/b2",  # (c) the rest zipped: own list first,
        "alpha/a4",
        "alpha/a1",  #     alpha's stack, then a1 that alpha cut
    ]
    by_ask = {r.ask: r for r in org.stack}
    assert by_ask["alpha/a1"].child == "alpha" and by_ask["alpha/a1"].child_removed == "cut"
    assert by_ask["alpha/a1"].child_status is None and by_ask["alpha/a1"].decided_by == "org"
    assert by_ask["org/own1"].child is None and by_ask["org/own1"].child_status is None
    assert by_ask["beta/b1"].child_status == "above"
    assert by_ask["beta/b3"].rank == 1


# --- rule 5 ------------------------------------------------------------------


def test_rule_5_the_line(tmp_path):
    """Forced asks come off the budget first; the first non-forced ask that breaks it and
    every one after are below, even a smaller one that would fit."""
    report = rolled(
        tmp_path,
        {
            "team": plan(
                "Team",
                ask("a", 2),
                ask("b", 3),
                ask("c", 1),
                ask("f", 1),
                budget={"headcount": 4},
                decisions={"team/f": {"decision": "fund"}},
            ),
        },
    )
    team = report.nodes["team"]
    assert lines(team) == [
        ("team/a", "above"),
        ("team/b", "below"),
        ("team/c", "below"),
        ("team/f", "above"),
    ]
    assert [r.cumulative.headcount for r in team.stack] == [2, 5, 6, 7]
    assert team.over_budget is None


def test_rule_5_no_budget_means_unlined(tmp_path):
    """With no budget at N, forced asks are above and all others are unlined."""
    report = rolled(
        tmp_path,
        {
            "team": plan("Team", ask("a"), ask("b"), decisions={"team/b": {"decision": "fund"}}),
        },
    )
    assert lines(report.nodes["team"]) == [("team/a", "unlined"), ("team/b", "above")]


# --- rule 6 ------------------------------------------------------------------


def test_rule_6_totals(tmp_path):
    """Flat over the subtree; requested before partials; funded, unfunded, cut, deferred."""
    report = rolled(
        tmp_path,
        {
            "org": """
            name: Org
            owner: Olga
            headcount: [{role: SDE, count: 1}]
            spend: {travel: 10000}
            capex: {hardware: 5000}
            review:
              budget: {headcount: 2}
              decisions:
                team/p: {decision: partial, headcount: 1}
                team/c: {decision: cut}
                team/d: {decision: defer}
            """,
            "org/team": """
            name: Team
            owner: Tim
            headcount: [{role: SDE, count: 2}]
            capex: {laptops: 1000.5}
            incremental:
              - {id: p, title: P, headcount: [{role: SDE, count: 2}]}
              - {id: a, title: A, headcount: [{role: SDE, count: 1}]}
              - {id: b, title: B, headcount: [{role: SDE, count: 1}]}
              - {id: c, title: C, headcount: [{role: SDE, count: 1, start: Q3}]}
              - {id: d, title: D, spend: {vendor: 7000}}
            """,
        },
    )
    t = report.nodes["org"].totals
    assert t.flat == amt(3, "370000.00")
    assert t.capex == D("6000.50")
    assert t.requested == amt(5, "547000.00", "607000.00")
    assert t.funded == amt(2, "240000.00")  # p partially (1) and a
    assert t.unfunded == amt(1, "120000.00")  # b, below the line
    assert t.cut == amt(1, "60000.00", "120000.00")
    assert t.deferred == amt(0, "7000.00")
    own = report.nodes["org"].own
    assert own.flat == amt(1, "130000.00") and own.capex == D("5000.00")
    assert own.requested == Amount()
    team = report.nodes["team"].totals
    assert team.flat == amt(2, "240000.00") and team.unfunded == team.requested


# --- rule 7 ------------------------------------------------------------------


def test_rule_7_approved_plan_is_the_roots_view(tmp_path):
    """What a lower manager funds, the root may still cut: the root's view is the plan."""
    report = rolled(
        tmp_path,
        {
            "co": plan("Co", budget={"headcount": 5}, decisions={"team/x": {"decision": "cut"}}),
            "co/org": plan(
                "Org", budget={"headcount": 5}, decisions={"team/x": {"decision": "fund"}}
            ),
            "co/org/team": plan("Team", ask("x"), ask("y")),
        },
    )
    assert report.root == "co"
    assert lines(report.nodes["org"]) == [("team/x", "above"), ("team/y", "above")]
    approved = report.nodes[report.root]
    assert lines(approved) == [("team/y", "above")]
    assert removed(approved) == [("team/x", "cut", "co")]


# --- rule 8 ------------------------------------------------------------------

DEPENDENCY_TREE = {
    "co": plan("Co", budget={"headcount": 0}),
    "co/shop": plan("Shop"),
    "co/shop/cart": plan(
        "Cart",
        ask("fast", depends_on=["D1"]),
        ask("solo", depends_on=["D2"]),
        ask("away-work"),
        dependencies=[
            {"id": "D1", "on": "search", "what": "Lookup API"},
            {"id": "D2", "on": "search", "what": "Ranking API"},
            {
                "id": "D3",
                "on": "search",
                "what": "Typo API",
                "away_team": True,
                "funded_by": "away-work",
            },
            {"id": "D4", "on": "search", "what": "Flat API"},
        ],
    ),
    "co/search": plan(
        "Search",
        ask("lookup"),
        ask("ranking"),
        commitments=[
            {"to": "cart/D1", "funded_by": "lookup"},
            {"to": "cart/D4", "funded_by": "flat"},
        ],
    ),
}


def test_rule_8_dependencies(tmp_path):
    """A dependency's status is taken at the lowest common manager (and at the root)."""
    report = rolled(tmp_path, DEPENDENCY_TREE)
    co = report.nodes["co"]
    deps = {d.id: d for d in co.dependencies}
    assert {d.role for d in co.dependencies} == {"manager"}
    assert deps["D1"].manager == "co" and deps["D1"].funded_by == "search/lookup"
    # co's budget is 0 heads: every ask is below its line
    assert deps["D1"].status == "unfunded" and deps["D1"].at_risk
    assert deps["D1"].at_risk_asks == ("cart/fast",)
    assert deps["D2"].status == "unacknowledged" and deps["D2"].at_risk_asks == ("cart/solo",)
    assert deps["D3"].status == "unfunded" and deps["D3"].funded_by == "cart/away-work"
    assert deps["D4"].status == "committed" and not deps["D4"].at_risk
    assert deps["D4"].approved_status == "committed"
    assert [(d.id, d.role) for d in report.nodes["cart"].dependencies] == [
        ("D1", "requester"),
        ("D2", "requester"),
        ("D3", "requester"),
        ("D4", "requester"),
    ]
    assert [d.role for d in report.nodes["search"].dependencies] == ["host"] * 4
    # shop is on the path from the requester (cart) up to co: it sees every dependency
    # of its team, with the status at co, where it is decided
    shop = report.nodes["shop"].dependencies
    assert [(d.id, d.role, d.manager, d.status) for d in shop] == [
        ("D1", "path", "co", "unfunded"),
        ("D2", "path", "co", "unacknowledged"),
        ("D3", "path", "co", "unfunded"),
        ("D4", "path", "co", "committed"),
    ]
    at_risk = {r.ask: r.at_risk for r in co.stack}
    assert at_risk == {
        "cart/fast": True,
        "cart/solo": True,
        "cart/away-work": False,
        "search/lookup": False,
        "search/ranking": False,
    }


def test_rule_8_dependency_statuses_follow_the_commitments_ask(tmp_path):
    """funded, cut and deferred come from the state of the committing ask in M's view."""
    tree = dict(DEPENDENCY_TREE)
    tree["co"] = plan(
        "Co",
        decisions={"search/lookup": {"decision": "fund"}, "search/ranking": {"decision": "cut"}},
    )
    tree["co/search"] = plan(
        "Search",
        ask("lookup"),
        ask("ranking"),
        commitments=[
            {"to": "cart/D1", "funded_by": "lookup"},
            {"to": "cart/D2", "funded_by": "ranking"},
        ],
    )
    report = rolled(tmp_path, tree)
    deps = {d.id: d for d in report.nodes["co"].dependencies}
    assert deps["D1"].status == "funded" and deps["D1"].at_risk_asks == ()
    assert deps["D2"].status == "cut" and deps["D2"].at_risk_asks == ("cart/solo",)
    # below the manager, the requester's view shows the manager's status
    cart = {r.ask: r.at_risk for r in report.nodes["cart"].stack}
    assert cart["cart/fast"] is False and cart["cart/solo"] is True


# --- rule 9 ------------------------------------------------------------------

MANDATE_CYCLE = (
    CYCLE_YAML
    + """\
mandates:
  - {id: eu, title: Launch in Frankfurt, applies_to: [shop], due: Q3}
policies:
  mandate-answer: warning
"""
)


def test_rule_9_mandate_coverage(tmp_path):
    """Leaves in scope, leaves that answered, answers funded by flat or an ask above the
    line, and unfunded answers."""
    report = rolled(
        tmp_path,
        {
            "co": plan("Co", budget={"headcount": 1}),
            "co/shop": plan("Shop"),
            "co/shop/a": plan(
                "A", mandates={"eu": {"response": "From flat.", "funded_by": "flat"}}
            ),
            "co/shop/b": plan(
                "B", ask("eu-b"), mandates={"eu": {"response": "With an ask.", "funded_by": "eu-b"}}
            ),
            "co/shop/c": plan(
                "C",
                ask("eu-c", 2),
                mandates={"eu": {"response": "With an ask.", "funded_by": "eu-c"}},
            ),
            "co/shop/d": plan("D"),
            "co/other": plan("Other"),
        },
        MANDATE_CYCLE,
    )
    co = report.nodes["co"].mandates
    assert [(m.id, m.leaves_in_scope, m.answered, m.funded, m.unfunded) for m in co] == [
        ("eu", 4, 3, 2, 1)
    ]
    assert [(a.node, a.status, a.funded_by) for a in co[0].answers] == [
        ("a", "flat", "flat"),
        ("b", "funded", "b/eu-b"),
        ("c", "unfunded", "c/eu-c"),
        ("d", "missing", None),
    ]
    # at shop there is no budget: b's ask is unlined, so not funded there
    shop = report.nodes["shop"].mandates[0]
    assert (shop.funded, shop.unfunded) == (1, 2)
    assert report.nodes["other"].mandates == ()
    assert report.nodes["co"].mandates[0].due == "Q3"


# --- rule 10 -----------------------------------------------------------------


def test_rule_10_goals_at_risk(tmp_path):
    """A goal is at risk when no flat item names it and no ask naming it is funded."""
    goals = [
        {"id": g, "title": f"Goal {g}", "kind": "initiative", "due": "Q4"}
        for g in ("G1", "G2", "G3", "G4")
    ]
    report = rolled(
        tmp_path,
        {
            "org": plan("Org", budget={"headcount": 1}),
            "org/team": plan(
                "Team",
                ask("a", goals=["G2"]),
                ask("b", goals=["G3"]),
                goals=goals,
                budget={"headcount": 2},
                flat=[{"id": "run", "title": "Run", "headcount": 1, "goals": ["G1"]}],
            ),
        },
    )
    at_team = [(g.node, g.goal) for g in report.nodes["team"].goals_at_risk]
    at_org = [(g.node, g.goal) for g in report.nodes["org"].goals_at_risk]
    assert at_team == [("team", "G4")]  # G2, G3 funded by team's line
    assert at_org == [("team", "G3"), ("team", "G4")]  # org funds only a (1 head)
    assert report.nodes["org"].goals_at_risk[0].title == "Goal G3"


# --- the worked example ------------------------------------------------------


def test_worked_example(tmp_path):
    """SPEC 7's worked example: exact orders and lines at D and V."""
    report = rolled(
        tmp_path,
        {
            "v": plan("V", budget={"headcount": 4}),
            "v/d": plan("D", budget={"headcount": 3}),
            "v/d/a": plan("A", ask("a1"), ask("a2"), ask("a3")),
            "v/d/b": plan("B", ask("b1"), ask("b2")),
            "v/e": plan("E", ask("e1"), ask("e2"), ask("e3"), budget={"headcount": 2}),
        },
    )
    assert lines(report.nodes["a"]) == [
        ("a/a1", "unlined"),
        ("a/a2", "unlined"),
        ("a/a3", "unlined"),
    ]
    assert lines(report.nodes["d"]) == [
        ("a/a1", "above"),
        ("b/b1", "above"),
        ("a/a2", "above"),
        ("b/b2", "below"),
        ("a/a3", "below"),
    ]
    assert lines(report.nodes["e"]) == [("e/e1", "above"), ("e/e2", "above"), ("e/e3", "below")]
    assert lines(report.nodes["v"]) == [
        ("a/a1", "above"),
        ("e/e1", "above"),
        ("b/b1", "above"),
        ("e/e2", "above"),
        ("a/a2", "below"),
        ("b/b2", "below"),
        ("e/e3", "below"),
        ("a/a3", "below"),
    ]


# --- edge cases (issue 3, acceptance 1) --------------------------------------


def test_no_budget_anywhere(tmp_path):
    report = rolled(tmp_path, {"org": plan("Org"), "org/team": plan("Team", ask("a"), ask("b"))})
    for node in report.nodes.values():
        assert {r.status for r in node.stack} == {"unlined"}
        assert node.totals.funded == Amount() and node.over_budget is None
        assert node.totals.unfunded == node.totals.requested


def test_cost_only_budget(tmp_path):
    report = rolled(
        tmp_path,
        {
            "team": plan(
                "Team",
                ask("a", 1),
                ask("b", 1, headcount=[heads(1, start="Q3")]),
                ask("c", 1),
                budget={"cost": 185000},
            ),
        },
    )
    # 120,000 then 60,000 (from Q3) fit in 185,000; c breaks it
    assert lines(report.nodes["team"]) == [
        ("team/a", "above"),
        ("team/b", "above"),
        ("team/c", "below"),
    ]
    assert report.nodes["team"].budget_cost == D(185000)
    assert report.nodes["team"].budget_headcount is None


def test_headcount_only_budget(tmp_path):
    report = rolled(
        tmp_path,
        {
            "team": plan(
                "Team", ask("a", 1), ask("b", "0.5"), ask("c", 1), budget={"headcount": "1.5"}
            ),
        },
    )
    assert lines(report.nodes["team"]) == [
        ("team/a", "above"),
        ("team/b", "above"),
        ("team/c", "below"),
    ]


def test_both_budget_dimensions_must_hold(tmp_path):
    report = rolled(
        tmp_path,
        {
            "team": plan(
                "Team",
                ask("a", 1),
                ask("spendy", None, spend={"cloud": 100000}),
                ask("c", 0, spend={"x": 1}),
                budget={"headcount": 5, "cost": 200000},
            ),
        },
    )
    # spendy has no heads but breaks the cost budget: it and everything after are below
    assert lines(report.nodes["team"]) == [
        ("team/a", "above"),
        ("team/spendy", "below"),
        ("team/c", "below"),
    ]


def test_forced_asks_alone_over_budget(tmp_path):
    report = rolled(
        tmp_path,
        {
            "team": plan(
                "Team",
                ask("a", 2),
                ask("b", 2),
                ask("tiny", None, spend={"x": 1}),
                budget={"headcount": 3, "cost": 1000000},
                decisions={"team/a": {"decision": "fund"}, "team/b": {"decision": "fund"}},
            ),
        },
    )
    team = report.nodes["team"]
    assert lines(team) == [("team/a", "above"), ("team/b", "above"), ("team/tiny", "below")]
    assert team.over_budget == Amount(D(1), D(0), D(0))
    assert team.totals.funded == amt(4, "480000.00")


@pytest.mark.parametrize(
    "decision, expected",
    [
        ({"decision": "partial", "headcount": 1}, amt(1, "10000.00", "40000.00")),
        (
            {"decision": "partial", "headcount": "1.5", "cost": 20000},
            amt("1.5", "20000.00", "60000.00"),
        ),
    ],
    ids=["headcount only", "headcount and cost"],
)
def test_partial(tmp_path, decision, expected):
    """Given headcount alone, cost and run rate scale; given both, cost is as given."""
    report = rolled(
        tmp_path,
        {
            "org": plan("Org", budget={"headcount": 10}, decisions={"team/x": decision}),
            "org/team": plan("Team", ask("x", headcount=[heads(3, start="Q4", rate=40000)])),
        },
    )
    row = report.nodes["org"].stack[0]
    assert row.requested == amt(3, "30000.00", "120000.00")
    assert row.amount == expected
    assert report.nodes["org"].totals.requested == row.requested
    assert report.nodes["org"].totals.funded == expected


def test_partial_of_a_spend_only_ask_needs_cost(tmp_path):
    report = rolled(
        tmp_path,
        {
            "org": plan("Org", decisions={"team/s": {"decision": "partial", "cost": 25000}}),
            "org/team": plan("Team", ask("s", None, spend={"vendor": 100000})),
        },
    )
    assert report.nodes["org"].stack[0].amount == amt(0, "25000.00")


def test_lower_cut_overridden_by_higher_fund(tmp_path):
    report = rolled(
        tmp_path,
        {
            "org": plan("Org", budget={"headcount": 0}, decisions={"team/x": {"decision": "fund"}}),
            "org/team": plan("Team", ask("x"), ask("y"), decisions={"team/x": {"decision": "cut"}}),
        },
    )
    assert removed(report.nodes["team"]) == [("team/x", "cut", "team")]
    org = report.nodes["org"]
    assert lines(org) == [("team/y", "below"), ("team/x", "above")]
    assert org.stack[1].decided_by == "org" and org.stack[1].child_removed == "cut"
    assert org.removed == () and org.over_budget == Amount(D(1), D(0), D(0))


def test_rank_only_entry(tmp_path):
    """A rank-only entry moves the ask to the top but decides nothing: it may be below."""
    report = rolled(
        tmp_path,
        {
            "org": plan(
                "Org",
                budget={"headcount": 1},
                decisions={
                    "team/big": {"rank": 1, "note": "Most important."},
                    "team/cut": {"rank": 2},
                },
            ),
            "org/team": plan(
                "Team",
                ask("small"),
                ask("big", 2),
                ask("cut"),
                decisions={"team/cut": {"decision": "cut"}},
            ),
        },
    )
    org = report.nodes["org"]
    assert lines(org) == [("team/big", "below"), ("team/small", "below")]
    assert org.stack[0].rank == 1 and not org.stack[0].forced
    assert org.stack[0].note == "Most important." and org.stack[0].decision is None
    assert removed(org) == [("team/cut", "cut", "team")]


def test_spend_only_ask(tmp_path):
    report = rolled(
        tmp_path,
        {
            "team": plan(
                "Team", ask("cloud", None, spend={"compute": "1234.565"}), budget={"headcount": 0}
            ),
        },
    )
    row = report.nodes["team"].stack[0]
    assert row.amount == amt(0, "1234.57") and row.status == "above"


def test_negative_spend(tmp_path):
    """A negative spend (an offset) lowers the cumulative cost and may let asks fit."""
    report = rolled(
        tmp_path,
        {
            "team": plan(
                "Team",
                ask("a", 1),
                ask("saving", None, spend={"decommission": -100000}),
                ask("b", 1),
                budget={"cost": 150000},
                spend={"offset": -5000},
                hc=1,
            ),
        },
    )
    team = report.nodes["team"]
    assert lines(team) == [("team/a", "above"), ("team/saving", "above"), ("team/b", "above")]
    assert [r.cumulative.cost for r in team.stack] == [
        D("120000.00"),
        D("20000.00"),
        D("140000.00"),
    ]
    assert team.totals.flat == amt(1, "115000.00")


def test_fractional_headcount(tmp_path):
    report = rolled(
        tmp_path,
        {
            "team": plan(
                "Team",
                ask("half", "0.5"),
                ask("third", "0.333"),
                hc="2.5",
                budget={"headcount": "0.8"},
            ),
        },
    )
    team = report.nodes["team"]
    assert team.totals.flat == amt("2.5", "300000.00")
    assert [r.amount for r in team.stack] == [amt("0.5", "60000.00"), amt("0.333", "39960.00")]
    assert lines(team) == [("team/half", "above"), ("team/third", "below")]


@pytest.mark.parametrize(
    "start, cost",
    [
        ("Q1", "120000.00"),
        ("Q2", "90000.00"),
        ("Q3", "60000.00"),
        ("Q4", "30000.00"),
        *((m, f"{10000 * (13 - m)}.00") for m in range(1, 13)),
    ],
)
def test_proration(tmp_path, start, cost):
    """In-year cost = rate x count x months from the start month to December / 12."""
    report = rolled(tmp_path, {"team": plan("Team", ask("a", headcount=[heads(1, start=start)]))})
    assert report.nodes["team"].stack[0].amount == amt(1, cost, "120000.00")


def test_proration_rounds_each_line_half_up(tmp_path):
    report = rolled(
        tmp_path,
        {
            "team": plan(
                "Team",
                ask(
                    "a",
                    headcount=[
                        heads(1, start=2, rate="100000.06"),
                        heads(1, start=2, rate="100000.06"),
                    ],
                ),
            )
        },
    )
    # 100000.06 x 11/12 = 91666.721666...: 91666.72 per line, totals add the rounded lines
    assert report.nodes["team"].stack[0].amount.cost == D("183333.44")


def test_root_with_no_children(tmp_path):
    report = rolled(
        tmp_path, {"solo": plan("Solo", ask("a"), ask("b"), hc=3, budget={"headcount": 1})}
    )
    assert list(report.nodes) == ["solo"]
    solo = report.nodes["solo"]
    assert solo.parent is None and solo.children == () and solo.depth == 0
    assert lines(solo) == [("solo/a", "above"), ("solo/b", "below")]
    assert solo.totals == solo.own
    assert [(h.child, h.role, h.amount.headcount) for h in solo.headcount] == [(None, "SDE", 3)]
