"""``opplan rollup`` through click's CliRunner: table, JSON (the SPEC 9 contract) and CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cyclefactory import ask, plan, write_cycle

from opplan.cli import cli

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "northwind-op1-2027"

SMALL = {
    "acme": plan(
        "Acme",
        hc=1,
        budget={"headcount": 2, "cost": 300000},
        decisions={"shop/ads": {"decision": "cut", "note": "Not this year."}},
    ),
    "acme/shop": plan(
        "Shop",
        ask("cart", 2),
        ask("ads"),
        hc=3,
        budget={"headcount": 1},
        decisions={"shop/cart": {"decision": "fund"}},
    ),
    "acme/ops": plan("Ops", ask("pager", "0.5"), hc="2.5"),
}


def run(*args: str) -> Any:
    """Invoke the CLI; stdout and stderr apart."""
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write_cycle(tmp_path / "cycle", SMALL)


def test_table(small):
    result = run("rollup", str(small))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Rollup Test OP1 2027 (OP1 2027, amounts in USD)\n"
        "Node    Flat HC   Flat cost  Requested HC  Requested cost  Funded HC  Funded cost"
        "  Unfunded HC  Unfunded cost  Over budget\n"
        "------  -------  ----------  ------------  --------------  ---------  -----------"
        "  -----------  -------------  -----------\n"
        "Acme        6.5  780,000.00           3.5      420,000.00          2   240,000.00"
        "          0.5      60,000.00\n"
        "  Ops       2.5  300,000.00           0.5       60,000.00          0         0.00"
        "          0.5      60,000.00\n"
        "  Shop        3  360,000.00             3      360,000.00          2   240,000.00"
        "            1     120,000.00  OVER +1 HC\n"
    )


def test_table_of_a_subtree_to_a_depth(small):
    result = run("rollup", str(small), "--node", "acme", "--depth", "0")
    assert result.exit_code == 0
    assert [ln.split()[0] for ln in result.stdout.splitlines()[3:]] == ["Acme"]
    result = run("rollup", str(small), "--node", "shop")
    assert result.stdout.splitlines()[3].startswith("Shop ")


def test_unknown_node_is_a_usage_error(small):
    result = run("rollup", str(small), "--node", "nope")
    assert result.exit_code == 2
    assert "no node 'nope' in this cycle" in result.stderr


def test_csv(small):
    result = run("rollup", str(small), "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == ["acme", "ops", "shop"]
    acme = rows[0]
    assert (acme["flat_headcount"], acme["flat_cost"], acme["budget_cost"]) == (
        "6.5",
        "780000.00",
        "300000.00",
    )
    assert (acme["funded_headcount"], acme["cut_headcount"], acme["cut_cost"]) == (
        "2",
        "1",
        "120000.00",
    )
    assert (rows[2]["over_budget"], rows[2]["over_budget_headcount"]) == ("yes", "1")
    assert (acme["over_budget"], acme["over_budget_headcount"]) == ("no", "")


# --- the JSON contract (SPEC 9) ----------------------------------------------

MONEY = re.compile(r"^-?\d+\.\d\d$")


def is_money(value: Any) -> bool:
    return isinstance(value, str) and bool(MONEY.match(value))


def is_heads(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and (isinstance(value, int) or not value.is_integer())
    )


def check_amount(value: Any, where: str, run_rate: bool = True) -> None:
    assert is_heads(value["headcount"]), where
    assert is_money(value["cost"]), where
    if run_rate:
        assert is_money(value["run_rate"]), where


def check_contract(doc: dict) -> None:
    """A structural check of ``opplan rollup --format json`` against SPEC 9."""
    assert set(doc) >= {"cycle", "nodes"}
    cyc = doc["cycle"]
    assert isinstance(cyc["name"], str) and cyc["kind"] in ("OP1", "OP2")
    assert isinstance(cyc["year"], int) and re.match(r"^[A-Z]{3}$", cyc["currency"])
    ids = [n["id"] for n in doc["nodes"]]
    assert len(ids) == len(set(ids))
    for node in doc["nodes"]:
        where = node["id"]
        for key in ("id", "name", "owner", "path"):
            assert isinstance(node[key], str), (where, key)
        if node is not doc["nodes"][0]:  # the first may be a subtree's top
            assert node["parent"] in ids, where
        assert node["parent"] is None or isinstance(node["parent"], str)
        assert isinstance(node["depth"], int) and not isinstance(node["depth"], bool)
        assert set(node["budget"]) == {"headcount", "cost"}
        assert node["budget"]["headcount"] is None or is_heads(node["budget"]["headcount"])
        assert node["budget"]["cost"] is None or is_money(node["budget"]["cost"])
        check_amount(node["flat"], where)
        assert is_money(node["flat"]["capex"]), where
        for key in ("requested", "funded", "unfunded", "cut", "deferred"):
            check_amount(node["incremental"][key], (where, key))
        over = node["over_budget"]
        assert over is None or (
            set(over) >= {"headcount", "cost"}
            and (over["headcount"] is None or is_heads(over["headcount"]))
            and (over["cost"] is None or is_money(over["cost"]))
        )
        for pos, entry in enumerate(node["stack"], 1):
            assert entry["position"] == pos
            assert re.match(r"^[a-z0-9][a-z0-9-]*/[A-Za-z0-9._-]+$", entry["ask"])
            check_amount(entry, (where, entry["ask"]))
            assert entry["status"] in ("above", "below", "unlined")
            assert isinstance(entry["forced"], bool)
            check_amount(entry["cumulative"], (where, "cumulative"), run_rate=False)
            check_amount(entry["used"], (where, "used"), run_rate=False)
        line = node["line"]
        assert line["budget"] == node["budget"], where
        for key in ("forced", "used"):
            check_amount(line[key], (where, "line", key), run_rate=False)
        for dims in (line["headroom"], line["misses_by"]):
            assert set(dims) == {"headcount", "cost"}, where
        assert set(line["binds"]) <= {"headcount", "cost"}, where
        assert line["first_below"] in [e["ask"] for e in node["stack"]] + [None], where
        for entry in node["removed"]:
            assert entry["status"] in ("cut", "deferred")
            assert isinstance(entry["ask"], str) and isinstance(entry["by"], str)
        for key in ("dependencies", "mandates", "goals_at_risk"):
            assert isinstance(node[key], list), (where, key)
    # depth-first, children by id
    by_id = {n["id"]: n for n in doc["nodes"]}
    expected: list[str] = []

    def walk(nid: str) -> None:
        expected.append(nid)
        for child in sorted(c for c in by_id if by_id[c]["parent"] == nid):
            walk(child)

    walk(doc["nodes"][0]["id"])
    assert ids == expected


def test_json_contract(small):
    result = run("rollup", str(small), "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    check_contract(doc)
    assert doc["cycle"] == {
        "name": "Rollup Test OP1 2027",
        "kind": "OP1",
        "year": 2027,
        "currency": "USD",
        "as_of": "2026-09-15",
        "root": "acme",
    }
    acme, ops, shop = doc["nodes"]
    assert (acme["parent"], acme["depth"], ops["parent"], ops["depth"]) == (None, 0, "acme", 1)
    assert acme["budget"] == {"headcount": 2, "cost": "300000.00"}
    assert acme["flat"] == {
        "headcount": 6.5,
        "cost": "780000.00",
        "run_rate": "780000.00",
        "capex": "0.00",
    }
    assert ops["flat"]["headcount"] == 2.5
    assert acme["stack"][0] == {
        "ask": "shop/cart",
        "position": 1,
        "headcount": 2,
        "cost": "240000.00",
        "run_rate": "240000.00",
        "status": "above",
        "forced": True,
        "cumulative": {"headcount": 2, "cost": "240000.00"},
        "used": {"headcount": 2, "cost": "240000.00"},
        "decision": "fund",
        "decided_by": "shop",
        "rank": None,
        "at_risk": False,
        "approved": "above",
        "approved_by": "shop",
    }
    # each team's own view against the approved plan (acme's view): shop's ads ask, below
    # shop's line, is cut there; ops has no budget, and its pager is below acme's line
    assert [(e["ask"], e["status"], e["approved"]) for e in shop["stack"]] + [
        (e["ask"], e["status"], e["approved"]) for e in ops["stack"]
    ] == [
        ("shop/cart", "above", "above"),
        ("shop/ads", "below", "cut"),
        ("ops/pager", "unlined", "below"),
    ]
    assert ops["approved"]["incremental"]["unfunded"]["headcount"] == 0.5
    # the line in figures: the forced cart comes off first, the pager misses by half a head
    assert acme["line"] == {
        "budget": {"headcount": 2, "cost": "300000.00"},
        "forced": {"headcount": 2, "cost": "240000.00"},
        "used": {"headcount": 2, "cost": "240000.00"},
        "headroom": {"headcount": 0, "cost": "60000.00"},
        "binds": ["headcount"],
        "first_below": "ops/pager",
        "misses_by": {"headcount": 0.5, "cost": "0.00"},
    }
    assert [(e["ask"], e["status"], e["cumulative"]["headcount"]) for e in acme["stack"]] == [
        ("shop/cart", "above", 2),
        ("ops/pager", "below", 2.5),
    ]
    assert acme["removed"] == [
        {
            "ask": "shop/ads",
            "status": "cut",
            "by": "acme",
            "node": "shop",
            "title": "Ads",
            "note": "Not this year.",
            "requested": {"headcount": 1, "cost": "120000.00", "run_rate": "120000.00"},
            "approved": "cut",
            "approved_by": "acme",
        }
    ]
    assert shop["over_budget"] == {"headcount": 1, "cost": None}
    assert acme["over_budget"] is None


def test_json_is_one_compact_document_equal_to_the_node_dicts(small):
    from opplan import pipeline
    from opplan.render.contract import report_document

    result = run("rollup", str(small), "--format", "json")
    assert result.stdout.count("\n") == 1 and result.stdout.endswith("}\n")
    report = pipeline.rollup(small).report
    assert json.loads(result.stdout) == json.loads(
        json.dumps(report_document(report, list(report.nodes.values())))
    )


def test_stack_entries_formatted_directly_parse_to_the_dicts():
    """The fast JSON text of a stack entry is exactly stack_entry's dict, on the sample."""
    from opplan import pipeline
    from opplan.render.contract import stack_entry, stack_entry_json

    report = pipeline.rollup(_sample()).report
    rows = [row for node in report.nodes.values() for row in node.stack]
    assert rows
    for row in rows:
        assert json.loads(stack_entry_json(row)) == json.loads(json.dumps(stack_entry(row)))


