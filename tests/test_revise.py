"""``opplan revise OP1DIR OP2DIR`` (and ``opplan init --from``): OP2 from OP1.

The revision is the cycle copied byte for byte, then edited only where it must change:
cycle.yaml's name, kind and ``revises:``; defer decisions out of the managers' plans and
``deferred_in:`` on the asks they deferred. Refusals write nothing.
"""

from __future__ import annotations

import filecmp
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE
from reviewkit import need_tool

from opplan import pipeline
from opplan.cli import cli
from opplan.load.loader import load


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


RISK_NOTE = (
    "The card networks change the evidence rules for item-not-received disputes in April "
    "2027. Revisit in OP2 when the final rules are published in December."
)
TPM_NOTE = (
    "The 2027 assessment runs on the existing compliance TPM; revisit in OP2 after the Q1 "
    "readiness audit."
)


@pytest.fixture(scope="module")
def revised(tmp_path_factory) -> tuple[Path, Path]:
    """The sample copied outside any repository, and its revision."""
    base = tmp_path_factory.mktemp("rev")
    op1 = base / "northwind-op1-2027"
    shutil.copytree(SAMPLE, op1)
    op2 = base / "northwind-op2-2027"
    code, out, err = run("revise", str(op1), str(op2))
    assert code == 0, err
    assert out == (
        f"Created Northwind OP2 2027 (OP2) in {op2}, revising Northwind OP1 2027.\n"
        "  back in the stack: chargebacks/auto-representment (deferred by risk)\n"
        "  back in the stack: payments/pci-program-tpm (deferred by northwind)\n"
        f"Next: opplan check {op2}\n"
    )
    return op1, op2


def test_the_tree_and_plans_are_the_same_apart_from_the_edits(revised) -> None:
    op1, op2 = revised
    old, new = files(op1), files(op2)
    assert sorted(old) == sorted(new)
    changed = sorted(k for k in old if old[k] != new[k])
    assert changed == [
        "cycle.yaml",
        "northwind/payments/plan.yaml",
        "northwind/payments/risk/chargebacks/plan.yaml",
        "northwind/payments/risk/plan.yaml",
        "northwind/plan.yaml",
    ]
    assert oct(op2.stat().st_mode & 0o777) == oct(op1.stat().st_mode & 0o777)


def added_and_removed(op1: Path, op2: Path, rel: str) -> tuple[list[str], list[str]]:
    a = (op1 / rel).read_text().splitlines()
    b = (op2 / rel).read_text().splitlines()
    return [x for x in b if x not in a], [x for x in a if x not in b]


def test_cycle_yaml_gets_name_kind_and_revises_comments_kept(revised) -> None:
    op1, op2 = revised
    added, removed = added_and_removed(op1, op2, "cycle.yaml")
    assert removed == ["name: Northwind OP1 2027", "kind: OP1"]
    assert added == [
        "name: Northwind OP2 2027",
        "kind: OP2",
        "# The cycle this one revises (opplan revise); see docs/revisions.md.",
        "revises:",
        "  name: Northwind OP1 2027",
        "  kind: OP1",
        "  path: ../northwind-op1-2027",
    ]
    text = (op2 / "cycle.yaml").read_text()
    assert text.startswith("# Northwind OP1 2027: the sample planning cycle shipped with opplan.")
    cycle, _ = load(op2)
    assert cycle.settings is not None
    assert cycle.settings.kind == "OP2"
    assert cycle.settings.revises is not None
    assert cycle.settings.revises.model_dump(exclude={"source"}) == {
        "name": "Northwind OP1 2027",
        "kind": "OP1",
        "path": "../northwind-op1-2027",
        "commit": None,
        "repo_path": None,
        "dirty": False,
    }


