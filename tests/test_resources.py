"""The money, whole (docs/rollup.md): resources, hiring plans and envelopes, pinned on a
small hand-built cycle with spend categories, capex, a partial ask and start months."""

from __future__ import annotations

from decimal import Decimal

import pytest
from cyclefactory import ask, heads, make_cycle, plan, rolled

from opplan.engine.resources import envelopes, split_ask
from opplan.engine.rollup import rollup
from opplan.engine.stack import AskIndex
from opplan.model.costing import Amount, RateTable
from opplan.report.context import node_context
from opplan.report.money import NO_ENVELOPES, CategoryAmount, RoleCost
from opplan.report.records import ChildFigures

D = Decimal


def amt(h: str, c: str, r: str) -> Amount:
    return Amount(D(h), D(c), D(r))


def small_plans() -> dict:
    """Org (budget 2 heads) funds a partial of one head of t2's three-head ask."""
    return {
        "org": plan(
            "Org",
            budget={"headcount": 2},
            decisions={"t2/b": {"decision": "partial", "headcount": 1}},
        ),
        "org/t1": plan(
            "Team One",
            ask("a1", headcount=[heads(1, start="Q2")], spend={"infra": 6000}),
            ask("a2", headcount=[heads(1, start=12)]),
            headcount=[heads(2), heads(1, role="TPM")],
            spend={"infra": 10000, "travel": 5000},
            capex={"hw": 7000},
            budget={"headcount": 1},
        ),
        "org/t2": plan(
            "Team Two",
            ask("b", headcount=[heads(2, start=1), heads(1, role="TPM", start="Q3")]),
            headcount=[heads(1, role="SDM", rate=200000)],
            spend={"infra": 20000},
            capex={"hw": 3000, "lab": 500},
            budget={"headcount": 2, "cost": 50000},
        ),
    }


@pytest.fixture  # one roll-up per test: mutmut maps each test to the engine functions it reaches
def report():
    return rollup(make_cycle(small_plans()))


def test_resources_split_flat_cost_into_people_by_role_and_spend_by_category(report):
    res = report.nodes["org"].resources
    assert res.people == (
        RoleCost("SDE", amt("2", "240000.00", "240000.00")),
        RoleCost("SDM", amt("1", "200000.00", "200000.00")),
        RoleCost("TPM", amt("1", "120000.00", "120000.00")),
    )
    assert res.people_total == amt("4", "560000.00", "560000.00")
    assert res.spend == (
        CategoryAmount("infra", D("30000.00")),
        CategoryAmount("travel", D("5000.00")),
    )
    assert res.spend_total == amt("0", "35000.00", "35000.00")
    assert res.flat == report.nodes["org"].totals.flat == amt("4", "595000.00", "595000.00")
    assert res.people_total + res.spend_total == res.flat
    assert res.capex == (CategoryAmount("hw", D("10000.00")), CategoryAmount("lab", D("500.00")))
    assert res.capex_total == D("10500.00")


def test_resources_funded_and_totals_in_both_views(report):
    org = report.nodes["org"].resources
    assert org.approved_funded == org.funded == amt("2", "196000.00", "246000.00")
    assert org.approved_total == org.total == amt("6", "791000.00", "841000.00")
    t2 = report.nodes["t2"].resources  # its own view funds nothing; the approved plan, a partial
    assert t2.funded == amt("0", "0", "0")
    assert t2.approved_funded == amt("1", "100000.00", "120000.00")
    assert t2.total == t2.flat == amt("1", "220000.00", "220000.00")
    assert t2.approved_total == amt("2", "320000.00", "340000.00")
    assert t2.people == (RoleCost("SDM", amt("1", "200000.00", "200000.00")),)
    assert t2.capex_total == D("3500.00")


def test_hiring_plan_in_the_approved_plan_splits_the_partial_over_its_lines(report):
    h = report.nodes["org"].hiring
    got = [(r.ask, r.node_name, r.role, r.start, r.amount) for r in h.rows]
    assert got == [
        ("t1/a1", "Team One", "SDE", 4, amt("1", "90000.00", "120000.00")),
        ("t2/b", "Team Two", "SDE", 1, amt("0.67", "80000.00", "80000.00")),
        ("t2/b", "Team Two", "TPM", 7, amt("0.33", "20000.00", "40000.00")),
    ]
    assert h.by_quarter == (
        amt("0.67", "80000.00", "80000.00"),
        amt("1", "90000.00", "120000.00"),
        amt("0.33", "20000.00", "40000.00"),
        amt("0", "0", "0"),
    )
    assert h.people == amt("2", "190000.00", "240000.00")
    assert h.spend == amt("0", "6000.00", "6000.00")
    assert h.people + h.spend == report.nodes["org"].approved.funded


def test_bridge_and_average_headcount(report):
    h = report.nodes["org"].hiring
    assert h.flat_headcount == D("4")
    assert h.exit_headcount == D("6")
    # 4 + (0.67 x 12 + 1 x 9 + 0.33 x 6) / 12 = 5.585, half up
    assert h.average_headcount == D("5.59")


