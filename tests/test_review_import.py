"""opplan review import: the manager's round trip, and every refusal (SPEC section 10).

Each refusal test asserts the message and that no plan.yaml changed by a byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from reviewkit import build_workbook, edit_stack, make_cycle, rollup_of, stack_rows

from opplan.cli import cli
from opplan.review import importer as review_mod
from opplan.review.importer import ReviewError, import_review


@pytest.fixture
def org(tmp_path: Path) -> Path:
    return make_cycle(tmp_path / "cycle")


@pytest.fixture
def book(org: Path, tmp_path: Path) -> Path:
    return build_workbook(org, "org", tmp_path / "out")


def plan_bytes(cycle_dir: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(cycle_dir)): p.read_bytes() for p in sorted(cycle_dir.rglob("*.yaml"))
    }


def refused(workbook: Path, cycle_dir: Path, **kw) -> str:
    """Import, expect a refusal, check nothing was written; return the message."""
    before = plan_bytes(cycle_dir)
    with pytest.raises(ReviewError) as info:
        import_review(workbook, cycle_dir, **kw)
    assert plan_bytes(cycle_dir) == before
    return str(info.value)


# --- the round trip -----------------------------------------------------------


def test_unedited_workbook_changes_no_byte(org, book):
    before = plan_bytes(org)
    result = import_review(book, org)
    assert result.changes == [] and not result.written
    assert plan_bytes(org) == before
    out = CliRunner().invoke(cli, ["review", "import", str(book), str(org)])
    assert out.exit_code == 0
    assert out.output.startswith("No changes:")
    assert plan_bytes(org) == before


MANAGER_EDITS = {
    "beta/b2": {"Decision": "fund", "Note": "Launch blocker."},  # below the line -> fund
    "alpha/a2": {"Decision": "cut", "Note": "Not this year."},  # above the line -> cut
    "alpha/a3": {"Decision": "partial", "Partial headcount": 0.5},  # half of it
    "beta/b1": {"Rank": 1},  # re-rank two asks
    "alpha/a1": {"Rank": 2, "Note": "Second."},
}


def test_end_to_end_the_rollup_shows_exactly_the_edits(org, book, tmp_path):
    edited = edit_stack(book, MANAGER_EDITS)
    out = CliRunner().invoke(cli, ["review", "import", str(edited), str(org)])
    assert out.exit_code == 0, out.output
    assert "5 decisions written to" in out.output
    assert "alpha/a3" in out.output and "partial 0.5 heads" in out.output

    view = rollup_of(org).nodes["org"]
    rows = {r.ask: r for r in view.stack}
    assert [r.ask for r in view.stack][:2] == ["beta/b1", "alpha/a1"]  # the ranks
    assert rows["beta/b2"].forced and rows["beta/b2"].status == "above"
    assert rows["beta/b2"].note == "Launch blocker."
    assert "alpha/a2" not in rows
    cut = {r.ask: r for r in view.removed}
    assert cut["alpha/a2"].status == "cut" and cut["alpha/a2"].by == "org"
    assert cut["beta/b3"].status == "deferred"  # untouched
    a3 = rows["alpha/a3"]
    assert a3.decision == "partial" and str(a3.amount.headcount) == "0.5"
    assert a3.amount.cost == a3.requested.cost / 2
    untouched = {r.ask for r in view.stack} - set(MANAGER_EDITS)
    assert all(rows[a].decided_by is None for a in untouched)

    # a rebuild shows the decisions, prefilled, and importing it changes nothing
    rebuilt = build_workbook(org, "org", tmp_path / "rebuilt")
    sheet = stack_rows(rebuilt)
    assert sheet["beta/b2"]["Decision"] == "fund"
    assert sheet["alpha/a2"]["Decision"] == "cut"  # now a removed row (after the live ones)
    assert list(sheet).index("alpha/a2") == len(sheet) - 2  # before beta/b3, deferred below
    assert sheet["alpha/a3"]["Partial headcount"] == 0.5
    assert next(iter(sheet)) == "beta/b1" and sheet["beta/b1"]["Rank"] == 1
    assert import_review(rebuilt, org).changes == []


def test_rollup_command_shows_the_edits(org, book):
    import_review(edit_stack(book, MANAGER_EDITS), org)
    out = CliRunner().invoke(cli, ["rollup", str(org), "--format", "json"])
    assert out.exit_code == 0, out.output
    node = next(n for n in json.loads(out.stdout)["nodes"] if n["id"] == "org")
    stack = {s["ask"]: s for s in node["stack"]}
    assert stack["beta/b2"]["forced"] and stack["beta/b2"]["status"] == "above"
    assert stack["alpha/a3"]["headcount"] == 0.5
    assert {r["ask"]: r["status"] for r in node["removed"]} == {
        "alpha/a2": "cut",
        "beta/b3": "deferred",
    }
    assert [s["ask"] for s in node["stack"]][:2] == ["beta/b1", "alpha/a1"]


def test_comments_and_layout_survive_an_import(org, book):
    plan = org / "org" / "plan.yaml"
    before = plan.read_text().splitlines()
    import_review(
        edit_stack(
            book, {"beta/b2": {"Decision": "fund"}, "beta/b3": {"Note": "Next year, in OP2."}}
        ),
        org,
    )
    after = plan.read_text().splitlines()
    assert [line for line in before if "#" in line] == [line for line in after if "#" in line]
    changed = [line for line in after if line not in before]
    assert changed == [
        "    beta/b3: {decision: defer, note: 'Next year, in OP2.'}",
        "    beta/b2: {decision: fund}",
    ]
    assert len(after) == len(before) + 1


def test_deleted_rows_change_nothing(org, book):
    before = plan_bytes(org)
    edited = edit_stack(book, {}, delete=("beta/b3", "alpha/a1"))
    assert import_review(edited, org).changes == []
    assert plan_bytes(org) == before


def test_clearing_a_rows_review_cells_removes_the_decision(org, book):
    edited = edit_stack(book, {"beta/b3": {"Decision": None, "Note": None}})
    result = import_review(edited, org)
    assert [(c.ask, c.after.empty()) for c in result.changes] == [("beta/b3", True)]
    assert "beta/b3" not in (org / "org" / "plan.yaml").read_text()


def test_dry_run_writes_nothing(org, book):
    before = plan_bytes(org)
    out = CliRunner().invoke(
        cli, ["review", "import", str(edit_stack(book, MANAGER_EDITS)), str(org), "--dry-run"]
    )
    assert out.exit_code == 0
    assert "5 decisions would be written to (dry run)" in out.output
    assert plan_bytes(org) == before


def test_reimporting_the_same_workbook_changes_nothing(org, book):
    edited = edit_stack(book, MANAGER_EDITS)
    assert len(import_review(edited, org).changes) == 5
    before = plan_bytes(org)
    assert import_review(edited, org).changes == []
    assert plan_bytes(org) == before


def test_a_team_imports_into_its_own_plan(org, tmp_path):
    team = build_workbook(org, "alpha", tmp_path / "out")
    result = import_review(edit_stack(team, {"alpha/a3": {"Decision": "cut"}}), org)
    assert result.plan_path == org / "org" / "alpha" / "plan.yaml"
    assert "alpha/a3: {decision: cut}" in result.plan_path.read_text()


# --- refusals -------------------------------------------------------------------


def test_refuses_plans_changed_since_the_build_and_names_the_rows(org, book):
    edited = edit_stack(book, {"alpha/a3": {"Decision": "fund"}})
    alpha = org / "org" / "alpha" / "plan.yaml"
    alpha.write_text(alpha.read_text().replace("spend: {tools: 5000}", "spend: {tools: 9000}"))
    message = refused(edited, org)
    assert "the plans changed since this workbook was built" in message
    assert "(alpha/a3): the ask or a decision below org changed" in message
    assert "--force" in message
    result = import_review(edited, org, force=True)
    assert [c.ask for c in result.changes] == ["alpha/a3"] and result.forced


def test_refuses_when_the_nodes_own_decision_changed_and_the_row_was_edited(org, book):
    edited = edit_stack(book, {"beta/b3": {"Decision": "fund"}})
    plan = org / "org" / "plan.yaml"
    plan.write_text(plan.read_text().replace("decision: defer", "decision: cut"))
    message = refused(edited, org)
    assert "(beta/b3): org's decision changed in plan.yaml since the build (now cut" in message


def test_refuses_an_unknown_ask(org, book):
    edited = edit_stack(book, {"alpha/a1": {"Ask": "alpha/nope"}})
    assert "unknown ask 'alpha/nope'" in refused(edited, org)


def test_refuses_an_ask_outside_the_nodes_subtree(org, tmp_path):
    team = build_workbook(org, "alpha", tmp_path / "out")
    edited = edit_stack(team, {"alpha/a1": {"Ask": "beta/b1", "Decision": "fund"}})
    assert "'beta/b1' is outside alpha's subtree" in refused(edited, org)


def test_refuses_an_invalid_decision(org, book):
    edited = edit_stack(book, {"alpha/a1": {"Decision": "approve"}})
    message = refused(edited, org)
    assert (
        "invalid decision 'approve' (choose one of fund, partial, defer, cut, escalate" in message
    )


@pytest.mark.parametrize(
    "edit, expected",
    [
        (
            {"Decision": "partial", "Partial headcount": 3},
            "partial over the ask: Partial headcount 3 is more than the 1 asked",
        ),
        (
            {"Decision": "partial", "Partial headcount": 1, "Partial cost": 200000},
            "partial over the ask: Partial cost 200000.00 is more than the 120000.00 asked",
        ),
        ({"Decision": "partial"}, "a partial needs Partial headcount"),
        (
            {"Decision": "fund", "Partial headcount": 1},
            "Partial headcount and Partial cost apply only to a partial decision",
        ),
    ],
)
def test_refuses_a_bad_partial(org, book, edit, expected):
    assert expected in refused(edit_stack(book, {"alpha/a1": edit}), org)


@pytest.mark.parametrize("heads", [0, 1])
def test_refuses_a_partial_in_heads_of_a_spend_only_ask(org, book, heads):
    """SPEC 7 rule 3, the same rule as `opplan check`: beta/b3 asks for spend only, so a
    partial names Partial cost; Partial headcount would fund the whole ask."""
    edited = edit_stack(book, {"beta/b3": {"Decision": "partial", "Partial headcount": heads}})
    assert "a partial of a spend-only ask gives Partial cost, not Partial headcount" in refused(
        edited, org
    )


def test_refuses_a_formula_in_a_review_cell(org, book):
    edited = edit_stack(book, {"alpha/a1": {"Partial headcount": "=1/2", "Decision": "partial"}})
    assert "cell D2 (Partial headcount) holds a formula; type the value itself" in refused(
        edited, org
    )


def test_refuses_an_error_value_in_a_review_cell(org, book, tmp_path):
    wb = openpyxl.load_workbook(book)
    cell = wb["Stack"]["F2"]
    cell.value = "#DIV/0!"
    cell.data_type = "e"
    wb.save(tmp_path / "error.xlsx")
    assert "cell F2 (Rank) holds the error value #DIV/0!" in refused(tmp_path / "error.xlsx", org)


def test_refuses_a_duplicate_rank(org, book):
    edited = edit_stack(book, {"alpha/a1": {"Rank": 1}, "beta/b1": {"Rank": 1}})
    assert "rank 1 is given to more than one ask: alpha/a1, beta/b1" in refused(edited, org)


def test_every_problem_is_its_own_line_in_the_cli(org, book, tmp_path):
    """Two refusals print as two indented lines under the workbook's name, then the verdict."""
    edited = edit_stack(
        book, {"alpha/a1": {"Rank": 1}, "beta/b1": {"Rank": 1}, "alpha/a2": {"Decision": "nope"}}
    )
    out = CliRunner().invoke(cli, ["review", "import", str(edited), str(org)])
    assert out.exit_code == 1
    lines = out.output.splitlines()
    assert lines[0] == f"opplan: cannot import {edited}:"
    assert lines[-1] == "Nothing was written."
    assert len(lines) == 4 and all(line.startswith("  ") for line in lines[1:-1]), lines