def test_deferred_asks_come_back_live_with_their_deferral_noted(revised) -> None:
    op1, op2 = revised
    assert added_and_removed(op1, op2, "northwind/payments/risk/plan.yaml") == (
        ["  decisions: {}"],
        [
            "  decisions:",
            "    chargebacks/auto-representment:",
            "      decision: defer",
            f"      note: {RISK_NOTE}",
        ],
    )
    assert added_and_removed(op1, op2, "northwind/plan.yaml") == (
        [],
        ["    payments/pci-program-tpm:", "      decision: defer", f"      note: {TPM_NOTE}"],
    )
    lines = (op2 / "northwind/payments/risk/chargebacks/plan.yaml").read_text().splitlines()
    at = lines.index("  - id: auto-representment")
    assert lines[at + 1] == (f'    deferred_in: {{cycle: OP1, by: risk, note: "{RISK_NOTE}"}}')
    cycle, _ = load(op2)
    ask = next(
        a for a in cycle.node("chargebacks").plan.incremental if a.id == "auto-representment"
    )  # type: ignore[union-attr]
    assert ask.deferred_in is not None
    assert ask.deferred_in.model_dump(exclude={"source"}) == {
        "cycle": "OP1",
        "by": "risk",
        "note": RISK_NOTE,
    }
    tpm = next(a for a in cycle.node("payments").plan.incremental if a.id == "pci-program-tpm")  # type: ignore[union-attr]
    assert tpm.deferred_in is not None
    assert (tpm.deferred_in.cycle, tpm.deferred_in.by, tpm.deferred_in.note) == (
        "OP1",
        "northwind",
        TPM_NOTE,
    )


def test_other_decisions_are_kept_and_the_revision_checks_without_errors(revised) -> None:
    op1, op2 = revised
    old, _ = load(op1)
    new, _ = load(op2)
    for node_id, node in old.nodes.items():
        before = node.plan.review.decisions if node.plan and node.plan.review else {}
        after_plan = new.node(node_id).plan
        after = after_plan.review.decisions if after_plan and after_plan.review else {}
        kept = {k: v.model_dump() for k, v in before.items() if v.decision != "defer"}
        assert {k: v.model_dump() for k, v in after.items()} == kept, node_id
    checked = pipeline.check(op2)
    assert [d.format() for d in checked.diagnostics if d.severity.value == "error"] == []


def test_the_deferral_shows_in_the_stack_rows(revised) -> None:
    _, op2 = revised
    report = pipeline.rollup(op2).report
    assert report is not None
    rows = {r.ask: r for r in report.nodes["risk"].stack}
    row = rows["chargebacks/auto-representment"]
    assert (row.deferred_in, row.note) == ("Deferred in OP1 by Risk", None)
    root = {r.ask: r for r in report.nodes["northwind"].stack}
    assert root["payments/pci-program-tpm"].deferred_in == "Deferred in OP1 by Northwind"
    assert [r.ask for r in report.nodes["northwind"].stack if r.deferred_in] == [
        "payments/pci-program-tpm",
        "chargebacks/auto-representment",
    ]
    assert [(r.ask, r.status) for r in report.nodes["northwind"].removed] == [
        ("identity/session-service-split", "cut")
    ]


def test_init_from_is_revise_with_a_name(tmp_path: Path) -> None:
    op2 = tmp_path / "op2"
    code, out, err = run("init", "--from", str(SAMPLE), str(op2), "--name", "Northwind OP2 draft")
    assert code == 0, err
    assert out.startswith(
        f"Created Northwind OP2 draft (OP2) in {op2}, revising Northwind OP1 2027"
    )
    cycle, _ = load(op2)
    assert cycle.settings is not None
    assert (cycle.settings.name, cycle.settings.kind) == ("Northwind OP2 draft", "OP2")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_in_git_revises_names_the_commit_and_dirty(tmp_path: Path) -> None:
    need_tool("git")
    repo = tmp_path / "plans"
    shutil.copytree(SAMPLE, repo / "cycles" / "op1")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "op1")
    head = git(repo, "rev-parse", "HEAD")
    assert run("revise", str(repo / "cycles" / "op1"), str(tmp_path / "a"))[0] == 0
    a, _ = load(tmp_path / "a")
    assert a.settings is not None and a.settings.revises is not None
    assert a.settings.revises.model_dump(exclude={"source"}) == {
        "name": "Northwind OP1 2027",
        "kind": "OP1",
        "path": "../plans/cycles/op1",
        "commit": head,
        "repo_path": "cycles/op1",
        "dirty": False,
    }
    (repo / "cycles" / "op1" / "northwind" / "narrative.md").write_text("Edited.\n")
    code, out, _ = run("revise", str(repo / "cycles" / "op1"), str(tmp_path / "b"))
    assert code == 0
    assert f"at {head[:7]} (with uncommitted changes)." in out
    text = (tmp_path / "b" / "cycle.yaml").read_text()
    assert text.endswith(f"  commit: {head}\n  repo_path: cycles/op1\n  dirty: true\n")


