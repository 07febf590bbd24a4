"""The jinja sandbox: hostile templates are refused with a clear error naming file and line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from opplan.narrative.templating import TemplateError, compile_text, environment, render


def run(source: str, **context: object) -> str:
    return render(compile_text(environment(), source, "org/narrative.md"), context)


@pytest.mark.parametrize(
    "source, message",
    [
        ("{{ ''.__class__.__mro__ }}", "access to attribute '__class__' of 'str' object is unsafe"),
        ("{{ cycler.__init__.__globals__ }}", "access to attribute '__init__'"),
        ("{{ lipsum.__globals__['os'] }}", "access to attribute '__globals__'"),
        ("{{ ''.format.__globals__ }}", "unsafe"),
        ("{% for i in range(10**9) %}x{% endfor %}", "loops over more than 100,000 items"),
        (
            "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
            "loops over more than 100,000 items",
        ),
        (
            "{% for i in range(99999) %}{{ 'x' * 10000 }}{% endfor %}",
            "output longer than 1,000,000 characters",
        ),
        ("{{ 'x' * 10**9 }}", "a text or list longer than 1,000,000 characters or items"),
        ("{{ ((10**60)**60)**60 }}", "powers of more than 10,000 digits"),
        (
            "{% set ns = namespace(x=10**50) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}"
            "{% endfor %}",
            "products of more than 10,000 digits",
        ),
        ("{{ 'x'|center(10**9) }}", "widths above 10,000"),
        ("{{ 'x'.ljust(10**9) }}", "widths above 10,000"),
        ("{{ '%999999999d' % 1 }}", "format widths"),
        ("{{ '%999999999d'|format(1) }}", "format widths"),
    ],
)
def test_hostile_template_is_refused(source: str, message: str) -> None:
    with pytest.raises(TemplateError) as err:
        run(source)
    assert str(err.value).startswith("org/narrative.md:1: ")
    assert message in str(err.value)


def test_undefined_name_is_an_error_at_its_line() -> None:
    with pytest.raises(TemplateError) as err:
        run(
            "We ask for\n{{ totals.incremental.requestd.headcount }} heads.",
            totals={"incremental": {"requested": {"headcount": 3}}},
        )
    assert str(err.value) == (
        "org/narrative.md:2: totals.incremental has no key 'requestd' (keys: requested)"
    )


@pytest.mark.parametrize(
    "source, message",
    [
        ("{{ budget.costs }}", "budget has no key 'costs' (keys: headcount, cost)"),
        ("{{ budget['costs'] }}", "budget has no key 'costs' (keys: headcount, cost)"),
        ("{{ stack[0].costs }}", "stack[0] has no key 'costs' (keys: ask, cost)"),
        (
            "{{ budget.headcount | headcount }}",
            "the headcount filter got no value: budget.headcount is not set for this node "
            "(it has no budget; test has_budget first)",
        ),
        (
            "{{ budget.cost | money(full=True) }}",
            "the money filter got no value: budget.cost is not set for this node "
            "(it has no budget; test has_budget first)",
        ),
        (
            '{{ budget.headcount | plural("head") }}',
            "the plural filter got no value: budget.headcount is not set for this node",
        ),
        (
            "{{ budget.headcount + 1 }}",
            "a value that is not set (None) is used in a calculation; test it first",
        ),
        ('{{ ask("cart/x").cost }}', "this node has no ask 'cart/x'; it has: cart/eu-cart"),
        ('{{ child("cartt") }}', "this node has no child 'cartt' (did you mean 'cart'?)"),
    ],
)
def test_errors_speak_the_context_words(source: str, message: str) -> None:
    context = {
        "budget": {"headcount": None, "cost": None},
        "stack": [{"ask": "cart/eu-cart", "cost": Decimal("1.00")}],
        "children": [{"id": "cart", "name": "Cart"}],
        "above": [],
    }
    with pytest.raises(TemplateError) as err:
        run("Intro\n" + source, **context)
    text = str(err.value)
    assert text.startswith(f"org/narrative.md:2: {message}"), text
    assert "InvalidOperation" not in text and "dict object" not in text


def test_a_missing_key_stays_testable() -> None:
    budget = {"headcount": None}
    assert run(
        "{{ budget.cost is defined }} {{ budget.cost | default('none') }}", budget=budget
    ) == ("False none")


def test_lookups_of_one_ask_and_one_child() -> None:
    stack = [{"ask": "cart/eu-cart", "cost": Decimal("235000.00"), "child": "cart"}]
    # a child's row as the context gives it: its summary in this view (``here``)
    funded = {"headcount": Decimal(2), "cost": Decimal("235000.00"), "run_rate": Decimal(1)}
    children = [{"id": "cart", "name": "Cart", "here": {"funded": funded}}]
    out = run(
        '{{ ask("cart/eu-cart").cost | money }} {{ child("cart").funded_here.headcount }}',
        stack=stack,
        children=children,
        cycle={"currency": "USD"},
    )
    assert out == "$235K 2"


def test_syntax_error_names_file_and_line() -> None:
    with pytest.raises(TemplateError) as err:
        run("one\ntwo\n{% if %}")
    assert str(err.value).startswith("org/narrative.md:3: ")


@pytest.mark.parametrize(
    "source, expected",
    [
        ("{{ 3100000 | money }}", "$3.1M"),
        ("{{ 420000 | money }}", "$420K"),
        ("{{ 950 | money }}", "$950"),
        ("{{ -1250000 | money }}", "-$1.3M"),
        ("{{ 3000000 | money }}", "$3M"),
        ("{{ 3100000 | money(full=True) }}", "$3,100,000"),
        ("{{ 14.0 | headcount }}", "14"),
        ("{{ 2.5 | headcount }}", "2.5"),
        ("{{ 0.254 | percent }}", "25%"),
        ("{{ 1 | plural('head') }} {{ 3 | plural('head') }}", "1 head 3 heads"),
        ("{{ ['a', 'b', 'c'] | join_and }}", "a, b and c"),
        ("{{ 1234567 | number }}", "1,234,567"),
    ],
)
def test_filters(source: str, expected: str) -> None:
    assert run(source, cycle={"currency": "USD"}) == expected


def test_money_in_the_cycle_currency() -> None:
    assert run("{{ x | money }}", x=Decimal("2500000"), cycle={"currency": "EUR"}) == "€2.5M"
    assert run("{{ x | money }}", x=Decimal("2500000"), cycle={"currency": "CHF"}) == "CHF 2.5M"


def test_cycle_template_overrides_default(tmp_path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "default").mkdir()
    (tmp_path / "default" / "a.md.j2").write_text("default")
    (tmp_path / "default" / "b.md.j2").write_text("default b")
    (tmp_path / "mine" / "a.md.j2").write_text("mine")
    env = environment([tmp_path / "mine", tmp_path / "default"])
    assert env.get_template("a.md.j2").render() == "mine"
    assert env.get_template("b.md.j2").render() == "default b"


def test_possessive_takes_the_apostrophe_alone_after_an_s():
    from opplan.narrative.filters import possessive

    assert [possessive(n) for n in ("Retail", "Payments", "Know Your Customer", "Returns")] == [
        "Retail's",
        "Payments'",
        "Know Your Customer's",
        "Returns'",
    ]
