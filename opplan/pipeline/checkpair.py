"""A large cycle's validation and built-in policies, in a second process beside its roll-up.

``check`` of a 10,000-team cycle used to validate it and apply the built-in policies
(2.5 s), then roll it up (5.6 s), one after the other on one core. Here a forked worker,
which inherits the loaded cycle (nothing is pickled but its diagnostics), validates it and
applies the policies while this process rolls it up. The roll-up so starts before
validation has said the plans are sound: when they are not, it is thrown away with any
exception it raised. ``check`` uses it only where it would roll the cycle up itself, so
the outcome is the one of a sequential check.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass

from opplan.check.policies import plain_policies
from opplan.check.validate import validate
from opplan.engine.rollup import rollup as roll_up
from opplan.model import Cycle
from opplan.model.diagnostics import Diagnostic, Severity
from opplan.report.records import Report
from opplan.util import workers

#: Fewest nodes whose validation and policies run beside the roll-up (fewer: one process).
PARALLEL_CHECKS = 1000


@dataclass(frozen=True)
class Checks:
    """Validation's diagnostics, the built-in policies' (None: not computed yet) and the
    roll-up (None: not computed, not sound, or it raised: ``check`` computes it again)."""

    validation: list[Diagnostic]
    policies: list[Diagnostic] | None = None
    report: Report | None = None

    @property
    def sound(self) -> bool:
        """True when validation found no error: the roll-up's rules may be applied."""
        return not any(d.severity is Severity.ERROR for d in self.validation)


def validate_and_roll_up(cycle: Cycle) -> Checks:
    """Validate ``cycle``; for a large cycle on more than one CPU, also apply the built-in
    policies (in a worker) and roll it up (here), at the same time."""
    if (
        len(cycle.nodes) < PARALLEL_CHECKS
        or workers.usable_cpus() < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return Checks(validate(cycle))
    with workers.pool(cycle, 1) as pool:
        future = pool.submit(_validate_and_apply, None)
        try:
            report: Report | None = roll_up(cycle)
        except Exception:  # plans that are not sound (validation says why), or a bug that
            report = None  # the roll-up check() asks for later raises again, as it would alone
        validation, policies = future.result()
    checks = Checks(validation, policies, report)
    return checks if checks.sound else Checks(validation, policies)


def _validate_and_apply(_: None) -> tuple[list[Diagnostic], list[Diagnostic]]:
    cycle: Cycle = workers.job()
    return validate(cycle), plain_policies(cycle)