def test_errors_go_to_stderr_and_exit_1(tmp_path):
    bad = dict(SMALL)
    bad["acme/ops"] = plan("Ops", ask("pager"), goals=[{"id": "G1"}])
    cycle_dir = write_cycle(tmp_path / "bad", bad)
    result = run("rollup", str(cycle_dir), "--format", "json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "error: goals.title: " not in result.stdout
    assert re.search(r"ops/plan\.yaml:\d+:\d+: error: missing required key 'title'", result.stderr)


def test_warnings_go_to_stderr_and_the_rollup_still_prints(tmp_path):
    warned = dict(SMALL)
    warned["acme/ops"] = plan("Ops", ask("pager"), policies={"ask-needs-goal": "warning"})
    result = run("rollup", str(write_cycle(tmp_path / "w", warned)), "--format", "csv")
    assert result.exit_code == 0
    assert "warning: ask 'ops/pager' names no goal [ask-needs-goal]" in result.stderr
    assert result.stdout.startswith("id,name,")


def test_help_has_an_example():
    result = run("rollup", "--help")
    assert result.exit_code == 0 and "Example:" in result.stdout


# --- the sample cycle ----------------------------------------------------------


def _sample() -> Path:
    assert (SAMPLE / "cycle.yaml").is_file(), "the sample cycle ships with opplan"
    return SAMPLE


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_sample(fmt):
    sample = _sample()
    result = run("rollup", str(sample), "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert " error: " not in result.stderr
    if fmt == "json":
        doc = json.loads(result.stdout)
        check_contract(doc)
        root = doc["nodes"][0]
        assert root["id"] == "northwind" and root["parent"] is None
        assert len(doc["nodes"]) == sum(1 for _ in sample.rglob("plan.yaml"))
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert rows[0]["id"] == "northwind"
        assert len(rows) == sum(1 for _ in sample.rglob("plan.yaml"))
    else:
        assert result.stdout.splitlines()[3].startswith("Northwind ")
