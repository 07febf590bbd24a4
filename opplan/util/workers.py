"""Worker processes that share one job with their parent and die with it.

A build renders in worker processes that need the whole roll-up. Where the platform can
fork, the workers inherit it (no pickling of a large org per worker): the job is set in
this module before the pool forks. Elsewhere it is pickled to each worker once, by the
pool's initializer. Either way a worker reads it with :func:`job`.

A worker ends when its parent dies, even by SIGKILL (the out-of-memory killer), so that no
worker keeps rendering for nobody (:func:`die_with_parent`).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

# the job of this process's pool (set before forking, or by _init when workers are spawned)
_JOB: dict[str, Any] = {}
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def usable_cpus() -> int:
    """The CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def job() -> Any:
    """The job of the pool this worker belongs to."""
    return _JOB["job"]


def started(
    shared: Any, fn: Callable[[Any], Any], arg: Any
) -> tuple[ProcessPoolExecutor, Future[Any]]:
    """One worker process whose :func:`job` is ``shared``, forked now (platforms that fork
    only), running ``fn(arg)`` first; the caller ends it with :func:`terminate`, or with
    :func:`let_end` once its task is done.

    Unlike :func:`pool`, the heap is frozen only while the worker forks (:func:`_fork_now`),
    not for as long as the worker lives: the caller's own freezing is left as it was.
    """
    executor = _forking(1)
    return executor, _fork_now(executor, shared, fn, arg)


def forked(shared: Any, workers: int) -> ProcessPoolExecutor:
    """``workers`` processes whose :func:`job` is ``shared``, forked now (platforms that
    fork only); the caller ends them (``shutdown``, or :func:`terminate`).

    As in :func:`started`, the heap is frozen only while they fork. Each worker turns its
    collector on (a caller that forks while the collector is paused would hand it one that
    never runs), the heap it inherited staying frozen there: it collects only what it makes.
    """
    executor = _forking(workers, collect=True)
    _fork_now(executor, shared, int, 0)  # a fork pool starts all its workers on its first task
    return executor


def _fork_now(
    executor: ProcessPoolExecutor, shared: Any, fn: Callable[[Any], Any], arg: Any
) -> Future[Any]:
    """Hand ``executor`` its first task, ``fn(arg)``, which forks its workers now with
    ``shared`` as their job and the heap frozen while they fork (so that neither process
    copies the pages of what was alive then by scanning it)."""
    from opplan.util.gcpause import frozen_for_fork

    wait_ended()
    _JOB["job"] = shared
    try:
        with frozen_for_fork():
            return executor.submit(fn, arg)
    finally:
        _JOB.clear()


#: Executors told to end and not waited for (:func:`let_end`), until the next fork.
_ENDING: list[ProcessPoolExecutor] = []


def let_end(executor: ProcessPoolExecutor) -> None:
    """Tell ``executor``'s workers, whose tasks were all waited for, to end, and go on
    without waiting for them (a worker that inherited a 10,000-team roll-up takes 0.1 s to
    exit). The executor's threads are joined before this process forks again
    (:func:`wait_ended`), so that no fork happens while they run."""
    executor.shutdown(wait=False)
    _ENDING.append(executor)


def wait_ended() -> None:
    """Wait for the executors :func:`let_end` left to end (long done, in a large build)."""
    while _ENDING:
        _ENDING.pop().shutdown(wait=True)


def terminate(executor: ProcessPoolExecutor) -> None:
    """End ``executor``'s workers now, whatever they are doing (they write nothing), and
    shut it down. Python 3.11 has no public way: the processes are the executor's own."""
    processes: dict[int, Any] = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.terminate()
    executor.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def pool(shared: Any, workers: int) -> Iterator[ProcessPoolExecutor]:
    """``workers`` processes whose :func:`job` is ``shared``; shut down on the way out."""
    from opplan.util.gcpause import frozen_for_fork

    wait_ended()
    if "fork" in multiprocessing.get_all_start_methods():
        _JOB["job"] = shared
        executor = _forking(workers)
    else:
        executor = ProcessPoolExecutor(
            max_workers=workers, initializer=_init, initargs=(os.getpid(), shared)
        )
    try:
        with frozen_for_fork(), executor:
            yield executor
    finally:
        _JOB.clear()


def _forking(workers: int, *, collect: bool = False) -> ProcessPoolExecutor:
    """``workers`` processes forked from this one (they inherit the job set before), each
    dying with it; with ``collect``, each turns its garbage collector on."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_init,
        initargs=(os.getpid(), None, collect),
    )


def _init(parent: int, shared: Any, collect: bool = False) -> None:
    """Worker initializer: die with the parent, keep the job (when not inherited) and, with
    ``collect``, turn the garbage collector on."""
    die_with_parent(parent)
    if shared is not None:
        _JOB["job"] = shared
    if collect:
        gc.enable()


def die_with_parent(parent: int) -> None:
    """End this worker when ``parent`` dies, even by SIGKILL (the out-of-memory killer).

    On Linux the kernel does it (``PR_SET_PDEATHSIG``); everywhere a watcher
    thread notices the worker was re-parented and exits.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
