"""Every message of the first hour, exactly as ``opplan check`` prints it (acceptance 1).

Each case is one mistake a new user makes in a plan, written as they would write it; the
message says what is wrong in their words, on the line of the mistake, and how to fix it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from files import ROOT, SEARCH, cycle

from opplan.cli import cli

SEARCH_PLAN = "acme/search/plan.yaml"
ROOT_PLAN = "acme/plan.yaml"
BLOCK_HEADCOUNT = "headcount:\n  - role: SDE\n    level: L6\n    count: 5"
FLOW_HEADCOUNT = "headcount:\n  - {role: SDE, level: L6, location: SEA, count: 5}"

CASES = {
    "a tab": (
        SEARCH_PLAN,
        SEARCH.replace("  - {role: SDE, level: L6", "\t- {role: SDE, level: L6"),
        "acme/search/plan.yaml:4:1: error: a tab character: YAML indents with spaces only; "
        "replace the tab with spaces (set your editor to insert spaces for the Tab key) [yaml]",
    ),
    "a missing ':' (noticed a line late)": (
        SEARCH_PLAN,
        SEARCH.replace("owner: Sue Search", "owner Sue Search"),
        "acme/search/plan.yaml:2:1: error: no ':' after the key on this line ('owner Sue "
        "Search'); write key: value, with a space after the ':' [yaml]",
    ),
    "one space too many": (
        SEARCH_PLAN,
        SEARCH.replace("owner: Sue Search", " owner: Sue Search"),
        "acme/search/plan.yaml:2:2: error: 'owner' is indented 1 space more than 'name' on "
        "line 1, so YAML reads it as part of that line's value; indent keys of one mapping by "
        "the same number of spaces [yaml]",
    ),
    "one space too few": (
        SEARCH_PLAN,
        SEARCH.replace(FLOW_HEADCOUNT, BLOCK_HEADCOUNT.replace("    count", "   count")),
        "acme/search/plan.yaml:6:4: error: 'count' is indented 3 spaces, but 'level' on line 5 "
        "is at 4: keys of one mapping, and the '-' of one list, line up exactly (spaces only) "
        "[yaml]",
    ),
    "an unclosed quote (noticed at the end of the file)": (
        SEARCH_PLAN,
        SEARCH.replace("name: Search", 'name: "Search'),
        "acme/search/plan.yaml:1:7: error: this quote is never closed; end the value with the "
        'same quote mark (a quote inside a value is written \\" between double quotes) [yaml]',
    ),
    "a ': ' inside a value": (
        SEARCH_PLAN,
        SEARCH.replace("name: Search", "name: Search: ranking"),
        "acme/search/plan.yaml:1:13: error: a ': ' inside the value of 'name'; put the value in "
        'quotes: name: "Search: ranking" [yaml]',
    ),
    "an id with a space": (
        SEARCH_PLAN,
        SEARCH.replace("id: G2", "id: G 2"),
        "acme/search/plan.yaml:7:6: error: goals.id: 'G 2' is not a valid id: an id is 1 to 64 "
        "letters, digits, '.', '_' or '-', starting with a letter or a digit, with no spaces "
        "(e.g. G1 or fraud-model) [type]",
    ),
    "money as people write it, split by its ','": (
        SEARCH_PLAN,
        SEARCH.replace("owner: Sue Search", "owner: Sue Search\nspend: {cloud: $640,000}"),
        "acme/search/plan.yaml:3:9: error: spend.cloud: '$640,000' is not a number: write "
        "640000 (inside { } a ',' also ends a value) [type]",
    ),
    "money with a suffix": (
        SEARCH_PLAN,
        SEARCH.replace("owner: Sue Search", "owner: Sue Search\nspend:\n  cloud: 1.2m"),
        "acme/search/plan.yaml:4:3: error: spend.cloud: '1.2m' is not a number: write 1200000 "
        "[type]",
    ),
    "a word for a number": (
        SEARCH_PLAN,
        SEARCH.replace("count: 5}", "count: five}"),
        "acme/search/plan.yaml:4:43: error: headcount.count: 'five' is not a number: write "
        "digits, such as 640000 or 1.5, with no currency sign, ',' or 'k' [type]",
    ),
    "budget: 6": (
        ROOT_PLAN,
        ROOT.replace("budget: {headcount: 3}", "budget: 6"),
        "acme/plan.yaml:6:3: error: review.budget: expected keys under it (headcount, cost), "
        "got 6, e.g. budget: {headcount: 6} [type]",
    ),
    "a comma in an unquoted title": (
        SEARCH_PLAN,
        SEARCH.replace("title: Ship typo tolerance,", "title: Ship typo tolerance, for real,"),
        "acme/search/plan.yaml:7:42: error: unknown key 'for real': the ',' before it ended the "
        "value of 'title'; put the value in quotes: title: \"Ship typo tolerance, for real\" "
        "[unknown-key]",
    ),
    "a template key that does not exist": (
        "acme/search/narrative.md",
        "## Introduction\n\nWe hold {{ totals.flat.costs | money }} today.\n",
        "acme/search/narrative.md:3:1: error: totals.flat has no key 'costs' (keys: headcount, "
        "cost, run_rate, capex) [template]",
    ),
    "a filter on a value the node does not have": (
        "acme/search/narrative.md",
        "## Introduction\n\nWe have {{ budget.headcount | headcount }} heads.\n",
        "acme/search/narrative.md:3:1: error: the headcount filter got no value: "
        "budget.headcount is not set for this node (it has no budget; test has_budget first) "
        "[template]",
    ),
    "a list item without a space after '-'": (
        SEARCH_PLAN,
        SEARCH + "contributors:\n  -Ann\n",
        "acme/search/plan.yaml:11:1: error: contributors: expected a list, got '-Ann' (put a "
        "space after '-' to start a list item) [type]",
    ),
}


@pytest.mark.parametrize("path, text, message", CASES.values(), ids=list(CASES))
def test_each_mistake_is_one_message_in_the_users_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str, text: str, message: str
) -> None:
    cycle(tmp_path, **{path: text})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--pages", "off"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"{message}\n1 error, 0 warnings\n"


def test_start_on_a_flat_headcount_line_is_a_warning(tmp_path, monkeypatch) -> None:
    cycle(tmp_path, **{SEARCH_PLAN: SEARCH.replace("count: 5}", "count: 5, start: Q2}")})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--pages", "off"])
    assert (result.exit_code, result.stderr) == (
        0,
        "acme/search/plan.yaml:4:53: warning: start is ignored on a flat headcount line: flat "
        "heads cost a full year; remove it, or move heads that start later to an ask "
        "(incremental) [ignored-key]\n0 errors, 1 warning\n",
    )


def test_metric_keys_on_an_initiative_are_a_warning(tmp_path, monkeypatch) -> None:
    plan = SEARCH.replace("kind: initiative, due: Q3", "kind: initiative, unit: ms, due: Q3")
    cycle(tmp_path, **{SEARCH_PLAN: plan})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--pages", "off"])
    assert result.stderr == (
        "acme/search/plan.yaml:7:60: warning: unit is ignored on an initiative goal: it is for "
        "metric goals; remove it, or make the goal kind: metric [ignored-key]\n"
        "0 errors, 1 warning\n"
    )


def test_check_outside_a_cycle_says_so_and_reads_nothing(tmp_path, monkeypatch) -> None:
    """A directory full of plans that is not a cycle (a home directory, /tmp) is not walked."""
    for name in ("a", "b"):
        cycle(tmp_path / name)
    (tmp_path / "loose" / "x").mkdir(parents=True)
    (tmp_path / "loose" / "x" / "plan.yaml").write_text("name: X\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check"])
    assert (result.exit_code, result.stderr) == (
        1,
        "cycle.yaml:1:1: error: no cycle.yaml in '.': this is not a cycle directory, so nothing "
        "was checked; cycles in it: a, b (run opplan check with one of them) [io]\n"
        "1 error, 0 warnings\n",
    )
    monkeypatch.chdir(tmp_path / "a" / "acme")
    inside = CliRunner().invoke(cli, ["check"])
    assert inside.stderr == (
        "cycle.yaml:1:1: error: no cycle.yaml in '.': this is not a cycle directory, so nothing "
        "was checked; it is inside the cycle ..: run opplan check .. [io]\n1 error, 0 warnings\n"
    )
