"""The CLI through click's CliRunner: exit codes, exact output, help texts."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner
from files import CYCLE, SEARCH, cycle

from opplan.cli import cli


@pytest.fixture
def runner():
    return CliRunner()


def test_check_clean_cycle_exits_0(tmp_path, runner, monkeypatch):
    cycle(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["check"])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "0 errors, 0 warnings\n")


def test_check_errors_exit_1_with_exact_lines(tmp_path, runner, monkeypatch):
    cycle(tmp_path, **{"acme/search/plan.yaml": SEARCH.replace("owner: Sue Search", "ownr: Sue")})
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["check", "."])
    assert result.exit_code == 1
    assert result.stderr == (
        "acme/search/plan.yaml:1:1: error: missing required key 'owner' [required]\n"
        "acme/search/plan.yaml:2:1: error: unknown key 'ownr' (did you mean 'owner'?) "
        "[unknown-key]\n"
        "2 errors, 0 warnings\n"
    )


def test_warnings_pass_unless_strict(tmp_path, runner, monkeypatch):
    cycle(tmp_path, **{"acme/search/plan.yaml": SEARCH.split("commitments:")[0]})
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(cli, ["check"]).exit_code == 0
    strict = runner.invoke(cli, ["check", "--strict"])
    assert strict.exit_code == 1
    assert "[dependency-ack]" in strict.stderr


def test_json_format_gives_the_same_diagnostics(tmp_path, runner, monkeypatch):
    cycle(tmp_path, **{"acme/search/plan.yaml": SEARCH.replace("owner: Sue Search", "ownr: Sue")})
    monkeypatch.chdir(tmp_path)
    text = runner.invoke(cli, ["check"]).stderr.splitlines()[:-1]
    result = runner.invoke(cli, ["check", "--format", "json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert (doc["errors"], doc["warnings"]) == (2, 0)
    as_text = [
        f"{d['path']}:{d['line']}:{d['col']}: {d['severity']}: {d['message']} [{d['rule']}]"
        for d in doc["diagnostics"]
    ]
    assert as_text == text


def test_usage_errors_exit_2(tmp_path, runner):
    assert runner.invoke(cli, ["check", str(tmp_path / "missing")]).exit_code == 2
    assert runner.invoke(cli, ["check", "--format", "xml", str(tmp_path)]).exit_code == 2
    assert runner.invoke(cli, ["no-such-command"]).exit_code == 2


def test_directory_that_is_not_a_cycle(tmp_path, runner):
    result = runner.invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path}/cycle.yaml:1:1: error: no cycle.yaml in '{tmp_path}'" in result.stderr


def test_init_and_new_create_a_cycle_that_checks(tmp_path, runner):
    target = tmp_path / "acme-op1"
    result = runner.invoke(cli, ["init", str(target), "--year", "2028"])
    assert result.exit_code == 0, result.output
    assert (target / "cycle.yaml").read_text().count("year: 2028") == 1
    assert (target / "acme" / "plan.yaml").is_file()
    result = runner.invoke(cli, ["new", str(target / "acme" / "web"), "--owner", "Ana Silva"])
    assert result.exit_code == 0, result.output
    plan = (target / "acme" / "web" / "plan.yaml").read_text()
    assert "name: Web\n" in plan and "owner: Ana Silva " in plan and "#   - id: fraud-model" in plan
    check = runner.invoke(cli, ["check", str(target)])
    # no error: the warnings are the placeholders (two scaffold narratives, the root's owner)
    assert (check.exit_code, check.stderr.splitlines()[-1]) == (0, "0 errors, 3 warnings")
    assert check.stderr.count("[placeholder]") == 3
    strict = runner.invoke(cli, ["check", "--strict", str(target)])
    assert strict.exit_code == 1


def test_init_refuses_a_non_empty_directory(tmp_path, runner):
    (tmp_path / "keep.txt").write_text("mine")
    result = runner.invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "exists and is not an empty directory" in result.output
    assert (tmp_path / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize(
    "path, message",
    [
        ("acme/Bad_Id", "'Bad_Id' is not a valid node id"),
        ("acme/shop", "'{base}/acme/shop' exists and is not an empty directory"),
        ("acme/nowhere/team", "the parent directory 'nowhere' is not a node"),
    ],
)
def test_new_refusals(tmp_path, runner, path, message):
    cycle(tmp_path)
    result = runner.invoke(cli, ["new", str(tmp_path / path)])
    assert result.exit_code == 2
    assert message.format(base=tmp_path) in result.output


def test_new_outside_a_cycle(tmp_path, runner):
    result = runner.invoke(cli, ["new", str(tmp_path / "team")])
    assert result.exit_code == 2 and "is not inside a cycle" in result.output


def test_every_command_has_help_with_an_example():
    def walk(group: click.Group, prefix: str = ""):
        for name, command in group.commands.items():
            yield f"{prefix}{name}", command
            if isinstance(command, click.Group):
                yield from walk(command, f"{prefix}{name} ")

    for name, command in walk(cli):
        if isinstance(command, click.Group):
            assert command.help, name
            continue
        assert command.help and "Example:" in command.help, f"'{name}' needs help with an example"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"option {param.name} of '{name}' needs help"


def test_python_dash_m_runs_the_cli(tmp_path):
    cycle(tmp_path, **{"cycle.yaml": CYCLE})
    proc = subprocess.run(
        [sys.executable, "-m", "opplan", "check", str(tmp_path)], capture_output=True, text=True
    )
    assert proc.returncode == 0 and proc.stderr.endswith("0 errors, 0 warnings\n")


@pytest.mark.parametrize(
    "args, code",
    [(["check", "{bad}"], 1), (["check", "--format", "xml", "{good}"], 2), (["--version"], 0)],
)
def test_entry_point_exit_codes(tmp_path, args, code):
    """The console entry point (which ends with os._exit) keeps click's exit codes."""
    good = cycle(tmp_path / "good")
    bad = cycle(tmp_path / "bad", **{"acme/search/plan.yaml": "name: x\n"})
    argv = [a.format(good=good, bad=bad) for a in args]
    proc = subprocess.run([sys.executable, "-m", "opplan", *argv], capture_output=True, text=True)
    assert proc.returncode == code, proc.stderr
    if code == 1:
        assert proc.stderr.endswith("1 error, 0 warnings\n")


def test_output_piped_into_head_stops_quietly(tmp_path):
    base = cycle(tmp_path)
    proc = subprocess.run(
        f"'{sys.executable}' -m opplan rollup '{base}' --format csv | head -c 5",
        shell=True,
        capture_output=True,
        text=True,
    )
    assert proc.stdout == "id,na" and "Traceback" not in proc.stderr


def test_a_bug_is_one_line_never_a_traceback(tmp_path, monkeypatch, capsys):
    """The last-resort handler: an unexpected exception is one line and exit 1, and
    OPPLAN_DEBUG=1 lets the traceback through for whoever reports it."""
    import opplan.cli as cli_module
    from opplan import pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    cycle(tmp_path)
    monkeypatch.setattr(pipeline, "check", broken)
    monkeypatch.delenv("OPPLAN_DEBUG", raising=False)
    assert cli_module.run(["check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("opplan: internal error: RuntimeError('boom')\n")
    assert "Traceback" not in err
    monkeypatch.setenv("OPPLAN_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        cli_module.run(["check", str(tmp_path)])
