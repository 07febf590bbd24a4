"""Docs and packaging that must not drift from the code."""

from __future__ import annotations

import tomllib

from conftest import REPO

from opplan import formatdoc


def test_plan_format_doc_is_generated_from_the_model():
    committed = (REPO / "docs" / "plan-format.md").read_text()
    assert committed == formatdoc.render(), (
        "docs/plan-format.md is stale: run `python -m opplan.formatdoc > docs/plan-format.md`"
    )


def test_every_package_is_listed_in_pyproject():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {
        ".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "opplan").rglob("__init__.py")
    }
    assert found <= listed, f"add {sorted(found - listed)} to pyproject.toml packages"
    for mapped, folder in config["package-dir"].items():
        assert (REPO / folder).is_dir(), f"{mapped} maps to missing {folder}"
