"""Goals as written and goals at risk in the approved plan (docs/documents.md, docs/rollup.md).

A goal's figures print with the plan's precision and a unit that agrees with the number;
the change is decided in the report model; a team's goals are judged in the approved plan
(the root's view), a manager's in its own view and the approved plan's; a manager's
appendix rolls up its children's goals.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import docfixtures
import pytest
from cyclefactory import ask, plan, rolled
from docreadback import read_back

from opplan.render.docx.goalgrids import child_goals_grid, child_goals_summary_grid, goals_grid
from opplan.render.docx.plan import search_path
from opplan.render.docx.writer import render_docx
from opplan.report import goaltext
from opplan.report.context import node_context
from opplan.report.goals import change_unit, goal_change

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "northwind-op1-2027"


# --- goals as written -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        ("99.95", "%", "99.95%"),
        ("99.99", "%", "99.99%"),
        ("3.1", "%", "3.1%"),
        ("3.10", "%", "3.10%"),
        ("42", "contacts", "42 contacts"),
        ("1", "contacts", "1 contact"),
        ("1", "calls", "1 call"),
        ("1.0", "hours", "1.0 hour"),
        ("2", "call", "2 calls"),
        ("2", "query", "2 queries"),
        ("1", "queries", "1 query"),
        ("3", "box", "3 boxes"),
        ("120", "ms", "120 ms"),
        ("1", "ms", "1 ms"),
        ("11", "bps", "11 bps"),
        ("1", "bps", "1 bp"),
        ("8.4", "USD", "8.4 USD"),
        ("1500000", "$", "$1,500,000"),
        ("5", "percent", "5 percent"),
        ("3", "orders per day", "3 orders per day"),
        ("42", None, "42"),
        ("1E+3", None, "1,000"),
    ],
)
def test_a_figure_keeps_the_plans_precision_and_its_unit_agrees(value, unit, text):
    assert goaltext.quantity(D(value), unit) == text


@pytest.mark.parametrize(
    ("baseline", "target", "unit", "change", "text"),
    [
        ("99.95", "99.99", "%", "0.04", "+0.04 pts"),
        ("3.1", "3.4", "%", "0.3", "+0.3 pts"),
        ("38", "37", "%", "-1", "-1 pt"),
        ("96", "24", "hours", "-72", "-72 hours"),
        ("1", "0", "calls", "-1", "-1 call"),
        ("8.4", "7.1", "USD", "-1.3", "-1.3 USD"),
        ("100", "250", "$", "150", "+$150"),
        ("10", "5", "$", "-5", "-$5"),
        ("3.10", "3.10", "%", "0.00", "no change"),
    ],
)
def test_the_change_is_exact_signed_and_in_points_for_percentages(
    baseline, target, unit, change, text
):
    delta = goal_change(D(baseline), D(target))
    assert delta == D(change) and str(delta) == change  # exact, never through float
    assert goaltext.signed(delta, change_unit(unit)) == text


def test_no_change_without_a_baseline_or_a_target():
    assert goal_change(None, D(1)) is None
    assert goal_change(D(1), None) is None
    assert change_unit(None) is None and change_unit("ms") == "ms"


def test_status_text_names_its_date_and_the_year_outside_the_cycle():
    as_of = dt.date(2026, 9, 15)
    assert goaltext.status_text("green", dt.date(2026, 8, 31), as_of) == "green, 31 Aug"
    assert goaltext.status_text("red", dt.date(2025, 12, 1), as_of) == "red, 1 Dec 2025"
    assert goaltext.status_text("red", dt.date(2026, 1, 2), None) == "red, 2 Jan 2026"
    assert goaltext.status_text(None, None, as_of) == "not reported"
    assert goaltext.due_text(3) == "Mar" and goaltext.due_text("Q4") == "Q4"


def test_the_goals_table_prints_goals_as_written():
    report = docfixtures.report()
    grid = goals_grid(report.nodes["search"], report)
    assert [c.title for c in grid.columns] == [
        "Goal",
        "From",
        "To",
        "Change",
        "Due",
        "Owner",
        "Status",
    ]
    assert grid.rows == (
        ("G1: Cut zero-result searches (metric)", "8%", "5%", "-3 pts", "Q3", "Sam Lee", "green, 30 Jun"),
        ("G2: Search availability (input metric)", "99.95%", "99.99%", "+0.04 pts", "Q4", "Sam Lee", "not reported"),
        ("G3: Pages to the on-call a week (output metric)", "1 call", "0 calls", "-1 call", "Dec", "Sam Lee", "yellow, 1 Dec 2025"),
    )  # fmt: skip


def test_the_word_document_prints_99_95_as_written():
    report = docfixtures.report()
    lines = read_back(render_docx(report.nodes["search"], report, search_path(None)))
    row = next(line for line in lines if "Search availability" in line)
    assert "| 99.95% | 99.99% | +0.04 pts |" in row
    assert "100.0%" not in "\n".join(lines)


def test_the_context_carries_goals_as_written():
    report = docfixtures.report()
    ctx = node_context(report.nodes["search"], report)
    g2 = ctx["goals"][1]
    assert (g2["baseline"], g2["target"], g2["change"]) == (D("99.95"), D("99.99"), D("0.04"))
    assert (g2["baseline_text"], g2["target_text"], g2["change_text"]) == (
        "99.95%",
        "99.99%",
        "+0.04 pts",
    )
    assert (g2["change_unit"], g2["metric_class"], g2["status_date"]) == ("pts", "input", None)
    g3 = ctx["goals"][2]
    assert (g3["status"], g3["status_date"], g3["due"]) == (
        "yellow",
        dt.date(2025, 12, 1),
        "December",
    )


# --- goals at risk in the approved plan -------------------------------------------------

GOALS = [
    {"id": "G1", "title": "Goal one", "kind": "initiative", "due": "Q4"},
    {"id": "G2", "title": "Goal two", "kind": "initiative", "due": "Q4"},
]


def _company(tmp_path):
    """co (budget 2) funds a/one and b/one; a and b have no budget: in their own views
    nothing is funded. a/two is below co's line."""
    return rolled(
        tmp_path,
        {
            "co": plan("Co", budget={"headcount": 2}),
            "co/a": plan("A", ask("one", goals=["G1"]), ask("two", goals=["G2"]), goals=GOALS),
            "co/b": plan("B", ask("one", goals=["G1"]), goals=GOALS[:1]),
        },
    )


