"""``opplan build``: render every node's documents into an output directory.

Given a roll-up (:func:`opplan.pipeline.build` checks and rolls up first), render
``<id>.<format>`` for every node of the subtree with each renderer of
:data:`RENDERERS`, in ``jobs`` worker processes, writing every file atomically.
A narrative or template that fails to render is reported at its file and line
and its documents are not written; the others are.

A renderer is ``fn(context, node_id) -> bytes``; add a format by adding an
entry to :data:`RENDERERS`.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opplan.model import NodeId
from opplan.model.diagnostics import Diagnostic, Source, error, failed, sort_diagnostics
from opplan.narrative.templating import TemplateError
from opplan.render.docx.pagelimit import template_diagnostic
from opplan.render.docx.plan import Renderer as DocRenderer
from opplan.render.docx.plan import plan_document, search_path
from opplan.render.docx.writer import layout
from opplan.report.fingerprint import record_digests as digests
from opplan.report.records import NodeReport, Report
from opplan.util import workers
from opplan.util.atomic import write_bytes
from opplan.util.gcpause import paused_for_garbage, paused_gc


@dataclass
class BuildContext:
    """What renderers share within one worker process: the report and the template path."""

    report: Report
    templates: tuple[Path, ...]
    _doc: DocRenderer | None = field(default=None, repr=False)

    def doc_renderer(self) -> DocRenderer:
        """The narrative/template renderer of this process (created once, caches contexts)."""
        if self._doc is None:
            self._doc = DocRenderer(self.report, self.templates)
        return self._doc

    def __getstate__(self) -> dict[str, object]:
        return {"report": self.report, "templates": self.templates, "_doc": None}


Renderer = Callable[[BuildContext, NodeId], bytes]


def build_docx(ctx: BuildContext, node_id: NodeId) -> bytes:
    """The six-page narrative ``<id>.docx``."""
    plan = plan_document(ctx.report.nodes[node_id], ctx.doc_renderer())
    return layout(plan, ctx.report.cycle)


def build_xlsx(ctx: BuildContext, node_id: NodeId) -> bytes:
    """The review workbook ``<id>.xlsx``."""
    from opplan.render.xlsx.workbook import render_xlsx as xlsx

    return xlsx(ctx.report, node_id)


RENDERERS: dict[str, Renderer] = {"docx": build_docx, "xlsx": build_xlsx}
"""Output formats by file extension."""


@dataclass(frozen=True)
class Built:
    """One node's outcome: files written, or the template error that stopped it."""

    node: NodeId
    files: tuple[Path, ...]
    problem: Diagnostic | None = None
    sha256: tuple[str, ...] = ()  # of each file's bytes, for the build manifest


@dataclass(frozen=True)
class BuildResult:
    """Every diagnostic (plan problems, template errors) and every file written; in an
    incremental build, the files that were current (not written) and those removed."""

    diagnostics: list[Diagnostic]
    files: list[Path]
    current: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing stopped a document from being written."""
        return not failed(self.diagnostics)


def render_failure(node: NodeReport, fmt: str, exc: Exception) -> Diagnostic:
    """A node whose document could not be rendered, as an error at its narrative or plan.

    Nothing ``check`` accepts should get here; if something does, that node's
    documents are refused with this error and every other node's are written.
    """
    where = node.narrative.path if node.narrative is not None else node.plan_path
    reason = " ".join(str(exc).split())[:200] or type(exc).__name__
    return error(
        Source(where),
        f"{node.id}.{fmt} could not be written from this node's plan and narrative "
        f"({reason}); its documents were skipped and the others written. Simplify the "
        "text it stumbles on, and please report this to the opplan maintainers",
        "render",
    )


def _render_one(ctx: BuildContext, node_id: NodeId, fmt: str) -> bytes | Diagnostic:
    """One file's bytes, or the diagnostic that refuses the node's documents."""
    try:
        with paused_for_garbage():
            return RENDERERS[fmt](ctx, node_id)
    except TemplateError as exc:
        return template_diagnostic(exc)
    except Exception as exc:  # one node's failure must not stop the others
        if os.environ.get("OPPLAN_DEBUG"):
            raise
        return render_failure(ctx.report.nodes[node_id], fmt, exc)


def _render_node(ctx: BuildContext, node_id: NodeId, out: Path, formats: Sequence[str]) -> Built:
    rendered: list[tuple[str, bytes | Diagnostic]] = []
    for fmt in formats:
        rendered.append((fmt, _render_one(ctx, node_id, fmt)))
        if isinstance(rendered[-1][1], Diagnostic):
            break
    return _write_node(node_id, out, rendered)


def _write_node(
    node_id: NodeId, out: Path, rendered: list[tuple[str, bytes | Diagnostic]]
) -> Built:
    """Write a node's files when every format rendered; else none of them."""
    outputs: list[tuple[Path, bytes]] = []
    for fmt, data in rendered:
        if isinstance(data, Diagnostic):
            return Built(node_id, (), data)
        outputs.append((out / f"{node_id}.{fmt}", data))
    for path, data in outputs:
        try:
            write_bytes(path, data)
        except OSError as exc:  # name the file (a full disk's error names none, or a temp file)
            exc.filename, exc.filename2 = str(path), None
            raise
    shas = tuple(hashlib.sha256(data).hexdigest() for _, data in outputs)
    return Built(node_id, tuple(p for p, _ in outputs), sha256=shas)


