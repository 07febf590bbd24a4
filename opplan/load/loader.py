"""Load a cycle directory into the model: ``load(dir) -> (Cycle, diagnostics)``.

Stage 1 of the pipeline. Reads cycle.yaml, discovers the org tree
(:mod:`opplan.orgtree`), parses every plan.yaml (:mod:`opplan.yamlsrc`) and
validates its shape with the pydantic model (:mod:`opplan.model`), and reads
every narrative.md. Problems in the files become diagnostics at their exact
key; nothing here raises for bad input.
"""

from __future__ import annotations

import difflib
import multiprocessing
import os
import types
import typing
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from opplan.load.orgtree import (
    CYCLE_FILE,
    NARRATIVE_FILE,
    PLAN_FILE,
    discover,
    display_path,
    inside,
)
from opplan.load.yamlsrc import SOURCE_KEY, parse, read_text, source_of
from opplan.model import Cycle, CycleSettings, Narrative, Node, Plan
from opplan.model.diagnostics import MAX_PER_FILE_AND_RULE, Diagnostic, KeyPath, Source, error
from opplan.util.gcpause import paused_gc

#: Below this many nodes, worker processes cost more than they save.
PARALLEL_MIN_NODES = 400


def load(cycle_dir: str | Path, jobs: int | None = None) -> tuple[Cycle, list[Diagnostic]]:
    """Load the cycle in ``cycle_dir``; every problem is a diagnostic.

    Large cycles are parsed by ``jobs`` worker processes (default: one per
    CPU); results are validated in this process in tree order, so the outcome
    is the same as a sequential load. The cyclic garbage collector is paused
    meanwhile (the model is acyclic; its scans took half the load time).
    """
    with paused_gc():
        return _load(cycle_dir, jobs)


def _load(cycle_dir: str | Path, jobs: int | None) -> tuple[Cycle, list[Diagnostic]]:
    """:func:`load` with the collector as the caller left it."""
    display = str(cycle_dir)
    base = Path(cycle_dir)
    diags: list[Diagnostic] = []
    cycle_src = Source(display_path(display, CYCLE_FILE))

    settings = None
    if not base.is_dir():
        diags.append(error(Source(display), "not a directory", "io"))
        return Cycle(base, None, {}, None, cycle_src), diags
    top = base.resolve()
    cycle_file = base / CYCLE_FILE
    if cycle_file.is_symlink() and not inside(cycle_file, top):
        pass  # never read; discover() reports the link at its path
    elif cycle_file.is_file():
        settings = load_model(cycle_file, cycle_src.path, CycleSettings, diags)
    else:
        diags.append(
            error(cycle_src, f"no {CYCLE_FILE} in '{display}' (is this a cycle directory?)", "io")
        )

    root_hint = settings.root if settings else None
    found, root, tree_diags = discover(base, display, root_hint)
    diags.extend(tree_diags)

    nodes: dict[str, Node] = {}
    plan_paths = [display_path(display, f"{nd.rel}/{PLAN_FILE}") for nd in found]
    for nd, plan_path, (data, parse_diags) in zip(
        found, plan_paths, _parse_all(plan_paths, jobs), strict=False
    ):
        diags.extend(parse_diags)
        plan = validate_model(data, plan_path, Plan, diags)
        narrative = None
        narrative_file = base / nd.rel / NARRATIVE_FILE
        if narrative_file.is_file() and inside(narrative_file, top):
            npath = display_path(display, f"{nd.rel}/{NARRATIVE_FILE}")
            text, ndiags = read_text(narrative_file, npath)
            diags.extend(ndiags)
            if text is not None:
                narrative = Narrative(npath, text)
        nodes[nd.id] = Node(
            nd.id, nd.rel, nd.parent, nd.children, nd.depth, Source(plan_path), plan, narrative
        )
    cycle = Cycle(base, settings, nodes, root, cycle_src)
    return cycle, diags


def parse_file(path: str, file: Path | None = None) -> tuple[Any, list[Diagnostic]]:
    """Read and parse one YAML file (``file``, shown as ``path``); ``(data, diagnostics)``."""
    text, diags = read_text(file or Path(path), path)
    if text is None:
        return None, diags
    data, parse_diags = parse(text, path)
    return data, diags + parse_diags


