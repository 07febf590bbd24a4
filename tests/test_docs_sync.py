"""Docs and packaging that must not drift from the code."""

from __future__ import annotations

from conftest import REPO

from opplan import formatdoc


def test_plan_format_doc_is_generated_from_the_model():
    committed = (REPO / "docs" / "plan-format.md").read_text()
    assert committed == formatdoc.render(), (
        "docs/plan-format.md is stale: run `python -m opplan.formatdoc > docs/plan-format.md`"
    )
