"""``opplan check --format github`` and ``--format sarif``: CI annotations and SARIF 2.1.0.

Golden files in tests/golden/ci/ hold the exact output for a small broken cycle inside a git
repository (paths relative to the repository's root); the SARIF log is validated against the
SARIF 2.1.0 JSON schema kept in tests/data/sarif/ (its README says where it comes from).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from importlib import metadata
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import REPO
from files import SEARCH, SHOP, cycle

from opplan.cli import cli
from opplan.model.diagnostics import Diagnostic, Severity, Source
from opplan.render.diagnostics import github_text, sarif_log

GOLDEN = REPO / "tests" / "golden" / "ci"
SCHEMAS = {  # each SARIF 2.1.0 schema (tests/data/sarif/README.md), its SHA-256 and dialect
    "sarif-2.1.0-rtm.5.json": (
        "2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8",
        jsonschema.Draft4Validator,
    ),
    "sarif-2.1.0.json": (
        "1c49a0f2b60444c71bb14878e21e0d882198eff4c539861b133093ad89ed798c",
        jsonschema.Draft202012Validator,
    ),
}


@pytest.fixture
def broken_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding a cycle at plans/op1-2027 with one error and one warning:
    a misspelt key in shop's plan and search with two goals of the three min-goals wants.
    The working directory is plans/, so the paths opplan is given differ from the
    repository's."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    search = SEARCH.replace(
        "  - {id: G3, title: Index freshness under 5 min, kind: metric, unit: min, "
        "baseline: 30, target: 5, due: Q4, owner: Sue}\n",
        "",
    )
    cycle(
        repo / "plans" / "op1-2027",
        **{
            "acme/shop/plan.yaml": SHOP.replace("name: Shop", "name: Shop\ntitel: typo"),
            "acme/search/plan.yaml": search,
        },
    )
    monkeypatch.chdir(repo / "plans")
    return repo


def run_check(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["check", *args, "--pages", "off"])
    return result.exit_code, result.stdout, result.stderr


def test_github_annotations_golden(broken_repo: Path) -> None:
    code, out, err = run_check("op1-2027", "--format", "github")
    assert code == 1 and err == ""
    assert out == (GOLDEN / "broken.github.txt").read_text(encoding="utf-8")


def test_sarif_golden(broken_repo: Path) -> None:
    code, out, err = run_check("op1-2027", "--format", "sarif")
    assert code == 1 and err == ""
    expected = (GOLDEN / "broken.sarif.json").read_text(encoding="utf-8")
    assert out == expected.replace("@VERSION@", metadata.version("opplan"))


def _validate(log: object, name: str | None = None) -> None:
    """Validate ``log`` against the schema ``name``, or against each of them."""
    for file, (sha, validator) in SCHEMAS.items():
        if name not in (None, file):
            continue
        path = REPO / "tests" / "data" / "sarif" / file
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
        schema = json.loads(path.read_text(encoding="utf-8"))
        validator.check_schema(schema)
        validator(schema).validate(log)


def test_sarif_validates_against_the_sarif_2_1_0_schema(broken_repo: Path) -> None:
    _, out, _ = run_check("op1-2027", "--format", "sarif")
    log = json.loads(out)
    _validate(log)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["min-goals", "unknown-key"]


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_the_schema_rejects_what_is_not_sarif(name: str) -> None:
    """The validation can fail: a result without a message breaks either schema."""
    log = sarif_log([Diagnostic(Source("a.yaml", 2, 3), Severity.ERROR, "m", "yaml")], None, "1")
    _validate(log, name)
    del log["runs"][0]["results"][0]["message"]  # type: ignore[index]
    with pytest.raises(jsonschema.ValidationError, match="'message' is a required property"):
        _validate(log, name)


def test_a_clean_cycle_prints_no_annotation_and_an_empty_sarif_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cycle(tmp_path / "op1")
    monkeypatch.chdir(tmp_path)
    assert run_check("op1", "--format", "github") == (0, "", "")
    code, out, _ = run_check("op1", "--format", "sarif")
    log = json.loads(out)
    _validate(log)
    assert (
        code == 0
        and log["runs"][0]["results"] == []
        and log["runs"][0]["tool"]["driver"]["rules"] == []
    )


def test_warnings_fail_with_strict_as_in_the_other_formats(broken_repo: Path) -> None:
    (broken_repo / "plans" / "op1-2027" / "acme" / "shop" / "plan.yaml").write_text(
        SHOP, encoding="utf-8"
    )
    assert run_check("op1-2027", "--format", "github")[0] == 0
    code, out, _ = run_check("op1-2027", "--format", "github", "--strict")
    assert code == 1
    assert out == (
        "::warning file=plans/op1-2027/acme/search/plan.yaml,line=5,col=1,title=min-goals::"
        "search has 2 goals, fewer than 3\n"
    )


def test_github_escapes_messages_and_properties() -> None:
    diag = Diagnostic(Source("a,b:c/plan.yaml", 1, 2), Severity.WARNING, "50% done\r\nnext", "r")
    assert github_text([diag], None) == (
        "::warning file=a%2Cb%3Ac/plan.yaml,line=1,col=2,title=r::50%25 done%0D%0Anext"
    )


def test_outside_git_paths_stay_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cycle(tmp_path / "op1", **{"acme/shop/plan.yaml": SHOP.replace("name: Shop", "nme: Shop")})
    monkeypatch.chdir(tmp_path)
    if any((Path(p) / ".git").exists() for p in [tmp_path, *tmp_path.parents]):
        pytest.fail("the temporary directory is inside a git repository")
    code, out, _ = run_check("op1", "--format", "github")
    assert code == 1
    assert out.splitlines()[0] == (
        "::error file=op1/acme/shop/plan.yaml,line=1,col=1,title=required::"
        "missing required key 'name'"
    )
    sarif = json.loads(run_check(os.path.join("op1"), "--format", "sarif")[1])
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": "op1/acme/shop/plan.yaml",
        "uriBaseId": "%SRCROOT%",
    }


def test_files_checks_every_cycle_holding_a_changed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the pre-commit hook runs: each file's cycle (the nearest cycle.yaml above it),
    each cycle once; files in no cycle add nothing."""
    cycle(tmp_path / "a", **{"acme/shop/plan.yaml": SHOP.replace("name: Shop", "nme: Shop")})
    cycle(tmp_path / "b")
    (tmp_path / "README.md").write_text("# plans\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    changed = ["README.md", "b/acme/plan.yaml", "a/acme/shop/plan.yaml", "a/cycle.yaml"]
    code, out, err = run_check("--files", *changed)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "a/acme/shop/plan.yaml:1:1: error: missing required key 'name' [required]",
        "a/acme/shop/plan.yaml:1:1: error: unknown key 'nme' (did you mean 'name'?) [unknown-key]",
        "2 errors, 0 warnings",
    ]
    assert run_check("--files", "b/acme/search/plan.yaml") == (0, "", "0 errors, 0 warnings\n")
    assert run_check("--files", "README.md") == (0, "", "")
    code, out, _ = run_check("--files", "README.md", "--format", "sarif")
    assert code == 0 and json.loads(out)["runs"][0]["results"] == []
    code, _, err = run_check("a", "b")
    assert code == 2 and "give one cycle directory (or --files" in err


