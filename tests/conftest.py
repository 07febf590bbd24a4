"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from opplan import pipeline
from opplan.model.diagnostics import Diagnostic

REPO = Path(__file__).resolve().parent.parent


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
