"""Review import: a manager's workbook back into their plan.yaml (SPEC section 10).

``import_review(workbook, cycle_dir)`` reads the ``Stack`` sheet of a workbook
built by opplan (:mod:`opplan.reviewsheet`, after the hostile-file checks of
:mod:`opplan.xlsxsafe`) and writes the decisions into ``review.decisions`` of
the node the workbook was built for. It is a three-way merge per row: the
values the build prefilled (kept in the workbook's metadata), the values in
the sheet now, and the decision in plan.yaml now.

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
survive; the new text is loaded and validated against the whole cycle before
the atomic write, and an import that would add an error writes nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from opplan.check.validate import validate
from opplan.load.loader import load, load_model
from opplan.load.orgtree import PLAN_FILE
from opplan.load.yamlsrc import resolve_scalar
from opplan.model import Ask, AskRef, Cycle, Decision, NodeId, Plan
from opplan.model.costing import Amount, RateTable, ask_amount, number_text
from opplan.model.diagnostics import Diagnostic, Severity
from opplan.report.reviewkeys import (
    AskLookup,
    ReviewValues,
    budget_text,
    decisions_below,
    fingerprint,
)
from opplan.review.sheet import ReviewBook, ReviewError, SheetRow, read_review_book
from opplan.util import atomic
from opplan.util.textsplice import entry_lines, splice
from opplan.util.xlsxsafe import Deadline, UnsafeWorkbook, check_package

__all__ = ["Change", "ImportResult", "ReviewError", "describe", "import_review"]


@dataclass(frozen=True)
class Change:
    """One decision entry changed by an import."""

    ask: AskRef
    row: int
    before: ReviewValues
    after: ReviewValues


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    node: NodeId
    plan_path: Path
    changes: list[Change]
    written: bool
    forced: list[str] = field(default_factory=list)  # stale rows imported with force


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
    changes, problems, stale = _merge(
        book, cycle, node_id, current, RateTable(cycle.settings.rates)
    )
    stale.extend(_stale_workbook(book, cycle, node_id))
    problems.extend(_rank_problems(current, changes))
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
        return ImportResult(node_id, plan_path, [], False, stale)
    before = _read_as_loaded(plan_path, node.plan)
    new = _rewrite(plan_path, before, changes)
    _check_new_plan(cycle, node_id, plan_path, new, changes)
    if not dry_run:
        try:
            atomic.rewrite(plan_path, lambda _current: new, expected=before)
        except atomic.FileLocked as exc:
            raise ReviewError(f"{plan_path}: {exc.strerror}") from exc
        except atomic.FileChanged as exc:
            raise ReviewError(
                f"{plan_path} changed while importing (another import or an editor wrote "
                "it), so nothing was written; run the import again"
            ) from exc
    return ImportResult(node_id, plan_path, changes, not dry_run, stale)


# --- what the workbook says -------------------------------------------------


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


def _merge(
    book: ReviewBook,
    cycle: Cycle,
    node_id: NodeId,
    current: dict[AskRef, Decision],
    rates: RateTable,
) -> tuple[list[Change], list[str], list[str]]:
    """Changes, problems and stale rows, row by row (a three-way merge)."""
    problems = list(book.problems)
    changes: list[Change] = []
    stale: list[str] = []
    seen: dict[str, int] = {}
    asks = AskLookup(cycle.nodes)
    for row in book.rows:
        label = f"Stack row {row.row} ({row.ask})"
        problems.extend(row.problems)
        if row.ask in seen:
            problems.append(f"{label}: the ask is also in row {seen[row.ask]}")
            continue
        seen[row.ask] = row.row
        found = asks.find(row.ask)
        if found is None:
            problems.append(f"{label}: unknown ask '{row.ask}' (no such ask in the plans)")
            continue
        owner, ask = found
        if not cycle.in_subtree(owner, node_id):
            problems.append(
                f"{label}: '{row.ask}' is outside {node_id}'s subtree; a manager "
                "decides only on asks below them"
            )
            continue
        amount = ask_amount(ask, rates)
        now = ReviewValues.of(current.get(row.ask))
        built = book.built.get(row.ask)
        prefill = built.prefill if built is not None else now
        if built is not None and built.fingerprint != _fingerprint(
            cycle, row.ask, owner, ask, amount, node_id
        ):
            stale.append(
                f"row {row.row} ({row.ask}): the ask or a decision below {node_id} changed"
            )
        if row.values.same(prefill) or row.values.same(now):
            continue  # not edited, or edited to what plan.yaml already says
        if not prefill.same(now):
            stale.append(
                f"row {row.row} ({row.ask}): {node_id}'s decision changed in "
                f"plan.yaml since the build (now {describe(now)})"
            )
        row_problems = _check_values(label, row, amount)
        if row_problems:
            problems.extend(row_problems)
            continue
        changes.append(Change(row.ask, row.row, now, row.values))
    return changes, problems, stale


def _stale_workbook(book: ReviewBook, cycle: Cycle, node_id: NodeId) -> list[str]:
    """Changes since the build that move rows or the line without touching a row's own
    fingerprint: asks added below the node, and the node's budget."""
    out = []
    plans = ((n, cycle.node(n).plan) for n in cycle.subtree(node_id))
    added = [
        f"{n}/{a.id}"
        for n, plan in plans
        for a in (plan.incremental if plan else ())
        if f"{n}/{a.id}" not in book.built
    ]
    if added:
        shown = ", ".join(added[:5]) + (f" and {len(added) - 5} more" if len(added) > 5 else "")
        out.append(f"asks added below {node_id} since the build, not in the workbook: {shown}")
    plan = cycle.node(node_id).plan
    budget = plan.review.budget if plan and plan.review else None
    now = budget_text(budget.headcount if budget else None, budget.cost if budget else None)
    if book.meta.get("budget") != now:
        out.append(
            f"{node_id}'s budget changed since the build (was {book.meta.get('budget')}, now {now})"
        )
    return out


