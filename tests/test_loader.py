"""The loader: files into the immutable model, every problem a diagnostic at its key."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
import yaml
from files import ROOT, SEARCH, cycle
from pydantic import ValidationError

from opplan import pipeline
from opplan.load import yamlsrc
from opplan.load.loader import load
from opplan.load.yamlsrc import parse


def test_valid_cycle_loads_without_diagnostics(tmp_path, check_lines):
    cycle(tmp_path)
    assert check_lines(tmp_path) == []


def test_model_values_and_sources(tmp_path, monkeypatch):
    cycle(tmp_path)
    monkeypatch.chdir(tmp_path)
    loaded, diags = load(".")
    assert diags == []
    assert list(loaded.nodes) == ["acme", "search", "shop", "cart"]  # depth-first, by id
    cart = loaded.nodes["cart"]
    assert (cart.parent, cart.depth, cart.rel) == ("shop", 2, "acme/shop/cart")
    plan = cart.plan
    line = plan.incremental[0].headcount[0]
    assert line.count == Decimal(1) and line.start == 4  # Q2 starts in April
    assert plan.spend == {"infrastructure": Decimal(120000)}
    assert plan.dependencies[0].on == "search"  # `on:` stays a key, not YAML 1.1 True
    assert plan.goals[0].due == "Q3"
    ask = plan.incremental[0]
    assert (ask.source.path, ask.source.line, ask.source.col) == ("acme/shop/cart/plan.yaml", 7, 5)
    assert loaded.settings.as_of == dt.date(2026, 9, 15)
    assert loaded.in_subtree("cart", "shop") and not loaded.in_subtree("search", "shop")
    assert loaded.lowest_common_manager("cart", "search") == "acme"


def test_model_is_immutable(tmp_path):
    cycle(tmp_path)
    loaded, _ = load(tmp_path)
    with pytest.raises(ValidationError):
        loaded.nodes["cart"].plan.name = "Other"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a: NO", "NO"),
        ("a: on", "on"),
        ("a: yes", "yes"),
        ("a: true", True),
        ("a: 0.1", Decimal("0.1")),
        ("a: 12", 12),
        ("a: '12'", "12"),
        ("a: 007", 7),
        ("a: 2027-03-31", dt.date(2027, 3, 31)),
        ("a: 2027-02-30", "2027-02-30"),
        ("a: ~", None),
        ("a: |\n  12\n", "12\n"),
    ],
)
def test_yaml_core_schema_scalars(text, expected):
    data, diags = parse(text, "f.yaml")
    assert diags == [] and data["a"] == expected


def test_malformed_yaml_points_at_problem(tmp_path, check_lines):
    cycle(tmp_path, **{"acme/search/plan.yaml": "name: Search\nowner: [unclosed\n"})
    assert check_lines(tmp_path) == [
        "acme/search/plan.yaml:2:8: error: this '[' is never closed: end it with ']' "
        "(or put the value in quotes if the '[' is text) [yaml]"
    ]


def test_shape_errors_all_reported_at_their_keys(tmp_path, check_lines):
    cycle(
        tmp_path,
        **{
            "acme/search/plan.yaml": """\
        name: Search
        ownr: Sue
        headcount:
          - {role: SDE, count: -2}
          - {role: SDE, count: 1, start: Q5}
          - {count: 1}
        state: done
        goals: {G1: x}
        """
        },
    )
    assert check_lines(tmp_path) == [
        "acme/search/plan.yaml:1:1: error: missing required key 'owner' [required]",
        "acme/search/plan.yaml:2:1: error: unknown key 'ownr' (did you mean 'owner'?) [unknown-key]",
        "acme/search/plan.yaml:4:17: error: headcount.count: must be 0 or more, got -2 [type]",
        "acme/search/plan.yaml:5:27: error: headcount.start: 'Q5' is not a quarter (Q1..Q4) "
        "or a month (1..12) [type]",
        "acme/search/plan.yaml:6:5: error: missing required key 'role' [required]",
        "acme/search/plan.yaml:7:1: error: state: expected 'draft' or 'submitted', "
        "got 'done' [type]",
        "acme/search/plan.yaml:8:1: error: goals: expected a list, got a mapping [type]",
    ]


def test_duplicate_keys(tmp_path, check_lines):
    cycle(tmp_path, **{"acme/plan.yaml": ROOT + "owner: Someone Else\n"})
    assert check_lines(tmp_path) == [
        "acme/plan.yaml:9:1: error: duplicate key 'owner' (first defined at line 2) [duplicate-key]"
    ]


def test_not_utf8(tmp_path, check_lines):
    cycle(tmp_path, **{"acme/search/narrative.md": b"## Intro\n\nCaf\xe9 numbers.\n"})
    assert check_lines(tmp_path) == [
        "acme/search/narrative.md:3:4: error: file is not UTF-8 (byte 0xe9) [encoding]"
    ]


def test_top_level_must_be_mapping(tmp_path, check_lines):
    cycle(tmp_path, **{"acme/search/plan.yaml": "- name: Search\n"})
    assert check_lines(tmp_path) == [
        "acme/search/plan.yaml:1:1: error: plan.yaml must be a mapping of keys "
        "(name: ..., owner: ...), not a list [type]"
    ]


def test_empty_plan_reports_required_keys(tmp_path, check_lines):
    cycle(tmp_path, **{"acme/search/plan.yaml": ""})
    assert check_lines(tmp_path) == [
        "acme/search/plan.yaml:1:1: error: missing required key 'name' [required]",
        "acme/search/plan.yaml:1:1: error: missing required key 'owner' [required]",
    ]


def test_alias_bomb_is_refused_quickly(tmp_path, check_lines):
    bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    cycle(tmp_path, **{"acme/search/plan.yaml": "\n".join(bomb) + "\n"})
    assert check_lines(tmp_path) == [
        "acme/search/plan.yaml:1:1: error: document expands to more than 500000 values "
        "(an alias bomb?) [yaml]"
    ]


def test_missing_cycle_yaml(tmp_path, check_lines):
    cycle(tmp_path, **{"cycle.yaml": None})
    assert check_lines(tmp_path) == [
        "cycle.yaml:1:1: error: no cycle.yaml in '.': this is not a cycle directory, so nothing "
        "was checked; give the directory that holds cycle.yaml (opplan check DIR), or create a "
        "cycle with opplan init DIR [io]"
    ]


def test_bad_node_does_not_cascade(tmp_path, check_lines):
    """A plan with shape errors is skipped; references into it are not reported again."""
    cycle(tmp_path, **{"acme/search/plan.yaml": "name: Search\nowner: Sue\nbogus: 1\n"})
    assert check_lines(tmp_path) == [
        "acme/search/plan.yaml:3:1: error: unknown key 'bogus' [unknown-key]"
    ]


def test_check_result_is_sorted(tmp_path):
    cycle(tmp_path, **{"acme/search/plan.yaml": "ownr: x\nname: y\n"})
    diags = pipeline.check(tmp_path).diagnostics
    keys = [(d.source.path, d.source.line, d.source.col) for d in diags]
    assert keys == sorted(keys)


def test_comma_in_unquoted_flow_value_gets_a_hint(tmp_path, check_lines):
    cycle(
        tmp_path,
        **{
            "acme/search/plan.yaml": SEARCH.replace(
                "title: Ship typo tolerance,", "title: Ship typo tolerance, for 1,200 queries,"
            )
        },
    )
    assert check_lines(tmp_path) == [
        "acme/search/plan.yaml:7:42: error: unknown key 'for 1': the ',' before it ended the "
        "value of 'title'; put the value in quotes: "
        'title: "Ship typo tolerance, for 1,200 queries" [unknown-key]',
    ]


def _nested(style: str, depth: int) -> str:
    """A plan whose ``flat`` value nests ``depth`` collections deep."""
    if style == "flow":
        return "flat: " + "[" * depth + "]" * depth + "\n"
    if style == "block-map":
        return "flat:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(depth))
    return "flat:\n" + "".join(" " * (2 * i + 1) + "-\n" for i in range(depth))


_TOO_DEEP = "acme/search/plan.yaml:1:1: error: values nest more than 64 levels deep [yaml]"


@pytest.mark.parametrize("style", ["flow", "block-map", "block-seq"])
@pytest.mark.parametrize("depth", [65, 999, 1001, 1500])
def test_deep_nesting_is_one_opplan_error_whatever_the_depth(tmp_path, check_lines, style, depth):
    """Our limit (64) applies to flow and block nesting alike, and the message is ours even
    where libyaml's own guard (1,000 levels since libyaml 0.2.5) stops the parse first."""
    cycle(tmp_path, **{"acme/search/plan.yaml": "name: S\nowner: O\n" + _nested(style, depth)})
    started = time.perf_counter()
    assert check_lines(tmp_path) == [_TOO_DEEP]
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("depth", [5000, 1_000_000])
def test_very_deep_flow_nesting_is_the_same_error(tmp_path, check_lines, depth):
    cycle(tmp_path, **{"acme/search/plan.yaml": "name: S\nowner: O\n" + _nested("flow", depth)})
    assert check_lines(tmp_path) == [_TOO_DEEP]


