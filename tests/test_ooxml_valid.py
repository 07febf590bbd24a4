"""Every document and workbook opplan writes passes the Open XML SDK's schema rules.

The validator is the npm package ``@ooxml-tools/validate`` (the SDK compiled to
WebAssembly), pinned in ``tools/ooxml/package-lock.json`` and installed by
``make test`` when node is on the machine. One node process validates every file of
the sample's build (it takes seconds to start). Without node or the package the
test skips with the reason, except in CI (``CI=true``), where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from opplan import pipeline
from opplan.render.ooxml import schema_ordered_fonts

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "ooxml"
SAMPLE = ROOT / "samples" / "northwind-op1-2027"


def _need_validator() -> str:
    node = shutil.which("node")
    installed = (TOOL / "node_modules" / "@ooxml-tools" / "validate").is_dir()
    if node and installed:
        return node
    reason = (
        "node is not installed"
        if not node
        else "the validator is not installed (make test runs npm ci in tools/ooxml)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"OOXML validation is required in CI: {reason}")
    pytest.skip(f"OOXML validation skipped: {reason}")


def validate(files: list[Path]) -> dict[str, list[dict[str, object]]]:
    node = _need_validator()
    done = subprocess.run(
        [node, str(TOOL / "validate.mjs"), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results: dict[str, list[dict[str, object]]] = json.loads(done.stdout)
    return results


def test_every_file_of_the_sample_build_is_valid_ooxml(tmp_path):
    out = tmp_path / "out"
    result = pipeline.build(SAMPLE, out, jobs=1)
    assert result.ok
    files = sorted(result.files)
    assert len(files) == 2 * len(list(SAMPLE.rglob("plan.yaml")))
    results = validate(files)
    assert set(results) == {str(f) for f in files}
    problems = {
        Path(f).name: [(e["description"], e["path"]) for e in errs]
        for f, errs in results.items()
        if errs
    }
    assert problems == {}


def test_the_validator_sees_an_invalid_package(tmp_path):
    """The check can fail: openpyxl's own font order (``name`` first) is refused."""
    from openpyxl import Workbook

    path = tmp_path / "raw.xlsx"
    Workbook().save(path)
    errors = validate([path])[str(path)]
    assert any("styles.xml" in str(e["path"]) for e in errors)


def test_font_children_are_put_in_the_schema_order():
    raw = (
        b'<fonts count="3"><font><name val="Calibri"/><family val="2"/><color theme="1"/>'
        b'<sz val="11"/><scheme val="minor"/></font><font><b/><i val="1"/></font><font/>'
        b"</fonts>"
    )
    assert schema_ordered_fonts(raw) == (
        b'<fonts count="3"><font><sz val="11"/><color theme="1"/><name val="Calibri"/>'
        b'<family val="2"/><scheme val="minor"/></font><font><b/><i val="1"/></font><font/>'
        b"</fonts>"
    )
