"""``opplan revise``: OP2 from OP1, a copy of the cycle with only what must change edited.

Every file of the cycle is copied byte for byte; then cycle.yaml gets ``kind: OP2``, the new
``name:`` and a ``revises:`` mapping, and every ``defer`` decision leaves its manager's
plan.yaml while the ask it deferred gets ``deferred_in:`` (live again, its deferral noted).
Edits are made in the text, line by line, so comments and layout stay; when a file is laid out
in a way a line edit cannot follow, ruamel.yaml's round trip edits it (comments still kept).
The copy is built in a temporary directory beside the target and renamed into place at the
end, so a failure leaves nothing behind.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from opplan.load.orgtree import CYCLE_FILE, PLAN_FILE
from opplan.load.yamlsrc import resolve_scalar
from opplan.model import Cycle, CycleSettings, NodeId, parse_ask_ref
from opplan.model.diagnostics import UserError
from opplan.report.reviewkeys import ReviewValues
from opplan.review.merge import Change
from opplan.review.planwrite import rewrite as write_decisions
from opplan.review.planwrite import round_trip as plan_yaml
from opplan.util.atomic import write_bytes
from opplan.util.gitrev import git_place


class ReviseError(UserError):
    """A revision cannot be made where asked (the message says why)."""

    usage = True


@dataclass(frozen=True)
class Deferred:
    """A ``defer`` decision of the revised cycle: the ask, the manager and the note."""

    ask: str
    by: NodeId
    note: str | None


@dataclass(frozen=True)
class Revision:
    """What ``opplan revise`` made: the new cycle's directory, name and kind, the ``revises:``
    mapping written, the asks brought back, and the files that differ from the copy."""

    directory: Path
    name: str
    kind: str
    revises: dict[str, Any]
    deferred: tuple[Deferred, ...]
    edited: tuple[Path, ...]


def default_name(settings: CycleSettings) -> str:
    """The revision's name: ``OP1`` in the revised name becomes ``OP2`` (Northwind OP1 2027 ->
    Northwind OP2 2027); an OP1 name without it gets `` OP2``; an OP2's name is kept."""
    if settings.kind == "OP2":
        return settings.name
    renamed = re.sub(r"\bOP1\b", "OP2", settings.name)
    return renamed if renamed != settings.name else f"{settings.name} OP2"


def refuse_target(op1: Path, op2: Path) -> None:
    """Refuse an ``op2`` that exists and is not an empty directory, or that lies inside ``op1``
    (the copy would copy itself) or holds it."""
    if op2.exists() and (not op2.is_dir() or any(op2.iterdir())):
        raise ReviseError(f"'{op2}' exists and is not an empty directory; nothing was written")
    a, b = op1.resolve(), op2.resolve()
    if a == b or a in b.parents or b in a.parents:
        raise ReviseError(
            f"'{op2}' is inside '{op1}' (or holds it); put the revision beside the cycle, "
            "e.g. opplan revise northwind-op1-2027 northwind-op2-2027"
        )


def deferrals(cycle: Cycle) -> list[Deferred]:
    """Every ask a ``defer`` decision removes, once, with the decision nearest the ask (the
    deepest manager that deferred it), in the tree's order."""
    found: dict[str, Deferred] = {}
    for node in cycle.nodes.values():
        review = node.plan.review if node.plan is not None else None
        for ref, entry in (review.decisions if review is not None else {}).items():
            if entry.decision != "defer":
                continue
            prior = found.get(ref)
            if prior is None or cycle.node(prior.by).depth < node.depth:
                found[ref] = Deferred(ref, node.id, (entry.note or "").strip() or None)
    return sorted(found.values(), key=lambda d: d.ask)


def revises_mapping(cycle: Cycle, op1: Path, op2: Path) -> dict[str, Any]:
    """The ``revises:`` mapping: the revised cycle's name and kind, its directory relative to
    ``op2``, and, in a git repository, the commit, the path in the repository and ``dirty``."""
    assert cycle.settings is not None
    out: dict[str, Any] = {
        "name": cycle.settings.name,
        "kind": cycle.settings.kind,
        "path": Path(os.path.relpath(op1.resolve(), op2.resolve())).as_posix(),
    }
    place = git_place(op1)
    if place is not None:
        out["commit"] = place.commit
        out["repo_path"] = place.repo_path
        if place.dirty:
            out["dirty"] = True
    return out


