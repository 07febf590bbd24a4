"""``opplan status`` and the ``placeholder`` policy (issue 16): who has submitted, counts per
manager, lateness after ``due:``, placeholder owners and scaffold narratives."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import SAMPLE
from cyclefactory import CYCLE_YAML, ask, plan, write_cycle

from opplan import pipeline
from opplan.cli import cli
from opplan.create.render import render
from opplan.create.scaffold import new_node
from opplan.create.tablewrite import OWNER as IMPORT_OWNER
from opplan.report.placeholders import is_placeholder_owner, leftover_lines, narrative_state
from opplan.report.status import StatusCounts, status_report

SCAFFOLD = render("narrative.md.j2", name="Any")
IMPORTED = (
    "## Introduction\n\nImported from `roster.csv` (rows 2, 3). "
    "The owner replaces this text with the plan's narrative.\n"
)
WRITTEN = "## Introduction\n\nWe run the shop.\n"
DUE = CYCLE_YAML + "due: 2026-10-15\n"


def run(*args: str) -> Any:
    """Invoke the CLI; stdout and stderr apart."""
    return CliRunner().invoke(cli, list(args))


def with_narratives(base: Path, narratives: dict[str, str]) -> Path:
    for path, text in narratives.items():
        (base / path / "narrative.md").write_text(text, encoding="utf-8")
    return base


def three_teams(base: Path, cycle_yaml: str = CYCLE_YAML) -> Path:
    """A root and three teams, two of them submitted."""
    return write_cycle(
        base,
        {
            "acme": plan("Acme"),
            "acme/ads": plan("Ads", state="submitted"),
            "acme/cart": plan("Cart", state="submitted"),
            "acme/ops": plan("Ops"),
        },
        cycle_yaml,
    )


def mixed(base: Path, cycle_yaml: str = CYCLE_YAML) -> Path:
    """Two levels of managers; placeholders, scaffolds and a review of each kind."""
    write_cycle(
        base,
        {
            "acme": plan("Acme", state="submitted", decisions={"cart/fast": {"decision": "fund"}}),
            "acme/shop": plan("Shop", owner="Your Name"),
            "acme/shop/cart": plan("Cart", ask("fast"), state="submitted"),
            "acme/shop/web": plan("Web", owner="TBD", state="submitted"),
            "acme/ops": plan("Ops", owner="Unassigned"),
        },
        cycle_yaml,
    )
    return with_narratives(
        base,
        {
            "acme": WRITTEN,
            "acme/shop": SCAFFOLD,
            "acme/shop/cart": WRITTEN + "\n" + SCAFFOLD,
            "acme/ops": IMPORTED,
        },
    )


def test_two_of_three_teams_submitted(tmp_path: Path) -> None:
    cycle = pipeline.status(three_teams(tmp_path), dt.date(2026, 10, 1))
    assert cycle.report is not None
    acme = cycle.report.nodes["acme"]
    assert acme.below == StatusCounts(plans=3, submitted=2, narratives=0, owners=3)
    assert [(s.id, s.state) for s in cycle.report.subtree("acme")] == [
        ("acme", "draft"),
        ("ads", "submitted"),
        ("cart", "submitted"),
        ("ops", "draft"),
    ]
    result = run("status", str(tmp_path), "--as-of", "2026-10-01")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "Rollup Test OP1 2027: who has submitted (as of 2026-10-01, no due date in cycle.yaml)\n"
        "Node    Owner       State      Narrative  Review  Submitted  Written  Owners set"
        "  Reviewed\n"
        "------  ----------  ---------  ---------  ------  ---------  -------  ----------"
        "  --------\n"
        "Acme    Acme Owner  draft      missing    open       2 of 3   0 of 3      3 of 3\n"
        "  Ads   Ads Owner   submitted  missing\n"
        "  Cart  Cart Owner  submitted  missing\n"
        "  Ops   Ops Owner   draft      missing\n"
    )


def test_counts_roll_up_per_manager(tmp_path: Path) -> None:
    report = pipeline.status(mixed(tmp_path), dt.date(2026, 10, 1)).report
    assert report is not None
    rows = {
        s.id: (s.state, s.narrative, s.owner_set, s.review, s.below) for s in report.subtree("acme")
    }
    assert rows == {
        "acme": (
            "submitted",
            "written",
            True,
            "done",
            StatusCounts(plans=4, submitted=2, narratives=1, owners=1, managers=1, reviews=0),
        ),
        "ops": ("draft", "scaffold", False, None, StatusCounts()),
        "shop": (
            "draft",
            "scaffold",
            False,
            "open",
            StatusCounts(plans=2, submitted=2, narratives=1, owners=1),
        ),
        "cart": ("submitted", "written", True, None, StatusCounts()),
        "web": ("submitted", "missing", False, None, StatusCounts()),
    }


def test_a_decision_on_an_ask_outside_the_subtree_is_no_review(tmp_path: Path) -> None:
    write_cycle(
        tmp_path,
        {
            "acme": plan("Acme"),
            "acme/shop": plan("Shop", decisions={"ops/pager": {"decision": "cut"}}),
            "acme/shop/cart": plan("Cart"),
            "acme/ops": plan("Ops", ask("pager")),
        },
    )
    report = pipeline.status(tmp_path, dt.date(2026, 10, 1)).report
    assert report is not None
    assert (report.nodes["shop"].review, report.nodes["acme"].review) == ("open", "open")
    noted = tmp_path / "acme/shop/plan.yaml"
    noted.write_text(noted.read_text() + "  note: Nothing to decide this year.\n")
    report = pipeline.status(tmp_path, dt.date(2026, 10, 1)).report
    assert report is not None and report.nodes["shop"].review == "done"


def test_review_state_is_the_managers_own_word(tmp_path: Path) -> None:
    """An explicit review.state wins over what the decisions and the note suggest."""
    write_cycle(
        tmp_path,
        {
            "acme": plan("Acme"),
            "acme/shop": plan("Shop", decisions={"cart/x": {"decision": "cut"}}),
            "acme/shop/cart": plan("Cart", ask("x")),
            "acme/ops": plan("Ops"),
        },
    )
    shop = tmp_path / "acme/shop/plan.yaml"
    acme = tmp_path / "acme/plan.yaml"
    acme.write_text(acme.read_text() + "review:\n  state: done\n")
    shop.write_text(shop.read_text() + "  state: open\n")
    report = pipeline.status(tmp_path, dt.date(2026, 10, 1)).report
    assert report is not None
    assert (report.nodes["shop"].review, report.nodes["acme"].review) == ("open", "done")


def test_due_makes_nodes_late_only_after_the_date(tmp_path: Path) -> None:
    base = mixed(tmp_path, DUE)
    on_time = run("status", str(base), "--as-of", "2026-10-15")
    late = run("status", str(base), "--as-of", "2026-10-16")
    assert (on_time.exit_code, late.exit_code) == (0, 0)
    header = (
        "Node      Owner                     State      Narrative  Review  Late  Submitted"
        "  Written  Owners set  Reviewed  Late below\n"
        "--------  ------------------------  ---------  ---------  ------  ----  ---------"
        "  -------  ----------  --------  ----------\n"
    )
    assert late.stdout == (
        "Rollup Test OP1 2027: who has submitted (as of 2026-10-16, due 2026-10-15)\n"
        + header
        + "Acme      Acme Owner                submitted  written    done             2 of 4"
        "   1 of 4      1 of 4    0 of 1           2\n"
        "  Ops     Unassigned (placeholder)  draft      scaffold           LATE\n"
        "  Shop    Your Name (placeholder)   draft      scaffold   open    LATE     2 of 2"
        "   1 of 2      1 of 2                     0\n"
        "    Cart  Cart Owner                submitted  written\n"
        "    Web   TBD (placeholder)         submitted  missing\n"
    )
    assert on_time.stdout == (
        "Rollup Test OP1 2027: who has submitted (as of 2026-10-15, due 2026-10-15)\n"
        + header
        + "Acme      Acme Owner                submitted  written    done             2 of 4"
        "   1 of 4      1 of 4    0 of 1           0\n"
        "  Ops     Unassigned (placeholder)  draft      scaffold\n"
        "  Shop    Your Name (placeholder)   draft      scaffold   open             2 of 2"
        "   1 of 2      1 of 2                     0\n"
        "    Cart  Cart Owner                submitted  written\n"
        "    Web   TBD (placeholder)         submitted  missing\n"
    )
    doc = json.loads(run("status", str(base), "--as-of", "2026-10-16", "--format", "json").stdout)
    assert (doc["as_of"], doc["due"]) == ("2026-10-16", "2026-10-15")
    assert [n["id"] for n in doc["nodes"] if n["late"]] == ["ops", "shop"]
    assert doc["nodes"][0]["below"]["late"] == 2


def test_without_as_of_lateness_is_judged_today_and_the_output_says_so(tmp_path: Path) -> None:
    before = dt.date.today().isoformat()
    doc = json.loads(run("status", str(three_teams(tmp_path)), "--format", "json").stdout)
    assert doc["as_of"] in {before, dt.date.today().isoformat()}


def test_json_contract_and_csv_fields(tmp_path: Path) -> None:
    base = mixed(tmp_path, DUE)
    doc = json.loads(
        run(
            "status", str(base), "--node", "shop", "--as-of", "2026-10-16", "--format", "json"
        ).stdout
    )
    assert doc["nodes"][0] == {
        "id": "shop",
        "name": "Shop",
        "path": "acme/shop",
        "parent": "acme",
        "depth": 1,
        "children": ["cart", "web"],
        "owner": "Your Name",
        "owner_set": False,
        "state": "draft",
        "narrative": "scaffold",
        "review": "open",
        "late": True,
        "below": {
            "plans": 2,
            "submitted": 2,
            "narratives": 1,
            "owners": 1,
            "managers": 0,
            "reviews": 0,
            "late": 0,
        },
    }
    assert [n["id"] for n in doc["nodes"]] == ["shop", "cart", "web"]
    rows = list(
        csv.reader(
            io.StringIO(
                run(
                    "status",
                    str(base),
                    "--node",
                    "shop",
                    "--as-of",
                    "2026-10-16",
                    "--format",
                    "csv",
                ).stdout
            )
        )
    )
    assert rows == [
        ["id", "name", "path", "parent", "depth", "owner", "owner_set", "state", "narrative",
         "review", "late", "below_plans", "below_submitted", "below_narratives", "below_owners",
         "below_managers", "below_reviews", "below_late"],
        ["shop", "Shop", "acme/shop", "acme", "1", "Your Name", "no", "draft", "scaffold",
         "open", "yes", "2", "2", "1", "1", "0", "0", "0"],
        ["cart", "Cart", "acme/shop/cart", "shop", "2", "Cart Owner", "yes", "submitted",
         "written", "", "no", "0", "0", "0", "0", "0", "0", "0"],
        ["web", "Web", "acme/shop/web", "shop", "2", "TBD", "no", "submitted", "missing", "",
         "no", "0", "0", "0", "0", "0", "0", "0"],
    ]  # fmt: skip


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_outputs_are_byte_identical_run_to_run(tmp_path: Path, fmt: str) -> None:
    base = mixed(tmp_path, DUE)
    first = run("status", str(base), "--as-of", "2026-10-16", "--format", fmt)
    second = run("status", str(base), "--as-of", "2026-10-16", "--format", fmt)
    assert first.exit_code == 0 and first.stdout_bytes == second.stdout_bytes
    assert len(first.stdout_bytes) > 200


def test_csv_neutralises_formula_triggers(tmp_path: Path) -> None:
    write_cycle(
        tmp_path,
        {
            "acme": plan('=HYPERLINK("http://x")', owner="@SUM(A1)"),
            "acme/ads": plan("+Ads", owner="-Dee"),
        },
    )
    rows = list(
        csv.reader(
            io.StringIO(
                run("status", str(tmp_path), "--format", "csv", "--as-of", "2026-10-01").stdout
            )
        )
    )
    assert [(r[1], r[5]) for r in rows[1:]] == [
        ('\'=HYPERLINK("http://x")', "'@SUM(A1)"),
        ("'+Ads", "'-Dee"),
    ]
    assert rows[1][4] == "0"  # numbers stay numbers


def test_the_sample_has_submitted_everything(tmp_path: Path) -> None:
    report = pipeline.status(SAMPLE, dt.date(2026, 10, 1)).report
    assert report is not None
    assert report.nodes["northwind"].below == StatusCounts(
        plans=33, submitted=33, narratives=33, owners=33, managers=10, reviews=10
    )
    assert report.nodes["retail"].below == StatusCounts(
        plans=13, submitted=13, narratives=13, owners=13, managers=3, reviews=3
    )
    result = run("status", str(SAMPLE), "--node", "retail", "--as-of", "2026-10-01", "--strict")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[3] == (
        "Retail                Priya Natarajan  submitted  written    done     13 of 13  13 of 13"
        "    13 of 13    3 of 3"
    )


def test_strict_unknown_node_bad_date_and_unreadable_plans(tmp_path: Path) -> None:
    base = three_teams(tmp_path)
    assert run("status", str(base), "--as-of", "2026-10-01", "--strict").exit_code == 1
    assert run("status", str(base), "--node", "ads", "--strict").exit_code == 0
    unknown = run("status", str(base), "--node", "nope")
    assert (unknown.exit_code, unknown.stdout) == (2, "")
    assert "no node 'nope' in this cycle" in unknown.stderr
    assert run("status", str(base), "--as-of", "15/10/2026").exit_code == 2
    (base / "acme/ops/plan.yaml").write_text("name: Ops\nstate: submitted\n", encoding="utf-8")
    broken = run("status", str(base), "--as-of", "2026-10-01", "--format", "json")
    assert broken.exit_code == 1
    assert broken.stderr.endswith("1 error, 0 warnings\n")
    assert "acme/ops/plan.yaml" in broken.stderr
    ops = json.loads(broken.stdout)["nodes"][3]
    assert (ops["id"], ops["state"], ops["owner_set"]) == ("ops", "unreadable", False)


def test_a_directory_that_is_not_a_cycle_has_no_status(tmp_path: Path) -> None:
    result = run("status", str(tmp_path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert f"{tmp_path}/cycle.yaml:1:1: error: no cycle.yaml in '{tmp_path}'" in result.stderr


def test_the_due_line_init_writes_works_once_uncommented(tmp_path: Path) -> None:
    x = tmp_path / "acme-op1-2027"
    assert run("init", str(x)).exit_code == 0
    text = (x / "cycle.yaml").read_text(encoding="utf-8")
    assert "\n# due: 2026-09-15              # when plans are due" in text
    (x / "cycle.yaml").write_text(text.replace("\n# due: ", "\ndue:   "), encoding="utf-8")
    doc = json.loads(run("status", str(x), "--as-of", "2026-09-16", "--format", "json").stdout)
    assert (doc["due"], doc["nodes"][0]["late"]) == ("2026-09-15", True)


def test_init_and_new_report_every_node_draft_scaffold_and_placeholder(tmp_path: Path) -> None:
    x = tmp_path / "acme-op1-2027"
    assert run("init", str(x)).exit_code == 0
    for path, role in [("acme/web", "team"), ("acme/ops", "manager"), ("acme/ops/db", "team")]:
        assert run("new", str(x / path), "--role", role).exit_code == 0
    result = run("status", str(x), "--as-of", "2026-10-01", "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    doc = json.loads(result.stdout)
    assert [
        (n["id"], n["state"], n["narrative"], n["owner"], n["owner_set"], n["review"])
        for n in doc["nodes"]
    ] == [
        ("acme", "draft", "scaffold", "Your Name", False, "open"),
        ("ops", "draft", "scaffold", "Your Name", False, "open"),
        ("db", "draft", "scaffold", "Your Name", False, None),
        ("web", "draft", "scaffold", "Your Name", False, None),
    ]
    assert doc["nodes"][0]["below"] == {
        "plans": 3, "submitted": 0, "narratives": 0, "owners": 0,
        "managers": 1, "reviews": 0, "late": 0,
    }  # fmt: skip


def test_placeholder_policy_points_at_owner_and_narrative(tmp_path: Path) -> None:
    base = mixed(tmp_path)
    found = [d.format() for d in pipeline.check(base).diagnostics if d.rule == "placeholder"]
    assert found == [
        f"{base}/acme/ops/narrative.md:1:1: warning: the narrative of ops is still the "
        "scaffold: write the plan's narrative [placeholder]",
        f"{base}/acme/ops/plan.yaml:2:1: warning: owner 'Unassigned' of ops is a placeholder: "
        "name the single accountable owner [placeholder]",
        f"{base}/acme/shop/cart/narrative.md:7:1: warning: a paragraph of the scaffold is "
        "still here: replace it with your own [placeholder]",
        f"{base}/acme/shop/narrative.md:1:1: warning: the narrative of shop is still the "
        "scaffold: write the plan's narrative [placeholder]",
        f"{base}/acme/shop/plan.yaml:2:1: warning: owner 'Your Name' of shop is a "
        "placeholder: name the single accountable owner [placeholder]",
        f"{base}/acme/shop/web/plan.yaml:2:1: warning: owner 'TBD' of web is a placeholder: "
        "name the single accountable owner [placeholder]",
    ]


@pytest.mark.parametrize(
    "setting, severities",
    [("", {"warning"}), ("policies: {placeholder: error}\n", {"error"}),
     ("policies: {placeholder: \"off\"}\n", set())],
)  # fmt: skip
def test_placeholder_policy_is_configurable(tmp_path: Path, setting: str, severities) -> None:
    base = mixed(tmp_path, CYCLE_YAML + setting)
    found = {d.severity.value for d in pipeline.check(base).diagnostics if d.rule == "placeholder"}
    assert found == severities


@pytest.mark.parametrize(
    "owner, placeholder",
    [
        ("Your Name", True),
        ("your  name", True),
        ("<Your Name>", True),
        ("Unassigned", True),
        ("TBD", True),
        ("todo", True),
        ("N/A", True),
        ("", True),
        ("  - ", True),
        (None, True),
        ("Ana Silva", False),
        ("Todd", False),
        ("Your Namesake", False),
    ],
)
def test_placeholder_owners(owner: str | None, placeholder: bool) -> None:
    assert is_placeholder_owner(owner) is placeholder


@pytest.mark.parametrize(
    "text, state, leftovers",
    [
        (None, "missing", []),
        ("", "scaffold", []),
        ("# Appendix\n", "scaffold", []),
        (SCAFFOLD, "scaffold", [3]),
        (SCAFFOLD.replace("Who we are, our", "Who  we are,\n  our"), "scaffold", [3]),
        (IMPORTED, "scaffold", [3]),
        (WRITTEN, "written", []),
        (SCAFFOLD + "\nWe run the shop.\n", "written", [3]),
        ("## Intro\n\nWho we are, our customers and our scope.\n", "written", []),
    ],
)
def test_scaffold_narratives(text: str | None, state: str, leftovers: list[int]) -> None:
    assert narrative_state(text) == state
    assert leftover_lines(text or "") == leftovers


def test_what_the_scaffolds_write_is_a_placeholder(tmp_path: Path) -> None:
    """The rule follows the scaffolds: if a template's wording changes, this fails."""
    (tmp_path / "cycle.yaml").write_text(CYCLE_YAML, encoding="utf-8")
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "plan.yaml").write_text("name: Acme\nowner: A\n", encoding="utf-8")
    new_node(tmp_path / "acme" / "web")
    written = (tmp_path / "acme" / "web" / "narrative.md").read_text(encoding="utf-8")
    assert narrative_state(written) == "scaffold"
    assert is_placeholder_owner("Your Name") and is_placeholder_owner(IMPORT_OWNER)
    report = status_report(pipeline.check(tmp_path).cycle, dt.date(2026, 10, 1))
    assert (report.nodes["web"].narrative, report.nodes["web"].owner_set) == ("scaffold", False)
