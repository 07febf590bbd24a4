"""Issue 10, case 16: killing the parent of ``build --jobs 2`` kills its workers.

The out-of-memory killer picks the largest process, which is the parent that
holds the roll-up; its workers must not run on forever.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

SAMPLE = REPO / "samples" / "northwind-op1-2027"
OPPLAN = [sys.executable, "-m", "opplan"]


def children(pid: int) -> set[int]:
    """Live child processes of ``pid``, found via /proc."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry))
    return found


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_case16_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    for attempt in range(3):  # the build may finish before its workers are seen
        parent = subprocess.Popen(
            [*OPPLAN, "build", str(SAMPLE), "--out", str(tmp_path / "out"), "--jobs", "2"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        workers: set[int] = set()
        deadline = time.monotonic() + 60
        while len(workers) < 2 and parent.poll() is None and time.monotonic() < deadline:
            workers = children(parent.pid)
            time.sleep(0.01)
        if len(workers) < 2 or parent.poll() is not None:
            parent.kill()
            parent.wait()
            continue
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10  # a generous bound: PDEATHSIG is immediate
        while any(alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [w for w in workers if alive(w)]
        for w in left:  # do not leave them behind if the test fails
            os.kill(w, signal.SIGKILL)
        assert not left, f"workers {left} outlived their parent (attempt {attempt})"
        return
    pytest.fail("never saw the build's two workers while it ran")


PARENT_SCRIPT = """
import os, sys, time
from opplan import build
build.sys.platform = "other"  # no prctl: only the portable watcher thread is left
parent = os.getpid()
child = os.fork()
if child == 0:
    build._die_with_parent(parent)
    time.sleep(60)
    os._exit(0)
print(child, flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_case16_without_prctl_the_watcher_thread_ends_the_worker() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT_SCRIPT], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    assert alive(worker)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10  # the watcher looks twice a second
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    if alive(worker):
        os.kill(worker, signal.SIGKILL)
        pytest.fail("the worker outlived its parent")
