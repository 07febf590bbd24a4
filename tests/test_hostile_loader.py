"""Issue 10, loader cases: files that are not plans, floods of unknown keys, symlinks out.

Each test names its case. Commands run through click's CliRunner; a crash there
is an exception on the result, so every run also asserts there was none.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from files import CYCLE, cycle
from hypothesis import given
from hypothesis import strategies as st

from opplan.cli import cli
from opplan.load.loader import load
from opplan.load.orgtree import display_path


def run(cycle_dir: Path, *args: str) -> Result:
    """Run ``opplan <args> <cycle_dir>`` and assert it ended cleanly (no crash)."""
    result = CliRunner().invoke(cli, [*args, str(cycle_dir)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "internal error" not in result.output
    return result


def commands(out: Path) -> list[list[str]]:
    """check, rollup and build, each as it is run on a cycle."""
    return [["check", "--pages", "off"], ["rollup"], ["build", "--out", str(out)]]


def tree(base: Path) -> dict[str, bytes]:
    """Every file under ``base`` with its bytes (to show a run changed nothing)."""
    return {
        str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()
    }


# --- case 1: a file that is only '---', '~' or 'null' --------------------------------

EMPTY_PLAN = [
    "acme/search/plan.yaml:1:1: error: missing required key 'name' [required]",
    "acme/search/plan.yaml:1:1: error: missing required key 'owner' [required]",
]


@pytest.mark.parametrize("text", ["---\n", "~\n", "null\n", "--- ~\n", "--- null\n...\n", ""])
def test_case_1_null_plan_is_an_error_for_every_command(tmp_path, text, monkeypatch):
    """case 1: a plan.yaml that is only '---', '~' or 'null' fails check, rollup and build."""
    cycle(tmp_path / "c", **{"acme/search/plan.yaml": text})
    monkeypatch.chdir(tmp_path / "c")
    for args in commands(tmp_path / "out"):
        result = run(Path("."), *args)
        assert result.exit_code == 1, (args, result.output)
        for line in EMPTY_PLAN:
            assert line in result.stderr.splitlines(), (args, result.stderr)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("text", "got"),
    [
        ("- name: Search\n- owner: Sue\n", "a list"),
        ("5\n", "a single value"),
        ("Search\n", "a single value"),
        ("2027-01-01\n", "a single value"),
        ("true\n", "a single value"),
        ("'---'\n", "a single value"),
    ],
)
def test_case_1_plan_that_is_a_list_or_a_scalar(tmp_path, text, got, monkeypatch):
    """case 1: a plan.yaml whose top is a list or one value: one error at the file, in words."""
    cycle(tmp_path, **{"acme/search/plan.yaml": text})
    monkeypatch.chdir(tmp_path)
    for args in commands(tmp_path / "out"):
        result = run(Path("."), *args)
        assert result.exit_code == 1
        assert (
            f"acme/search/plan.yaml:1:1: error: plan.yaml must be a mapping of keys "
            f"(name: ..., owner: ...), not {got} [type]"
        ) in result.stderr.splitlines()


@pytest.mark.parametrize("text", ["---\n", "~\n", "null\n", ""])
def test_case_1_null_cycle_yaml(tmp_path, text, monkeypatch):
    """case 1: a cycle.yaml that is only '---', '~' or 'null' names what it lacks."""
    cycle(tmp_path, **{"cycle.yaml": text})
    monkeypatch.chdir(tmp_path)
    for args in commands(tmp_path / "out"):
        result = run(Path("."), *args)
        assert result.exit_code == 1
        lines = result.stderr.splitlines()
        for key in ("name", "year", "rates"):
            assert f"cycle.yaml:1:1: error: missing required key '{key}' [required]" in lines


def test_case_1_cycle_yaml_that_is_a_list(tmp_path, monkeypatch):
    """case 1: a cycle.yaml that is a list is one error at the file."""
    cycle(tmp_path, **{"cycle.yaml": "- " + CYCLE.replace("\n", "\n  ")})
    monkeypatch.chdir(tmp_path)
    result = run(Path("."), "rollup")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "cycle.yaml:1:1: error: cycle.yaml must be a mapping of keys (name: ..., year: ...), "
        "not a list [type]"
    )


# --- case 2: unknown keys by the ten thousand -----------------------------------------


def test_case_2_forty_thousand_unknown_keys_bounded_and_summarised(tmp_path, monkeypatch):
    """case 2: 40,000 unknown keys check in bounded time; the output stays readable."""
    keys = "".join(f"k{i:05d}: 1\n" for i in range(40_000))
    cycle(tmp_path, **{"acme/search/plan.yaml": "name: Search\nowner: Sue\n" + keys})
    monkeypatch.chdir(tmp_path)
    start = time.monotonic()
    result = run(Path("."), "check", "--pages", "off")
    assert time.monotonic() - start < 20  # was 62 s
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    unknown = [line for line in lines if "[unknown-key]" in line]
    assert len(unknown) == 101
    assert unknown[0] == "acme/search/plan.yaml:3:1: error: unknown key 'k00000' [unknown-key]"
    assert unknown[99] == "acme/search/plan.yaml:102:1: error: unknown key 'k00099' [unknown-key]"
    assert unknown[100] == (
        "acme/search/plan.yaml:103:1: error: and 39,900 more unknown-key problems in this file "
        "(fix the ones above, then check again) [unknown-key]"
    )


def test_case_2_unknown_keys_deep_in_a_record(tmp_path, monkeypatch):
    """case 2: unknown keys inside a list item are indexed too (one record, many keys)."""
    keys = "".join(f"    k{i:05d}: 1\n" for i in range(20_000))
    plan = "name: Search\nowner: Sue\ngoals:\n  - id: G1\n" + keys
    cycle(tmp_path, **{"acme/search/plan.yaml": plan})
    monkeypatch.chdir(tmp_path)
    start = time.monotonic()
    result = run(Path("."), "check", "--pages", "off", "--format", "json")
    assert time.monotonic() - start < 20
    assert result.exit_code == 1
    assert '"message": "unknown key \'k00000\'"' in result.stdout
    assert '"line": 5' in result.stdout


# --- case 15: symlinks that leave the cycle are never read ----------------------------

SECRET = "db_password: hunter2-s3cret\nname: Leaked Name\napi_token: tok-0123456789\n"
SECRET_WORDS = ("db_password", "hunter2", "Leaked", "api_token", "tok-0123")


@pytest.mark.parametrize(
    ("link", "shown"),
    [("cycle.yaml", "cycle.yaml"), ("acme/search/plan.yaml", "acme/search/plan.yaml")],
)
def test_case_15_yaml_symlinked_outside_is_never_read(tmp_path, link, shown, monkeypatch):
    """case 15: cycle.yaml or plan.yaml symlinked outside: one error at the link, no content."""
    outside = tmp_path / "outside.yaml"
    outside.write_text(SECRET, encoding="utf-8")
    base = cycle(tmp_path / "c", **{link: None})
    (base / link).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(outside, base / link)
    before = tree(tmp_path)
    monkeypatch.chdir(base)
    for args in commands(tmp_path / "out"):
        result = run(Path("."), *args)
        assert result.exit_code == 1
        for word in SECRET_WORDS:
            assert word not in result.output
        assert result.stderr.splitlines()[0] == (
            f"{shown}:1:1: error: symlink leaves the cycle directory (points to {outside}) "
            "[symlink]"
        )
        assert len([line for line in result.stderr.splitlines() if shown in line]) == 1
    assert tree(tmp_path) == before


def test_case_15_narrative_symlinked_outside_is_never_read(tmp_path, monkeypatch):
    """case 15: a narrative.md symlinked outside is one error; its text appears nowhere."""
    outside = tmp_path / "outside.md"
    outside.write_text("# Secrets\n\n" + SECRET, encoding="utf-8")
    base = cycle(tmp_path / "c")
    os.symlink(outside, base / "acme" / "search" / "narrative.md")
    monkeypatch.chdir(base)
    for args in commands(tmp_path / "out"):
        result = run(Path("."), *args)
        assert result.exit_code == 1
        for word in SECRET_WORDS:
            assert word not in result.output
        assert "acme/search/narrative.md:1:1: error: symlink leaves the cycle directory" in (
            result.stderr
        )


# --- nearby: a huge file is refused before it is read ---------------------------------


@pytest.mark.parametrize("name", ["acme/search/plan.yaml", "acme/search/narrative.md"])
def test_huge_sparse_file_is_refused_without_reading_it(tmp_path, name, monkeypatch):
    """A 4 GB (sparse) plan.yaml or narrative.md is one error at the file, read no further
    than the 5 MB limit (it used to be read whole into memory first)."""
    base = cycle(tmp_path)
    with open(base / name, "wb") as f:
        f.truncate(4 * 1024**3)
    monkeypatch.chdir(base)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    result = run(Path("."), "check", "--pages", "off")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 500_000
    assert result.exit_code == 1
    assert (
        f"{name}:1:1: error: file is 4,294,967,296 bytes, more than the 5,242,880 allowed [io]"
    ) in result.stderr.splitlines()


def test_a_narrative_symlinked_inside_the_cycle_is_read_and_a_directory_is_not(tmp_path):
    """The walk decides which narratives are read: a link that stays inside is followed, a
    directory named narrative.md is no narrative."""
    base = cycle(tmp_path / "c")
    shared = base / "shared.md"
    shared.write_text("# Shared\n\nWritten once, linked from search.\n", encoding="utf-8")
    os.symlink(shared, base / "acme" / "search" / "narrative.md")
    loaded, _ = load(base)
    assert loaded.nodes["search"].narrative is not None
    assert "Written once" in loaded.nodes["search"].narrative.text
    (base / "acme" / "search" / "narrative.md").unlink()
    (base / "acme" / "search" / "narrative.md").mkdir()
    loaded, diags = load(base)
    assert loaded.nodes["search"].narrative is None
    assert [d for d in diags if "narrative.md" in d.source.path] == []


@given(
    st.sampled_from([".", "./", "c", "c/", "./c", "/tmp/c", "/tmp//c/", "/", "//", "a/../c"]),
    st.lists(st.sampled_from(["a", ".", "", "..", "b c", "plan.yaml"]), max_size=4),
)
def test_display_path_is_what_pathlib_joins(base, parts):
    rel = "/".join(parts)
    assert display_path(base, rel) == (str(Path(base) / rel) if rel else str(Path(base)))
