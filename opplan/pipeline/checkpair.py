"""A large cycle's validation and built-in policies, in a second process beside its roll-up;
for a build, that process then stays as the build's partner.

``rollup`` and ``build`` of a 10,000-team cycle used to validate it and apply the built-in
policies (2.5 s), then roll it up (5.6 s), one after the other on one core. Here a forked
worker, which inherits the loaded cycle (nothing is pickled but its diagnostics), validates
it and applies the policies while this process rolls it up. The roll-up so starts before
validation has said the plans are sound: when they are not, it is thrown away with any
exception it raised, and the outcome is the one of a sequential check and roll-up.
``check`` alone does not speculate: with errors in the plans, or no figure typed in a
narrative, it never rolls the cycle up.

For ``build`` (:class:`Partner`) the worker then rolls the cycle up itself, exactly as
the build does (the same code on the same loaded plans gives the same report; the "What
changed" part, read again from disk, is compared), and takes a share of the build's work
from its own copy (:mod:`opplan.build.share`), once its roll-up is done. The build ends it
when it is done with it, or stops, without waiting for it.
"""

from __future__ import annotations

import gc
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from opplan.check.policies import plain_policies
from opplan.check.validate import validate
from opplan.engine.rollup import rollup as roll_up
from opplan.model import Cycle
from opplan.model.diagnostics import Diagnostic, failed
from opplan.report.fingerprint import digest
from opplan.report.records import Report
from opplan.util import workers

if TYPE_CHECKING:
    from opplan.build.share import PartnerSlot

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
        return not failed(self.validation)


@dataclass
class Partner:
    """What a build asks of the worker beside its check: to stay, roll the cycle up as
    the build will (``since`` as for ``build``) and hold the build's job (``out`` and
    ``formats``). Leaving the ``with`` block ends the worker at once, whatever it is
    doing (it writes nothing)."""

    since: str | None
    out: Path
    formats: tuple[str, ...]
    executor: ProcessPoolExecutor | None = None
    follow: Future[str | None] | None = None  # the digest of its report's changes, when done

    def __enter__(self) -> Partner:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.executor is not None:
            workers.terminate(self.executor)

    def slot(self, report: Report) -> PartnerSlot | None:
        """The worker as the build's partner for ``report`` (None when there is none): it
        is handed tasks once its roll-up is done and its report's changes (the one part it
        reads again from disk: the older version, git) are those of ``report``."""
        from opplan.build.share import PartnerSlot

        executor, follow = self.executor, self.follow
        if executor is None or follow is None:
            return None
        expected = digest(report.changes)

        def ready() -> bool:
            return follow.done() and follow.exception() is None and follow.result() == expected

        return PartnerSlot(executor, ready)


def validate_and_roll_up(
    cycle: Cycle, partner: Partner | None = None, *, speculate: bool = True
) -> Checks:
    """Validate ``cycle``; for a large cycle on more than one CPU, when the caller will roll
    it up (``speculate``), also apply the built-in policies (in a worker) and roll it up
    (here), at the same time. With ``partner``, the worker stays: it rolls the cycle up
    itself and becomes the build's partner."""
    if (
        not speculate
        or len(cycle.nodes) < PARALLEL_CHECKS
        or workers.usable_cpus() < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return Checks(validate(cycle))
    pool, future = workers.started(cycle, _validate_and_apply, None)
    try:
        if partner is not None:
            partner.executor = pool  # from here on the build ends it
            partner.follow = pool.submit(_follow, (partner.since, partner.out, partner.formats))
        try:
            report: Report | None = roll_up(cycle)
        except Exception:  # plans that are not sound (validation says why), or a bug that
            report = None  # the roll-up check() asks for later raises again, as it would alone
        validation, policies = future.result()
    finally:
        if partner is None:
            workers.terminate(pool)
    checks = Checks(validation, policies, report)
    return checks if checks.sound else Checks(validation, policies)


#: In the worker: whether its validation found the plans sound.
_SOUND: list[bool] = []


def _validate_and_apply(_: None) -> tuple[list[Diagnostic], list[Diagnostic]]:
    cycle: Cycle = workers.job()
    validation = validate(cycle)
    _SOUND.append(not failed(validation))
    return validation, plain_policies(cycle)


def _follow(spec: tuple[str | None, Path, tuple[str, ...]]) -> str | None:
    """In the worker: roll the cycle up as the build does and hold the build's job; the
    digest of the report's changes, or None (and no job) when the plans are not sound or
    the roll-up fails."""
    from opplan.build import BuildContext
    from opplan.pipeline.changes import with_changes
    from opplan.render.docx.plan import search_path

    since, out, formats = spec
    cycle: Cycle = workers.job()
    workers.set_job(None)
    if not (_SOUND and _SOUND[-1]):
        return None
    try:
        report = with_changes(cycle, roll_up(cycle), since)[0]
    except Exception:  # this process renders nothing; the build's own process does it all
        return None
    workers.set_job((BuildContext(report, tuple(search_path(cycle.dir))), out, formats))
    gc.freeze()  # the report lives to the end: keep it out of the collector's scans
    gc.enable()  # and collect the renderers' cyclic garbage (an openpyxl workbook)
    return digest(report.changes)
