"""One copy of each index: the subtree index and its reduction, ask references, and the
mandate scope that `check` (policy mandate-answer) and the engine (coverage) share."""

from decimal import Decimal

import pytest
import yaml
from cyclefactory import CYCLE_YAML, make_cycle, plan

from opplan.check.policies import apply_policies
from opplan.engine.rollup import rollup
from opplan.model import ask_ref, parse_ask_ref

# acme > (search, shop > (cart, pay)): depth-first acme, search, shop, cart, pay
PLANS = {
    "acme": plan("Acme", hc=1),
    "acme/search": plan("Search", hc=2),
    "acme/shop": plan("Shop", hc=3),
    "acme/shop/cart": plan("Cart", hc=4),
    "acme/shop/pay": plan("Pay", hc=5),
}


def test_the_index_walks_subtrees_depth_first():
    tree = make_cycle(PLANS).tree
    assert tree.ids == ("acme", "search", "shop", "cart", "pay")
    assert tree.subtree("shop") == ("shop", "cart", "pay")
    assert tree.contains("shop", "pay") and not tree.contains("shop", "search")
    assert tree.ancestors("pay") == ["shop", "acme"]
    assert tree.lowest_common_manager("cart", "pay") == "shop"
    assert tree.lowest_common_manager("cart", "search") == "acme"
    assert [n for n in tree.ids if tree.is_leaf(n)] == ["search", "cart", "pay"]


def test_the_cycle_answers_subtree_questions_through_its_index():
    """The cycle's own subtree walks (used by the review merge) are the index's."""
    cycle = make_cycle(PLANS)
    assert list(cycle.subtree("shop")) == ["shop", "cart", "pay"]
    assert list(cycle.subtree("search")) == ["search"]
    assert cycle.in_subtree("pay", "shop") and not cycle.in_subtree("search", "shop")
    assert cycle.ancestors("cart") == ["shop", "acme"]
    assert cycle.lowest_common_manager("pay", "search") == "acme"


def test_a_subtree_reduction_adds_each_nodes_own_value_once():
    cycle = make_cycle(PLANS)

    def own(nid: str) -> Decimal:
        node_plan = cycle.nodes[nid].plan
        assert node_plan is not None
        return node_plan.headcount[0].count

    totals = cycle.tree.reduce(own, lambda values: sum(values, Decimal(0)))
    assert totals == {"acme": 15, "search": 2, "shop": 12, "cart": 4, "pay": 5}


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("checkout/fraud-model", ("checkout", "fraud-model")),
        ("fraud-model", None),
        ("/fraud-model", None),
        ("checkout/", None),
        ("a/b/c", None),
    ],
)
def test_an_ask_reference_parses_back_to_what_built_it(text, parsed):
    assert parse_ask_ref(text) == parsed
    if parsed is not None:
        assert ask_ref(*parsed) == text


def _with_mandate(applies_to: list[str] | None):
    settings = yaml.safe_load(CYCLE_YAML)
    mandate = {"id": "eu", "title": "Launch in Frankfurt"}
    if applies_to is not None:
        mandate["applies_to"] = applies_to
    settings["mandates"] = [mandate]
    return make_cycle(PLANS, settings)


@pytest.mark.parametrize(
    "applies_to, scope, leaves",
    [
        (None, ["acme", "search", "shop", "cart", "pay"], ["search", "cart", "pay"]),
        (["shop"], ["shop", "cart", "pay"], ["cart", "pay"]),
        (["pay", "shop", "search"], ["search", "shop", "cart", "pay"], ["search", "cart", "pay"]),
        # An applies_to naming only unknown nodes is an error at check time; its scope is
        # empty (the root is the default only when applies_to is absent, SPEC 3).
        (["nowhere"], [], []),
    ],
)
def test_check_and_coverage_share_one_mandate_scope(applies_to, scope, leaves):
    cycle = _with_mandate(applies_to)
    assert cycle.settings is not None
    assert cycle.mandate_scope(cycle.settings.mandates[0]) == scope
    unanswered = sorted(
        d.message.split()[0] for d in apply_policies(cycle) if d.rule == "mandate-answer"
    )
    assert unanswered == sorted(leaves)
    coverage = rollup(cycle).nodes["acme"].mandates
    assert [row.node for c in coverage for row in c.answers] == leaves
