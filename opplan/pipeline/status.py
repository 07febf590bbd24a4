"""``opplan status``: who has submitted, whose narrative and owner are still the scaffold's,
which managers have reviewed, and who is late (docs/through-the-year.md).

The status needs only the loaded files, not the roll-up: a cycle whose plans have errors
still has one (a plan that could not be read is ``unreadable``), and ``opplan check`` is
where the other diagnostics are. The as-of date is the caller's: the library never reads
the clock (the CLI passes today's date unless ``--as-of`` gives one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from opplan.load.loader import load
from opplan.load.yamlsrc import resolve_positions
from opplan.model import Cycle
from opplan.model.diagnostics import Diagnostic, cap_per_file, sort_diagnostics
from opplan.report.status import NodeStatus, StatusReport, status_report

#: The formats ``opplan status`` prints.
STATUS_FORMATS: tuple[str, ...] = ("table", "json", "csv")


@dataclass(frozen=True)
class Status:
    """A loaded cycle, what loading it found, and its status (None when it has no root)."""

    cycle: Cycle
    diagnostics: list[Diagnostic]
    report: StatusReport | None


def status(cycle_dir: str | Path, as_of: dt.date) -> Status:
    """Load the cycle and decide every node's status as of ``as_of``."""
    cycle, diags = load(cycle_dir, cache=True)
    found = cap_per_file(sort_diagnostics(resolve_positions(diags)))
    report = status_report(cycle, as_of) if cycle.root is not None else None
    return Status(cycle, found, report)


def status_output(report: StatusReport, nodes: Sequence[NodeStatus], fmt: str) -> str:
    """The status of ``nodes`` as ``table``, ``json`` (the contract) or ``csv`` text."""
    from opplan.render.status import status_csv, status_json, status_table

    if fmt == "json":
        return status_json(report, nodes)
    if fmt == "csv":
        return status_csv(nodes)
    return status_table(report, nodes)
