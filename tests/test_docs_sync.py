"""Docs and packaging that must not drift from the code."""

from __future__ import annotations

from conftest import REPO

from opplan.model import formatdoc


def test_plan_format_doc_is_generated_from_the_model():
    committed = (REPO / "docs" / "plan-format.md").read_text()
    assert committed == formatdoc.render(), (
        "docs/plan-format.md is stale: run `python -m opplan.model.formatdoc > docs/plan-format.md`"
    )


def test_every_test_the_threat_model_names_exists():
    """docs/threat-model.md maps each threat to its test: those names must stay true."""
    import fnmatch
    import re

    text = (REPO / "docs" / "threat-model.md").read_text()
    refs = re.findall(r"`(test_[a-z0-9_]+\.py)(?:::([a-zA-Z0-9_*]+))?", text)
    assert len(refs) > 30
    for file, name in refs:
        path = REPO / "tests" / file
        assert path.is_file(), f"threat-model.md names {file}, which does not exist"
        if name:
            defined = re.findall(r"^def (test_\w+)", path.read_text(), re.M)
            assert fnmatch.filter(defined, name), f"threat-model.md names {file}::{name}"


def test_the_docs_stand_alone():
    """Users do not have the product specification: docs explain rules in their own words."""
    pages = [REPO / "README.md", *(REPO / "docs").glob("*.md"), *(REPO / "samples").rglob("*.md")]
    pages += list((REPO / "tests" / "golden" / "rollup").rglob("README.md"))
    # the code's docstrings and help texts point users at the docs, not at the spec
    pages += list((REPO / "opplan").rglob("*.py"))
    pages += [p for p in (REPO / "templates").rglob("*") if p.is_file()]
    citing = [p.relative_to(REPO).as_posix() for p in pages if b"SPEC" in p.read_bytes()]
    assert citing == []
