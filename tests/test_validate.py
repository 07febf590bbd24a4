"""Validators: cross-record invariants, each at its exact key (SPEC 4, 7.3)."""

from __future__ import annotations

import pytest
from files import CART, CYCLE, ROOT, SEARCH, SHOP, cycle

CASES = {
    "duplicate ask id": (
        {
            "acme/shop/plan.yaml": SHOP.replace(
                "goals:\n  - {id: G1",
                "  - {id: fast-cart, title: Again, goals: [G1]}\ngoals:\n  - {id: G1",
            )
        },
        ["acme/shop/plan.yaml:10:6: error: duplicate ask id 'fast-cart' in shop [duplicate-id]"],
    ),
    "duplicate goal id": (
        {"acme/search/plan.yaml": SEARCH.replace("{id: G3,", "{id: G2,")},
        ["acme/search/plan.yaml:8:6: error: duplicate goal id 'G2' in search [duplicate-id]"],
    ),
    "dangling goal": (
        {"acme/shop/plan.yaml": SHOP.replace("goals: [G1]", "goals: [G1, G9]")},
        [
            "acme/shop/plan.yaml:9:17: error: unknown goal 'G9' (goals of shop: G1, G2, G3) "
            "[reference]"
        ],
    ),
    "dependency on unknown node": (
        {"acme/shop/cart/plan.yaml": CART.replace("on: search", "on: serch")},
        [
            "acme/shop/cart/plan.yaml:18:14: error: unknown node 'serch' [reference]",
            "acme/search/plan.yaml:10:6: error: dependency 'cart/D1' is on 'serch', not on search "
            "[reference]",
        ],
    ),
    "dependency on own node": (
        {"acme/shop/cart/plan.yaml": CART.replace("on: search", "on: cart")},
        [
            "acme/search/plan.yaml:10:6: error: dependency 'cart/D1' is on 'cart', not on search "
            "[reference]",
            "acme/shop/cart/plan.yaml:18:14: error: dependency 'D1' is on its own node [reference]",
        ],
    ),
    "dangling depends_on": (
        {"acme/shop/cart/plan.yaml": CART.replace("depends_on: [D1]", "depends_on: [D2]")},
        ["acme/shop/cart/plan.yaml:12:18: error: unknown dependency 'D2' in cart [reference]"],
    ),
    "away team without funding ask": (
        {
            "acme/shop/cart/plan.yaml": CART.replace(
                "needed_by: Q2}", "needed_by: Q2, away_team: true}"
            )
        },
        [
            "acme/shop/cart/plan.yaml:18:67: error: away-team dependency 'D1' needs funded_by: "
            "one of cart's ask ids [reference]"
        ],
    ),
    "funded_by without away team": (
        {
            "acme/shop/cart/plan.yaml": CART.replace(
                "needed_by: Q2}", "needed_by: Q2, funded_by: fast-cart}"
            )
        },
        [
            "acme/shop/cart/plan.yaml:18:67: error: funded_by on a dependency needs away_team: "
            "true (otherwise the host funds it in its commitment) [reference]"
        ],
    ),
    "commitment to unknown dependency": (
        {"acme/search/plan.yaml": SEARCH.replace("cart/D1", "cart/D7")},
        [
            "acme/search/plan.yaml:10:6: error: unknown dependency 'D7' in cart [reference]",
            "acme/shop/cart/plan.yaml:18:6: warning: dependency 'cart/D1' on search has no "
            "commitment from search [dependency-ack]",
        ],
    ),
    "commitment funded by unknown ask": (
        {"acme/search/plan.yaml": SEARCH.replace("funded_by: flat", "funded_by: nope")},
        [
            "acme/search/plan.yaml:10:19: error: funded_by must be 'flat' or one of search's ask "
            "ids, not 'nope' [reference]"
        ],
    ),
    "unknown mandate on an answer": (
        {"acme/shop/cart/plan.yaml": CART.replace("  eu-region:", "  us-region:")},
        [
            "acme/shop/cart/plan.yaml:20:3: error: unknown mandate 'us-region' [reference]",
            "acme/shop/cart/plan.yaml:19:1: error: cart does not answer mandate 'eu-region' "
            "(Launch in Frankfurt) [mandate-answer]",
        ],
    ),
    "mandate scope names unknown node": (
        {"cycle.yaml": CYCLE.replace("applies_to: [shop]", "applies_to: [shop, shoe]")},
        ["cycle.yaml:12:68: error: unknown node 'shoe' [reference]"],
    ),
    "decision outside the deciding subtree": (
        {"acme/shop/plan.yaml": SHOP + "review:\n  decisions:\n    search/x: {decision: cut}\n"},
        [
            "acme/shop/plan.yaml:16:5: error: 'search/x' is outside shop's subtree; a manager "
            "decides only on asks below them [decision-scope]"
        ],
    ),
    "decision on unknown ask": (
        {"acme/plan.yaml": ROOT.replace("cart/fast-cart", "cart/slow-cart")},
        ["acme/plan.yaml:8:5: error: unknown ask 'slow-cart' in cart [reference]"],
    ),
    "decision reference malformed": (
        {"acme/plan.yaml": ROOT.replace("cart/fast-cart", "fast-cart")},
        [
            "acme/plan.yaml:8:5: error: 'fast-cart' is not an ask reference <node-id>/<ask-id> "
            "[reference]"
        ],
    ),
    "partial over the ask": (
        {
            "acme/plan.yaml": ROOT.replace(
                "{decision: fund, rank: 1}", "{decision: partial, headcount: 2, cost: 999999}"
            )
        },
        [
            "acme/plan.yaml:8:41: error: partial over the ask: headcount 2 is more than the 1 "
            "asked [partial-over-ask]",
            "acme/plan.yaml:8:55: error: partial over the ask: cost 999999.00 is more than the "
            "157500.00 asked [partial-over-ask]",
        ],
    ),
    "partial without amounts": (
        {"acme/plan.yaml": ROOT.replace("{decision: fund, rank: 1}", "{decision: partial}")},
        [
            "acme/plan.yaml:8:22: error: a partial needs headcount or cost (cost alone for a "
            "spend-only ask) [decision]"
        ],
    ),
    "partial with cost only on an ask with heads": (
        {
            "acme/plan.yaml": ROOT.replace(
                "{decision: fund, rank: 1}", "{decision: partial, cost: 100}"
            )
        },
        [],  # the heads scale with the cost
    ),
    "amounts on a fund": (
        {
            "acme/plan.yaml": ROOT.replace(
                "{decision: fund, rank: 1}", "{decision: fund, headcount: 1}"
            )
        },
        [
            "acme/plan.yaml:8:38: error: headcount and cost apply only to a partial decision "
            "[decision]"
        ],
    ),
    "duplicate rank": (
        {"acme/plan.yaml": ROOT + "    shop/fast-cart: {rank: 1}\n"},
        [
            "acme/plan.yaml:8:38: error: rank 1 is given to more than one ask: cart/fast-cart, "
            "shop/fast-cart [duplicate-rank]",
            "acme/plan.yaml:9:22: error: rank 1 is given to more than one ask: cart/fast-cart, "
            "shop/fast-cart [duplicate-rank]",
        ],
    ),
    "ambiguous cost rates": (
        {
            "cycle.yaml": CYCLE.replace(
                "    - {role: SDE, location: DUB, cost: 165000}",
                "    - {role: SDE, location: DUB, cost: 165000}\n"
                "    - {role: SDE, level: L5, cost: 190000}",
            )
        },
        [
            "acme/shop/cart/plan.yaml:4:5: error: ambiguous cost rate: {role=SDE, location=DUB} "
            "and {role=SDE, level=L5} both match [rate-ambiguous]"
        ],
    ),
    "rate entry naming nothing": (
        {
            "cycle.yaml": CYCLE.replace(
                "    - {role: SDE, cost: 210000}",
                "    - {role: SDE, cost: 210000}\n    - {cost: 1}",
            )
        },
        [
            "cycle.yaml:10:7: error: a rate entry must name role, level or location (use "
            "'default' for the rest) [rates]"
        ],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_validation(name, tmp_path, check_lines):
    overrides, expected = CASES[name]
    cycle(tmp_path, **overrides)
    assert sorted(check_lines(tmp_path)) == sorted(expected)


def test_own_rate_on_a_line_is_never_ambiguous(tmp_path, check_lines):
    cyc = CYCLE.replace(
        "    - {role: SDE, location: DUB, cost: 165000}",
        "    - {role: SDE, location: DUB, cost: 165000}\n"
        "    - {role: SDE, level: L5, cost: 190000}",
    )
    cart = CART.replace(
        "{role: SDE, level: L5, location: DUB, count: 6}",
        "{role: SDE, level: L5, location: DUB, count: 6, rate: 170000}",
    )
    cycle(tmp_path, **{"cycle.yaml": cyc, "acme/shop/cart/plan.yaml": cart})
    assert check_lines(tmp_path) == []


_SPEND_ONLY = SEARCH + (
    "incremental:\n"
    "  - {id: cdn, title: CDN in Frankfurt, spend: {infrastructure: 500000}, goals: [G1]}\n"
)


def _decide_on_cdn(decision: str) -> dict[str, str]:
    return {
        "acme/search/plan.yaml": _SPEND_ONLY,
        "acme/plan.yaml": ROOT.replace("budget: {headcount: 3}", "budget: {cost: 1000}").replace(
            "cart/fast-cart: {decision: fund, rank: 1}", f"search/cdn: {decision}"
        ),
    }


@pytest.mark.parametrize(
    "decision", ["{decision: partial, headcount: 0}", "{decision: partial, headcount: 1}"]
)
def test_a_partial_in_heads_of_a_spend_only_ask_is_an_error(tmp_path, check_lines, decision):
    """SPEC 7 rule 3: a partial is stated in a dimension the ask has. Headcount on an ask that
    asks for no heads would fund the whole ask (500,000 against a 1,000 budget)."""
    cycle(tmp_path, **_decide_on_cdn(decision))
    assert check_lines(tmp_path) == [
        "acme/plan.yaml:8:37: error: 'search/cdn' asks for no heads: a partial of a spend-only "
        "ask gives cost, not headcount [decision]"
    ]


def test_a_partial_in_cost_of_a_spend_only_ask_funds_that_cost(tmp_path, check_lines):
    from opplan import pipeline

    cycle(tmp_path, **_decide_on_cdn("{decision: partial, cost: 800}"))
    assert check_lines(tmp_path) == []
    result = pipeline.rollup(tmp_path)
    acme = result.report.nodes["acme"]
    assert acme.totals.funded.cost == 800
    assert acme.over_budget is None