def test_a_view_that_funds_the_same_asks_hires_the_same(report):
    t1 = report.nodes["t1"]
    assert not t1.hiring_differs
    assert t1.hiring_here == t1.hiring
    assert [r.ask for r in t1.hiring.rows] == ["t1/a1"]
    t2 = report.nodes["t2"]
    assert t2.hiring_differs
    assert t2.hiring_here.rows == ()
    assert t2.hiring_here.exit_headcount == t2.hiring_here.average_headcount == D("1")
    assert t2.hiring.exit_headcount == D("2")
    assert t2.hiring.average_headcount == D("1.84")  # 1 + (0.67 x 12 + 0.33 x 6) / 12 = 1.835


def test_root_hiring_here_is_its_approved_plan(report):
    org = report.nodes["org"]
    assert org.hiring_here is org.hiring
    assert not org.hiring_differs


def test_envelopes_of_a_manager(report):
    env = report.nodes["org"].envelopes
    assert [(r.child, r.name, r.budget_headcount, r.budget_cost) for r in env.rows] == [
        ("t1", "Team One", D("1"), None),
        ("t2", "Team Two", D("2"), D("50000")),
    ]
    assert env.rows[0].funded_there == env.rows[0].funded_here == amt("1", "96000.00", "126000.00")
    assert env.rows[1].funded_there == amt("0", "0", "0")
    assert env.rows[1].funded_here == amt("1", "100000.00", "120000.00")
    assert (env.budget_headcount, env.budget_cost) == (D("3"), D("50000"))
    assert env.over_headcount == D("1")  # 3 heads of envelopes, 2 of budget
    assert env.over_cost is None  # org sets no cost budget
    assert report.nodes["t1"].envelopes is NO_ENVELOPES


@pytest.mark.parametrize(
    ("own", "kids", "over"),
    [
        ((D(3), None), [(D(1), None), (D(2), None)], (None, None)),  # equal is within
        ((D(2), D(100)), [(D(1), D(60)), (None, D(50))], (None, D(10))),
        ((None, None), [(D(9), D(9))], (None, None)),  # no budget: nothing to exceed
        ((D(1), D(1)), [(None, None)], (None, None)),  # no child sets one
    ],
)
def test_envelopes_excess_per_dimension(report, own, kids, over):
    from dataclasses import replace

    child = report.nodes["t1"]
    children = [
        replace(child, id=f"c{i}", budget_headcount=h, budget_cost=c)
        for i, (h, c) in enumerate(kids)
    ]
    figures = [ChildFigures(c.id, amt("1", "2", "3"), amt("0", "0", "0")) for c in children]
    env = envelopes(own, children, figures)
    assert (env.over_headcount, env.over_cost) == over
    assert all(r.funded_here == amt("1", "2", "3") for r in env.rows)
    given_h = [h for h, _ in kids if h is not None]
    assert env.budget_headcount == (sum(given_h) if given_h else None)


def _index(plans):
    cycle = make_cycle(plans)
    rates = RateTable(cycle.settings.rates)
    return AskIndex.build(cycle, rates), rates


def test_a_partial_with_cost_scales_lines_and_spend_by_the_cost():
    index, rates = _index(
        {"t": plan("T", ask("c", headcount=[heads(1)], spend={"vendors": 40000}))}
    )
    info = index.asks[0]
    assert info.requested == amt("1", "160000.00", "160000.00")
    # partial: 1 head at 80,000: cost halves, run rate stays with the heads
    rows, spend = split_ask(info, amt("1", "80000.00", "160000.00"), rates, "T")
    assert spend == amt("0", "20000.00", "40000.00")
    assert [(r.role, r.start, r.amount) for r in rows] == [
        ("SDE", 1, amt("1", "60000.00", "120000.00"))
    ]


def test_a_spend_only_ask_is_all_spend_and_a_whole_ask_keeps_its_lines():
    index, rates = _index(
        {
            "t": plan(
                "T",
                ask("s", hc=None, spend={"vendors": 30000}),
                ask("w", headcount=[heads("0.125", start=10), heads(1, role="UX", start="Q4")]),
            )
        }
    )
    rows, spend = split_ask(index.asks[0], amt("0", "10000.00", "10000.00"), rates, "T")
    assert rows == () and spend == amt("0", "10000.00", "10000.00")
    whole = index.asks[1]
    rows, spend = split_ask(whole, whole.requested, rates, "T")
    assert [r.amount for r in rows] == [
        amt("0.125", "3750.00", "15000.00"),
        amt("1", "30000.00", "120000.00"),
    ]
    assert [r.start for r in rows] == [10, 10]
    assert spend == amt("0", "0", "0")


