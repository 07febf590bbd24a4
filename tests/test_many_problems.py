"""Acceptance: a cycle with several problems in several files reports all of them in one run."""

from __future__ import annotations

from files import CART, CYCLE, ROOT, SEARCH, SHOP, cycle


def test_all_problems_in_one_run(tmp_path, check_lines):
    cycle(
        tmp_path,
        **{
            "cycle.yaml": CYCLE.replace("default: 200000", "default: lots"),
            "acme/plan.yaml": ROOT.replace("cart/fast-cart", "shop/nothing"),
            "acme/shop/plan.yaml": SHOP.replace("    goals: [G1]", "    goals: [G7]"),
            "acme/shop/cart/plan.yaml": CART.replace("owner: Cy Cart", "owner: Cy Cart\nowner: Cy"),
            "acme/search/plan.yaml": SEARCH.replace("count: 5", "count: -5").replace(
                "kind: initiative, due: Q3", "kind: initiative"
            ),
            "acme/search/narrative.md": b"## Introduction\n\n\xff\n",
        },
    )
    assert check_lines(tmp_path) == [
        "acme/plan.yaml:8:5: error: unknown ask 'nothing' in shop [reference]",
        "acme/search/narrative.md:3:1: error: file is not UTF-8 (byte 0xff) [encoding]",
        "acme/search/plan.yaml:4:43: error: headcount.count: must be 0 or more, got -5 [type]",
        "acme/shop/cart/plan.yaml:3:1: error: duplicate key 'owner' (first defined at line 2) "
        "[duplicate-key]",
        "acme/shop/plan.yaml:9:13: error: unknown goal 'G7' (goals of shop: G1, G2, G3) "
        "[reference]",
        "cycle.yaml:7:3: error: rates.default: 'lots' is not a number: write digits, such as "
        "640000 or 1.5, with no currency sign, ',' or 'k' [type]",
    ]
