"""``opplan diff``: two versions of a cycle compared (docs/revisions.md).

The hand-built pair (tests/diffpair.py) has every kind of change; its whole table
and JSON are golden files (tests/golden/diff/), reviewed against the pair's
docstring. To regenerate after an intended change of the output (never automatic)::

    OPPLAN_REGOLD=1 .venv/bin/python -m pytest tests/test_diff.py

then review ``git diff tests/golden/diff``. The tests below the goldens pin the
figures and the causes one by one.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE
from cyclefactory import ask, plan, write_cycle
from diffpair import old_plans, write_pair

from opplan import pipeline
from opplan.cli import cli
from opplan.model.costing import Amount
from opplan.report.changes import CycleDiff

CSV_HEADER = [
    "node",
    "change",
    "item",
    "title",
    "field",
    "old",
    "new",
    "by",
    "detail",
    "headcount",
    "cost",
    "run_rate",
]
GOLDEN = Path(__file__).resolve().parent / "golden" / "diff"
REGOLD = os.environ.get("OPPLAN_REGOLD") == "1"


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["diff", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CycleDiff:
    """The pair written in ``tmp_path`` (the current directory), and its diff."""
    write_pair(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = pipeline.diff("old", "new")
    assert result.failed_side is None and result.diff is not None
    return result.diff


def key_line(node_dir: Path) -> int:
    """The line of the ``renamed_from:`` key in a node's plan.yaml."""
    lines = (node_dir / "plan.yaml").read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith("renamed_from:"))


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGOLD:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_the_pair_as_a_table(pair: CycleDiff) -> None:
    code, out, _ = run(["old", "new"])
    assert code == 0
    golden("pair-table.txt", out)


def test_the_pair_as_json(pair: CycleDiff) -> None:
    code, out, _ = run(["old", "new", "--format", "json"])
    assert code == 0
    golden("pair.json", json.dumps(json.loads(out), indent=2, ensure_ascii=False) + "\n")


def test_the_same_inputs_give_byte_identical_output(pair: CycleDiff) -> None:
    for fmt in ("table", "json", "csv"):
        first, second = run(["old", "new", "--format", fmt]), run(["old", "new", "--format", fmt])
        assert first == second


def test_every_kind_of_node_change(pair: CycleDiff) -> None:
    changes = [
        (c.node, c.change, c.old_parent, c.new_parent, c.old_id)
        for n in pair.nodes
        for c in n.nodes
    ]
    assert changes == [
        ("delta", "moved", "beta", "org", None),
        ("new-team", "added", None, "org", None),
        ("old-team", "removed", "org", None, None),
        ("zeta", "renamed", None, None, "epsilon"),
    ]
    assert [(n.id, n.status) for n in pair.nodes if n.status != "same"] == [
        ("new-team", "added"),
        ("old-team", "removed"),
    ]


def test_every_kind_of_ask_change(pair: CycleDiff) -> None:
    alpha = pair.node("alpha")
    assert alpha is not None
    assert [(a.ask, a.change) for a in alpha.asks] == [
        ("alpha/a1", "changed"),
        ("alpha/a2", "changed"),
        ("alpha/a4", "added"),
        ("alpha/a3", "removed"),
    ]
    assert [(f.field, f.old, f.new) for f in alpha.asks[0].fields] == [
        ("title", "A1", "A1 renamed"),
        ("cost", "120,000.00", "60,000.00"),
        ("start", "Jan", "Jul"),
    ]
    zeta = pair.node("zeta")
    assert zeta is not None
    assert [(f.field, f.old, f.new) for a in zeta.asks for f in a.fields] == [
        ("depends_on", None, "D1")
    ]
    assert [(f.field, f.old, f.new) for g in alpha.goals for f in g.fields] == [
        ("target", "10 %", "12 %"),
        ("due", "Q4", "Q3"),
        ("status", "green", "red"),
    ]
    assert [(g.goal, g.change) for g in alpha.goals] == [
        ("G1", "changed"),
        ("G3", "added"),
        ("G2", "removed"),
    ]


def test_decisions_with_who_decided_and_budgets(pair: CycleDiff) -> None:
    decisions = [(d.ask, d.by, d.change, d.old, d.new) for n in pair.nodes for d in n.decisions]
    assert decisions == [
        ("alpha/a4", "org", "added", None, "rank 1"),
        ("gamma/g1", "beta", "added", None, "cut"),
        ("gamma/g2", "beta", "changed", 'rank 1, note "First"', 'rank 1, note "Top"'),
        ("rho/r2", "rho", "removed", "fund", None),
    ]
    org = pair.node("org")
    assert org is not None and org.budget is not None
    assert (org.budget.old_headcount, org.budget.new_headcount) == (Decimal(4), Decimal(3))
    assert org.budget.text == "4 heads -> 3 heads"


