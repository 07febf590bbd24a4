"""``opplan init`` and ``opplan new``: the first hour of a new cycle, through the CLI.

Acceptance 2 of the first-hour issue: a cycle made with ``init --root --name`` and ``new`` of two
teams and a manager checks clean with the scaffolds as written. The commented examples in every
scaffold are valid plans (rendered live, they load without a shape error).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from opplan import pipeline
from opplan.cli import cli
from opplan.create.scaffold import cycle_defaults, plan_text
from opplan.load.loader import load


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_init_then_new_teams_and_a_manager_check_clean_but_for_placeholders(
    tmp_path: Path,
) -> None:
    """No error; the warnings are the placeholders left to replace: every narrative is the
    scaffold's, and the root's owner is the one init writes."""
    x = tmp_path / "x"
    assert run("init", str(x), "--root", "identity", "--name", "Identity OP1 2027")[0] == 0
    for path, owner, role, name in [
        ("identity/sign-in", "Ana Silva", "team", "Sign-in, passwords: and recovery #1"),
        ("identity/audit-log", "Bo Chen", "team", "Audit log"),
        ("identity/platform", "Cy Dee", "manager", "Identity platform, shared"),
        ("identity/platform/directory", "Di Eng", "team", "Directory"),
    ]:
        code, _, err = run("new", str(x / path), "--owner", owner, "--role", role, "--name", name)
        assert code == 0, err
    assert sorted(p.relative_to(x).as_posix() for p in x.rglob("*.yaml")) == [
        "cycle.yaml",
        "identity/audit-log/plan.yaml",
        "identity/plan.yaml",
        "identity/platform/directory/plan.yaml",
        "identity/platform/plan.yaml",
        "identity/sign-in/plan.yaml",
    ]
    code, out, err = run("check", str(x))
    assert (code, out) == (0, "")
    scaffold = "is still the scaffold: write the plan's narrative [placeholder]"
    assert err.splitlines() == [
        f"{x}/identity/audit-log/narrative.md:1:1: warning: the narrative of audit-log {scaffold}",
        f"{x}/identity/narrative.md:1:1: warning: the narrative of identity {scaffold}",
        f"{x}/identity/plan.yaml:7:1: warning: owner 'Your Name' of identity is a placeholder: "
        "name the single accountable owner [placeholder]",
        f"{x}/identity/platform/directory/narrative.md:1:1: warning: the narrative of directory "
        + scaffold,
        f"{x}/identity/platform/narrative.md:1:1: warning: the narrative of platform {scaffold}",
        f"{x}/identity/sign-in/narrative.md:1:1: warning: the narrative of sign-in {scaffold}",
        "0 errors, 6 warnings",
    ]
    cycle, _ = load(x)
    assert cycle.settings is not None
    assert (cycle.settings.name, cycle.settings.year, cycle.settings.root) == (
        "Identity OP1 2027",
        2027,
        "identity",
    )
    assert cycle.nodes["sign-in"].plan is not None
    assert cycle.nodes["sign-in"].plan.name == "Sign-in, passwords: and recovery #1"
    manager = (x / "identity/platform/plan.yaml").read_text()
    team = (x / "identity/sign-in/plan.yaml").read_text()
    for kind in ("fund", "partial", "cut", "defer", "escalate"):
        assert f"#       decision: {kind} " in manager
    assert "# review:" in manager and "# policies:" in manager
    assert "review:" not in team and "policies:" not in team


@pytest.mark.parametrize("manager", [False, True])
def test_every_commented_example_is_a_valid_plan(tmp_path: Path, manager: bool) -> None:
    """Rendered with the examples live, a scaffold has no YAML or shape error: the examples
    are what a user gets by removing the '# ' in front of them."""
    (tmp_path / "cycle.yaml").write_text(
        "name: T\nyear: 2027\nrates: {default: 1}\nmandates: [{id: eu-region, title: EU}]\n"
    )
    node = tmp_path / "acme"
    node.mkdir()
    (node / "plan.yaml").write_text(plan_text("Acme, Inc.", "Ana", manager=manager, examples=False))
    checked = pipeline.check(tmp_path)
    shape = [d.format() for d in checked.diagnostics if d.rule in SHAPE_RULES]
    assert shape == []
    plan = checked.cycle.nodes["acme"].plan
    assert plan is not None and len(plan.goals) == 2 and len(plan.incremental) == 1
    assert (plan.review is not None) is manager


SHAPE_RULES = {"yaml", "type", "unknown-key", "required", "duplicate-key", "ignored-key"}


@pytest.mark.parametrize(
    "name, expected",
    [
        ("identity-op1-2027", ("identity", "OP1", 2027)),
        ("Northwind_OP2_2028", ("northwind", "OP2", 2028)),
        ("acme-2027", ("acme", None, 2027)),
        ("acme-op1", ("acme", "OP1", None)),
        ("x", ("x", None, None)),
        ("op1-2027", ("company", "OP1", 2027)),
    ],
)
def test_the_directory_name_gives_root_kind_and_year(name: str, expected: tuple) -> None:
    assert cycle_defaults(name) == expected


def test_init_takes_root_kind_and_year_from_the_directory_name(tmp_path: Path) -> None:
    code, out, _ = run("init", str(tmp_path / "identity-op2-2028"))
    assert (code, out) == (
        0,
        f"Created 3 files in {tmp_path}/identity-op2-2028. "
        f"Next: opplan check {tmp_path}/identity-op2-2028\n",
    )
    text = (tmp_path / "identity-op2-2028/cycle.yaml").read_text()
    assert "name: Identity OP2 2028\nkind: OP2 " in text and "\nyear: 2028 " in text
    assert "\nroot: identity " in text and "as_of: 2027-09-15 " in text
    assert (tmp_path / "identity-op2-2028/identity/plan.yaml").is_file()


def test_init_root_with_a_display_name(tmp_path: Path) -> None:
    assert run("init", str(tmp_path / "c"), "--root", "iam=Identity & Access")[0] == 0
    plan = (tmp_path / "c/iam/plan.yaml").read_text()
    assert "\nname: Identity & Access\n" in plan
    assert "\nname: Identity & Access OP1 2027\n" in (tmp_path / "c/cycle.yaml").read_text()
    cycle, diags = load(tmp_path / "c")
    assert diags == [] and cycle.nodes["iam"].plan is not None
    assert cycle.nodes["iam"].plan.name == "Identity & Access"


def test_init_refuses_a_bad_root_id(tmp_path: Path) -> None:
    code, _, err = run("init", str(tmp_path / "c"), "--root", "Identity Team")
    assert code == 2 and not (tmp_path / "c").exists()
    assert err.endswith(
        "Error: --root 'Identity Team' is not a valid node id: use 1 to 63 lowercase letters, "
        "digits and '-', starting with a letter or a digit (e.g. sign-in or team-2)\n"
    )


def test_init_sample_honours_year_and_name(tmp_path: Path) -> None:
    code, _, _ = run("init", str(tmp_path / "s"), "--sample", "--year", "2029")
    assert code == 0
    text = (tmp_path / "s/cycle.yaml").read_text()
    assert "\nname: Northwind OP1 2029\n" in text and "\nyear: 2029\n" in text
    assert "\nas_of: 2028-09-15\n" in text
    assert run("check", str(tmp_path / "s"), "--pages", "off")[0] == 0
    run("init", str(tmp_path / "t"), "--sample", "--name", "Northwind: a test")
    assert '\nname: "Northwind: a test"\n' in (tmp_path / "t/cycle.yaml").read_text()


def test_init_sample_refuses_root(tmp_path: Path) -> None:
    code, _, err = run("init", str(tmp_path / "s"), "--sample", "--root", "acme")
    assert code == 2 and not (tmp_path / "s").exists()
    assert "--root cannot be used with --sample" in err


def test_new_refuses_a_second_root_and_says_how_to_name_one(tmp_path: Path) -> None:
    x = tmp_path / "x"
    run("init", str(x))
    code, _, err = run("new", str(x / "identity"))
    assert code == 2 and not (x / "identity").exists()
    assert err.splitlines()[-1] == (
        f"Error: the cycle already has a root node, 'x' (a cycle has exactly one): create teams "
        f"below it (opplan new {x}/x/identity); to rename the root, rename its directory "
        f"({x}/x to {x}/identity) and the root: line of {x}/cycle.yaml"
    )