def _work(node_id: NodeId) -> Built:
    ctx, out, formats = workers.job()
    return _render_node(ctx, node_id, out, formats)


def _work_one(task: tuple[NodeId, str]) -> bytes | Diagnostic:
    return _render_one(workers.job()[0], *task)


def render_all(
    ctx: BuildContext, nodes: Sequence[NodeId], out: Path, formats: Sequence[str], jobs: int = 1
) -> Iterator[Built]:
    """Render ``nodes`` (in ``jobs`` processes); yield each node's outcome as it finishes.

    A few nodes (fewer than four per process: an incremental build, a small subtree) are
    rendered one file per task (:func:`_shared`), so that the top node's document and
    workbook, the largest of all, are rendered at once; their outcomes come when all are
    rendered, and the files of a node are still written only when all rendered.
    """
    if jobs > 1 and len(formats) > 1 and 1 <= len(nodes) < 4 * jobs:
        tasks = [(nid, fmt) for nid in nodes for fmt in formats]
        done: list[tuple[str, bytes | Diagnostic]] = []
        for (nid, fmt), result in zip(tasks, _shared(ctx, out, formats, jobs, tasks), strict=True):
            done.append((fmt, result))
            if len(done) == len(formats):
                yield _write_node(nid, out, done)
                done = []
        return
    if jobs <= 1 or len(nodes) <= 1:
        for nid in nodes:
            yield _render_node(ctx, nid, out, formats)
        return
    yield from _pooled(
        ctx, out, formats, jobs, _work, nodes, max(1, min(32, len(nodes) // (jobs * 8)))
    )


def _shared(
    ctx: BuildContext,
    out: Path,
    formats: Sequence[str],
    jobs: int,
    tasks: Sequence[tuple[NodeId, str]],
) -> list[bytes | Diagnostic]:
    """Each of ``tasks`` rendered, by this process and ``jobs - 1`` worker processes, each
    taking the next task in order whenever it is free (a node's files are larger than its
    descendants': the largest go first). This process starts with the first task, the top
    node's document: a forked worker copies each page of the report it touches (its
    reference counts change), and the root's document of a 10,000-team org took 15.7 s in
    a worker and 12.3 s here, where the report is in this process's own memory.

    One thread per worker hands it a task and waits for it; the workers are forked before
    any of these threads starts.
    """
    results: list[bytes | Diagnostic | None] = [None] * len(tasks)
    todo = deque(range(1, len(tasks)))
    lock = threading.Lock()
    failures: list[BaseException] = []

    def take() -> int | None:
        with lock:
            return todo.popleft() if todo and not failures else None

    with workers.pool((ctx, out, tuple(formats)), jobs - 1) as pool:

        def feed(i: int, future: Future[bytes | Diagnostic]) -> None:
            try:
                while True:
                    results[i] = future.result()
                    if (j := take()) is None:
                        return
                    i, future = j, pool.submit(_work_one, tasks[j])
            except BaseException as exc:  # a worker died: this process stops too
                with lock:
                    failures.append(exc)

        handed = [take() for _ in range(jobs - 1)]
        first = [(i, pool.submit(_work_one, tasks[i])) for i in handed if i is not None]
        feeders = [threading.Thread(target=feed, args=started, daemon=True) for started in first]
        for feeder in feeders:
            feeder.start()
        try:
            mine: int | None = 0
            while mine is not None:
                results[mine] = _render_one(ctx, *tasks[mine])
                mine = take()
        except BaseException:  # the caller stopped: hand out nothing more
            with lock:
                todo.clear()
            raise
        finally:
            for feeder in feeders:
                feeder.join()
    if failures:
        raise failures[0]
    done = [r for r in results if r is not None]
    if len(done) != len(tasks):  # a renderer returns bytes or a Diagnostic, never None
        raise RuntimeError("a file was not rendered")
    return done


def _pooled(
    ctx: BuildContext,
    out: Path,
    formats: Sequence[str],
    jobs: int,
    work: Callable[[Any], Any],
    tasks: Sequence[Any],
    chunk: int,
) -> Iterator[Any]:
    """``work`` over ``tasks`` in ``jobs`` worker processes, in order."""
    with workers.pool((ctx, out, tuple(formats)), jobs) as pool:
        try:
            yield from pool.map(work, tasks, chunksize=chunk)
        except BaseException:  # a full disk, or the caller stopped: drop the queued nodes
            pool.shutdown(wait=True, cancel_futures=True)
            raise


#: Fewest nodes whose record digests are spread over worker processes (fewer: one process).
PARALLEL_DIGESTS = 1000


def record_digests(
    ctx: BuildContext, ids: Sequence[NodeId], out: Path, formats: Sequence[str], jobs: int
) -> list[str]:
    """:func:`~opplan.report.fingerprint.record_digests` of ``ids``, in ``jobs`` processes
    for a large org (the build's records of 11,818 nodes take 8 s in one). The nodes are
    cut into runs of about equal size (a manager's record holds a row per ask below it)."""
    report = ctx.report
    if jobs <= 1 or len(ids) < PARALLEL_DIGESTS:
        return digests(report, ids)
    weight = [1 + len(report.nodes[i].stack) + len(report.nodes[i].hiring.rows) for i in ids]
    share = sum(weight) / (jobs * 8)
    runs: list[list[NodeId]] = [[]]
    held = 0.0
    for nid, w in zip(ids, weight, strict=True):
        if held >= share:
            runs.append([])
            held = 0.0
        runs[-1].append(nid)
        held += w
    done = _pooled(ctx, out, formats, jobs, _work_digests, runs, 1)
    return [d for run in done for d in run]


def _work_digests(ids: list[NodeId]) -> list[str]:
    return digests(workers.job()[0].report, ids)


def render_report(
    report: Report,
    cycle_dir: Path,
    out: Path,
    *,
    node: NodeId | None = None,
    jobs: int = 1,
    formats: Sequence[str] = tuple(RENDERERS),
    progress: Callable[[Iterator[Built], int], Iterator[Built]] | None = None,
    diagnostics: Sequence[Diagnostic] = (),
    incremental: bool = False,
    force: bool = False,
) -> BuildResult:
    """Render every node of the (sub)tree of ``node`` (default: all) into ``out``.

    ``report`` is the roll-up of the cycle in ``cycle_dir`` (whose templates
    override the defaults); ``diagnostics`` are those of its check, returned
    with the build's own. ``progress`` wraps the stream of finished nodes.
    ``incremental`` renders only the nodes whose files are not current by the
    manifest of ``out`` (:mod:`opplan.render.manifest`; all of them with ``force``)
    and records what it wrote there.
    """
    ctx = BuildContext(report, tuple(search_path(cycle_dir)))
    nodes = [n.id for n in report.subtree(node or report.root)]
    plan = None
    if incremental:
        from opplan.render.manifest import plan_build

        def records(ids: Sequence[NodeId]) -> list[str]:
            return record_digests(ctx, ids, out, formats, max(1, jobs))

        with paused_gc():  # hashing the report makes no cycles, only short-lived text
            plan = plan_build(report, cycle_dir, out, nodes, formats, force=force, records=records)
        nodes = plan.stale
    stream = render_all(ctx, nodes, out, formats, max(1, jobs))
    if progress is not None:
        stream = progress(stream, len(nodes))
    diags = list(diagnostics)
    files: list[Path] = []
    written: list[tuple[NodeId, Path, str]] = []
    failed: list[NodeId] = []
    for built in stream:
        files.extend(built.files)
        written.extend(
            (built.node, f, sha) for f, sha in zip(built.files, built.sha256, strict=True)
        )
        if built.problem is not None:
            diags.append(built.problem)
            failed.append(built.node)
    if plan is None:
        return BuildResult(sort_diagnostics(diags), files)
    from opplan.render.manifest import record

    removed = record(out, plan, written, failed)
    return BuildResult(sort_diagnostics(diags), files, plan.current, removed)


def default_jobs() -> int:
    """Worker processes by default: the CPUs this process may use."""
    return workers.usable_cpus()