def _fingerprint(
    cycle: Cycle, ref: AskRef, owner: NodeId, ask: Ask, amount: Amount, top: NodeId
) -> str:
    """The fingerprint of a row from the plans as they are now (see reviewbook)."""
    return fingerprint(ref, ask, amount, decisions_below(cycle.nodes, ref, owner, top))


def _check_values(label: str, row: SheetRow, amount: Amount) -> list[str]:
    """What is wrong with a row's new review values, given the ask's requested amount."""
    v = row.values
    out = []
    if v.decision != "partial":
        if v.headcount is not None or v.cost is not None:
            out.append(
                f"{label}: Partial headcount and Partial cost are only for the "
                f"decision 'partial' (the decision is {v.decision or 'empty'})"
            )
        return out
    if v.headcount is None and v.cost is None:
        out.append(
            f"{label}: a partial needs Partial headcount (or, for an ask without "
            "heads, Partial cost)"
        )
    elif v.headcount is None and amount.headcount > 0:
        out.append(f"{label}: a partial of an ask with heads needs Partial headcount")
    elif v.headcount is not None and amount.headcount == 0:
        out.append(
            f"{label}: the ask asks for no heads: a partial of a spend-only ask gives "
            "Partial cost, not Partial headcount"
        )
    if v.headcount is not None and 0 < amount.headcount < v.headcount:
        out.append(
            f"{label}: partial over the ask: Partial headcount "
            f"{number_text(v.headcount)} is more than the "
            f"{number_text(amount.headcount)} asked"
        )
    if v.cost is not None and v.cost > amount.cost:
        out.append(
            f"{label}: partial over the ask: Partial cost {v.cost:.2f} is more than "
            f"the {amount.cost:.2f} asked"
        )
    return out


def _rank_problems(current: dict[AskRef, Decision], changes: list[Change]) -> list[str]:
    """Ranks must stay unique at the node once the changes are applied."""
    ranks = {ref: d.rank for ref, d in current.items() if d.rank is not None}
    for change in changes:
        ranks.pop(change.ask, None)
        if change.after.rank is not None:
            ranks[change.ask] = change.after.rank
    counts = Counter(ranks.values())
    out = []
    for rank in sorted(r for r, n in counts.items() if n > 1):
        names = sorted(ref for ref, r in ranks.items() if r == rank)
        out.append(f"rank {rank} would be given to more than one ask: {', '.join(names)}")
    return out


