"""Files shipped with opplan: the default templates and the sample cycle.

In a wheel they are the packages ``opplan.default_templates`` and
``opplan.sample_cycle`` (mapped from the top-level ``templates/`` and
``samples/northwind-op1-2027/`` in pyproject.toml); in a source checkout or an
editable install they are read from the repository itself.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent
SAMPLE_NAME = "northwind-op1-2027"


def _packaged(package: str, fallback: Path) -> Path:
    try:
        found = Path(str(importlib.resources.files(package)))
        if found.is_dir():
            return found
    except ModuleNotFoundError:
        pass
    return fallback


def templates_dir() -> Path:
    """The directory of the default templates."""
    return _packaged("opplan.default_templates", _REPO / "templates")


def sample_dir() -> Path:
    """The directory of the sample cycle."""
    return _packaged("opplan.sample_cycle", _REPO / "samples" / SAMPLE_NAME)
