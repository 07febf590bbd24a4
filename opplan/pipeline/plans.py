"""The commands that write plan files: a reviewed workbook's decisions (``review import``),
a cycle from an export (``import table``), a new cycle (``init``) and a new node (``new``).

Each imports its room when it is called, so ``opplan check`` never loads ruamel.yaml,
openpyxl or pandas.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opplan.create.table import ImportResult as TableResult
    from opplan.create.table import TableSpec
    from opplan.review.importer import ImportResult


def review_import(
    workbook: str | Path, cycle_dir: str | Path, *, dry_run: bool = False, force: bool = False
) -> ImportResult:
    """Write the decisions of a reviewed workbook into its node's plan.yaml.

    Raises :class:`UserError` (with every problem) when anything refuses the import.
    """
    from opplan.review.importer import import_review

    return import_review(workbook, cycle_dir, dry_run=dry_run, force=force)


def describe_decision(decision: object) -> str:
    """A decision entry in a few words (for the change table of a review import)."""
    from opplan.review.importer import describe

    return describe(decision)  # type: ignore[arg-type]  # a Decision or None


def table_spec(levels: Sequence[str], **options: object) -> TableSpec:
    """The options of ``opplan import table`` as a spec (``levels`` as ``ID_COL[=NAME_COL]``)."""
    from opplan.create.table import TableSpec, parse_level

    return TableSpec(tuple(parse_level(level) for level in levels), **options)  # type: ignore[arg-type]


def import_table(file: str | Path, out: str | Path, spec: TableSpec) -> TableResult:
    """Create a cycle in ``out`` from a CSV or XLSX export."""
    from opplan.create.table import import_table as run_import

    return run_import(Path(file), Path(out), spec)


def init_cycle(
    path: Path,
    *,
    sample: bool = False,
    year: int | None = None,
    root: str | None = None,
    name: str | None = None,
) -> list[Path]:
    """Create a new cycle at ``path`` (or a copy of the sample); the files written."""
    from opplan.create.scaffold import init_cycle as create

    return create(path, sample=sample, year=year, root=root, name=name)


#: What ``opplan new`` scaffolds: a team, or a manager with teams below it.
NODE_ROLES: tuple[str, ...] = ("team", "manager")


def new_node(
    path: Path, *, name: str | None = None, owner: str = "Your Name", role: str = "team"
) -> list[Path]:
    """Scaffold a node directory with a commented plan.yaml and narrative.md."""
    from opplan.create.scaffold import new_node as create

    return create(path, name=name, owner=owner, role=role)