def test_the_context_shows_resources_hiring_and_envelopes(report):
    ctx = node_context(report.nodes["org"], report)
    assert ctx["resources"]["people_total"]["cost"] == D("560000.00")
    assert ctx["resources"]["spend"] == [
        {"category": "infra", "amount": D("30000.00")},
        {"category": "travel", "amount": D("5000.00")},
    ]
    assert ctx["resources"]["capex_total"] == D("10500.00")
    assert [q["headcount"] for q in ctx["hiring"]["by_quarter"]] == [D("0.67"), 1, D("0.33"), 0]
    assert ctx["hiring"]["exit"] == {"headcount": 6}
    assert ctx["hiring"]["average"] == {"headcount": D("5.59")}
    assert ctx["hiring_differs"] is False
    assert ctx["envelopes"]["over"] == {"headcount": 1, "cost": None}
    assert ctx["envelopes"]["rows"][1]["budget"] == {"headcount": 2, "cost": D("50000")}


def test_a_partial_of_an_ask_of_zero_heads_scales_its_spend_alone(tmp_path):
    # a zero-head line and 30,000.00 of spend; the partial funds 10,000.00 of it: a third
    # of the spend, and the line stays at zero heads and zero cost
    plans = {
        "org": plan("Org", decisions={"t/z": {"decision": "partial", "cost": 10000}}),
        "org/t": plan("T", ask("z", headcount=[heads(0)], spend={"vendors": 30000})),
    }
    h = rolled(tmp_path, plans).nodes["org"].hiring
    assert [(r.ask, r.role, r.amount) for r in h.rows] == [("t/z", "SDE", amt("0", "0", "0"))]
    assert h.spend == amt("0", "10000.00", "10000.00")
    assert h.exit_headcount == h.average_headcount == D("0")


def test_a_partial_splits_lines_and_spend_in_proportion_heads_rounded_half_up(tmp_path):
    # t/p asks 0.25 SDE L5 SEA from Q3 (cost 15,000.00, run rate 30,000.00), one TPM from Q1
    # (120,000.00) and 40,000.00 of spend: 1.25 heads, cost 175,000.00, run rate 190,000.00.
    # A partial of 0.625 heads funds half of everything: 87,500.00 and 95,000.00.
    plans = {
        "org": plan("Org", decisions={"t/p": {"decision": "partial", "headcount": "0.625"}}),
        "org/t": plan(
            "T",
            ask(
                "p",
                headcount=[
                    heads("0.25", start="Q3", level="L5", location="SEA"),
                    heads(1, role="TPM"),
                ],
                spend={"vendors": 40000},
            ),
        ),
    }
    h = rolled(tmp_path, plans).nodes["org"].hiring
    got = [(r.ask, r.node, r.node_name, r.title, r.role, r.level, r.location) for r in h.rows]
    assert got == [
        ("t/p", "t", "T", "P", "SDE", "L5", "SEA"),
        ("t/p", "t", "T", "P", "TPM", None, None),
    ]
    # half of the spend in both cost and run rate
    assert h.spend == amt("0", "20000.00", "20000.00")
    # the first line: 0.125 heads, half up to 0.13; the last takes the rest of the partial
    assert [r.amount for r in h.rows] == [
        amt("0.13", "7500.00", "15000.00"),
        amt("0.495", "60000.00", "60000.00"),
    ]
    assert h.people + h.spend == amt("0.625", "87500.00", "95000.00")


def test_resources_and_hiring_without_spend_or_capex_are_decimal_zero(tmp_path):
    """Money is exact decimals: no spend or capex still totals Decimal zero, not int 0."""
    plans = {"org": plan("Org", budget={"headcount": 1}), "org/t": plan("T", ask("a", 1), hc=1)}
    report = rolled(tmp_path, plans)
    for node in report.nodes.values():
        res = node.resources
        assert isinstance(res.spend_total.cost, Decimal)
        assert isinstance(res.spend_total.run_rate, Decimal)
        assert isinstance(res.capex_total, Decimal)
        hiring = node.hiring  # t/a is funded in the approved plan
        assert [r.ask for r in hiring.rows] == ["t/a"]
        assert hiring.spend == amt("0", "0", "0")
        assert isinstance(hiring.spend.cost, Decimal)
        assert isinstance(hiring.spend.run_rate, Decimal)


def test_a_partial_of_an_ask_that_costs_nothing_in_year_splits_its_spend_with_the_run_rate(
    tmp_path,
):
    # t/s asks two SDEs from Q3 (120,000.00 in-year, 240,000.00 a year) and a saving of
    # -120,000.00: 0.00 in-year, 120,000.00 at run rate. A partial of one head funds half of
    # its run rate (60,000.00) and, in-year, nothing: the saving splits as the run rate does,
    # -60,000.00, and the one head costs what one head from Q3 costs, 60,000.00 in-year.
    plans = {
        "org": plan("Org", decisions={"t/s": {"decision": "partial", "headcount": 1}}),
        "org/t": plan("T", ask("s", headcount=[heads(2, start="Q3")], spend={"savings": -120000})),
    }
    h = rolled(tmp_path, plans).nodes["org"].hiring
    assert h.spend == amt("0", "-60000.00", "-60000.00")
    assert [r.amount for r in h.rows] == [amt("1", "60000.00", "120000.00")]
    assert h.people + h.spend == amt("1", "0.00", "60000.00")
