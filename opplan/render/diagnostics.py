"""Diagnostics for CI: GitHub Actions workflow commands and SARIF 2.1.0.

``opplan check --format github`` prints one workflow command per diagnostic, which
GitHub Actions shows as an annotation on the pull request's diff;
``--format sarif`` writes a SARIF 2.1.0 log for code-scanning tools (GitHub's
``upload-sarif``, GitLab, editors). Both name files relative to the repository
root, as those tools expect. Plain JSON and text are the model's own
(:mod:`opplan.model.diagnostics`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from opplan.check.rules import rule_info
from opplan.model.diagnostics import Diagnostic, Severity
from opplan.util.repo import relative_to_root

#: The page that explains every rule; a SARIF rule's helpUri is a section of it.
DOCS_URL = "https://github.com/opplan/opplan/blob/main/docs/policies.md"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: The base a SARIF location's relative uri is resolved against: the checkout's root.
SRCROOT = "%SRCROOT%"


def _escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub Actions reads it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property value: the message's escapes, ':' and ',' too."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_text(diags: Sequence[Diagnostic], root: Path | None) -> str:
    """One ``::error`` or ``::warning`` workflow command per diagnostic, one a line.

    ``root``: the repository root that paths are made relative to (None: as given).
    """
    lines = []
    for d in diags:
        command = "error" if d.severity is Severity.ERROR else "warning"
        props = ",".join(
            f"{key}={_escape_property(str(value))}"
            for key, value in (
                ("file", relative_to_root(d.source.path, root)),
                ("line", d.source.line),
                ("col", d.source.col),
                ("title", d.rule),
            )
        )
        lines.append(f"::{command} {props}::{_escape_data(d.message)}")
    return "\n".join(lines)


def _location(path: str, root: Path | None) -> dict[str, str]:
    """A SARIF artifactLocation: relative to the checkout when it can be, else the file's."""
    rel = relative_to_root(path, root)
    if Path(rel).is_absolute():
        return {"uri": "file://" + quote(rel)}
    return {"uri": quote(rel), "uriBaseId": SRCROOT}


def sarif_log(diags: Sequence[Diagnostic], root: Path | None, version: str) -> dict[str, object]:
    """The diagnostics as one SARIF 2.1.0 run of the tool ``opplan`` at ``version``.

    The driver lists the rules the results name (sorted), each with one sentence,
    its default level and the section of docs/policies.md that explains it.
    """
    names = sorted({d.rule for d in diags})
    index = {name: i for i, name in enumerate(names)}
    rules = []
    for name in names:
        info = rule_info(name)
        rules.append(
            {
                "id": name,
                "shortDescription": {"text": info.summary},
                "helpUri": f"{DOCS_URL}#{info.anchor}",
                "defaultConfiguration": {"level": info.severity},
            }
        )
    results = [
        {
            "ruleId": d.rule,
            "ruleIndex": index[d.rule],
            "level": "error" if d.severity is Severity.ERROR else "warning",
            "message": {"text": d.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _location(d.source.path, root),
                        "region": {"startLine": d.source.line, "startColumn": d.source.col},
                    }
                }
            ],
        }
        for d in diags
    ]
    driver = {"name": "opplan", "version": version, "informationUri": DOCS_URL, "rules": rules}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}
        ],
    }


def sarif_text(diags: Sequence[Diagnostic], root: Path | None, version: str) -> str:
    """:func:`sarif_log` as JSON text (two-space indent, a stable key order)."""
    return json.dumps(sarif_log(diags, root, version), indent=2, ensure_ascii=False)
