"""A large cycle's validation, built-in policies and narrative scan, in a second process
beside its roll-up.

``rollup`` and ``build`` of a 10,000-team cycle used to validate it and apply the built-in
policies (2.5 s), then roll it up (5.6 s), one after the other on one core. Here a forked
worker, which inherits the loaded cycle (nothing is pickled but its results), validates it,
applies the policies (the over-budget one too, once validation found no error), finds
the narratives that may type a figure (the typed-figure check's first pass, 1.3 s at 10,000
teams: :func:`~opplan.check.figures.typing_nodes`) and makes the JSON of every ask that the
review workbooks' fingerprints hold (:func:`~opplan.report.reviewkeys.ask_records`, 0.8 s:
the report carries it, ``Report.ask_json``) while this process rolls it up. The
roll-up so starts before validation has said the plans are sound: when they are not, it is
thrown away with any exception it raised, and the outcome is the one of a sequential check
and roll-up. ``check`` alone does not speculate:
with errors in the plans, or no figure typed in a narrative, it never rolls the cycle up.

The worker is told to end once it has answered, and not waited for. A build's own workers
are forked later, from the process that holds the roll-up (:mod:`opplan.build.share`).
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, replace

from opplan.check.budgets import check_over_budget
from opplan.check.figures import typing_nodes
from opplan.check.policies import plain_policies, run_policy
from opplan.check.validate import validate
from opplan.engine.rollup import rollup as roll_up
from opplan.model import AskRef, Cycle, NodeId
from opplan.model.diagnostics import Diagnostic, failed
from opplan.report.records import Report
from opplan.report.reviewkeys import ask_records
from opplan.util import workers

#: Fewest nodes whose validation and policies run beside the roll-up (fewer: one process).
PARALLEL_CHECKS = 1000


@dataclass(frozen=True)
class Checks:
    """Validation's diagnostics, the built-in policies' (None: not computed yet), the nodes
    whose narrative may type a figure (None: not looked at yet) and the roll-up (None: not
    computed, not sound, or it raised: ``check`` computes it again)."""

    validation: list[Diagnostic]
    policies: list[Diagnostic] | None = None
    typing: frozenset[NodeId] | None = None
    report: Report | None = None
    #: The over-budget policy's diagnostics, computed by the worker when validation found
    #: no error (None: not computed).
    over_budget: list[Diagnostic] | None = None

    @property
    def sound(self) -> bool:
        """True when validation found no error: the roll-up's rules may be applied."""
        return not failed(self.validation)


def validate_and_roll_up(cycle: Cycle, *, speculate: bool = True) -> Checks:
    """Validate ``cycle``; for a large cycle on more than one CPU, when the caller will roll
    it up (``speculate``), also apply the built-in policies and scan the narratives (in a
    worker) and roll it up (here), at the same time."""
    if (
        not speculate
        or len(cycle.nodes) < PARALLEL_CHECKS
        or workers.usable_cpus() < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return Checks(validate(cycle))
    pool, future = workers.started(cycle, _validate_and_apply, None)
    try:
        try:
            report: Report | None = roll_up(cycle)
        except Exception:  # plans that are not sound (validation says why), or a bug that
            report = None  # the roll-up check() asks for later raises again, as it would alone
        validation, policies, typing, over, records = future.result()
    except BaseException:
        workers.terminate(pool)
        raise
    workers.let_end(pool)  # its one task is done: it ends, not waited for
    if report is not None:
        report = replace(report, ask_json=records)
    checks = Checks(validation, policies, typing, report, over)
    return checks if checks.sound else Checks(validation, policies, typing)


def _validate_and_apply(
    _: None,
) -> tuple[
    list[Diagnostic],
    list[Diagnostic],
    frozenset[NodeId],
    list[Diagnostic] | None,
    dict[AskRef, str],
]:
    cycle: Cycle = workers.job()
    validation = validate(cycle)
    sound = not failed(validation)  # the over-budget policy and the asks need sound plans
    over = run_policy(cycle, "over-budget", check_over_budget) if sound else None
    records = ask_records(cycle.nodes) if sound else {}
    return validation, plain_policies(cycle), typing_nodes(cycle), over, records
