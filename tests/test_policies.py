"""Policies (SPEC 8): each rule, its default severity, and overrides per subtree."""

from __future__ import annotations

import pytest
from files import CART, CYCLE, ROOT, SEARCH, SHOP, cycle

NO_GOALS_SEARCH = SEARCH.split("goals:")[0] + "commitments:\n  - {to: cart/D1, funded_by: flat}\n"

CASES = {
    "min-goals": (
        {"acme/search/plan.yaml": NO_GOALS_SEARCH},
        ["acme/search/plan.yaml:1:1: warning: search has 0 goals, fewer than 3 [min-goals]"],
    ),
    "min-goals counts teams only": (
        {
            "acme/shop/plan.yaml": SHOP.replace(
                "  - {id: G2, title: Ship saved carts, kind: initiative, due: Q4, owner: Sam}\n", ""
            ).replace("  - {id: G3, title: Zero sev-1", "  - {id: G2, title: Zero sev-1")
        },
        [],
    ),
    "goal-measurable metric": (
        {
            "acme/search/plan.yaml": SEARCH.replace(
                "unit: ms, baseline: 400, target: 200, due: Q2, ", ""
            )
        },
        [
            "acme/search/plan.yaml:6:6: error: metric goal 'G1' has no unit, baseline, target, "
            "due [goal-measurable]"
        ],
    ),
    "goal-measurable initiative": (
        {
            "acme/search/plan.yaml": SEARCH.replace(
                "kind: initiative, due: Q3,", "kind: initiative,"
            )
        },
        ["acme/search/plan.yaml:7:6: error: initiative goal 'G2' has no due [goal-measurable]"],
    ),
    "ask-needs-goal": (
        {"acme/shop/plan.yaml": SHOP.replace("    goals: [G1]\n", "", 1)},
        ["acme/shop/plan.yaml:6:5: warning: ask 'shop/fast-cart' names no goal [ask-needs-goal]"],
    ),
    "mandate-answer": (
        {"acme/shop/cart/plan.yaml": CART.split("mandates:")[0]},
        [
            "acme/shop/cart/plan.yaml:1:1: error: cart does not answer mandate 'eu-region' "
            "(Launch in Frankfurt) [mandate-answer]"
        ],
    ),
    "mandate scope defaults to the root": (
        {"cycle.yaml": CYCLE.replace(", applies_to: [shop]", "")},
        [
            "acme/search/plan.yaml:1:1: error: search does not answer mandate 'eu-region' "
            "(Launch in Frankfurt) [mandate-answer]"
        ],
    ),
    "dependency-ack": (
        {"acme/search/plan.yaml": SEARCH.split("commitments:")[0]},
        [
            "acme/shop/cart/plan.yaml:18:6: warning: dependency 'cart/D1' on search has no "
            "commitment from search [dependency-ack]"
        ],
    ),
    "dependency-ack skips away teams": (
        {
            "acme/search/plan.yaml": SEARCH.split("commitments:")[0],
            "acme/shop/cart/plan.yaml": CART.replace(
                "needed_by: Q2}", "needed_by: Q2, away_team: true, funded_by: fast-cart}"
            ),
        },
        [],
    ),
    "max-growth": (
        {
            "acme/shop/plan.yaml": SHOP.replace(
                "{role: SDE, count: 1, start: Q2}", "{role: SDE, count: 3, start: Q2}"
            )
        },
        [
            "acme/shop/plan.yaml:5:1: warning: the shop subtree asks for 4 heads (40.0% of flat "
            "10), over 25% [max-growth]"
        ],
    ),
    "status-jump": (
        {
            "acme/search/plan.yaml": SEARCH.replace(
                "due: Q3, owner: Sue}",
                "due: Q3, owner: Sue,\n      status: [{date: 2027-03-31, color: green}, {date: 2027-06-30, color: red}]}",
            )
        },
        [
            "acme/search/plan.yaml:8:69: warning: goal 'G2' goes from green to red on 2027-06-30 "
            "with no yellow between [status-jump]"
        ],
    ),
    "status via yellow is fine": (
        {
            "acme/search/plan.yaml": SEARCH.replace(
                "due: Q3, owner: Sue}",
                "due: Q3, owner: Sue,\n      status: [{date: 2027-03-31, color: green}, "
                "{date: 2027-04-30, color: yellow}, {date: 2027-06-30, color: red}]}",
            )
        },
        [],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_policy(name, tmp_path, check_lines):
    overrides, expected = CASES[name]
    cycle(tmp_path, **overrides)
    assert check_lines(tmp_path) == expected


def test_severity_set_in_cycle(tmp_path, check_lines):
    cycle(tmp_path, **{"cycle.yaml": CYCLE + "policies:\n  min-goals: {severity: error, min: 4}\n"})
    assert check_lines(tmp_path) == [
        "acme/search/plan.yaml:5:1: error: search has 3 goals, fewer than 4 [min-goals]",
        "acme/shop/cart/plan.yaml:13:1: error: cart has 3 goals, fewer than 4 [min-goals]",
    ]


def test_nearest_override_wins_key_by_key(tmp_path, check_lines):
    """The cycle sets severity and min; shop's subtree switches it off; search keeps the cycle's."""
    cycle(
        tmp_path,
        **{
            "cycle.yaml": CYCLE + "policies:\n  min-goals: {severity: error, min: 4}\n",
            "acme/shop/plan.yaml": SHOP + "policies:\n  min-goals: off\n",
        },
    )
    assert check_lines(tmp_path) == [
        "acme/search/plan.yaml:5:1: error: search has 3 goals, fewer than 4 [min-goals]"
    ]


def test_parameter_override_keeps_inherited_severity(tmp_path, check_lines):
    cycle(
        tmp_path,
        **{
            "cycle.yaml": CYCLE + "policies:\n  min-goals: error\n",
            "acme/plan.yaml": ROOT + "policies:\n  min-goals: {min: 4}\n",
        },
    )
    assert check_lines(tmp_path) == [
        "acme/search/plan.yaml:5:1: error: search has 3 goals, fewer than 4 [min-goals]",
        "acme/shop/cart/plan.yaml:13:1: error: cart has 3 goals, fewer than 4 [min-goals]",
    ]


def test_unknown_policy_and_parameter(tmp_path, check_lines):
    cycle(
        tmp_path, **{"cycle.yaml": CYCLE + "policies:\n  min-goal: off\n  status-jump: {max: 3}\n"}
    )
    assert check_lines(tmp_path) == [
        "cycle.yaml:14:3: error: unknown policy 'min-goal' (did you mean 'min-goals'?) "
        "[unknown-key]",
        "cycle.yaml:15:17: error: policy 'status-jump' takes no 'max' [unknown-key]",
    ]


def test_bad_severity(tmp_path, check_lines):
    cycle(tmp_path, **{"cycle.yaml": CYCLE + "policies:\n  min-goals: loud\n"})
    assert check_lines(tmp_path) == [
        "cycle.yaml:14:3: error: policies.min-goals.severity: expected 'error', "
        "'warning' or 'off', got 'loud' [type]"
    ]