@pytest.mark.parametrize("style", ["flow", "block-map"])
def test_deep_nesting_with_the_pure_python_parser(monkeypatch, style):
    """Without libyaml, PyYAML's own parser recurses: the limit still gives our message."""

    class PurePython(yaml.SafeLoader):
        def resolve(self, kind, value, implicit):
            return ""

    monkeypatch.setattr(yamlsrc, "_Loader", PurePython)
    for depth in (70, 5000):
        data, diags = yamlsrc.parse("name: S\n" + _nested(style, depth), "p.yaml")
        assert data is None
        assert [d.message for d in diags] == ["values nest more than 64 levels deep"]


def test_nesting_up_to_the_limit_loads(tmp_path):
    data, diags = yamlsrc.parse("flat: " + "[" * 63 + "]" * 63 + "\n", "p.yaml")
    assert diags == []
    inner = data["flat"]
    for _ in range(62):
        inner = inner[0]
    assert inner == []


@pytest.mark.parametrize(
    "change, message",
    [
        (
            ("default: 200000", "default: 1e30"),
            "cycle.yaml:7:3: error: rates.default: must be at most 1000000000000000, "
            "got 1E+30 [type]",
        ),
        (
            (
                "- {role: SDE, level: L6, location: SEA, count: 5}",
                "- {role: SDE, level: L6, location: SEA, count: 1e400}",
            ),
            "acme/search/plan.yaml:4:43: error: headcount.count: must be at most 10000000, "
            "got 1E+400 [type]",
        ),
        (
            (
                "- {role: SDE, level: L6, location: SEA, count: 5}",
                "- {role: SDE, level: L6, location: SEA, count: 5, start: true}",
            ),
            "acme/search/plan.yaml:4:53: error: headcount.start: 'True' is not a quarter (Q1..Q4) "
            "or a month (1..12) [type]",
        ),
    ],
)
def test_numbers_that_would_break_exact_money_are_errors(tmp_path, check_lines, change, message):
    """Amounts stay within 10^15 and heads within 10^7, so every roll-up sum is exact."""
    from files import CYCLE

    old, new = change
    if "default" in old:
        cycle(tmp_path, **{"cycle.yaml": CYCLE.replace(old, new)})
    else:
        cycle(tmp_path, **{"acme/search/plan.yaml": SEARCH.replace(old, new)})
    assert check_lines(tmp_path) == [message]