# --- writing plan.yaml ------------------------------------------------------


def _yaml(text: str) -> YAML:
    """A round-trip YAML instance with the file's own indentation."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    mapping, offset = _guess_indent(text)
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    yaml.representer.add_representer(Decimal, _represent_decimal)
    return yaml


_KEY_LINE = re.compile(r"^( *)[^\s#-][^#]*:\s*(#.*)?$")
_ITEM_LINE = re.compile(r"^( *)- ")
_CONTENT_LINE = re.compile(r"^( *)[^\s#]")


def _guess_indent(text: str) -> tuple[int, int]:
    """(mapping indent, sequence dash offset) as the file uses them; (2, 2) by default."""
    mapping = offset = None
    previous: tuple[int, bool] | None = None  # (indent, opens a block)
    for line in text.splitlines():
        content = _CONTENT_LINE.match(line)
        if content is None:
            continue
        indent = len(content.group(1))
        if previous is not None and previous[1] and indent >= previous[0]:
            if _ITEM_LINE.match(line) and offset is None:
                offset = indent - previous[0]
            elif not _ITEM_LINE.match(line) and mapping is None and indent > previous[0]:
                mapping = indent - previous[0]
        if mapping is not None and offset is not None:
            break
        previous = (indent, bool(_KEY_LINE.match(line)))
    return mapping or 2, offset if offset is not None else 2


def _represent_decimal(representer: Any, value: Decimal) -> Any:
    text = number_text(value)
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return representer.represent_scalar(tag, text)


def _read_as_loaded(plan_path: Path, loaded: Plan) -> bytes:
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
            f"{plan_path} changed while importing (another import or an editor wrote it), "
            "so nothing was written; run the import again"
        )
    return raw


def _rewrite(plan_path: Path, raw: bytes, changes: list[Change]) -> bytes:
    """plan.yaml's new bytes with the changes applied, comments and layout kept.

    ruamel.yaml sees the text with LF line ends (it drops blank lines of CRLF
    text); CRLF, a byte order mark and a missing final newline are put back, so
    only the changed entries differ byte for byte.
    """
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    crlf = "\r\n" in text
    if crlf:
        text = text.replace("\r\n", "\n")
    yaml = _yaml(text)
    try:
        data = yaml.load(text)
    except YAMLError as exc:
        raise ReviewError(f"cannot parse {plan_path} for writing: {exc}") from exc
    decisions = _decisions_map(data)
    touched = {c.ask for c in changes}
    old_starts = _entry_starts(decisions, touched)
    for change in changes:
        if change.after.empty():
            decisions.pop(change.ask, None)
            continue
        entry = decisions.get(change.ask)
        if not isinstance(entry, CommentedMap):
            entry = CommentedMap()
            entry.fa.set_flow_style()
            decisions[change.ask] = entry
        _fill_entry(entry, change.after)
    if not decisions:
        decisions.fa.set_flow_style()  # "decisions: {}", keeping comments around it
    out = io.StringIO()
    yaml.dump(data, out)
    new = _keep_layout(yaml, text, out.getvalue(), old_starts, touched)
    if text and not text.endswith("\n") and new.endswith("\n"):
        new = new[:-1]
    if crlf:
        new = new.replace("\n", "\r\n")
    return (("\ufeff" if bom else "") + new).encode("utf-8")


def _entry_starts(decisions: CommentedMap, asks: set[str]) -> list[tuple[int, int]]:
    """(line, column) of the keys of ``asks`` in ``decisions``, as parsed (0-based)."""
    out = []
    for key in decisions:
        if key in asks:
            with contextlib.suppress(KeyError, TypeError):
                line, column = decisions.lc.key(key)
                out.append((line, column))
    return out


def _keep_layout(
    yaml: YAML, text: str, dumped: str, old_starts: list[tuple[int, int]], asks: set[str]
) -> str:
    """``dumped`` with the original bytes of every line outside the changed decision
    entries (ruamel re-spaces flow mappings and colons); ``dumped`` itself if the
    spliced text would not read back the same."""
    try:
        new_data = yaml.load(dumped)
        new_starts = _entry_starts(_decisions_map(new_data), asks)
    except (YAMLError, ReviewError):
        return dumped
    old_lines, new_lines = text.splitlines(keepends=True), dumped.splitlines(keepends=True)
    spliced = splice(
        old_lines,
        new_lines,
        entry_lines(old_lines, old_starts),
        entry_lines(new_lines, new_starts),
    )
    try:
        same = yaml.load(spliced) == new_data
    except YAMLError:
        same = False
    return spliced if same else dumped


def _decisions_map(data: Any) -> CommentedMap:
    """The ``review.decisions`` mapping of a plan, created where missing."""
    if not isinstance(data, CommentedMap):
        raise ReviewError("plan.yaml is not a mapping of keys")
    keys = list(data.keys())
    review = _child_map(data, "review", keys.index("policies") if "policies" in keys else len(keys))
    keys = list(review.keys())
    decisions = _child_map(review, "decisions", keys.index("budget") + 1 if "budget" in keys else 0)
    if decisions.fa.flow_style():
        decisions.fa.set_block_style()
    return decisions


def _child_map(parent: CommentedMap, key: str, where: int) -> CommentedMap:
    """``parent[key]`` as a mapping: an empty or missing one is created (at ``where``)."""
    child = parent.get(key)
    if isinstance(child, CommentedMap):
        return child
    child = CommentedMap()
    if key in parent:
        parent[key] = child
    else:
        parent.insert(where, key, child)
    return child


def _fill_entry(entry: CommentedMap, values: ReviewValues) -> None:
    """Set the keys of one decision entry, keeping the keys' existing order."""
    note: Any = values.note
    if note is not None and resolve_scalar(note) != note:
        note = DoubleQuotedScalarString(note)
    for key, value in (
        ("decision", values.decision),
        ("rank", values.rank),
        ("headcount", values.headcount),
        ("cost", values.cost),
        ("note", note),
    ):
        if value is None:
            entry.pop(key, None)
        elif entry.get(key) != value or type(entry.get(key)) is not type(value):
            entry[key] = value


