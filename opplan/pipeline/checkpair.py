"""A large cycle's validation and built-in policies, in a second process beside its roll-up;
for a build, that process then stays as the build's partner.

``check`` of a 10,000-team cycle used to validate it and apply the built-in policies
(2.5 s), then roll it up (5.6 s), one after the other on one core. Here a forked worker,
which inherits the loaded cycle (nothing is pickled but its diagnostics), validates it and
applies the policies while this process rolls it up. The roll-up so starts before
validation has said the plans are sound: when they are not, it is thrown away with any
exception it raised. ``check`` uses it only where it would roll the cycle up itself, so
the outcome is the one of a sequential check.

For ``build`` (:class:`Partner`) the worker then rolls the cycle up itself, exactly as
the build does (the same code on the same loaded plans gives the same report), and takes
a share of the build's work from its own copy (:mod:`opplan.build.share`).
"""

from __future__ import annotations

import gc
import multiprocessing
from concurrent.futures import Executor, Future
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

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
        return not _has_errors(self.validation)


def _has_errors(validation: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in validation)


@dataclass
class Partner:
    """What a build asks of the worker beside its check: to stay, roll the cycle up as
    the build will (``since`` as for ``build``) and hold the build's job (``out`` and
    ``formats``). ``executor`` is the worker once the check started it; leaving the
    ``with`` block ends it."""

    since: str | None
    out: Path
    formats: tuple[str, ...]
    executor: Executor | None = None
    _scope: ExitStack = field(default_factory=ExitStack, repr=False)

    def __enter__(self) -> Partner:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
        self._scope.close()


def validate_and_roll_up(cycle: Cycle, partner: Partner | None = None) -> Checks:
    """Validate ``cycle``; for a large cycle on more than one CPU, also apply the built-in
    policies (in a worker) and roll it up (here), at the same time. With ``partner``, the
    worker stays: it rolls the cycle up itself and becomes the build's partner."""
    if (
        len(cycle.nodes) < PARALLEL_CHECKS
        or workers.usable_cpus() < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return Checks(validate(cycle))
    with ExitStack() as scope:
        pool = scope.enter_context(workers.pool(cycle, 1))
        future: Future[tuple[list[Diagnostic], list[Diagnostic]]]
        future = pool.submit(_validate_and_apply, None)
        if partner is not None:
            pool.submit(_follow, (partner.since, partner.out, partner.formats))
            partner.executor = pool
            partner._scope.enter_context(scope.pop_all())  # the build ends it
        try:
            report: Report | None = roll_up(cycle)
        except Exception:  # plans that are not sound (validation says why), or a bug that
            report = None  # the roll-up check() asks for later raises again, as it would alone
        validation, policies = future.result()
    checks = Checks(validation, policies, report)
    return checks if checks.sound else Checks(validation, policies)


#: In the worker: whether its validation found the plans sound.
_SOUND: list[bool] = []


def _validate_and_apply(_: None) -> tuple[list[Diagnostic], list[Diagnostic]]:
    cycle: Cycle = workers.job()
    validation = validate(cycle)
    _SOUND.append(not _has_errors(validation))
    return validation, plain_policies(cycle)


def _follow(spec: tuple[str | None, Path, tuple[str, ...]]) -> bool:
    """In the worker: roll the cycle up as the build does and hold the build's job; False
    (and no job) when the plans are not sound or the roll-up fails."""
    from opplan.build import BuildContext
    from opplan.pipeline.changes import with_changes
    from opplan.render.docx.plan import search_path

    since, out, formats = spec
    cycle: Cycle = workers.job()
    workers.set_job(None)
    if not (_SOUND and _SOUND[-1]):
        return False
    try:
        report = with_changes(cycle, roll_up(cycle), since)[0]
    except Exception:  # this process renders nothing; the build's own process does it all
        return False
    workers.set_job((BuildContext(report, tuple(search_path(cycle.dir))), out, formats))
    gc.freeze()  # the report lives to the end: keep it out of the collector's scans
    gc.enable()  # and collect the renderers' cyclic garbage (an openpyxl workbook)
    return True
