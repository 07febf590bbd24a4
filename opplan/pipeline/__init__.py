"""The pipeline: load -> validate -> policies -> roll up -> report -> render.

This module is the one entry point of every command: the CLI calls these
functions and nothing else below it (an import-linter contract holds it), and
so do the benchmarks. Each stage is a function of its inputs.

The stages that need a format library (the document build, the review
import, the table import) are imported when they are called, so that
``opplan check --pages off`` or ``--pages estimate`` never loads python-docx,
openpyxl, matplotlib, pypdf or pandas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from opplan.check.budgets import check_over_budget
from opplan.check.figures import check_typed_figures
from opplan.check.policies import Conf, apply_policies
from opplan.engine.rollup import rollup as roll_up
from opplan.load.loader import load
from opplan.load.yamlsrc import resolve_positions
from opplan.model import Cycle, NodeId
from opplan.model.diagnostics import (
    Diagnostic,
    UserError,
    cap_per_file,
    error,
    failed,
    sort_diagnostics,
)
from opplan.pipeline.approved import (
    APPROVED_FORMATS,
    APPROVED_TABLES,
    Approved,
    approved,
    approved_output,
    approved_workbook,
    write_approved,
)
from opplan.pipeline.changes import SINCE_NONE, SINCE_RULE, with_changes
from opplan.pipeline.checkpair import validate_and_roll_up
from opplan.pipeline.ci import (
    CI_FORMATS,
    Codeowners,
    ci_output,
    codeowners,
    cycles_of,
    opplan_version,
    write_codeowners,
)
from opplan.pipeline.goals import (
    GOAL_COLORS,
    GoalsResult,
    goal_status,
    goal_update,
    goals_output,
    today,
)
from opplan.pipeline.plans import (
    NODE_ROLES,
    describe_decision,
    import_table,
    init_cycle,
    new_node,
    review_import,
    table_spec,
)
from opplan.pipeline.revise import Revised, revise
from opplan.pipeline.revisions import Diffed, diff, diff_output
from opplan.pipeline.status import STATUS_FORMATS, Status, status, status_output
from opplan.report.records import NodeReport, Report
from opplan.util import workers
from opplan.util.gcpause import paused_gc, settle

if TYPE_CHECKING:
    from opplan.build import BuildResult, Built

__all__ = [
    "APPROVED_FORMATS",
    "APPROVED_TABLES",
    "CI_FORMATS",
    "GOAL_COLORS",
    "NODE_ROLES",
    "PAGE_MODES",
    "SINCE_NONE",
    "SINCE_RULE",
    "STATUS_FORMATS",
    "Approved",
    "Checked",
    "Codeowners",
    "Diffed",
    "DocumentCheck",
    "GoalsResult",
    "Revised",
    "RolledUp",
    "Status",
    "UserError",
    "approved",
    "approved_output",
    "approved_workbook",
    "build",
    "check",
    "check_diagnostics",
    "ci_output",
    "codeowners",
    "cycles_of",
    "default_jobs",
    "describe_decision",
    "diff",
    "diff_output",
    "document_checks",
    "formats",
    "goal_status",
    "goal_update",
    "goals_output",
    "import_table",
    "init_cycle",
    "new_node",
    "opplan_version",
    "renderers",
    "review_import",
    "revise",
    "rollup",
    "rollup_output",
    "settle",
    "status",
    "status_output",
    "table_spec",
    "today",
    "write_approved",
    "write_codeowners",
]

#: A check that the document side registers for ``opplan check`` (by policy name): it gets
#: the cycle, the policy's settings per node, and the roll-up (computed on first use).
DocumentCheck = Callable[[Cycle, Conf, Callable[[], Report]], Iterable[Diagnostic]]

#: How ``opplan check`` counts body pages (see :func:`document_checks`).
PAGE_MODES: tuple[str, ...] = ("auto", "exact", "estimate", "off")


@dataclass(frozen=True)
class Checked:
    """A loaded cycle and every diagnostic about it, sorted, at exact positions.

    At most 100 diagnostics of one rule per file; the rest are one summary line
    (:func:`~opplan.model.diagnostics.cap_per_file`). ``report`` is the roll-up
    when a document check needed it or it was made beside validation (so :func:`rollup`
    does not compute it twice).
    """

    cycle: Cycle
    diagnostics: list[Diagnostic]
    report: Report | None = field(default=None, repr=False)


def check(
    cycle_dir: str | Path,
    extra: dict[str, DocumentCheck] | None = None,
    *,
    cache: bool = True,
    speculate: bool = False,
) -> Checked:
    """Load, validate and apply policies; ``extra`` adds document checks by policy name.
    With ``cache``, plan files parsed before come from the cycle's parse cache
    (:mod:`opplan.load.parsecache`; ``OPPLAN_CACHE=off`` turns it off).

    The checks that need the roll-up (``typed-figure`` always; the ``extra`` ones,
    e.g. the page limit, which renders documents) run only when validation found
    no errors: the roll-up needs sound references. A large cycle is validated beside
    its roll-up when the caller rolls it up anyway (``speculate``: :func:`rollup`), in
    :mod:`opplan.pipeline.checkpair`.
    """
    with paused_gc():
        cycle, diags = load(cycle_dir, cache=cache)
        early = validate_and_roll_up(cycle, speculate=speculate)
        diags.extend(early.validation)
        rolled: list[Report] = []

        def report_of() -> Report:
            if not rolled:
                rolled.append(early.report or roll_up(cycle))
            return rolled[0]

        def bind(fn: DocumentCheck) -> Callable[[Cycle, Conf], Iterable[Diagnostic]]:
            return lambda c, conf: fn(c, conf, report_of)

        bound: dict[str, Callable[[Cycle, Conf], Iterable[Diagnostic]]] | None = None
        if early.sound:  # these apply the roll-up's rules, which need sound references
            checks: dict[str, DocumentCheck] = {
                "typed-figure": partial(check_typed_figures, typing=early.typing),
                **(extra or {}),
            }
            over = early.over_budget  # found beside the roll-up, or computed here
            bound = {"over-budget": check_over_budget if over is None else lambda c, f: over}
            bound.update({name: bind(fn) for name, fn in checks.items()})
        diags.extend(apply_policies(cycle, bound, plain=early.policies))
        found = cap_per_file(sort_diagnostics(resolve_positions(diags)))
        return Checked(cycle, found, rolled[0] if rolled else early.report)


def check_diagnostics(
    cycle_dir: str | Path, pages: str = "auto", *, cache: bool = True
) -> list[Diagnostic]:
    """What ``opplan check`` prints: :func:`check` with the document checks counting
    ``pages``; with ``cache``, taken from the cycle's ``.opplan-cache/`` when nothing it
    depends on changed since the same check ran (:mod:`opplan.pipeline.cache`), and
    otherwise checked with the parse cache of the plan files that did not change."""

    def run() -> list[Diagnostic]:
        return check(cycle_dir, extra=document_checks(pages), cache=cache).diagnostics

    if not cache:
        return run()
    from opplan.pipeline.cache import check_cached

    return check_cached(cycle_dir, pages, run)


def document_checks(pages: str = "auto") -> dict[str, DocumentCheck]:
    """The document side's checks for :func:`check`: the page limit (and what build would
    refuse in narratives and templates), counting pages per ``pages`` (:data:`PAGE_MODES`)."""
    from opplan.render.docx.pagelimit import page_limit_check

    limit = page_limit_check(pages)

    def with_section(
        cycle: Cycle, conf: Conf, report_of: Callable[[], Report]
    ) -> Iterable[Diagnostic]:
        # a revision's documents carry "What changed" (build adds it): count its pages too
        made: list[Report] = []

        def report() -> Report:
            if not made:
                made.append(with_changes(cycle, report_of(), None)[0])
            return made[0]

        return limit(cycle, conf, report)

    return {"page-limit": with_section}


@dataclass(frozen=True)
class RolledUp:
    """A checked cycle, its diagnostics, and its roll-up (None when the plans have errors)."""

    cycle: Cycle
    diagnostics: list[Diagnostic]
    report: Report | None


def rollup(
    cycle_dir: str | Path,
    extra: dict[str, DocumentCheck] | None = None,
    *,
    cache: bool = True,
) -> RolledUp:
    """Check the cycle, then roll it up unless it has errors (warnings do not stop it);
    ``cache`` as for :func:`check`."""
    with paused_gc():
        checked = check(cycle_dir, extra, cache=cache, speculate=True)
        report = None
        if not failed(checked.diagnostics):
            report = checked.report or roll_up(checked.cycle)
        return RolledUp(checked.cycle, checked.diagnostics, report)


def rollup_output(report: Report, nodes: Sequence[NodeReport], fmt: str) -> Iterator[str]:
    """The roll-up of ``nodes`` as ``json`` (the machine contract), ``csv`` or ``table`` text."""
    from opplan.render.contract import json_text
    from opplan.render.tabular import csv_text, table_text

    if fmt == "json":
        yield from json_text(report, list(nodes))
    elif fmt == "csv":
        yield csv_text(list(nodes))
    else:
        yield table_text(report, list(nodes))


def renderers() -> tuple[str, ...]:
    """The document formats ``opplan build`` writes by default (``docx``, ``xlsx``)."""
    return ("docx", "xlsx")


def formats() -> tuple[str, ...]:
    """Every format ``opplan build`` can write: the renderers' and ``pdf`` (the Word
    documents printed by LibreOffice, when it is installed)."""
    return (*renderers(), "pdf")


def default_jobs() -> int:
    """Worker processes for a build by default: the CPUs this process may use."""
    return workers.usable_cpus()


def build(
    cycle_dir: str | Path,
    out: str | Path,
    *,
    node: NodeId | None = None,
    jobs: int = 1,
    formats: Sequence[str] = ("docx", "xlsx"),
    progress: Callable[[Iterator[Built], int], Iterator[Built]] | None = None,
    since: str | None = None,
    force: bool = False,
) -> BuildResult:
    """Check, roll up and render every node of the (sub)tree into ``out``.

    Nothing is written when the plans have errors. ``progress`` wraps the
    stream of finished nodes (e.g. a progress bar). ``since``: a cycle directory whose
    changes the documents show ("What changed since ..."); None: the cycle ``revises:``,
    if found; ``"none"``: no such section. Only the documents whose
    inputs changed since the last build into ``out`` are written (the others are
    ``current`` in the result; ``out/.opplan-build.json`` records what each file
    was built from), all of them with ``force``; PDFs are always all written.
    """
    if "pdf" in formats:
        from opplan.render.pdf import NOT_INSTALLED, available

        if not available():
            raise UserError(NOT_INSTALLED)
    from opplan.build import BuildResult, render_report

    out = Path(out)
    rolled = rollup(cycle_dir)
    diags = list(rolled.diagnostics)
    if rolled.report is None:
        return BuildResult(diags, [], cycle=rolled.cycle)
    if node is not None and node not in rolled.report.nodes:
        diags.append(error(rolled.cycle.source, f"no node '{node}' in this cycle", "build"))
        return BuildResult(diags, [], cycle=rolled.cycle)
    report, found = with_changes(rolled.cycle, rolled.report, since)
    diags = sort_diagnostics([*diags, *found])
    if "pdf" in formats:
        from opplan.pipeline.pdfbuild import build_with_pdf

        built = build_with_pdf(report, rolled.cycle.dir, out, node, jobs, formats, progress, diags)
        return replace(built, cycle=rolled.cycle)
    built = render_report(
        report,
        rolled.cycle.dir,
        out,
        node=node,
        jobs=jobs,
        formats=formats,
        progress=progress,
        diagnostics=diags,
        incremental=True,
        force=force,
    )
    return replace(built, cycle=rolled.cycle)