def test_rule_10_in_the_approved_plan_each_node_lists_its_subtree_at_the_root(tmp_path):
    """Each node's approved list is the root's list cut to its subtree: a sees only its
    own G2, b nothing, the root both teams' goals it does not fund."""
    report = _company(tmp_path)
    pairs = {
        nid: [(g.node, g.goal, g.node_name) for g in n.approved_goals_at_risk]
        for nid, n in report.nodes.items()
    }
    assert pairs == {"co": [("a", "G2", "A")], "a": [("a", "G2", "A")], "b": []}
    # in their own views (no budget) every goal with an ask is at risk
    assert [g.goal for g in report.nodes["a"].goals_at_risk] == ["G1", "G2"]
    assert [g.goal for g in report.nodes["b"].goals_at_risk] == ["G1"]
    assert report.nodes["co"].goals_at_risk == report.nodes["co"].approved_goals_at_risk


def test_rule_10_goal_rows_carry_both_verdicts(tmp_path):
    report = _company(tmp_path)
    a = report.nodes["a"]
    assert [(g.id, g.at_risk, g.approved_at_risk) for g in a.goals] == [
        ("G1", True, False),
        ("G2", True, True),
    ]


def test_rule_10_in_the_approved_plan_a_middle_manager_slices_its_own_subtree(tmp_path):
    """Depth-first slices: org's approved list holds x's and y's goals, not z's."""
    report = rolled(
        tmp_path,
        {
            "co": plan("Co", budget={"headcount": 0}),
            "co/org": plan("Org"),
            "co/org/x": plan("X", ask("one", goals=["G1"]), goals=GOALS[:1]),
            "co/org/y": plan("Y", ask("one", goals=["G1"]), goals=GOALS[:1]),
            "co/z": plan("Z", ask("one", goals=["G1"]), goals=GOALS[:1]),
        },
    )
    nodes = report.nodes
    assert [g.node for g in nodes["co"].approved_goals_at_risk] == ["x", "y", "z"]
    assert [g.node for g in nodes["org"].approved_goals_at_risk] == ["x", "y"]
    assert [g.node for g in nodes["y"].approved_goals_at_risk] == ["y"]
    assert [g.node for g in nodes["z"].approved_goals_at_risk] == ["z"]


