"""The pipeline: load -> validate -> policies -> roll up -> report -> render.

Each stage is a function of its inputs. The CLI calls these entry points and
nothing else; so do tests and the benchmarks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from opplan.check.policies import Conf, apply_policies
from opplan.check.validate import validate
from opplan.engine.rollup import rollup as roll_up
from opplan.load.loader import load
from opplan.load.yamlsrc import resolve_positions
from opplan.model import Cycle
from opplan.model.diagnostics import Diagnostic, Severity, cap_per_file, failed, sort_diagnostics
from opplan.report.records import Report
from opplan.util.gcpause import paused_gc

ExtraCheck = Callable[[Cycle, Conf], Iterable[Diagnostic]]


@dataclass(frozen=True)
class Checked:
    """A loaded cycle and every diagnostic about it, sorted, at exact positions.

    At most 100 diagnostics of one rule per file; the rest are one summary line
    (:func:`~opplan.diagnostics.cap_per_file`).
    """

    cycle: Cycle
    diagnostics: list[Diagnostic]


def check(cycle_dir: str | Path, extra: dict[str, ExtraCheck] | None = None) -> Checked:
    """Load, validate and apply policies; ``extra`` adds policy checks by name.

    The ``extra`` checks (page-limit renders documents from the roll-up) run only
    when validation found no errors: the roll-up needs sound references.
    """
    with paused_gc():
        cycle, diags = load(cycle_dir)
        validation = validate(cycle)
        diags.extend(validation)
        sound = not any(d.severity is Severity.ERROR for d in validation)
        diags.extend(apply_policies(cycle, extra if sound else None))
        return Checked(cycle, cap_per_file(sort_diagnostics(resolve_positions(diags))))


@dataclass(frozen=True)
class RolledUp:
    """A checked cycle, its diagnostics, and its roll-up (None when the plans have errors)."""

    cycle: Cycle
    diagnostics: list[Diagnostic]
    report: Report | None


def rollup(cycle_dir: str | Path, extra: dict[str, ExtraCheck] | None = None) -> RolledUp:
    """Check the cycle, then roll it up unless it has errors (warnings do not stop it)."""
    with paused_gc():
        checked = check(cycle_dir, extra)
        report = None if failed(checked.diagnostics) else roll_up(checked.cycle)
        return RolledUp(checked.cycle, checked.diagnostics, report)
