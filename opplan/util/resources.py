"""Files shipped with opplan: the default templates and the sample cycle.

In a wheel they are the directories ``opplan/default_templates`` and
``opplan/sample_cycle`` (mapped from the top-level ``templates/`` and
``samples/northwind-op1-2027/`` in pyproject.toml); in a source checkout or an
editable install they are read from the repository itself.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # opplan/
_REPO = _PACKAGE.parent
SAMPLE_NAME = "northwind-op1-2027"


def _shipped(name: str, in_repo: Path) -> Path:
    inside = _PACKAGE / name
    return inside if inside.is_dir() else in_repo


def templates_dir() -> Path:
    """The directory of the default templates."""
    return _shipped("default_templates", _REPO / "templates")


def sample_dir() -> Path:
    """The directory of the sample cycle."""
    return _shipped("sample_cycle", _REPO / "samples" / SAMPLE_NAME)
