"""The typed-figure policy: figures the roll-up knows, typed in a narrative, at their columns."""

from __future__ import annotations

import shutil
import time
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import REPO
from files import VALID, write_tree

from opplan import pipeline
from opplan.check.figures import figures_of, typed_figures

D = Decimal


def context(**extra: object) -> dict[str, object]:
    """A node's context in the shapes of docs/templates.md, small."""
    amount = {"headcount": D(0), "cost": D("0.00"), "run_rate": D("0.00")}
    base: dict[str, object] = {
        "cycle": {"currency": "USD", "year": 2027},
        "budget": {"headcount": D(34), "cost": D("7700000.00")},
        "totals": {
            "flat": {"headcount": D("261.5"), "cost": D("84755000.00"), "capex": D("0.00")},
            "incremental": {
                "requested": {"headcount": D(59), "cost": D("11972500.00"), "run_rate": D(0)},
                "funded": {"headcount": D(33), "cost": D("7680625.00"), "run_rate": D(0)},
                "unfunded": amount,
            },
        },
        "stack": [
            {"ask": "retail/launch-office", "title": "Launch office", "node_name": "Retail",
             "headcount": D(2), "cost": D("480000.00"), "run_rate": D("480000.00")},
        ] * 1 + [{"ask": f"t/a{i}", "title": f"A{i}", "node_name": "T", "headcount": D(1),
                  "cost": D("1.00"), "run_rate": D("1.00")} for i in range(21)],
        "above": [{}] * 14,
        "below": [{}] * 8,
        "children": [],
        "goals": [{}] * 3,
    }  # fmt: skip
    base.update(extra)
    return base


def found(text: str, **extra: object) -> list[tuple[str, str]]:
    figs = figures_of(context(**extra))
    return [(t.text, t.figure.path) for t in typed_figures(text, figs)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We have an envelope of 34 heads.", [("34 heads", "budget.headcount")]),
        ("Our budget is $7,700,000.", [("$7,700,000", "budget.cost")]),
        ("Our budget is $7.7M.", [("$7.7M", "budget.cost")]),
        ("Our budget is $7.7 million.", [("$7.7 million", "budget.cost")]),
        ("We have 261.5 people on flat.", [("261.5 people", "totals.flat.headcount")]),
        ("We fund 33 more heads.", [("33 more heads", "totals.incremental.funded.headcount")]),
        ("Flat costs $84,755,000 a year.", [("$84,755,000", "totals.flat.cost")]),
        ("The launch office costs $480K.", [("$480K", 'ask("retail/launch-office").cost')]),
        (
            "14 of our 22 asks are funded.",
            [("14", "above | length"), ("22 asks", "stack | length")],
        ),
        ("We hold 3 goals.", [("3 goals", "goals | length")]),
        # 33 of 34: both sides of "N of M heads"
        (
            "We fund 33 of 34 heads.",
            [("33", "totals.incremental.funded.headcount"), ("34 heads", "budget.headcount")],
        ),
        # equal figures: the sentence's words choose ("envelope" is the budget)
        ("Funded: 33 heads.", [("33 heads", "totals.incremental.funded.headcount")]),
    ],
)
def test_typed_figures_are_found_with_their_expression(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "{{ budget.headcount | plural('head') }} is our envelope.",  # already an expression
        "In 2027 we plan for 34 markets.",  # a year; a number without a unit of ours
        "Conversion rose 34% in Q3 2026.",  # a percentage, a quarter, a year
        "We carry 310,000 orders on an average day.",  # a business metric
        "Returns cost $8.40 each.",  # money the roll-up does not know
        "We have 35 heads.",  # heads, but no figure of 35
        "On 15 September 2026 we met.",  # a date
        "{# 34 heads #} {% set x = 34 %}",  # comments and tags are not prose
        "We spend €7,700,000.",  # another currency than the cycle's
    ],
)
def test_text_that_is_not_a_typed_figure(text):
    assert found(text) == []


def test_a_childs_heads_need_its_name_in_the_sentence():
    # a child's row as the context gives it: its totals and its summary in this view (here)
    nothing = {"headcount": D(0), "cost": D("0.00"), "run_rate": D("0.00")}
    child = {
        "id": "cart",
        "name": "Cart",
        "totals": {"flat": {"headcount": D(9)}},
        "here": {"funded": nothing},
    }
    assert found("| Cart | 9 heads |", children=[child]) == [
        ("9 heads", 'child("cart").totals.flat.headcount')
    ]
    assert found("We hired 9 heads.", children=[child]) == []


