"""The helpers of a build: worker processes forked from the build's process after its
roll-up (opplan/build/share.py). They leave the parent's collector as it was, collect their
own garbage, and a build that stops ends them at once."""

from __future__ import annotations

import gc
import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import children_end

from opplan.build.share import Helpers, share
from opplan.util.gcpause import paused_gc

_MARK: dict[str, Path] = {}  # set before the helpers fork, so they inherit it


def _collector(_: Any) -> tuple[bool, bool]:
    return gc.isenabled(), gc.get_freeze_count() > 0


def _slow_then_mark(_: Any) -> str:
    time.sleep(20)
    _MARK["path"].write_text("the task ran to its end")
    return "done"


def _fails(_: Any) -> str:
    raise KeyboardInterrupt  # the build's process stops (Ctrl-C, an error of its own)


def test_helpers_forked_with_the_collector_paused_collect_their_own_garbage() -> None:
    """Forked inside ``paused_gc`` (as while hashing records), a helper still collects what
    it makes (a workbook's cycles), the heap it inherited frozen; the parent's freezing is
    left as it was, before and after a caller froze its heap (the command line's settle)."""
    gc.unfreeze()  # from a heap nobody froze (a command run in this process settles its heap)
    assert gc.get_freeze_count() == 0
    with Helpers(None, 1) as helpers:  # type: ignore[arg-type]
        with paused_gc():  # the record digests
            slot = helpers.slots()[0]
            assert gc.get_freeze_count() == 0  # frozen only while forking
        assert slot.submit(_collector, None).result() == (True, True)
        gc.freeze()  # the command line settles its heap, then the files are rendered
        frozen = gc.get_freeze_count()
    try:
        assert gc.get_freeze_count() > frozen // 2  # not unfrozen (some objects were freed)
    finally:
        gc.unfreeze()
    assert children_end()  # told to end when the block is left, not waited for
    with pytest.raises(RuntimeError, match="ended"):
        helpers.slots()


def test_a_build_that_stops_ends_its_helpers_at_once(tmp_path: Path) -> None:
    """This process fails on its task while a helper is on a long one: the failure comes at
    once, and the helper is ended, not waited for."""
    _MARK["path"] = tmp_path / "mark"
    with pytest.raises(KeyboardInterrupt), Helpers(None, 1) as helpers:  # type: ignore[arg-type]
        share(["mine", "theirs"], _fails, _slow_then_mark, helpers.slots())
    assert multiprocessing.active_children() == []
    assert not _MARK["path"].exists()


def test_every_task_is_run_once_by_this_process_or_a_helper() -> None:
    with Helpers(None, 1) as helpers:  # type: ignore[arg-type]
        done = share(list(range(40)), lambda n: ("here", n), _there, helpers.slots())
    assert [n for _, n in done] == list(range(40))
    assert {who for who, _ in done} == {"here", "there"}


def _there(n: int) -> tuple[str, int]:
    time.sleep(0.01)
    return "there", n


def test_workers_told_to_end_are_waited_for_before_the_next_fork() -> None:
    """A worker whose task is done is told to end and not waited for (``let_end``); the
    next fork waits for its executor's threads first: no fork while they run."""
    from opplan.util import workers

    pool, future = workers.started(None, int, 7)
    assert future.result() == 7
    workers.let_end(pool)
    assert [pool] == workers._ENDING
    helpers = workers.forked(None, 1)
    try:
        assert workers._ENDING == []
        assert pool._executor_manager_thread is None  # joined by the fork's wait
        assert helpers.submit(int, 3).result() == 3
    finally:
        workers.terminate(helpers)
    assert children_end()
