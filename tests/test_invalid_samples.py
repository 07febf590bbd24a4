"""Every samples/invalid/ case prints exactly its expected diagnostics and exits 1."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import REPO

from opplan.cli import cli

CASES = sorted(p for p in (REPO / "samples" / "invalid").iterdir() if p.is_dir())


def test_there_are_at_least_15_cases():
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_invalid_case(case, monkeypatch):
    monkeypatch.chdir(case)
    expected = (case / "expected.txt").read_text().splitlines()
    result = CliRunner().invoke(cli, ["check", "."])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == expected
    as_json = CliRunner().invoke(cli, ["check", ".", "--format", "json"])
    assert as_json.exit_code == 1
    assert [
        f"{d['path']}:{d['line']}:{d['col']}: {d['severity']}: {d['message']} [{d['rule']}]"
        for d in json.loads(as_json.stdout)["diagnostics"]
    ] == expected
