"""Review import: a manager's workbook back into their plan.yaml (docs/review.md).

``import_review(workbook, cycle_dir)`` reads the ``Stack`` sheet of a workbook
built by opplan (:mod:`opplan.review.sheet`, after the hostile-file checks of
:mod:`opplan.util.xlsxsafe`) and writes the decisions into ``review.decisions`` of
the node the workbook was built for. It is a three-way merge per row: the
values the build prefilled (kept in the workbook's metadata), the values in
the sheet now, and the decision in plan.yaml now (:mod:`opplan.review.merge`).

* A row whose cells still hold what the build prefilled was not edited and
  changes nothing; neither does a deleted row. An unedited workbook writes no
  byte.
* An edited row replaces the node's decision on that ask; clearing every
  review cell of a row removes the decision.
* Every problem is collected first; if there is any, nothing is written:
  unknown asks, asks outside the node's subtree, invalid decisions, partials
  over the ask, formulas or error values in review cells, a workbook of
  another cycle or not built by opplan, and rows whose plans changed since the
  build (their fingerprint, or the node's own decision, no longer matches;
  ``force`` imports them anyway, the workbook winning).

plan.yaml is rewritten with ruamel.yaml's round trip, so comments and layout
survive (:mod:`opplan.review.planwrite`); the new text is loaded and validated against the whole cycle before
the atomic write, and an import that would add an error writes nothing.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from opplan.check.budgets import over_budget_diagnostics
from opplan.check.validate import validate
from opplan.load.loader import load, load_model
from opplan.load.orgtree import PLAN_FILE
from opplan.model import Cycle, NodeId, Plan
from opplan.model.costing import RateTable
from opplan.model.diagnostics import Diagnostic, Severity
from opplan.report.reviewkeys import ReviewValues
from opplan.review.merge import Change, describe, merge, ranks_after, stale_workbook
from opplan.review.planwrite import rewrite, write_plan
from opplan.review.sheet import ReviewBook, ReviewError, read_review_book
from opplan.util.xlsxsafe import Deadline, UnsafeWorkbook, check_package

__all__ = ["Change", "ImportResult", "ReviewError", "describe", "import_review"]


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    node: NodeId
    plan_path: Path
    changes: list[Change]
    written: bool
    forced: list[str] = field(default_factory=list)  # stale rows imported with force
    #: Policy warnings (or errors) the change causes, such as a node now over budget.
    caused: list[Diagnostic] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # workbook rows ignored (note, no ask)


def import_review(
    workbook: str | Path, cycle_dir: str | Path = ".", *, dry_run: bool = False, force: bool = False
) -> ImportResult:
    """Import the decisions of a reviewed workbook; raise :class:`ReviewError` on refusal."""
    workbook = Path(workbook)
    deadline = Deadline(workbook.name)  # one time bound for checking and reading the workbook
    try:
        check_package(workbook, deadline)
    except UnsafeWorkbook as exc:
        raise ReviewError(str(exc)) from exc
    book = read_review_book(workbook, deadline)
    cycle, diags = load(cycle_dir)
    node_id = _check_identity(book, cycle, workbook.name, diags)
    node = cycle.node(node_id)
    plan_path = Path(cycle_dir) / node.rel / PLAN_FILE
    assert node.plan is not None and cycle.settings is not None
    current = dict(node.plan.review.decisions) if node.plan.review else {}
    changes, problems, stale = merge(book, cycle, node_id, current, RateTable(cycle.settings.rates))
    stale.extend(stale_workbook(book, cycle, node_id))
    problems.extend(ranks_after(current, changes))
    if stale and not force:
        problems.append(
            "the plans changed since this workbook was built, for: "
            + "; ".join(stale)
            + ". Rebuild the workbook (opplan build) and review "
            "again, or import anyway with --force (the workbook wins)"
        )
    if problems:
        raise ReviewError(problems)
    if not changes:
        return ImportResult(node_id, plan_path, [], False, stale, warnings=book.warnings)
    before = read_as_loaded(plan_path, node.plan)
    new = rewrite(plan_path, before, changes)
    after = _check_new_plan(cycle, node_id, plan_path, new, changes)
    caused = _caused(cycle, after)
    if not dry_run:
        write_plan(
            plan_path, new, before, doing="importing", writer="another import", again="the import"
        )
    return ImportResult(node_id, plan_path, changes, not dry_run, stale, caused, book.warnings)


def _caused(before: Cycle, after: Cycle) -> list[Diagnostic]:
    """The over-budget diagnostics (docs/policies.md) that the change adds: a decision
    that puts a node over budget is imported, and said."""
    known = Counter(d.message for d in over_budget_diagnostics(before))
    out = []
    for d in over_budget_diagnostics(after):
        if known[d.message]:
            known[d.message] -= 1
        else:
            out.append(d)
    return out


def _check_identity(book: ReviewBook, cycle: Cycle, name: str, diags: list[Diagnostic]) -> NodeId:
    """The workbook's node, after checking that it was built for this cycle."""
    settings = cycle.settings
    if settings is None:
        errors = [d.format() for d in diags if d.severity is Severity.ERROR][:5]
        raise ReviewError([f"cannot load the cycle in '{cycle.dir}'", *errors])
    meta = book.meta
    built_for = (meta["cycle"], meta["kind"], meta["year"])
    here = (settings.name, settings.kind, str(settings.year))
    if built_for != here:
        raise ReviewError(
            f"{name} was built for the cycle '{meta['cycle']}' ({meta['kind']} "
            f"{meta['year']}), not for '{settings.name}' ({settings.kind} "
            f"{settings.year}) in '{cycle.dir}'"
        )
    node_id = meta["node"]
    if node_id not in cycle.nodes:
        raise ReviewError(
            f"{name} was built for node '{node_id}', which is not in the cycle "
            f"in '{cycle.dir}' (renamed or moved?)"
        )
    if cycle.node(node_id).plan is None:
        raise ReviewError(
            f"the plan.yaml of '{node_id}' has errors; fix them first (opplan check), then import"
        )
    return node_id