def test_hostile_narrative_is_scanned_in_linear_time():
    figs = figures_of(context())
    text = ("$7,700,000 and 34 heads and 14 of our 22 asks " * 20000) + "1" * 200000
    start = time.perf_counter()
    n = sum(1 for _ in typed_figures(text, figs))
    assert n == 80000
    assert time.perf_counter() - start < 10


def test_policy_reports_at_file_line_col_and_can_be_off(tmp_path: Path):
    files = dict(VALID)
    files["acme/narrative.md"] = "## Introduction\n\nWe hold a budget of 3 heads.\n"
    base = write_tree(tmp_path / "on", files)
    diags = [d for d in pipeline.check(base).diagnostics if d.rule == "typed-figure"]
    assert [(d.source.line, d.source.col, d.severity.value, d.message) for d in diags] == [
        (
            3,
            21,
            "warning",
            "typed figure '3 heads' equals budget.headcount: write {{ budget.headcount }}",
        )
    ]
    files["cycle.yaml"] = VALID["cycle.yaml"] + "policies:\n  typed-figure: off\n"
    base = write_tree(tmp_path / "off", files)
    assert not [d for d in pipeline.check(base).diagnostics if d.rule == "typed-figure"]


def test_sample_checks_clean_with_typed_figure_on():
    cycle = (REPO / "samples" / "northwind-op1-2027" / "cycle.yaml").read_text()
    assert "typed-figure: warning" in cycle
    diags = pipeline.check(REPO / "samples" / "northwind-op1-2027").diagnostics
    assert [d for d in diags if d.rule == "typed-figure"] == []


def test_buying_envelope_follows_the_budget(tmp_path: Path):
    """The issue's experiment: Buying's budget from 5 to 4 heads changes the prose with it."""
    from opplan.narrative.templating import compile_text, environment, render
    from opplan.report.context import node_context

    sample = shutil.copytree(REPO / "samples" / "northwind-op1-2027", tmp_path / "cycle")
    plan = sample / "northwind" / "retail" / "buying" / "plan.yaml"
    text = plan.read_text()
    assert "  budget: {headcount: 5}" in text
    plan.write_text(text.replace("  budget: {headcount: 5}", "  budget: {headcount: 4}"))
    rolled = pipeline.rollup(sample)
    assert rolled.report is not None
    node = rolled.cycle.nodes["buying"]
    assert node.narrative is not None
    prose = render(
        compile_text(environment(), node.narrative.text, node.narrative.path),
        node_context(rolled.report.nodes["buying"], rolled.report),
    )
    assert "an envelope of 4 heads" in prose
    assert "envelope of 5 heads" not in prose
    assert "Is 4 heads enough" in prose


def test_a_plan_that_did_not_load_is_reported_without_a_roll_up(tmp_path: Path):
    files = dict(VALID)
    files["acme/narrative.md"] = "We hold a budget of 3 heads.\n"
    files["acme/search/plan.yaml"] = VALID["acme/search/plan.yaml"].replace("owner:", "ownr:", 1)
    diags = pipeline.check(write_tree(tmp_path, files)).diagnostics
    assert [d.rule for d in diags if d.rule in ("unknown-key", "typed-figure")] == ["unknown-key"]


def test_a_narrative_without_money_or_counted_figures_never_builds_the_figures():
    """The quick pass that lets a large org's check skip nodes whose prose types no amount,
    no heads and no counted asks, teams, goals..."""
    from opplan.check.figures import may_type_figures

    metrics = "We handle 18 thousand requests a week; incidents fell by 12 percent in 2026 (Q4)."
    assert not may_type_figures(metrics, "USD")
    assert not may_type_figures("Latency fell 40% to 310 ms.", "USD")
    assert not may_type_figures('{{ budget.cost | money }} and {{ "5 heads" }}', "USD")
    for typed in ("It costs $120,000.", "We ask for 3 more heads.", "14 of our 22 asks fit."):
        assert may_type_figures(typed, "USD"), typed
    assert may_type_figures("It costs €120,000.", "EUR") and not may_type_figures(
        "It costs $120,000 (in dollars, not the cycle's euros) and 12 percent more.", "EUR"
    )