def test_every_rule_the_docs_name_has_a_sentence_and_its_section() -> None:
    """SARIF lists each rule with one sentence: every policy and every structural rule of
    docs/policies.md has one, in the section of that page that explains it."""
    from opplan.check.policies import POLICIES
    from opplan.check.rules import STRUCTURAL, rule_info

    text = " ".join((REPO / "docs" / "policies.md").read_text(encoding="utf-8").split())
    named = text.split("Their rule names in diagnostics are", 1)[1].split("`opplan build` adds", 1)
    structural = [*re.findall(r"`([a-z-]+)`", named[0]), "render", "build"]
    assert sorted(structural) == sorted(STRUCTURAL) and "## Structural rules" in text
    assert all(rule_info(rule).anchor == "structural-rules" for rule in structural)
    for policy in POLICIES:
        assert f"| `{policy.name}` |" in text and "## Rules" in text
        assert rule_info(policy.name).summary == policy.summary
        assert rule_info(policy.name).anchor == "rules"
    assert rule_info("something-new") == rule_info("something-new").__class__(
        "something-new", "something-new", "error", "structural-rules"
    )


def test_the_ci_examples_in_the_docs_are_valid_yaml_with_real_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/ci.md's workflow, GitLab job and pre-commit config parse, and every opplan
    command in them is one the CLI takes (options and all)."""
    import shlex

    (tmp_path / "plans" / "op1-2027").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    import yaml

    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]
    assert len(blocks) == 5
    workflow, gitlab = blocks[2], blocks[3]
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    uses = [s["uses"].split("@")[0] for s in steps if "uses" in s]
    assert "github/codeql-action/upload-sarif" in uses and "actions/upload-artifact" in uses
    commands = [line for s in steps for line in s.get("run", "").splitlines()]
    commands += gitlab["plans"]["script"]
    opplan = [
        shlex.split(c.split(">")[0].split("||")[0]) for c in commands if c.startswith("opplan ")
    ]
    assert [c[1] for c in opplan] == [
        "check",
        "check",
        "codeowners",
        "build",
        "check",
        "codeowners",
        "build",
    ]
    for args in opplan:
        with cli.make_context("opplan", args[1:]) as ctx:
            sub = cli.get_command(ctx, args[1])
            assert sub is not None
            sub.make_context(args[1], args[2:], parent=ctx)  # raises on an unknown option


@pytest.mark.parametrize(
    "case", sorted(p.name for p in (REPO / "samples" / "invalid").iterdir() if p.is_dir())
)
def test_every_invalid_sample_gives_valid_sarif_and_one_annotation_per_diagnostic(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same diagnostics as the text format (samples/invalid/*/expected.txt), in both."""
    monkeypatch.chdir(REPO / "samples" / "invalid" / case)
    expected = (Path("expected.txt")).read_text(encoding="utf-8").splitlines()
    where = [line.split(": ", 1)[0].split(":") for line in expected]
    code, out, _ = run_check(".", "--format", "sarif")
    log = json.loads(out)
    _validate(log)
    found = []
    for result in log["runs"][0]["results"]:
        physical = result["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"].removeprefix(f"samples/invalid/{case}/")
        region = physical["region"]
        found.append([uri, str(region["startLine"]), str(region["startColumn"])])
    assert code == 1 and found == where
    code, out, _ = run_check(".", "--format", "github")
    assert code == 1 and len(out.splitlines()) == len(expected)
