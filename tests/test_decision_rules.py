"""One copy of the decision rules (SPEC 7 rule 3): `opplan check` and `opplan review import`
call the same functions, so they refuse the same entries with the same words."""

from decimal import Decimal

import pytest

from opplan.check.decisions import PLAN_FIELDS, SHEET_FIELDS, partial_problems, rank_problems
from opplan.model.costing import Amount

HEADS = Amount(Decimal(2), Decimal("300000.00"), Decimal("400000.00"))
SPEND_ONLY = Amount(Decimal(0), Decimal("50000.00"), Decimal("50000.00"))
D = Decimal

CASES = {
    "partial without amounts": (
        ("partial", None, None, HEADS),
        [
            (
                "decision",
                "a partial needs headcount or cost (cost alone for a spend-only ask)",
                "decision",
            )
        ],
    ),
    "cost alone on an ask with heads": (
        ("partial", None, D(100), HEADS),
        [],  # its heads scale with the cost (costing's partial_amount)
    ),
    "heads on a spend-only ask": (
        ("partial", D(1), None, SPEND_ONLY),
        [
            (
                "headcount",
                "'a/x' asks for no heads: a partial of a spend-only ask gives cost, not headcount",
                "decision",
            )
        ],
    ),
    "over the ask": (
        ("partial", D(3), D("300000.01"), HEADS),
        [
            (
                "headcount",
                "partial over the ask: headcount 3 is more than the 2 asked",
                "partial-over-ask",
            ),
            (
                "cost",
                "partial over the ask: cost 300000.01 is more than the 300000.00 asked",
                "partial-over-ask",
            ),
        ],
    ),
    "amounts on a fund": (
        ("fund", D(1), None, HEADS),
        [("headcount", "headcount and cost apply only to a partial decision", "decision")],
    ),
    "a partial within the ask": (("partial", D(1), D(1000), HEADS), []),
    "a spend-only partial in cost": (("partial", None, D(1000), SPEND_ONLY), []),
    "no rates: bounds unknown": (("partial", D(99), None, None), []),
}


@pytest.mark.parametrize("name", list(CASES))
def test_partial_rules_in_plan_yaml_words(name):
    (decision, heads, cost, asked), expected = CASES[name]
    got = partial_problems("a/x", decision, heads, cost, asked, PLAN_FIELDS)
    assert [(p.key, p.message, p.rule) for p in got] == expected


@pytest.mark.parametrize("name", list(CASES))
def test_the_workbook_gets_the_same_words_with_its_column_names(name):
    (decision, heads, cost, asked), expected = CASES[name]
    got = partial_problems("a/x", decision, heads, cost, asked, SHEET_FIELDS)

    def as_sheet(message: str) -> str:
        out = message.replace("headcount", "Partial headcount").replace(" cost", " Partial cost")
        return out.replace("(cost", "(Partial cost")

    assert [p.message for p in got] == [as_sheet(m) for _, m, _ in expected]


def test_duplicate_ranks_name_every_ask_of_the_rank():
    got = rank_problems({"b/y": 1, "a/x": 1, "c/z": 2, "d/w": 3, "e/v": 3})
    assert {ref: p.message for ref, p in got.items()} == {
        "b/y": "rank 1 is given to more than one ask: a/x, b/y",
        "a/x": "rank 1 is given to more than one ask: a/x, b/y",
        "d/w": "rank 3 is given to more than one ask: d/w, e/v",
        "e/v": "rank 3 is given to more than one ask: d/w, e/v",
    }
    assert {p.rule for p in got.values()} == {"duplicate-rank"}