def test_each_cause_of_a_move_across_the_line(pair: CycleDiff) -> None:
    moves = {
        (n.id, m.ask): (m.old, m.new, [(c.kind, c.text) for c in m.causes])
        for n in pair.nodes
        for m in n.moves
    }
    assert moves == {
        ("org", "delta/d1"): (
            "above",
            "below",
            [
                ("budget", "budget at org: 4 heads -> 3 heads"),
                ("node-moved", "delta moved from beta to org"),
                (
                    "ranked-ahead",
                    "alpha/a1 (now ahead), alpha/a4 (new) ranked ahead (+2 heads, +180,000.00)",
                ),
            ],
        ),
        ("org", "rho/r2"): (
            "above",
            "below",
            [
                ("budget", "budget at org: 4 heads -> 3 heads"),
                ("decision", "decision at rho: fund -> none"),
            ],
        ),
        ("side", "rho/r2"): ("above", "unlined", [("decision", "decision at rho: fund -> none")]),
        ("psi", "psi/p2"): (
            "above",
            "below",
            [("ahead-grew", "psi/p1 ahead grew (+1 head, +120,000.00)")],
        ),
        ("rho", "rho/r1"): (
            "below",
            "above",
            [("ahead-left", "rho/r2 (now behind) no longer ahead (-1 head, -120,000.00)")],
        ),
        ("rho", "rho/r2"): ("above", "below", [("decision", "decision at rho: fund -> none")]),
        ("sigma", "sigma/s1"): (
            "above",
            "below",
            [("own-amount", "its amount 1 head, 120,000.00 -> 2 heads, 240,000.00")],
        ),
        ("tau", "tau/t2"): (
            "below",
            "above",
            [("ahead-shrank", "tau/t1 ahead shrank (-1 head, -120,000.00)")],
        ),
    }


def test_every_bridge_adds_up_exactly_to_the_roll_up(pair: CycleDiff) -> None:
    old = pipeline.rollup("old").report
    new = pipeline.rollup("new").report
    assert old is not None and new is not None
    checked = 0
    for n in pair.nodes:
        b = n.bridge
        if b is None:
            assert n.status != "same"
            continue
        old_id = "epsilon" if n.id == "zeta" else n.id
        assert (b.old_flat, b.old_requested, b.old_funded) == (
            old.nodes[old_id].totals.flat,
            old.nodes[old_id].totals.requested,
            old.nodes[old_id].totals.funded,
        )
        assert (b.new_flat, b.new_requested, b.new_funded) == (
            new.nodes[n.id].totals.flat,
            new.nodes[n.id].totals.requested,
            new.nodes[n.id].totals.funded,
        )
        for column in ("flat", "requested", "funded"):
            steps = Amount.total([getattr(s, column) for s in b.steps])
            assert getattr(b, f"old_{column}") + steps == getattr(b, f"new_{column}"), (
                n.id,
                column,
            )
        checked += 1
    assert checked == 11  # the nodes on both sides


def test_the_org_bridge_names_each_cause(pair: CycleDiff) -> None:
    org = pair.node("org")
    assert org is not None and org.bridge is not None
    funded = [(s.kind, s.count, s.funded) for s in org.bridge.steps if s.funded != Amount()]
    assert funded == [
        ("asks-added", 1, Amount(Decimal(1), Decimal("120000.00"), Decimal("120000.00"))),
        # a1 starts later (its funded cost falls); a2, psi/p1, sigma/s1, tau/t1 change too
        ("asks-changed", 5, Amount(Decimal(0), Decimal("-60000.00"), Decimal("0.00"))),
        ("moved-below", 2, Amount(Decimal(-2), Decimal("-240000.00"), Decimal("-240000.00"))),
    ]


def test_subtree_counts_add_up_below_a_node(pair: CycleDiff) -> None:
    org = pair.node("org")
    assert org is not None
    assert (org.subtree.asks_added, org.subtree.asks_removed, org.subtree.asks_changed) == (2, 2, 6)
    assert (org.subtree.nodes, org.subtree.goals, org.subtree.decisions) == (4, 3, 4)
    assert (org.subtree.moved_below, org.subtree.moved_above) == (2, 0)  # org's view only


def test_node_limits_the_output_to_a_subtree(pair: CycleDiff) -> None:
    code, out, _ = run(["old", "new", "--node", "side", "--format", "json"])
    assert code == 0
    assert [n["id"] for n in json.loads(out)["nodes"]] == ["side", "psi", "rho", "sigma", "tau"]
    code, _, err = run(["old", "new", "--node", "nowhere"])
    assert (code, err) == (2, "opplan diff: --node: no node 'nowhere' in either version\n")


def test_csv_has_one_row_per_change_and_neutralises_formulas(tmp_path: Path) -> None:
    olds = {"org": plan("Org", ask("a1", 1), hc=2)}
    news = {"org": plan("Org", ask("a1", 1, title='=HYPERLINK("x")'), hc=2)}
    write_cycle(tmp_path / "old", olds)
    write_cycle(tmp_path / "new", news)
    code, out, _ = run([str(tmp_path / "old"), str(tmp_path / "new"), "--format", "csv"])
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [
        CSV_HEADER,
        [
            "org",
            "ask-changed",
            "org/a1",
            '\'=HYPERLINK("x")',
            "title",
            "A1",
            '\'=HYPERLINK("x")',
            "",
            "",
            "0",
            "0.00",
            "0.00",
        ],
    ]


