"""Shared fixtures."""

from __future__ import annotations

import multiprocessing
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from opplan import pipeline
from opplan.model.diagnostics import Diagnostic

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "northwind-op1-2027"


@pytest.fixture(scope="session", autouse=True)
def _no_check_cache() -> Iterator[None]:
    """No test writes a cache (the check's or the parse's) into samples/ or the user's
    ~/.cache, and no test reads one; tests/test_check_cache.py and tests/test_parse_cache.py
    turn it on in temporary directories. Session-wide, so that module and session fixtures
    (which run before any function's monkeypatch) have it off too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OPPLAN_CACHE", "off")
        yield


@pytest.fixture(scope="session", autouse=True)
def _sample_without_cache() -> None:
    """The sample as git holds it: `make demo` (or any opplan command run on the sample) leaves
    its caches in samples/northwind-op1-2027/.opplan-cache/, and the tests that copy the
    sample must not copy them. A cache never changes a result, so removing it loses nothing."""
    shutil.rmtree(SAMPLE / ".opplan-cache", ignore_errors=True)


def children_end(timeout: float = 30.0) -> bool:
    """Whether every worker process this one forked ends within ``timeout`` seconds: a
    build's helpers are told to end when it is done, and not waited for."""
    deadline = time.monotonic() + timeout
    while multiprocessing.active_children():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


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
