"""Load a cycle directory into the model: ``load(dir) -> (Cycle, diagnostics)``.

Stage 1 of the pipeline. Reads cycle.yaml, discovers the org tree
(:mod:`opplan.orgtree`), parses every plan.yaml (:mod:`opplan.yamlsrc`) and
validates its shape with the pydantic model (:mod:`opplan.model`), and reads
every narrative.md. Problems in the files become diagnostics at their exact
key; nothing here raises for bad input.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
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
from opplan.load.parsecache import (
    ParseCache,
    Parsed,
    digest_of,
    encode,
    open_parse_cache,
    read_bytes,
)
from opplan.load.schemaerrors import ignored_keys, schema_diagnostics
from opplan.load.yamlsrc import decode_text, parse, read_text
from opplan.model import Cycle, CycleSettings, Narrative, Node, Plan
from opplan.model.diagnostics import Diagnostic, Source, error
from opplan.util.gcpause import paused_gc
from opplan.util.workers import wait_ended

#: Below this many nodes, worker processes cost more than they save.
PARALLEL_MIN_NODES = 400


#: Given a node's directory (relative to the cycle) and its plan.yaml, a plan already loaded
#: from a file with exactly these contents, or None to load it (see :func:`load`).
Reuse = Callable[[str, Path], "Plan | None"]


def load(
    cycle_dir: str | Path,
    jobs: int | None = None,
    reuse: Reuse | None = None,
    *,
    cache: bool = False,
) -> tuple[Cycle, list[Diagnostic]]:
    """Load the cycle in ``cycle_dir``; every problem is a diagnostic.

    Large cycles are parsed by ``jobs`` worker processes (default: one per
    CPU); results are validated in this process in tree order, so the outcome
    is the same as a sequential load. The cyclic garbage collector is paused
    meanwhile (the model is acyclic; its scans took half the load time).

    ``reuse`` lets a caller that loaded another version of the cycle hand over the plans
    of files that did not change (``opplan diff``): those are not parsed again. A reused
    plan's records keep the sources of the file it was loaded from, so a caller that
    prints diagnostics of this cycle loads it again without ``reuse`` first.

    With ``cache`` (and the cache not turned off: ``OPPLAN_CACHE=off``), a plan.yaml whose
    bytes were parsed before is not parsed again: its values and diagnostics come from the
    cycle's parse cache (:mod:`opplan.load.parsecache`), exactly as a parse gives them.
    """
    with paused_gc():
        return _load(cycle_dir, jobs, reuse, cache)


def _load(
    cycle_dir: str | Path, jobs: int | None, reuse: Reuse | None = None, cache: bool = False
) -> tuple[Cycle, list[Diagnostic]]:
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
        diags.append(error(cycle_src, not_a_cycle(base, display), "io"))
        return Cycle(base, None, {}, None, cycle_src), diags

    root_hint = settings.root if settings else None
    found, root, tree_diags = discover(base, display, root_hint)
    diags.extend(tree_diags)

    nodes: dict[str, Node] = {}
    plan_paths = [display_path(display, f"{nd.rel}/{PLAN_FILE}") for nd in found]
    reused = [reuse(nd.rel, base / nd.rel / PLAN_FILE) if reuse else None for nd in found]
    pcache = open_parse_cache(base) if cache else None
    keyed = [
        _keyed(p, pcache) if pcache is not None and r is None else (p, None, None, False)
        for p, r in zip(plan_paths, reused, strict=True)
    ]
    todo = [
        (p, raw, digest is not None)
        for (p, raw, digest, cached), r in zip(keyed, reused, strict=True)
        if r is None and not cached
    ]
    parsed = _parse_all(todo, jobs)
    for nd, plan_path, known, (_, _, digest, cached) in zip(
        found, plan_paths, reused, keyed, strict=True
    ):
        if known is None:
            # a cached parse is rebuilt only now, so one file's values live at a time
            hit = pcache.get(digest, plan_path) if pcache and digest and cached else None
            if hit is None and cached:  # an entry that does not decode: parse the file here
                hit = _parse_job((plan_path, None, False))[0]
            elif hit is None:
                hit, entry = next(parsed)
                if pcache is not None and digest and entry is not None:
                    pcache.put(digest, entry)
            data, parse_diags = hit
            diags.extend(parse_diags)
            plan = validate_model(data, plan_path, Plan, diags)
            if plan is not None:
                diags.extend(ignored_keys(plan))
        else:
            plan = known
        narrative = None
        if nd.narrative:  # discover() refused a link that leaves the cycle
            npath = display_path(display, f"{nd.rel}/{NARRATIVE_FILE}")
            text, ndiags = read_text(base / nd.rel / NARRATIVE_FILE, npath)
            diags.extend(ndiags)
            if text is not None:
                narrative = Narrative(npath, text)
        nodes[nd.id] = Node(
            nd.id, nd.rel, nd.parent, nd.children, nd.depth, Source(plan_path), plan, narrative
        )
    leftover = next(parsed, None)  # runs the parser to its end, which ends the workers
    assert leftover is None, "one parse per plan not reused"
    if pcache is not None:
        pcache.save()
    cycle = Cycle(base, settings, nodes, root, cycle_src)
    return cycle, diags


def not_a_cycle(base: Path, display: str) -> str:
    """Why ``base`` (shown as ``display``) is not checked, and the cycle directories near it.

    Nothing below it is read: a directory that is not a cycle may hold anything (a home
    directory, /tmp), and walking it for plan.yaml files would report every one of them.
    """
    msg = f"no {CYCLE_FILE} in '{display}': this is not a cycle directory, so nothing was checked"
    top = base.resolve()
    above = next((p for p in top.parents if (p / CYCLE_FILE).is_file()), None)
    try:
        below = sorted(c.name for c in top.iterdir() if c.is_dir() and (c / CYCLE_FILE).is_file())[
            :5
        ]
    except OSError:
        below = []
    if above is not None:
        near = os.path.relpath(above) if not Path(display).is_absolute() else str(above)
        return f"{msg}; it is inside the cycle {near}: run opplan check {near}"
    if below:
        shown = ", ".join(str(Path(display) / name) for name in below)
        return f"{msg}; cycles in it: {shown} (run opplan check with one of them)"
    return (
        f"{msg}; give the directory that holds {CYCLE_FILE} (opplan check DIR), "
        "or create a cycle with opplan init DIR"
    )


def parse_file(path: str, file: Path | None = None) -> tuple[Any, list[Diagnostic]]:
    """Read and parse one YAML file (``file``, shown as ``path``); ``(data, diagnostics)``."""
    text, diags = read_text(file or Path(path), path)
    if text is None:
        return None, diags
    data, parse_diags = parse(text, path)
    return data, diags + parse_diags


def _keyed(path: str, pcache: ParseCache) -> tuple[str, bytes | None, str | None, bool]:
    """A plan file's path, its bytes (None once its parse is in ``pcache``), their digest
    (None when it cannot be read as it is) and whether ``pcache`` has its parse."""
    raw = read_bytes(Path(path))
    if raw is None:
        return path, None, None, False
    digest = digest_of(raw)
    cached = pcache.has(digest)
    return path, None if cached else raw, digest, cached


def _parse_item(item: tuple[str, bytes | None]) -> tuple[Any, list[Diagnostic]]:
    """Parse a file shown as ``path``: the ``raw`` bytes read already, else the file."""
    path, raw = item
    if raw is None:
        return parse_file(path)
    text, diags = decode_text(raw, path)
    if text is None:
        return None, diags
    return parse(text, path)


def _parse_job(item: tuple[str, bytes | None, bool]) -> tuple[Parsed, str | None]:
    """:func:`_parse_item`, and with ``keep`` its parse cache entry (made in the worker)."""
    path, raw, keep = item
    parsed = _parse_item((path, raw))
    return parsed, encode(parsed) if keep else None


def _parse_all(
    items: list[tuple[str, bytes | None, bool]], jobs: int | None
) -> Iterator[tuple[Parsed, str | None]]:
    """:func:`_parse_job` over ``items``, in order; in worker processes for large cycles."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(items) < PARALLEL_MIN_NODES:
        yield from map(_parse_job, items)
        return
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    )
    wait_ended()  # an earlier build's workers, told to end: no fork while their threads run
    with context.Pool(workers) as pool:
        yield from pool.imap(_parse_job, items, chunksize=32)


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


def _kind(value: Any) -> str:
    """What a value is, in a planner's words."""
    return "a list" if isinstance(value, list) else "a single value"