def test_a_teams_goals_section_names_the_approved_plan_and_a_managers_both_views(tmp_path):
    report = _company(tmp_path)
    a = report.nodes["a"]
    grid = goals_grid(a, report)
    assert [r[-1] for r in grid.rows] == [
        "not reported",
        "not reported; at risk in the approved plan",
    ]
    co = report.nodes["co"]
    assert node_context(a, report)["goals_own_view"] is False
    assert node_context(co, report)["goals_own_view"] is False  # the root: the approved plan


# --- the children's goals ---------------------------------------------------------------


def test_a_manager_rolls_up_its_childrens_goals_with_counts(tmp_path):
    green = [{"date": "2026-08-31", "color": "green"}]
    red = [{"date": "2026-07-31", "color": "yellow"}, {"date": "2026-08-31", "color": "red"}]
    goals = [
        {**GOALS[0], "status": green},
        {**GOALS[1], "status": red},
        {"id": "G3", "title": "Goal three", "kind": "metric", "unit": "%", "baseline": 99.95,
         "target": 99.99, "due": "Q4"},
    ]  # fmt: skip
    report = rolled(
        tmp_path,
        {
            "co": plan("Co", budget={"headcount": 1}),
            "co/a": plan("A", ask("one", goals=["G1"]), ask("two", goals=["G2"]), goals=goals),
            "co/b": plan("B"),
        },
    )
    co = report.nodes["co"]
    (a,) = co.child_goals  # b has no goals of its own
    assert (a.child, a.name, a.green, a.yellow, a.red, a.unreported, a.at_risk) == (
        "a", "A", 1, 0, 1, 1, 2,
    )  # fmt: skip
    assert a.goals == report.nodes["a"].goals
    assert report.nodes["a"].child_goals == ()
    assert child_goals_summary_grid(co).rows == (("A", "3", "1", "0", "1", "1", "2"),)
    assert child_goals_grid(co, report).rows == (
        ("A", "G1: Goal one (initiative)", "", "", "", "Q4", "green, 31 Aug"),
        ("", "G2: Goal two (initiative)", "", "", "", "Q4", "red, 31 Aug; at risk in the approved plan"),
        ("", "G3: Goal three (metric)", "99.95%", "99.99%", "+0.04 pts", "Q4", "not reported; at risk in the approved plan"),
    )  # fmt: skip
    ctx = node_context(co, report)["child_goals"]
    assert [(c["child"], c["red"], [g["id"] for g in c["goals"]]) for c in ctx] == [
        ("a", 1, ["G1", "G2", "G3"])
    ]
    lines = read_back(render_docx(co, report, search_path(None)))
    assert "[Heading 2] Goals of the teams" in lines
    assert any("By their latest status report, 1 is green, 0 yellow and 1 red" in s for s in lines)


# --- the sample -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(sample_report):
    return sample_report


def test_no_team_document_calls_a_goal_at_risk_that_the_approved_plan_funds(sample):
    """Issue 12, acceptance 1 (goals): every team's goals section and table judge its goals
    in the approved plan and say so."""
    teams = [n for n in sample.nodes.values() if not n.children]
    assert len(teams) == 23
    for team in teams:
        lines = read_back(render_docx(team, sample, search_path(None)))
        for g in team.goals:
            row = next(line for line in lines if line.startswith(f"| {g.id}: "))
            assert ("at risk" in row) is g.approved_at_risk, (team.id, g.id)
            assert "at risk in the approved plan" in row or not g.approved_at_risk
        (sentence,) = [line for line in lines if line.startswith(f"[Normal] {team.name} sets ")]
        assert "In the approved plan, " in sentence and "view" not in sentence, sentence
        named = [g.title for g in team.approved_goals_at_risk]
        assert ("is at risk" in sentence or "are at risk" in sentence) is bool(named)
        assert all(title in sentence for title in named), sentence
    # the teams' own views (no budget) would have called a funded goal at risk in 13 teams;
    # the approved plan leaves two goals at risk, in Data Storage and Returns
    own_only = [t.id for t in teams if any(g.at_risk and not g.approved_at_risk for g in t.goals)]
    assert len(own_only) == 13
    approved = [(t.id, g.id) for t in teams for g in t.goals if g.approved_at_risk]
    assert approved == [("data-storage", "G1"), ("returns", "G2")]


def test_the_sample_prints_compute_availability_as_written(sample):
    compute = sample.nodes["compute"]
    lines = read_back(render_docx(compute, sample, search_path(None)))
    row = next(line for line in lines if "Cluster control plane availability" in line)
    assert "| 99.95% | 99.99% | +0.04 pts |" in row and "(input metric)" in row
