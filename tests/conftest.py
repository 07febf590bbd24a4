"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from opplan import pipeline
from opplan.model.diagnostics import Diagnostic

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "northwind-op1-2027"


@pytest.fixture(autouse=True)
def _no_check_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes a check cache into samples/ or the user's ~/.cache (and no test reads
    one); tests/test_check_cache.py turns it on in temporary directories."""
    monkeypatch.setenv("OPPLAN_CACHE", "off")


def lines(diags: list[Diagnostic]) -> list[str]:
    """Diagnostics as their text lines."""
    return [d.format() for d in diags]


@pytest.fixture
def check_lines(monkeypatch):
    """Check a cycle directory from inside it; return the diagnostic lines (paths relative)."""

    def run(cycle_dir: Path) -> list[str]:
        monkeypatch.chdir(cycle_dir)
        return lines(pipeline.check(".").diagnostics)

    return run


@pytest.fixture(scope="session")
def sample_report():
    """The shipped sample rolled up (the report is immutable: tests share it)."""
    report = pipeline.rollup(SAMPLE).report
    assert report is not None
    return report


@pytest.fixture(scope="session")
def sample_json():
    """The nodes of ``opplan rollup samples/northwind-op1-2027 --format json``, by id."""
    import json

    from click.testing import CliRunner

    from opplan.cli import cli

    result = CliRunner().invoke(cli, ["rollup", str(SAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    return {n["id"]: n for n in json.loads(result.stdout)["nodes"]}