def test_revising_an_op2_makes_another_op2_draft(revised, tmp_path: Path) -> None:
    _, op2 = revised
    code, _, err = run("revise", str(op2), str(tmp_path / "draft2"))
    assert code == 0, err
    cycle, _ = load(tmp_path / "draft2")
    assert cycle.settings is not None and cycle.settings.revises is not None
    assert (cycle.settings.name, cycle.settings.kind) == ("Northwind OP2 2027", "OP2")
    assert (cycle.settings.revises.name, cycle.settings.revises.kind) == (
        "Northwind OP2 2027",
        "OP2",
    )
    assert (tmp_path / "draft2" / "cycle.yaml").read_text().count("revises:") == 1
    # nothing is deferred in OP2: the plans are copied unchanged
    assert filecmp.cmp(
        op2 / "northwind" / "payments" / "plan.yaml",
        tmp_path / "draft2" / "northwind" / "payments" / "plan.yaml",
        shallow=False,
    )


def test_refusals_write_nothing(tmp_path: Path) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    code, out, err = run("revise", str(SAMPLE), str(full))
    assert (code, out) == (2, "")
    assert f"'{full}' exists and is not an empty directory; nothing was written" in err
    assert sorted(p.name for p in full.iterdir()) == ["keep.txt"]

    code, _, err = run("revise", str(SAMPLE), str(SAMPLE / "northwind" / "op2"))
    assert code == 2
    assert "is inside" in err
    assert not (SAMPLE / "northwind" / "op2").exists()

    broken = tmp_path / "broken"
    shutil.copytree(SAMPLE, broken)
    (broken / "northwind" / "plan.yaml").write_text("name: Northwind\n")
    code, out, err = run("revise", str(broken), str(tmp_path / "op2"))
    assert code == 1
    assert "northwind/plan.yaml:1:1: error: missing required key 'owner'" in err
    assert err.endswith("has errors; nothing was written.\n")
    assert not (tmp_path / "op2").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "full"]


def test_a_flow_style_ask_and_crlf_files_are_edited_too(tmp_path: Path) -> None:
    """An ask written as one { } mapping cannot take a line after its id: the round trip
    adds the key (comments kept); CRLF line ends and the cycle name's quoting stay."""
    from cyclefactory import write_cycle

    op1 = write_cycle(
        tmp_path / "op1",
        {
            "d": "name: D\nowner: O\nreview:\n  decisions:\n"
            "    t/x: {decision: defer, note: 'Later: after Q1'}\n    t/y: {decision: fund}\n",
            "d/t": "name: T\nowner: O\n# the asks\nincremental:\n"
            "  - {id: x, title: X, headcount: [{role: SDE, count: 1}]}  # flow\n"
            "  - id: y\n    title: Y\n",
        },
        cycle_yaml='name: "Acme: OP1 2027"\r\nkind: OP1\r\nyear: 2027\r\nrates:\r\n'
        "  default: 100000\r\n",
    )
    code, _, err = run("revise", str(op1), str(tmp_path / "op2"), "--name", "Acme: OP2 #1")
    assert code == 0, err
    op2 = tmp_path / "op2"
    assert (op2 / "cycle.yaml").read_bytes() == (
        b'name: "Acme: OP2 #1"\r\nkind: OP2\r\nyear: 2027\r\nrates:\r\n  default: 100000\r\n'
        b"\r\n# The cycle this one revises (opplan revise); see docs/revisions.md.\r\n"
        b'revises:\r\n  name: "Acme: OP1 2027"\r\n  kind: OP1\r\n  path: ../op1\r\n'
    )
    assert (op2 / "d" / "t" / "plan.yaml").read_text() == (
        "name: T\nowner: O\n# the asks\nincremental:\n"
        "  - {id: x, title: X, headcount: [{role: SDE, count: 1}], deferred_in: {cycle: OP1, "
        "by: d, note: 'Later: after Q1'}} # flow\n"
        "  - id: y\n    title: Y\n"
    )
    assert (op2 / "d" / "plan.yaml").read_text() == (
        "name: D\nowner: O\nreview:\n  decisions:\n    t/y: {decision: fund}\n"
    )
    assert [d.rule for d in pipeline.check(op2).diagnostics if d.severity.value == "error"] == []