def test_a_cycle_against_itself_has_no_changes() -> None:
    result = pipeline.diff(SAMPLE, SAMPLE)
    assert result.failed_side is None and result.diff is not None
    assert not result.diff.changed
    assert len(result.diff.nodes) == 34
    assert run([str(SAMPLE), str(SAMPLE)]) == (0, "No changes.\n", "")
    code, out, _ = run([str(SAMPLE), str(SAMPLE), "--format", "json"])
    assert (code, json.loads(out)) == (
        0,
        {
            "diff": {"old": str(SAMPLE), "new": str(SAMPLE), "root": "northwind", "changed": False},
            "nodes": [],
        },
    )
    code, out, _ = run([str(SAMPLE), str(SAMPLE), "--format", "csv"])
    assert (code, out) == (
        0,
        "node,change,item,title,field,old,new,by,detail,headcount,cost,run_rate\n",
    )


def test_a_smaller_budget_on_the_sample_moves_asks_below_its_line(tmp_path: Path) -> None:
    new = tmp_path / "new"
    shutil.copytree(SAMPLE, new)
    path = new / "northwind" / "payments" / "plan.yaml"
    path.write_text(
        path.read_text().replace(
            "budget: {headcount: 10, cost: 1900000}", "budget: {headcount: 8, cost: 1500000}"
        )
    )
    result = pipeline.diff(SAMPLE, new)
    assert result.diff is not None
    moves = [
        (n.id, m.ask, m.old, m.new, [c.text for c in m.causes])
        for n in result.diff.nodes
        for m in n.moves
    ]
    because = ["budget at payments: 10 heads, 1,900,000.00 -> 8 heads, 1,500,000.00"]
    assert moves == [
        ("northwind", "card-processing/network-tokens", "above", "below", because),
        ("payments", "kyc/eu-kyc", "above", "below", because),
        ("payments", "payments/pci-program-tpm", "above", "below", because),
    ]


def test_a_side_with_errors_is_named_and_exits_1(tmp_path: Path) -> None:
    write_cycle(tmp_path / "old", {"org": plan("Org", hc=1)})
    write_cycle(tmp_path / "new", {"org": {"name": "Org"}})  # no owner
    code, out, err = run([str(tmp_path / "old"), str(tmp_path / "new")])
    assert code == 1 and out == ""
    assert "error" in err and err.endswith(
        f"opplan diff: the new version ({tmp_path / 'new'}) has errors; nothing compared\n"
    )


def test_usage_problems_exit_2_with_one_line(tmp_path: Path) -> None:
    assert run([str(tmp_path / "nowhere"), str(SAMPLE)]) == (
        2,
        "",
        f"opplan diff: no directory '{tmp_path / 'nowhere'}'\n",
    )
    assert run([str(SAMPLE)]) == (2, "", "opplan diff: give OLD and NEW, or --old-rev REV [DIR]\n")


def test_renamed_from_is_checked_at_its_line(tmp_path: Path) -> None:
    plans = old_plans()
    plans["org/alpha"]["renamed_from"] = "alpha"
    plans["org/beta"]["renamed_from"] = "gamma"
    plans["org/old-team"]["renamed_from"] = "gone"
    plans["org/epsilon"]["renamed_from"] = "gone"
    checked = pipeline.check(write_cycle(tmp_path, plans))
    found = [d.format() for d in checked.diagnostics if d.rule == "renamed-from"]
    at = {
        node: f"{tmp_path}/org/{node}/plan.yaml:{key_line(tmp_path / 'org' / node)}:1"
        for node in ("alpha", "beta", "old-team")
    }
    assert found == [
        f"{at['alpha']}: error: renamed_from names the node itself ('alpha') [renamed-from]",
        f"{at['beta']}: error: renamed_from: 'gamma' is still a node of this cycle; a renamed node's old id is gone [renamed-from]",
        f"{at['old-team']}: error: renamed_from: 'gone' is already claimed by 'epsilon'; one node takes an old id [renamed-from]",
    ]


def test_renamed_from_an_id_the_old_version_lacks_is_a_warning(tmp_path: Path) -> None:
    write_cycle(tmp_path / "old", {"org": plan("Org", hc=1), "org/a": plan("A", hc=1)})
    write_cycle(
        tmp_path / "new",
        {"org": plan("Org", hc=1), "org/b": plan("B", hc=1, renamed_from="x")},
    )
    result = pipeline.diff(tmp_path / "old", tmp_path / "new")
    assert [d.format() for d in result.diagnostics] == [
        f"{tmp_path / 'new'}/org/b/plan.yaml:{key_line(tmp_path / 'new' / 'org' / 'b')}:1: "
        "warning: renamed_from: 'x' is not a node of "
        "the old version; 'b' is reported as added [renamed-from]"
    ]
    assert result.diff is not None
    assert [(c.node, c.change) for n in result.diff.nodes for c in n.nodes] == [
        ("a", "removed"),
        ("b", "added"),
    ]
