"""Helpers for the review workbook tests: a small org, building workbooks, editing them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from files import write_tree

from opplan.util import libreoffice

CYCLE = """\
name: Review OP1 2027
kind: OP1
year: 2027
currency: EUR
as_of: 2026-09-15
rates:
  default: 120000
"""

# The director's plan: comments and layout that an import must keep.
ORG = """\
# Director's plan: keep this comment.
name: Org
owner: Olga Org
headcount:
  - {role: SDM, count: 1}   # the director

review:
  budget: {headcount: 4}   # four heads to hand out
  decisions:
    # a decision made by hand before the review
    beta/b3: {decision: defer, note: Next year.}
  note: Fund what ships the launch.

# Trailing comment.
"""

ALPHA = """\
name: Alpha
owner: Ann Alpha
headcount:
  - {role: SDE, count: 5}
incremental:
  - {id: a1, title: "=HYPERLINK(\\"http://example.com\\",\\"click\\")", headcount: [{role: SDE, count: 1}]}
  - {id: a2, title: Alpha two, headcount: [{role: SDE, count: 2, start: Q3}]}
  - {id: a3, title: Alpha three, headcount: [{role: SDE, count: 1}], spend: {tools: 5000}}
"""

BETA = """\
name: Beta
owner: Ben Beta
headcount:
  - {role: SDE, count: 4}
incremental:
  - {id: b1, title: Beta one, headcount: [{role: SDE, count: 1}]}
  - {id: b2, title: Beta two, headcount: [{role: SDE, count: 1, start: 7}]}
  - {id: b3, title: Beta three, spend: {vendors: 30000}}
"""

#: org -> alpha (a1, a2, a3), beta (b1, b2, b3); org has a budget of 4 heads.
ORG_CYCLE = {
    "cycle.yaml": CYCLE,
    "org/plan.yaml": ORG,
    "org/alpha/plan.yaml": ALPHA,
    "org/beta/plan.yaml": BETA,
}


def make_cycle(base: Path, **overrides: str) -> Path:
    """Write the review test cycle under ``base`` (file overrides by relative path)."""
    files: dict[str, Any] = dict(ORG_CYCLE)
    files.update(overrides)
    return write_tree(base, files)


def rollup_of(cycle_dir: Path):
    """Load, check (no errors) and roll up a cycle."""
    from opplan import pipeline
    from opplan.engine import rollup

    checked = pipeline.check(cycle_dir)
    errors = [d.format() for d in checked.diagnostics if d.severity.value == "error"]
    assert not errors, errors
    return rollup.rollup(checked.cycle)


def build_workbook(cycle_dir: Path, node: str, out: Path) -> Path:
    """Roll up ``cycle_dir`` and write ``<node>.xlsx`` into ``out``; return its path."""
    from opplan.render.xlsx.workbook import render_xlsx

    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{node}.xlsx"
    path.write_bytes(render_xlsx(rollup_of(cycle_dir), node))
    return path


def stack_rows(path: Path) -> dict[str, dict[str, Any]]:
    """The Stack sheet as {ask: {header: value}}."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Stack"]
    headers = [c.value for c in ws[1]]
    out = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        if row[headers.index("Ask")]:
            out[row[headers.index("Ask")]] = dict(zip(headers, row, strict=False))
    return out


def edit_stack(
    path: Path,
    edits: dict[str, dict[str, Any]],
    out: Path | None = None,
    *,
    delete: tuple[str, ...] = (),
) -> Path:
    """Edit review cells as a manager would: {ask: {header: value}}; save to ``out``."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Stack"]
    headers = {c.value: c.column for c in ws[1]}
    found = set()
    for r in range(ws.max_row, 1, -1):
        ask = ws.cell(row=r, column=headers["Ask"]).value
        if ask in delete:
            ws.delete_rows(r)
            continue
        for header, value in edits.get(ask, {}).items():
            ws.cell(row=r, column=headers[header]).value = value
            found.add(ask)
    assert found == set(edits), f"rows not found: {set(edits) - found}"
    target = out or path.with_name(path.stem + "-edited.xlsx")
    wb.save(target)
    return target


def need_libreoffice() -> None:
    """Skip without LibreOffice, except in CI (CI=true), where its absence fails."""
    if libreoffice.available():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("LibreOffice (soffice) is required in CI but is not installed")
    pytest.skip("LibreOffice (soffice) is not installed; the recalculation tests need it")


def need_tool(name: str) -> None:
    """Skip without the command ``name`` (poppler's pdftotext, say), except in CI, where its
    absence fails."""
    import shutil

    if shutil.which(name):
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is required in CI but is not installed")
    pytest.skip(f"{name} is not installed; this test needs it")