def test_library_calls_leave_the_collector_as_they_found_it(tmp_path):
    """load/check/rollup pause the cyclic collector and restore it; they never freeze objects
    for good, so a caller's cyclic garbage is still collected after three roll-ups."""
    import gc

    cycle(tmp_path)
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    for _ in range(3):
        assert pipeline.rollup(tmp_path).report is not None
        assert gc.isenabled()
        assert gc.get_freeze_count() == frozen

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle only the collector can free
    del a, b
    assert gc.collect() >= 2

    gc.disable()
    try:
        load(tmp_path)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_forking_build_leaves_the_callers_frozen_objects_frozen():
    """frozen_for_fork freezes for the pool and unfreezes after, but never releases what the
    caller froze itself (the command-line process settles its heap before building)."""
    import gc

    from opplan.util.gcpause import frozen_for_fork

    gc.unfreeze()  # in-process CLI tests may have settled this process's heap
    assert gc.get_freeze_count() == 0
    with frozen_for_fork():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        mine = gc.get_freeze_count()
        with frozen_for_fork():
            pass
        assert gc.get_freeze_count() == mine
    finally:
        gc.unfreeze()


def test_settle_keeps_the_commands_result_alive_to_the_end():
    """The command-line process ends with os._exit: what settle() keeps (a build's result and
    its roll-up) is never freed object by object; a later command's result replaces it."""
    import gc
    import weakref

    from opplan.util.gcpause import settle

    class Result:
        pass

    first, second = Result(), Result()
    alive = weakref.ref(first)
    try:
        settle(first)
        del first
        assert alive() is not None
        settle()  # a plain settle keeps it
        assert alive() is not None
        settle(second)
        assert alive() is None
    finally:
        gc.unfreeze()