def _parse_all(paths: list[str], jobs: int | None) -> Iterator[tuple[Any, list[Diagnostic]]]:
    """``parse_file`` over ``paths``, in order; in worker processes for large cycles."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(paths) < PARALLEL_MIN_NODES:
        yield from map(parse_file, paths)
        return
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    )
    with context.Pool(workers) as pool:
        yield from pool.imap(parse_file, paths, chunksize=32)


def validate_model(data: Any, path: str, model: type[BaseModel], diags: list[Diagnostic]) -> Any:
    """Validate parsed ``data`` as ``model``; append problems to ``diags``.

    Returns the model instance, or None when the data has shape errors.
    ``data`` is None only for a file that did not parse (already reported).
    """
    if data is None:
        return None
    if not isinstance(data, dict):
        first = [n for n, f in model.model_fields.items() if f.is_required()][:2]
        example = ", ".join(f"{n}: ..." for n in first)
        diags.append(
            error(
                Source(path),
                f"{Path(path).name} must be a mapping of keys ({example}), not {_kind(data)}",
                "type",
            )
        )
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        diags.extend(schema_diagnostics(exc, path, model, data))
        return None


def load_model(file: Path, path: str, model: type[BaseModel], diags: list[Diagnostic]) -> Any:
    """Parse and validate ``file`` (shown as ``path``) as ``model``; append problems to ``diags``."""
    data, parse_diags = parse_file(path, file)
    diags.extend(parse_diags)
    return validate_model(data, path, model, diags)


def schema_diagnostics(
    exc: ValidationError, path: str, model: type[BaseModel], data: dict[str, Any]
) -> list[Diagnostic]:
    """Turn pydantic's errors into diagnostics at the offending keys.

    Spelling hints are looked for only while a file has at most
    ``MAX_PER_FILE_AND_RULE`` unknown keys: beyond that they are summarised.
    """
    out = []
    unknown = 0
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        name = loc[-1] if loc else ""
        if kind == "extra_forbidden":
            unknown += 1
            fields = _fields_at(model, loc[:-1]) if unknown <= MAX_PER_FILE_AND_RULE else []
            hint = difflib.get_close_matches(str(name), fields, n=1, cutoff=0.6)
            msg = f"unknown key '{name}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")
            if not hint and " " in str(name):
                msg += (
                    " (a ',' or ': ' inside an unquoted value splits it; put the value in quotes)"
                )
            out.append(error(_src(path, loc, data), msg, "unknown-key"))
        elif kind == "missing":
            out.append(
                error(_src(path, loc[:-1], data), f"missing required key '{name}'", "required")
            )
        else:
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            else:
                for jargon, plain in _PLAIN_WORDS:
                    msg = msg.replace(jargon, plain)
                msg = f"{msg[0].lower()}{msg[1:]}, got {_show(err.get('input'))}"
            label = ".".join(str(k) for k in loc if not isinstance(k, int)) or "value"
            out.append(error(_src(path, loc, data), f"{label}: {msg}", "type"))
    return out


_PLAIN_WORDS = (
    ("a valid tuple", "a list"),
    ("a valid list", "a list"),
    ("a valid dictionary", "a mapping"),
    ("a valid decimal", "a number"),
    ("a valid string", "text"),
)


def _src(path: str, loc: KeyPath, data: dict[str, Any]) -> Source:
    """Source of the value at ``loc``: exact when its record knows the key."""
    node: Any = data
    record = source_of(data, path)
    depth = 0
    for i, key in enumerate(loc):
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and SOURCE_KEY in node:
            record, depth = source_of(node, path), i + 1
    return record.at(*loc[depth:])


def _strip(tp: Any) -> Any:
    """``tp`` without Annotated and Optional wrappers."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _model_at(model: Any, loc: KeyPath) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``loc``, if any."""
    tp = model
    for key in loc:
        tp = _strip(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(key, str):
            field = tp.model_fields.get(key)
            tp = field.annotation if field else None
        elif origin is tuple and isinstance(key, int):
            tp = typing.get_args(tp)[0]
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    tp = _strip(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _fields_at(model: type[BaseModel], loc: KeyPath) -> list[str]:
    found = _model_at(model, loc)
    if found is None:
        return []
    return [n for n in found.model_fields if n != "source"]


def _kind(value: Any) -> str:
    """What a value is, in a planner's words."""
    return "a list" if isinstance(value, list) else "a single value"


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    if isinstance(value, str):
        try:
            Decimal(value)
        except ArithmeticError:
            text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