def revise(cycle: Cycle, op1: Path, op2: Path, name: str | None) -> Revision:
    """Write the revision of the loaded, error-free ``cycle`` (read from ``op1``) into ``op2``."""
    assert cycle.settings is not None
    refuse_target(op1, op2)
    revises = revises_mapping(cycle, op1, op2)
    new_name = name if name is not None else default_name(cycle.settings)
    deferred = deferrals(cycle)
    op2.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{op2.name}.", suffix=".revise", dir=op2.parent))
    try:
        mask = os.umask(0)
        os.umask(mask)
        temp.chmod(0o777 & ~mask)  # mkdtemp makes it private; the cycle is a plain directory
        _copy_tree(op1, temp)
        edited = [_edit_cycle_file(temp / CYCLE_FILE, new_name, revises)]
        edited += _edit_plans(cycle, temp, deferred, cycle.settings.kind)
        if op2.is_dir():
            op2.rmdir()  # empty, checked above; rename cannot replace a directory portably
        temp.rename(op2)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return Revision(
        op2,
        new_name,
        "OP2",
        revises,
        tuple(deferred),
        tuple(op2 / p.relative_to(temp) for p in edited),
    )


def _copy_tree(source: Path, target: Path) -> None:
    """Copy the cycle's files, byte for byte, leaving out hidden files and directories."""
    for path in _files(source):
        write_bytes(target / path.relative_to(source), path.read_bytes())


def _files(source: Path) -> Iterator[Path]:
    """The cycle's files in a stable order, walked iteratively, hidden entries left out;
    a symbolic link to a file is copied as the file, a link to a directory is not followed."""
    stack = [source]
    while stack:
        directory = stack.pop()
        for entry in sorted(directory.iterdir(), reverse=True):
            if entry.name.startswith(".") or entry.name == "__pycache__":
                continue
            if entry.is_dir() and not entry.is_symlink():
                stack.append(entry)
            elif entry.is_file():
                yield entry


# -- cycle.yaml ------------------------------------------------------------------------------


def _scalar(value: object) -> str:
    """``value`` as a YAML scalar: plain when it reads back as itself, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    plain = (
        text
        and text == text.strip()
        and resolve_scalar(text) == text
        and not re.search(r"[:#,\[\]{}&*!|>'\"%@`\n]|^[-?]", text)
    )
    return text if plain else json.dumps(text, ensure_ascii=False)


def _block(key: str, mapping: dict[str, Any]) -> str:
    lines = [f"{key}:"] + [f"  {k}: {_scalar(v)}" for k, v in mapping.items()]
    return "\n".join(lines) + "\n"


_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def _edit_cycle_file(path: Path, name: str, revises: dict[str, Any]) -> Path:
    """cycle.yaml with ``name``, ``kind: OP2`` and the ``revises:`` mapping (replacing one
    already there), edited in place line by line."""
    raw = path.read_bytes()
    text, wrap = _unwrap(raw)
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    skipping = False
    done = {"name": False, "kind": False}
    for line in lines:
        top = _TOP_KEY.match(line)
        if skipping and (top or (line.strip() and not line.startswith((" ", "#", "\t")))):
            skipping = False
        if skipping:
            continue
        key = top.group(1) if top else None
        if key == "revises":
            skipping = True
            continue
        if key in done and not done[key]:
            value = name if key == "name" else "OP2"
            comment = re.search(r"\s+#.*$", line.rstrip("\n"))
            out.append(f"{key}: {_scalar(value)}{comment.group(0) if comment else ''}\n")
            done[key] = True
            continue
        out.append(line)
    if not done["kind"]:
        at = next((i + 1 for i, line in enumerate(out) if line.startswith("name:")), 0)
        out.insert(at, "kind: OP2\n")
    while out and not out[-1].strip():
        out.pop()
    if out and not out[-1].endswith("\n"):
        out[-1] += "\n"
    note = "# The cycle this one revises (opplan revise); see docs/revisions.md.\n"
    new = "".join(out) + "\n" + note + _block("revises", revises)
    expect = {"name": name, "kind": "OP2", "revises": revises}
    if not _reads_as(new, expect):
        new = _round_trip(text, lambda data: data.update(expect))
    write_bytes(path, wrap(new))
    return path


# -- plan.yaml -------------------------------------------------------------------------------


def _edit_plans(cycle: Cycle, root: Path, deferred: list[Deferred], kind: str) -> list[Path]:
    """Remove every defer decision from its manager's plan.yaml and note each deferred ask
    in its owner's; the files edited."""
    drops: dict[Path, list[str]] = {}
    for node in cycle.nodes.values():
        review = node.plan.review if node.plan is not None else None
        for ref, entry in (review.decisions if review is not None else {}).items():
            if entry.decision == "defer":
                drops.setdefault(root / node.rel / PLAN_FILE, []).append(ref)
    notes: dict[Path, list[Deferred]] = {}
    for item in deferred:
        parsed = parse_ask_ref(item.ask)
        if parsed is not None and parsed[0] in cycle.nodes:
            notes.setdefault(root / cycle.node(parsed[0]).rel / PLAN_FILE, []).append(item)
    for path in sorted({*drops, *notes}):
        raw = path.read_bytes()
        if path in drops:
            changes = [Change(a, 0, ReviewValues("defer"), ReviewValues()) for a in drops[path]]
            raw = write_decisions(path, raw, changes)
        for item in notes.get(path, ()):
            raw = _note_ask(raw, item, kind)
        write_bytes(path, raw)
    return sorted({*drops, *notes})


