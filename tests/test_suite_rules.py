"""Rules for the test suite itself: nothing is skipped that CI would not notice."""

from __future__ import annotations

import re

from conftest import REPO

#: The only places a test may skip: LibreOffice (and poppler's pdftotext beside it), node
#: (the OOXML validator), pre-commit with git (the hook tests) and the ../shared data are
#: outside the project, may be missing on a laptop, and all fail instead when CI=true.
ALLOWED = {
    "tests/reviewkit.py": 2,
    "tests/test_omb.py": 1,
    "tests/test_ooxml_valid.py": 1,
    "tests/test_precommit.py": 1,
}


def test_no_test_skips_silently():
    """A missing module or command must fail, never skip (importorskip, skip, skipif)."""
    found: dict[str, int] = {}
    pattern = re.compile(r"importorskip|pytest\.skip\(|mark\.skip|skipif|pytest\.xfail|mark\.xfail")
    for path in sorted((REPO / "tests").rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        if rel == "tests/test_suite_rules.py":
            continue
        hits = len(pattern.findall(path.read_text()))
        if hits:
            found[rel] = hits
    assert found == ALLOWED


def test_the_allowed_skips_fail_in_ci():
    for rel in ALLOWED:
        text = (REPO / rel).read_text()
        assert 'os.environ.get("CI") == "true"' in text and "pytest.fail(" in text, rel
