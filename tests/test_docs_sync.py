"""Docs and packaging that must not drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

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


_LINK = re.compile(r"\]\(([^)\s]+)\)")
_REPO_PATH = re.compile(
    r"(?<![\w./<-])((?:\.\./)+[\w.-][\w./-]*|(?:docs|tests|samples|templates|opplan|tools|"
    r"benchmarks)/[\w./-]*)"
)
#: Paths that are not files of the repository, and why they may stand where they stand.
_NOT_FILES = {
    ("docs/threat-model.md", "../../x"): "a hostile node id, not a path to follow",
    ("opplan/model/formatdoc.py", "../README.md"): "a link it writes into docs/plan-format.md",
    ("opplan/util/resources.py", "opplan/default_templates"): "a directory of the wheel only",
    ("opplan/util/resources.py", "opplan/sample_cycle"): "a directory of the wheel only",
    (
        "opplan/check/codeowners.py",
        "docs/CODEOWNERS",
    ): "where GitHub looks in a planning repository",
}


def _readable_pages() -> list[Path]:
    """What users read: the README, the docs, the samples' READMEs, the shipped templates,
    and the code's messages and help texts."""
    pages = [REPO / "README.md", *(REPO / "docs").glob("*.md"), *(REPO / "samples").rglob("*.md")]
    pages += [p for p in (REPO / "templates").rglob("*") if p.is_file()]
    pages += list((REPO / "opplan").rglob("*.py"))
    return pages


def _resolves(page: Path, target: str) -> bool:
    """Whether ``target`` (relative to ``page``'s directory, or to the repository) is a file or
    directory of the repository."""
    target = target.split("#")[0].rstrip(".,;:")
    for base in (page.parent, REPO):
        path = (base / target).resolve()
        if path.is_relative_to(REPO.resolve()) and path.exists():
            return True
    return False


def test_every_link_in_the_docs_resolves_inside_the_repository():
    """A Markdown link names a file of the repository (or a web page)."""
    broken = []
    for page in _readable_pages():
        if page.suffix != ".md":
            continue
        for target in _LINK.findall(page.read_text(encoding="utf-8", errors="replace")):
            if target.startswith(("http://", "https://", "mailto:", "#")):
                continue
            if not _resolves(page, target):
                broken.append(f"{page.relative_to(REPO)}: {target}")
    assert broken == []


def test_no_doc_or_message_names_a_file_outside_the_repository():
    """Every path the docs, templates and the code's messages name is in the repository: no
    ``../shared``, no file only the maintainers have."""
    missing = []
    for page in _readable_pages():
        text = page.read_text(encoding="utf-8", errors="replace")
        for token in _REPO_PATH.findall(text):
            if any(ch in token for ch in "<*{") or token.endswith("/."):
                continue
            if (page.relative_to(REPO).as_posix(), token) in _NOT_FILES:
                continue
            if not _resolves(page, token):
                missing.append(f"{page.relative_to(REPO)}: {token}")
    assert missing == []


def test_the_project_address_is_the_one_pyproject_declares():
    """SARIF rule links and the pre-commit snippet use pyproject's [project.urls] Homepage."""
    import tomllib

    from opplan.render.diagnostics import DOCS_URL

    home = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["urls"]["Homepage"]
    assert DOCS_URL.startswith(home + "/")
    ci = (REPO / "docs" / "ci.md").read_text()
    assert f"repo: {home} " in ci
