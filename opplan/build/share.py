"""Sharing a build's work between this process and worker processes.

Two ways, by how much there is to do:

* :func:`pooled`: every node of a full build, in ``jobs`` forked workers, in order.
* :func:`share`: a few large tasks (an incremental build's files, the record digests of a
  large org), each taken by whoever is free: this process or one of its :class:`Helpers`.

Every worker is forked from the build's own process once the roll-up is done, so it
inherits the report with the build's job (the build context, the output directory and the
formats) instead of rolling the cycle up again. It copies the pages of the report it
touches (a reference count is a write): about 1.6 s of CPU at 10,000 teams for its half of
the record digests and the root's workbook, against 5.6 s for a roll-up of its own.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from opplan.build.files import BuildContext, Built, render_node, render_one
from opplan.model import NodeId
from opplan.model.diagnostics import Diagnostic
from opplan.report.fingerprint import record_digests as digests
from opplan.util import workers

T = TypeVar("T")
R = TypeVar("R")

#: Fewest nodes whose record digests are spread over worker processes (fewer: one process).
PARALLEL_DIGESTS = 1000

#: What a worker of :class:`Helpers` holds: the build context, the output directory, formats.
Job = tuple[BuildContext, Path, tuple[str, ...]]


class Helpers:
    """The worker processes that take a share of a build's few large tasks: ``count`` of
    them, forked from this process when first asked for (:meth:`slots`; with the heap frozen
    only while they fork, :func:`~opplan.util.workers.forked`), kept from the record
    digests to the files, and ended when the ``with`` block is left (at once when it is
    left by an exception) or :meth:`close` is called (before a full build forks its pool).
    Every task handed to them was waited for (:func:`share`), so when the block is left
    they are idle: they are told to end and not waited for (a worker that inherited the
    roll-up of 10,000 teams took 0.15 s to exit)."""

    def __init__(self, job: Job, count: int) -> None:
        self.job = job
        self.count = max(0, count)
        self._executor: ProcessPoolExecutor | None = None
        self._closed = False

    def slots(self) -> list[Executor]:
        """One slot per worker (the same executor), forking them on the first call."""
        if self._closed:
            raise RuntimeError("these helpers were ended")
        if self.count == 0:
            return []
        if self._executor is None:
            self._executor = workers.forked(self.job, self.count)
        return [self._executor] * self.count

    def close(self, *, now: bool = False, wait: bool = True) -> None:
        """End the workers, if any were forked: once their tasks are done (waiting for
        them to exit unless not ``wait``), or ``now``."""
        executor, self._executor, self._closed = self._executor, None, True
        if executor is None:
            return
        if now:
            workers.terminate(executor)
        elif wait:
            executor.shutdown(wait=True)
        else:
            workers.let_end(executor)

    def __enter__(self) -> Helpers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(now=kind is not None, wait=False)


def share(
    tasks: Sequence[T],
    here: Callable[[T], R],
    there: Callable[[T], R],
    slots: Sequence[Executor],
) -> list[R]:
    """Each of ``tasks``, run by this process (``here``) or by a worker (``there``, passed
    to one of ``slots``: an executor once per worker it has), each taking the next task in
    order whenever it is free. This process starts with the first task (the largest: the top
    node's document; a worker copies each page of the report it touches, so it is slower
    there). Every task is run once.

    One thread per slot hands its worker a task and waits for it; the first tasks of the
    executors are submitted (and the workers forked) before any of these threads starts.
    """
    results: list[Any] = [None] * len(tasks)
    todo = deque(range(1, len(tasks)))
    lock = threading.Lock()
    failures: list[BaseException] = []

    def take() -> int | None:
        with lock:
            return todo.popleft() if todo and not failures else None

    def feed(slot: Executor, i: int | None, future: Future[R] | None) -> None:
        try:
            while i is not None and future is not None:
                results[i] = future.result()
                if (i := take()) is not None:
                    future = slot.submit(there, tasks[i])
        except BaseException as exc:  # a worker died: this process stops too
            with lock:
                failures.append(exc)

    feeders: list[threading.Thread] = []
    for slot in slots:
        if (i := take()) is not None:
            started = (slot, i, slot.submit(there, tasks[i]))
            feeders.append(threading.Thread(target=feed, args=started, daemon=True))
    for feeder in feeders:
        feeder.start()
    try:
        mine: int | None = 0 if tasks else None
        while mine is not None:
            results[mine] = here(tasks[mine])
            mine = take()
    except BaseException:  # the caller stopped: hand out nothing more and wait for nobody
        with lock:  # (the caller ends the workers; their threads see it and end)
            todo.clear()
        raise
    for feeder in feeders:
        feeder.join()
    if failures:
        raise failures[0]
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


def record_digests(ctx: BuildContext, ids: Sequence[NodeId], helpers: Helpers | None) -> list[str]:
    """:func:`~opplan.report.fingerprint.record_digests` of ``ids``, shared with the
    ``helpers`` for a large org (the build's records of 11,818 nodes take 5.8 s in one
    process). The nodes are cut into runs of about equal size (a manager's record holds a
    row per ask below it)."""
    report = ctx.report
    if helpers is None or helpers.count == 0 or len(ids) < PARALLEL_DIGESTS:
        return digests(report, ids)
    weight = [1 + len(report.nodes[i].stack) + len(report.nodes[i].hiring.rows) for i in ids]
    share_of_one = sum(weight) / ((helpers.count + 1) * 8)
    runs: list[list[NodeId]] = [[]]
    held = 0.0
    for nid, w in zip(ids, weight, strict=True):
        if held >= share_of_one:
            runs.append([])
            held = 0.0
        runs[-1].append(nid)
        held += w
    done = share(runs, lambda run: digests(report, run), work_digests, helpers.slots())
    return [d for run in done for d in run]


def work_node(node_id: NodeId) -> Built:
    """A worker's task of a full build: one node's files, written."""
    ctx, out, formats = workers.job()
    return render_node(ctx, node_id, out, formats)


def work_file(task: tuple[NodeId, str]) -> bytes | Diagnostic:
    """A worker's task of an incremental build: one file's bytes (not written)."""
    ctx: BuildContext = workers.job()[0]
    return render_one(ctx, *task)


def work_digests(ids: list[NodeId]) -> list[str]:
    """A worker's task: the record digests of a run of nodes."""
    ctx: BuildContext = workers.job()[0]
    return digests(ctx.report, ids)
