"""``opplan goal update``: a status report appended to one goal of a plan.yaml.

The update is validated like a review import (:mod:`opplan.review.importer`): the
reference, colour and date are checked first; the new text is written with ruamel.yaml's
round trip (:mod:`opplan.review.planwrite`, comments and layout kept: only the new
entry's lines are added), loaded and validated with the whole cycle, and only then
written atomically under the file's lock. Any problem refuses the update and writes
nothing. A report that jumps from green to red gives the ``status-jump`` warning (and is
refused where a cycle sets that policy to ``error``).

Reports are kept oldest first, so a report dated before the goal's latest one is
refused; one dated the same day is appended after it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from opplan.check.planrules import check_status_jump
from opplan.check.policies import configuration
from opplan.load.loader import load
from opplan.load.orgtree import PLAN_FILE
from opplan.model import Goal
from opplan.model.diagnostics import Diagnostic, Severity
from opplan.model.types import parse_ask_ref
from opplan.report.goalstatus import COLORS
from opplan.review.importer import checked_plan, read_as_loaded
from opplan.review.planwrite import as_text, decode, encode, kept_layout, round_trip, write_plan
from opplan.review.sheet import ReviewError
from opplan.util.textsplice import entry_lines

__all__ = ["GoalUpdate", "append_status", "update_goal"]


@dataclass(frozen=True)
class GoalUpdate:
    """What ``opplan goal update`` did (or, with ``dry_run``, would do)."""

    ref: str
    plan_path: Path
    date: dt.date
    color: str
    note: str
    written: bool
    #: The status-jump diagnostics the new report causes (green straight to red).
    caused: list[Diagnostic] = field(default_factory=list)


def update_goal(
    cycle_dir: str | Path,
    ref: str,
    color: str,
    note: str,
    date: dt.date,
    *,
    dry_run: bool = False,
) -> GoalUpdate:
    """Append a status report to the goal ``ref`` (``<node-id>/<goal-id>``); raise
    :class:`ReviewError` with every reason when the update is refused."""
    parsed = parse_ask_ref(ref)
    if parsed is None:
        raise ReviewError(
            f"'{ref}' is not a goal reference: write <node-id>/<goal-id>, e.g. checkout/G1"
        )
    if color not in COLORS:
        raise ReviewError(f"'{color}' is not a status colour: use green, yellow or red")
    node_id, goal_id = parsed
    cycle, diags = load(cycle_dir)
    if cycle.settings is None:
        errors = [d.format() for d in diags if d.severity is Severity.ERROR][:5]
        raise ReviewError([f"cannot load the cycle in '{cycle.dir}'", *errors])
    if node_id not in cycle.nodes:
        raise ReviewError(f"no node '{node_id}' in the cycle in '{cycle.dir}'")
    node = cycle.node(node_id)
    if node.plan is None:
        raise ReviewError(
            f"the plan.yaml of '{node_id}' has errors; fix them first (opplan check), then update"
        )
    goal = next((g for g in node.plan.goals if g.id == goal_id), None)
    if goal is None:
        known = ", ".join(g.id for g in node.plan.goals) or "none"
        raise ReviewError(f"node '{node_id}' has no goal '{goal_id}' (its goals: {known})")
    if goal.status and date < goal.status[-1].date:
        raise ReviewError(
            f"goal {ref}'s latest report is dated {goal.status[-1].date}; reports are kept "
            f"oldest first, so one dated {date} cannot follow it"
        )
    plan_path = Path(cycle_dir) / node.rel / PLAN_FILE
    before = read_as_loaded(plan_path, node.plan, "updating the goal", "update")
    new = append_status(plan_path, before, goal_id, date, color, note)
    plan, after = checked_plan(cycle, node_id, plan_path, new, "the update")
    _check_read_back(ref, goal, next(g for g in plan.goals if g.id == goal_id), date, color, note)
    caused = [
        d
        for d in check_status_jump(after, partial(configuration(after), "status-jump"))
        if d.message.startswith(f"goal '{goal_id}' ")
        and d.message.endswith(f" on {date} with no yellow between")
        and d.source.path == str(plan_path)
    ]
    if any(d.severity is Severity.ERROR for d in caused):
        raise ReviewError(
            [
                "the update would introduce errors, so nothing was written:",
                *(f"{d.message} [{d.rule}]" for d in caused),
            ]
        )
    if not dry_run:
        write_plan(
            plan_path,
            new,
            before,
            doing="updating the goal",
            writer="another command",
            again="the update",
        )
    return GoalUpdate(ref, plan_path, date, color, note, not dry_run, caused)


def _check_read_back(ref: str, old: Goal, new: Goal, date: dt.date, color: str, note: str) -> None:
    """The goal as written holds its old reports and the new one, nothing else changed."""
    seen = [(s.date, s.color, s.note) for s in new.status]
    wanted = [(s.date, s.color, s.note) for s in old.status] + [(date, color, note)]
    if seen != wanted or new.model_copy(update={"status": ()}) != old.model_copy(
        update={"status": ()}
    ):
        raise ReviewError(
            f"writing {ref} did not read back as written; nothing was written (please report this)"
        )


def append_status(
    plan_path: Path, raw: bytes, goal_id: str, date: dt.date, color: str, note: str
) -> bytes:
    """plan.yaml's new bytes with one status report appended to goal ``goal_id``, the rest
    of the file (comments, quoting, layout, CRLF, a byte order mark) as it was."""
    text, bom, crlf = decode(raw)
    yaml = round_trip(text)
    try:
        data = yaml.load(text)
        goal = _goal_map(data, goal_id)
    except YAMLError as exc:
        raise ReviewError(f"cannot parse {plan_path} for writing: {exc}") from exc
    status = goal.get("status")
    entry = CommentedMap()
    entry["date"] = date
    entry["color"] = color
    if note:
        entry["note"] = as_text(note)
    appended = isinstance(status, CommentedSeq) and len(status) > 0
    after_last: tuple[int, int] | None = None  # where the new item goes in a block list
    if appended and not status.fa.flow_style():
        last = status[-1]
        if not isinstance(last, CommentedMap) or last.fa.flow_style():
            entry.fa.set_flow_style()
        after_last = _item_at(status, len(status) - 1)
        status.append(entry)
        old_starts: list[tuple[int, int]] = []
    else:
        old_starts = [_key_at(goal, "status")] if "status" in goal else []
        if appended:
            status.append(entry)  # a flow list [...] stays one
        else:
            entry.fa.set_flow_style()
            seq = CommentedSeq([entry])
            if "status" in goal:
                goal["status"] = seq
            else:
                goal.insert(len(goal), "status", seq)
    out = io.StringIO()
    yaml.dump(data, out)
    dumped = out.getvalue()
    try:
        new_data = yaml.load(dumped)
        new_goal = _goal_map(new_data, goal_id)
    except (YAMLError, ReviewError):
        return encode(dumped, text, bom, crlf)
    new_status = new_goal["status"]
    if after_last is not None and not new_status.fa.flow_style():
        inserted = _inserted(text, after_last, dumped, _item_at(new_status, len(new_status) - 1))
        with contextlib.suppress(YAMLError):
            if yaml.load(inserted) == new_data:
                return encode(inserted, text, bom, crlf)
        new_starts = [_item_at(new_status, len(new_status) - 1)]
    else:
        new_starts = [_key_at(new_goal, "status")]
    new = kept_layout(yaml, text, dumped, new_data, old_starts, new_starts)
    return encode(new, text, bom, crlf)


def _inserted(text: str, last: tuple[int, int], dumped: str, item: tuple[int, int]) -> str:
    """``text`` with the lines of the new item (at ``item`` in ``dumped``) inserted after
    the content of the list's last item (at ``last`` in ``text``): every line of ``text``
    stays as it was, comments between items included (ruamel.yaml drops some of those
    when it dumps a list of flow mappings)."""
    old_lines, new_lines = text.splitlines(keepends=True), dumped.splitlines(keepends=True)
    if old_lines and not old_lines[-1].endswith("\n"):
        old_lines[-1] += "\n"
    return "".join(
        [
            *old_lines[: _content_end(old_lines, last) + 1],
            *new_lines[item[0] : _content_end(new_lines, item) + 1],
            *old_lines[_content_end(old_lines, last) + 1 :],
        ]
    )


def _content_end(lines: list[str], start: tuple[int, int]) -> int:
    """The last line of content (not blank, not a comment) of the entry at ``start``."""
    end = start[0]
    for i in sorted(entry_lines(lines, [start])):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#"):
            end = max(end, i)
    return end


def _goal_map(data: Any, goal_id: str) -> CommentedMap:
    """The mapping of goal ``goal_id`` in ``goals:``."""
    goals = data.get("goals") if isinstance(data, CommentedMap) else None
    for item in goals if isinstance(goals, CommentedSeq) else ():
        if isinstance(item, CommentedMap) and str(item.get("id")) == goal_id:
            return item
    raise ReviewError(f"plan.yaml has no goal '{goal_id}' to write into")


def _key_at(mapping: CommentedMap, key: str) -> tuple[int, int]:
    line, column = mapping.lc.key(key)
    return int(line), int(column)


def _item_at(seq: CommentedSeq, index: int) -> tuple[int, int]:
    """(line, column) of an item's dash: its entry is its line and the deeper ones below."""
    line, column = seq.lc.item(index)
    return int(line), max(int(column) - 2, 0)