def deferral_text(item: Deferred, kind: str) -> str:
    """The ``deferred_in`` flow mapping of one ask."""
    parts = [f"cycle: {_scalar(kind)}", f"by: {_scalar(item.by)}"]
    if item.note:
        parts.append(f"note: {json.dumps(item.note, ensure_ascii=False)}")
    return "{" + ", ".join(parts) + "}"


def _note_ask(raw: bytes, item: Deferred, kind: str) -> bytes:
    """plan.yaml with ``deferred_in:`` on the deferred ask, on the line after its ``id:``."""
    text, wrap = _unwrap(raw)
    ask_id = item.ask.partition("/")[2]
    value = _deferral_values(item, kind)
    try:
        data = plan_yaml(text).load(text)
    except YAMLError as exc:
        raise ReviseError(f"cannot parse plan.yaml for writing: {exc}") from exc
    entry = _ask_map(data, ask_id)
    if entry is None:
        return raw
    new = _insert_after_id(text, entry, deferral_text(item, kind))
    if new is None or _ask_map(plan_yaml(new).load(new), ask_id) != {**entry, "deferred_in": value}:

        def edit(data: Any) -> None:
            found = _ask_map(data, ask_id)
            if found is not None:
                found["deferred_in"] = value

        new = _round_trip(text, edit)
    return wrap(new)


def _deferral_values(item: Deferred, kind: str) -> dict[str, str]:
    values = {"cycle": kind, "by": item.by}
    if item.note:
        values["note"] = item.note
    return values


def _ask_map(data: Any, ask_id: str) -> CommentedMap | None:
    asks = data.get("incremental") if isinstance(data, CommentedMap) else None
    for ask in asks if isinstance(asks, list) else ():
        if isinstance(ask, CommentedMap) and str(ask.get("id")) == ask_id:
            return ask
    return None


def _insert_after_id(text: str, entry: CommentedMap, line: str) -> str | None:
    """``text`` with ``deferred_in: line`` after the ask's one-line ``id:``, at its column;
    None when the ask is a flow mapping or already has the key."""
    if entry.fa.flow_style() or "deferred_in" in entry or "id" not in entry:
        return None
    row, col = entry.lc.key("id")
    lines = text.splitlines(keepends=True)
    follow = lines[row + 1] if row + 1 < len(lines) else ""
    if follow.strip() and len(follow) - len(follow.lstrip(" ")) > col:
        return None  # the id's value goes on over the next line
    ending = "" if lines[row].endswith("\n") else "\n"
    lines[row] += f"{ending}{' ' * col}deferred_in: {line}\n"
    return "".join(lines)


# -- shared ----------------------------------------------------------------------------------


def _unwrap(raw: bytes) -> tuple[str, Callable[[str], bytes]]:
    """The text with LF line ends, and the function that puts the BOM and CRLF back."""
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    crlf = "\r\n" in text
    if crlf:
        text = text.replace("\r\n", "\n")

    def wrap(new: str) -> bytes:
        if crlf:
            new = new.replace("\n", "\r\n")
        return (("\ufeff" if bom else "") + new).encode("utf-8")

    return text, wrap


def _reads_as(text: str, expect: dict[str, Any]) -> bool:
    try:
        data = plan_yaml(text).load(text)
    except YAMLError:
        return False
    return isinstance(data, CommentedMap) and all(data.get(k) == v for k, v in expect.items())


def _round_trip(text: str, edit: Callable[[Any], None]) -> str:
    """``text`` loaded, edited by ``edit(data)`` and dumped by ruamel.yaml (comments kept)."""
    yaml = plan_yaml(text)  # the file's own indentation
    data = yaml.load(text)
    edit(data)
    out = io.StringIO()
    yaml.dump(data, out)
    return str(out.getvalue())
