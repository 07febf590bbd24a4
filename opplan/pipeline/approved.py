"""The approved plan flowing down: ``opplan approved`` (docs/through-the-year.md).

Checks and rolls the cycle up like ``opplan rollup``, then builds the approved plan of a
subtree once (:func:`opplan.report.approved.approved_plan`) and lays it out as CSV (one
table: the hiring plan, the nodes or the funded asks), the JSON contract or a workbook.
The renderers are imported when they are called (openpyxl only for the workbook).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from opplan.model import Cycle, NodeId
from opplan.model.costing import RateTable
from opplan.model.diagnostics import Diagnostic, UserError
from opplan.report.approved import ApprovedPlan, approved_plan
from opplan.util import atomic

__all__ = [
    "APPROVED_FORMATS",
    "APPROVED_TABLES",
    "Approved",
    "approved",
    "approved_output",
    "approved_workbook",
    "write_approved",
]

#: The formats of ``opplan approved``: CSV and JSON go to stdout, the workbook to a file.
APPROVED_FORMATS: tuple[str, ...] = ("csv", "json", "xlsx")
#: The tables ``--format csv`` prints (``--table``), the hiring plan first (the default).
APPROVED_TABLES: tuple[str, ...] = ("hiring", "nodes", "asks")


@dataclass(frozen=True)
class Approved:
    """A checked cycle, its diagnostics, and its approved plan (None when the plans have
    errors)."""

    cycle: Cycle
    diagnostics: list[Diagnostic]
    plan: ApprovedPlan | None


def approved(cycle_dir: str | Path, node: NodeId | None = None) -> Approved:
    """Check and roll up the cycle, then build the approved plan of ``node``'s subtree
    (default: the root's). Raises :class:`UserError` for a node not in the cycle."""
    from opplan.pipeline import rollup

    rolled = rollup(cycle_dir)
    if rolled.report is None:
        return Approved(rolled.cycle, rolled.diagnostics, None)
    if node is not None and node not in rolled.report.nodes:
        raise UserError(f"no node '{node}' in this cycle")
    settings = rolled.cycle.settings
    assert settings is not None, "a cycle without settings has errors, so no report"
    plan = approved_plan(rolled.report, RateTable(settings.rates), node)
    return Approved(rolled.cycle, rolled.diagnostics, plan)


def approved_output(plan: ApprovedPlan, fmt: str, table: str = "hiring") -> Iterator[str]:
    """The approved plan as ``csv`` text (of ``table``) or ``json`` text, in chunks."""
    if fmt == "json":
        from opplan.render.approvedjson import json_text

        yield from json_text(plan)
    else:
        from opplan.render.approvedtables import csv_text

        yield csv_text(plan, table)


def approved_workbook(plan: ApprovedPlan) -> bytes:
    """The approved plan as a workbook (.xlsx bytes): the Nodes and Hiring plan sheets."""
    from opplan.render.xlsx.approved import render_approved_xlsx

    return render_approved_xlsx(plan)


def write_approved(plan: ApprovedPlan, fmt: str, out: Path, table: str = "hiring") -> None:
    """Write the approved plan in ``fmt`` to ``out``, atomically."""
    if fmt == "xlsx":
        atomic.write_bytes(out, approved_workbook(plan))
    else:
        atomic.write_text(out, "".join(approved_output(plan, fmt, table)))