def test_refuses_a_workbook_not_built_by_opplan(org, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Stack"
    wb.active.append(["Ask", "Decision", "Partial headcount", "Partial cost", "Rank", "Note"])
    wb.active.append(["alpha/a1", "fund"])
    wb.save(tmp_path / "foreign.xlsx")
    assert "not a review workbook built by opplan" in refused(tmp_path / "foreign.xlsx", org)


def test_refuses_a_workbook_built_for_another_cycle(org, book):
    cycle = org / "cycle.yaml"
    cycle.write_text(cycle.read_text().replace("Review OP1 2027", "Review OP2 2027"))
    message = refused(edit_stack(book, {"alpha/a1": {"Decision": "fund"}}), org)
    assert (
        "was built for the cycle 'Review OP1 2027' (OP1 2027), not for 'Review OP2 2027'" in message
    )


def test_refuses_a_row_with_review_values_but_no_ask(org, book):
    edited = edit_stack(book, {"alpha/a1": {"Ask": None, "Decision": "fund"}})
    assert "has review values but no ask reference" in refused(edited, org)


def test_an_import_that_would_add_an_error_writes_nothing(org, book, monkeypatch):
    original = review_mod.rewrite
    monkeypatch.setattr(
        review_mod,
        "rewrite",
        lambda path, raw, changes: original(path, raw, changes) + b"surprise: 1\n",
    )
    message = refused(edit_stack(book, {"alpha/a1": {"Decision": "fund"}}), org)
    assert "would make plan.yaml unreadable" in message and "unknown key 'surprise'" in message


def test_cli_refusal_lists_every_problem_and_exits_1(org, book):
    edited = edit_stack(
        book,
        {
            "alpha/a1": {"Decision": "approve"},
            "beta/b1": {"Decision": "partial", "Partial headcount": 9},
        },
    )
    out = CliRunner().invoke(cli, ["review", "import", str(edited), str(org)])
    assert out.exit_code == 1
    lines = out.output.splitlines()
    assert lines[0] == f"opplan: cannot import {edited}:"
    assert any("invalid decision 'approve'" in line for line in lines)
    assert any("Partial headcount 9 is more than the 1 asked" in line for line in lines)
    assert lines[-1] == "Nothing was written."
    assert "Traceback" not in out.output


def test_round_trip_through_opplan_build(org, tmp_path):
    """`opplan build` writes the workbook; after the import a rebuild shows the decisions."""
    runner = CliRunner()
    out = runner.invoke(cli, ["build", str(org), "--out", str(tmp_path / "b1")])
    assert out.exit_code == 0, out.output
    workbook = tmp_path / "b1" / "org.xlsx"
    assert import_review(workbook, org).changes == []
    out = runner.invoke(
        cli, ["review", "import", str(edit_stack(workbook, MANAGER_EDITS)), str(org)]
    )
    assert out.exit_code == 0, out.output
    out = runner.invoke(cli, ["build", str(org), "--out", str(tmp_path / "b2")])
    assert out.exit_code == 0, out.output
    sheet = stack_rows(tmp_path / "b2" / "org.xlsx")
    assert sheet["alpha/a2"]["Decision"] == "cut" and sheet["alpha/a2"]["Note"] == "Not this year."
    assert sheet["beta/b2"]["Decision"] == "fund"
    import docx

    document = docx.Document(str(tmp_path / "b2" / "org.docx"))
    text = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "Alpha two" in text and "Not this year." in text  # the cut, with its note


ORG_OTHER_LAYOUT = """\
# four spaces, dashes at the key's column, block-style entries
name: Org
owner: Olga Org
headcount:
- {role: SDM, count: 1}
review:
    budget:
        headcount: 4
    decisions:
        beta/b3:
            decision: defer   # why: see the OP2 list
            note: Next year.
"""


def test_the_files_own_indentation_is_kept(tmp_path):
    cycle = make_cycle(tmp_path / "cycle", **{"org/plan.yaml": ORG_OTHER_LAYOUT})
    book = build_workbook(cycle, "org", tmp_path / "out")
    import_review(
        edit_stack(book, {"beta/b3": {"Note": "In OP2."}, "alpha/a1": {"Decision": "fund"}}), cycle
    )
    assert (cycle / "org" / "plan.yaml").read_text() == ORG_OTHER_LAYOUT.replace(
        "note: Next year.", "note: In OP2."
    ) + "        alpha/a1: {decision: fund}\n"


@pytest.mark.parametrize("node", ["northwind", "checkout"])
def test_the_sample_root_and_a_team_round_trip(tmp_path, node):
    import shutil

    from conftest import REPO

    cycle = tmp_path / "northwind-op1-2027"
    shutil.copytree(REPO / "samples" / "northwind-op1-2027", cycle)
    book = build_workbook(cycle, node, tmp_path / "out")
    before = plan_bytes(cycle)
    assert import_review(book, cycle).changes == []
    assert plan_bytes(cycle) == before
    sheet = stack_rows(book)
    live = [
        a
        for a, r in sheet.items()
        if not r["Decision"] and not r["Decision below"] and r["Live"] != "=0"
    ]
    edits = {live[0]: {"Decision": "cut", "Note": "Not this year."}, live[1]: {"Decision": "defer"}}
    result = import_review(edit_stack(book, edits), cycle)
    assert sorted(c.ask for c in result.changes) == sorted(edits)
    view = rollup_of(cycle).nodes[node]
    removed = {r.ask: (r.status, r.by) for r in view.removed}
    assert removed[live[0]] == ("cut", node) and removed[live[1]] == ("deferred", node)
    changed = [p for p, data in plan_bytes(cycle).items() if data != before[p]]
    assert len(changed) == 1 and changed[0].endswith(f"{node}/plan.yaml")


@pytest.mark.parametrize(
    "cells, message",
    [
        (
            {"Decision": "partial", "Partial headcount": 1, "Partial cost": "1e30"},
            "Partial cost 1e30 is more than 1,000,000,000,000,000, the most a plan may hold",
        ),
        ({"Rank": "1e400"}, "Rank 1e400 is more than 1,000,000, the most a plan may hold"),
    ],
)
def test_refuses_numbers_beyond_what_a_plan_may_hold(org, book, cells, message):
    assert message in refused(edit_stack(book, {"alpha/a1": cells}), org)


def test_refuses_when_an_ask_was_added_below_the_node_since_the_build(org, book):
    """A new ask moves positions, cumulative totals and the line: the manager ranked another list."""
    edited = edit_stack(book, {"alpha/a1": {"Rank": 1}})
    alpha = org / "org" / "alpha" / "plan.yaml"
    alpha.write_text(
        alpha.read_text().replace(
            "  - {id: a3,",
            "  - {id: a0, title: Alpha zero, headcount: [{role: SDE, count: 3}]}\n  - {id: a3,",
        )
    )
    message = refused(edited, org)
    assert "asks added below org since the build, not in the workbook: alpha/a0" in message
    assert import_review(edited, org, force=True).forced


def test_refuses_when_the_budget_changed_since_the_build(org, book):
    edited = edit_stack(book, {"alpha/a1": {"Decision": "fund"}})
    plan = org / "org" / "plan.yaml"
    plan.write_text(plan.read_text().replace("budget: {headcount: 4}", "budget: {headcount: 1}"))
    message = refused(edited, org)
    assert (
        "org's budget changed since the build (was headcount 4, cost none, now "
        "headcount 1, cost none)"
    ) in message


@pytest.mark.parametrize("typed", ["60000", "60,000", "$60,000", "$ 60,000.00", "60k", "0.06M"])
def test_a_partial_cost_may_be_typed_as_people_write_money(org, book, typed):
    """a1 asks for one head (120,000.00): half of it, typed as text in any usual form."""
    edited = edit_stack(
        book, {"alpha/a1": {"Decision": "partial", "Partial headcount": 0.5, "Partial cost": typed}}
    )
    result = import_review(edited, org)
    assert [(c.ask, c.after.cost) for c in result.changes] == [("alpha/a1", 60000)]


@pytest.mark.parametrize("typed", ["60.000,00", "sixty thousand", "60kk", "€-60"])
def test_a_money_cell_that_cannot_be_read_gets_one_message_with_the_forms(org, book, typed):
    edited = edit_stack(
        book, {"alpha/a1": {"Decision": "partial", "Partial headcount": 0.5, "Partial cost": typed}}
    )
    message = refused(edited, org)
    assert f"Partial cost '{typed}' is not an amount: write it as 150000, 150,000" in message
    assert "a partial needs" not in message and message.count("Stack row 2") == 1
