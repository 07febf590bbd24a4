"""Golden roll-ups, one per roll-up rule: a small cycle and its expected JSON, side by side.

Every directory ``tests/golden/rollup/rule-NN-<slug>/`` holds a README.md that
states the rule and works the key figures out by hand, a cycle (``cycle/``) and
``expected.json``: the output of ``opplan rollup cycle --format json``,
pretty-printed in the order the command gives. The test runs the real command
through click's CliRunner and compares the parsed JSON.

To regenerate after an intended change of the output (never automatic)::

    OPPLAN_REGOLD=1 .venv/bin/python -m pytest tests/test_golden_rollup.py

then review ``git diff tests/golden/rollup`` against the figures in each README.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from opplan.cli import cli

GOLDEN = Path(__file__).resolve().parent / "golden" / "rollup"
RULE_DIR = re.compile(r"^rule-(\d\d)([a-z]?)-[a-z0-9-]+$")
REGOLD = os.environ.get("OPPLAN_REGOLD") == "1"
RULES = range(1, 11)

#: The warnings ``opplan check cycle`` gives, run from inside a golden directory (errors
#: are never expected). Each is deliberate: the cycle shows the case the warning is about.
EXPECTED_WARNINGS: dict[str, list[str]] = {
    # the over-budget policy: the cycles that pin decisions and the line are over budget on
    # purpose, and the worked example's envelopes (D 3 and E 2 heads) exceed V's 4
    "rule-03": [
        "cycle/org/plan.yaml:4:12: warning: the asks funded by decision in org's view need "
        "3 heads, over its budget of 2 heads by 1 head; every other ask is below its line "
        "[over-budget]",
    ],
    "rule-04": [
        "cycle/v/plan.yaml:4:12: warning: the budgets of v's children add up to 5 heads "
        "(d 3, e 2), more than its own 4 heads [over-budget]",
    ],
    "rule-05": [
        "cycle/org/plan.yaml:4:12: warning: the asks funded by decision in org's view need "
        "5 heads and cost 500,000.00, over its budget of 4 heads and cost 450,000.00 by "
        "1 head and cost 50,000.00; every other ask is below its line [over-budget]",
    ],
    "rule-07": [
        "cycle/co/plan.yaml:4:12: warning: the budgets of co's children add up to 3 heads "
        "(org 3), more than its own 1 head [over-budget]",
    ],
    "rule-10": [
        "cycle/org/plan.yaml:4:12: warning: the budgets of org's children add up to 2 heads "
        "(team 2), more than its own 1 head [over-budget]",
    ],
    "rule-08": [
        "cycle/co/shop/cart/plan.yaml:11:6: warning: dependency 'cart/D2' on search has no "
        "commitment from search [dependency-ack]",
    ],
    "rule-09": [
        "cycle/co/shop/d/plan.yaml:1:1: warning: d does not answer mandate 'eu-region' "
        "(Launch in the Frankfurt region) [mandate-answer]",
    ],
}


def golden_dirs() -> list[Path]:
    """The golden directories, by name."""
    return sorted(p for p in GOLDEN.iterdir() if p.is_dir() and RULE_DIR.match(p.name))


def golden_id(path: Path) -> str:
    """``rule-04`` for ``rule-04-order``, ``rule-04b`` for ``rule-04b-order-...``."""
    m = RULE_DIR.match(path.name)
    assert m is not None
    return f"rule-{m[1]}{m[2]}"


def rule_number(path: Path) -> int:
    """The number of the rule a golden directory pins: 4 for ``rule-04b-...``."""
    return int(golden_id(path)[5:7])


def pretty(doc: Any) -> str:
    """The JSON as it is stored: indented, keys in the command's order, a final newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def rollup_json(cycle_dir: Path) -> Any:
    """Run ``opplan rollup CYCLE --format json`` and parse its output."""
    result = CliRunner().invoke(cli, ["rollup", str(cycle_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


DIRS = golden_dirs()


def test_every_rule_has_a_golden():
    """Each of the ten roll-up rules has at least one golden directory with all its parts."""
    assert {rule_number(p) for p in DIRS} == set(RULES)
    for path in DIRS:
        assert (path / "README.md").is_file(), path
        assert (path / "cycle" / "cycle.yaml").is_file(), path
        assert (path / "expected.json").is_file() or REGOLD, path
    index = (GOLDEN / "README.md").read_text(encoding="utf-8")
    for path in DIRS:
        assert f"({path.name}/)" in index, f"{path.name} is not linked from the index"


@pytest.mark.parametrize("golden", DIRS, ids=golden_id)
def test_golden_cycle_checks_clean(golden, monkeypatch):
    """Each golden cycle has no errors, and only the warnings it is meant to show."""
    monkeypatch.chdir(golden)
    result = CliRunner().invoke(cli, ["check", "cycle"])
    diagnostics = [ln for ln in result.stderr.splitlines() if re.match(r"^\S+:\d+:\d+: ", ln)]
    assert " error: " not in result.stderr, result.stderr
    assert result.exit_code == 0, result.stderr
    assert diagnostics == EXPECTED_WARNINGS.get(golden_id(golden), [])


@pytest.mark.parametrize("golden", DIRS, ids=golden_id)
def test_golden_rollup(golden):
    """``opplan rollup cycle --format json`` gives exactly expected.json."""
    actual = rollup_json(golden / "cycle")
    expected_path = golden / "expected.json"
    if REGOLD:
        expected_path.write_text(pretty(actual), encoding="utf-8")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    if actual != expected:
        diff = difflib.unified_diff(
            pretty(expected).splitlines(),
            pretty(actual).splitlines(),
            f"{golden.name}/expected.json",
            "opplan rollup cycle --format json",
            lineterm="",
        )
        pytest.fail(
            "the roll-up differs from the golden file (OPPLAN_REGOLD=1 rewrites it; check "
            "the README's figures first):\n" + "\n".join(diff),
            pytrace=False,
        )
