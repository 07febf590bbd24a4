"""The rooms and their layers: contracts enforced by import-linter, and `check` without the
format libraries."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from opplan import build, pipeline

SAMPLE = REPO / "samples" / "northwind-op1-2027"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

#: Runs the CLI with the format libraries made unimportable.
BLOCKED = """
import importlib.abc, sys
BLOCK = {"docx", "openpyxl", "matplotlib", "pypdf", "pandas", "ruamel"}
class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in BLOCK:
            raise ImportError(f"{name} is blocked in this test")
        return None
sys.meta_path.insert(0, Blocker())
from opplan.cli import run
sys.exit(run(sys.argv[1:]))
"""


@pytest.mark.parametrize("pages", ["off", "estimate"])
def test_check_runs_without_any_format_library(pages):
    """`opplan check` loads neither python-docx, openpyxl, matplotlib, pypdf, pandas nor
    ruamel: the page-limit check is supplied by the docx side and loads python-docx only to
    count pages exactly."""
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED, "check", str(SAMPLE), "--pages", pages],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.endswith("0 errors, 2 warnings\n")


def test_the_layer_contracts_hold():
    done = subprocess.run(
        [LINT_IMPORTS, "--no-cache", str(REPO / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout


def test_breaking_a_contract_fails_the_check(tmp_path):
    """The contracts bite: an engine module that imports python-docx fails lint-imports."""
    shutil.copytree(
        REPO / "opplan", tmp_path / "opplan", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    stack = tmp_path / "opplan" / "engine" / "stack.py"
    stack.write_text(stack.read_text() + "\nimport docx  # a renderer's library in the engine\n")
    done = subprocess.run(
        [LINT_IMPORTS, "--no-cache", str(tmp_path / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert done.returncode == 1
    assert "The core imports no format library and no click BROKEN" in done.stdout
    assert "opplan.engine.stack -> docx" in done.stdout


def test_the_pipeline_names_every_renderer():
    assert pipeline.renderers() == tuple(build.RENDERERS)