def _check_new_plan(
    cycle: Cycle, node_id: NodeId, plan_path: Path, new: bytes, changes: list[Change]
) -> None:
    """Load and validate the new plan.yaml with the cycle; refuse any new error."""
    node = cycle.node(node_id)
    diags: list[Diagnostic] = []
    with tempfile.TemporaryDirectory(prefix="opplan-review-") as tmp:
        file = Path(tmp) / PLAN_FILE
        file.write_bytes(new)
        plan = load_model(file, str(plan_path), Plan, diags)
    errors = [d.message for d in diags if d.severity is Severity.ERROR]
    if plan is None or errors:
        raise ReviewError(
            ["the import would make plan.yaml unreadable, so nothing was written:", *errors]
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
        raise ReviewError(
            ["the import would introduce errors, so nothing was written:", *new_errors]
        )
    written = plan.review.decisions if plan.review else {}
    for change in changes:
        if not ReviewValues.of(written.get(change.ask)).same(change.after):
            raise ReviewError(
                f"writing {change.ask} did not read back as written; nothing "
                "was written (please report this)"
            )


# --- describing changes -----------------------------------------------------


def describe(values: ReviewValues) -> str:
    """A decision entry in a few words: ``partial 1 head 120000.00, rank 2, note "..."``."""
    if values.empty():
        return "(none)"
    parts = []
    if values.decision:
        text = values.decision
        if values.headcount is not None:
            text += f" {number_text(values.headcount)} head{'s' if values.headcount != 1 else ''}"
        if values.cost is not None:
            text += f" {values.cost:.2f}"
        parts.append(text)
    if values.rank is not None:
        parts.append(f"rank {values.rank}")
    if values.note:
        note = values.note if len(values.note) <= 40 else values.note[:39] + "…"
        parts.append(f'note "{note}"')
    return ", ".join(parts)