def read_as_loaded(
    plan_path: Path, loaded: Plan, doing: str = "importing", command: str = "import"
) -> bytes:
    """plan.yaml's bytes now, checked to be the plan the import was computed from.

    The import merges against the plan as the cycle loaded it; if the file
    changed since (another import finished in between), refuse rather than
    merge against decisions that are no longer there. :func:`atomic.rewrite`
    then checks these bytes again under the file's lock, just before the write.
    """
    try:
        raw = plan_path.read_bytes()
    except OSError as exc:
        raise ReviewError(f"cannot read {plan_path}: {exc.strerror}") from exc
    diags: list[Diagnostic] = []
    with tempfile.TemporaryDirectory(prefix="opplan-review-") as tmp:
        file = Path(tmp) / PLAN_FILE
        file.write_bytes(raw)
        plan = load_model(file, str(plan_path), Plan, diags)
    if plan is None or plan.model_dump(mode="json") != loaded.model_dump(mode="json"):
        raise ReviewError(
            f"{plan_path} changed while {doing} (another {command} or an editor wrote it), "
            f"so nothing was written; run the {command} again"
        )
    return raw


def _check_new_plan(
    cycle: Cycle, node_id: NodeId, plan_path: Path, new: bytes, changes: list[Change]
) -> Cycle:
    """Load and validate the new plan.yaml with the cycle; refuse any new error. Returns
    the cycle as the import leaves it."""
    plan, after = checked_plan(cycle, node_id, plan_path, new, "the import")
    written = plan.review.decisions if plan.review else {}
    for change in changes:
        if not ReviewValues.of(written.get(change.ask)).same(change.after):
            raise ReviewError(
                f"writing {change.ask} did not read back as written; nothing "
                "was written (please report this)"
            )
    return after


def checked_plan(
    cycle: Cycle, node_id: NodeId, plan_path: Path, new: bytes, what: str
) -> tuple[Plan, Cycle]:
    """The new plan.yaml of ``node_id`` loaded and validated with the whole cycle, and the
    cycle with it; refused (:class:`ReviewError`, ``what`` naming the change) when it
    would not load or adds an error the cycle did not have."""
    node = cycle.node(node_id)
    diags: list[Diagnostic] = []
    with tempfile.TemporaryDirectory(prefix="opplan-review-") as tmp:
        file = Path(tmp) / PLAN_FILE
        file.write_bytes(new)
        plan = load_model(file, str(plan_path), Plan, diags)
    errors = [d.message for d in diags if d.severity is Severity.ERROR]
    if plan is None or errors:
        raise ReviewError(
            [f"{what} would make plan.yaml unreadable, so nothing was written:", *errors]
        )
    nodes = dict(cycle.nodes)
    nodes[node_id] = dataclasses.replace(node, plan=plan)
    after = dataclasses.replace(cycle, nodes=nodes)
    before_errors = Counter(
        (d.rule, d.message) for d in validate(cycle) if d.severity is Severity.ERROR
    )
    new_errors = [
        f"{m} [{r}]"
        for (r, m), n in Counter(
            (d.rule, d.message) for d in validate(after) if d.severity is Severity.ERROR
        ).items()
        if n > before_errors[(r, m)]
    ]
    if new_errors:
        raise ReviewError([f"{what} would introduce errors, so nothing was written:", *new_errors])
    return plan, after
