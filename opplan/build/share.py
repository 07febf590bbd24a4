"""Sharing a build's work between this process and worker processes.

Three ways, by how much there is to do:

* :func:`pooled`: every node of a full build, in ``jobs`` forked workers, in order.
* :func:`share`: a few large tasks (an incremental build's files, the record digests of a
  large org), each taken by whoever is free: this process or one of the workers.
* A *partner* (:class:`PartnerSlot`): the worker that validated a large cycle beside its
  check (:mod:`opplan.pipeline.checkpair`) and then rolled it up itself, while this process
  did the same. It holds its own copy of the report, so it renders and hashes without
  copying this process's memory page by page as a freshly forked worker does. It is handed
  no task before its roll-up is done (this process works meanwhile), and none at all when
  it could not make one; a task it cannot do comes back (:data:`NOT_READY`).

A worker's task function reads the build's job (:func:`opplan.util.workers.job`): the
build context, the output directory and the formats.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from opplan.build.files import BuildContext, Built, render_node, render_one
from opplan.model import NodeId
from opplan.model.diagnostics import Diagnostic
from opplan.report.fingerprint import record_digests as digests
from opplan.util import workers

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class PartnerSlot:
    """A worker holding its own roll-up of the build, and whether that roll-up is done and
    is the build's (it is handed tasks only then)."""

    executor: ProcessPoolExecutor
    ready: Callable[[], bool]


#: How often a partner's readiness is looked at while this process works (seconds).
POLL = 0.02

#: What a partner's task returns before its roll-up is done: the task goes back to the queue.
NOT_READY = None

#: Fewest nodes whose record digests are spread over worker processes (fewer: one process).
PARALLEL_DIGESTS = 1000


def share(
    tasks: Sequence[T],
    here: Callable[[T], R],
    there: Callable[[T], R | None],
    slots: Sequence[Executor | PartnerSlot],
) -> list[R]:
    """Each of ``tasks``, run by this process (``here``) or by a worker (``there``, passed
    to one of ``slots``: an executor once per worker it has, or a partner), each taking the
    next task in order whenever it is free. This process starts with the first task (the
    largest: the top node's document; a forked worker copies each page of the report it
    touches, so it is slower there). A partner is handed tasks once it is ready; a worker
    whose task comes back :data:`NOT_READY` gets no more, and the task goes back to the
    queue. Every task is run once, and what is left when the workers stop, this process runs.

    One thread per slot hands its worker a task and waits for it; the first tasks of the
    executors are submitted (and fresh workers forked) before any of these threads starts.
    """
    results: list[Any] = [None] * len(tasks)
    done = [False] * len(tasks)
    todo = deque(range(1, len(tasks)))
    lock = threading.Lock()
    failures: list[BaseException] = []

    def take() -> int | None:
        with lock:
            return todo.popleft() if todo and not failures else None

    def feed(slot: Executor, i: int | None, future: Future[R | None] | None) -> None:
        try:
            while i is not None and future is not None:
                result = future.result()
                if result is NOT_READY:
                    with lock:
                        todo.appendleft(i)
                    return
                results[i], done[i] = result, True
                if (i := take()) is not None:
                    future = slot.submit(there, tasks[i])
        except BaseException as exc:  # a worker died: this process stops too
            with lock:
                failures.append(exc)

    def partner(slot: PartnerSlot) -> None:
        while not slot.ready():  # this process takes tasks meanwhile
            with lock:
                if not todo or failures:
                    return
            time.sleep(POLL)
        i = take()
        feed(slot.executor, i, None if i is None else slot.executor.submit(there, tasks[i]))

    feeders: list[threading.Thread] = []
    for slot in slots:
        if isinstance(slot, PartnerSlot):
            feeders.append(threading.Thread(target=partner, args=(slot,), daemon=True))
        elif (i := take()) is not None:
            started = (slot, i, slot.submit(there, tasks[i]))
            feeders.append(threading.Thread(target=feed, args=started, daemon=True))
    for feeder in feeders:
        feeder.start()
    try:
        mine: int | None = 0 if tasks else None
        while mine is not None:
            results[mine], done[mine] = here(tasks[mine]), True
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
    for i, finished in enumerate(done):  # handed back after this process ran out of tasks
        if not finished:
            results[i] = here(tasks[i])
    return results


def pooled(
    ctx: BuildContext,
    out: Path,
    formats: Sequence[str],
    jobs: int,
    work: Callable[[Any], Any],
    tasks: Sequence[Any],
    chunk: int,
) -> Iterator[Any]:
    """``work`` over ``tasks`` in ``jobs`` forked worker processes, in order."""
    with workers.pool((ctx, out, tuple(formats)), jobs) as pool:
        try:
            yield from pool.map(work, tasks, chunksize=chunk)
        except BaseException:  # a full disk, or the caller stopped: drop the queued nodes
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def shared(
    ctx: BuildContext,
    out: Path,
    formats: Sequence[str],
    jobs: int,
    tasks: Sequence[T],
    here: Callable[[T], R],
    there: Callable[[T], R | None],
    partner: PartnerSlot | None,
) -> list[R]:
    """:func:`share` among this process, the ``partner`` (if any) and as many forked
    workers as make ``jobs`` processes in all."""
    fresh = jobs - 1 - (partner is not None)
    slots: list[Executor | PartnerSlot] = [partner] if partner is not None else []
    if fresh <= 0:
        return share(tasks, here, there, slots)
    with workers.pool((ctx, out, tuple(formats)), fresh) as pool:
        return share(tasks, here, there, slots + [pool] * fresh)


def record_digests(
    ctx: BuildContext,
    ids: Sequence[NodeId],
    out: Path,
    formats: Sequence[str],
    jobs: int,
    partner: PartnerSlot | None = None,
) -> list[str]:
    """:func:`~opplan.report.fingerprint.record_digests` of ``ids``, in ``jobs`` processes
    for a large org (the build's records of 11,818 nodes take 8 s in one). The nodes are
    cut into runs of about equal size (a manager's record holds a row per ask below it)."""
    report = ctx.report
    if jobs <= 1 or len(ids) < PARALLEL_DIGESTS:
        return digests(report, ids)
    weight = [1 + len(report.nodes[i].stack) + len(report.nodes[i].hiring.rows) for i in ids]
    share_of_one = sum(weight) / (jobs * 8)
    runs: list[list[NodeId]] = [[]]
    held = 0.0
    for nid, w in zip(ids, weight, strict=True):
        if held >= share_of_one:
            runs.append([])
            held = 0.0
        runs[-1].append(nid)
        held += w
    done = shared(
        ctx, out, formats, jobs, runs, lambda run: digests(report, run), work_digests, partner
    )
    return [d for run in done for d in run]


def _ready() -> BuildContext | None:
    """This worker's build context; None in a partner that has none (yet)."""
    job = workers.job_or_none()
    return job[0] if isinstance(job, tuple) and isinstance(job[0], BuildContext) else None


def work_node(node_id: NodeId) -> Built:
    """A worker's task of a full build: one node's files, written."""
    ctx, out, formats = workers.job()
    return render_node(ctx, node_id, out, formats)


def work_file(task: tuple[NodeId, str]) -> bytes | Diagnostic | None:
    """A worker's task of an incremental build: one file's bytes (not written)."""
    ctx = _ready()
    return NOT_READY if ctx is None else render_one(ctx, *task)


def work_digests(ids: list[NodeId]) -> list[str] | None:
    """A worker's task: the record digests of a run of nodes."""
    ctx = _ready()
    return NOT_READY if ctx is None else digests(ctx.report, ids)
