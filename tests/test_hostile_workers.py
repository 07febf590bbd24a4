"""Issue 10, case 16: killing the parent of ``build --jobs 2`` kills its workers.

The out-of-memory killer picks the largest process, which is the parent that
holds the roll-up; its workers must not run on forever.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

SAMPLE = REPO / "samples" / "northwind-op1-2027"
OPPLAN = [sys.executable, "-m", "opplan"]


def processes() -> dict[int, tuple[int, str]]:
    """Every process as pid -> (parent pid, state): from /proc on Linux, else from ps."""
    found: dict[int, tuple[int, str]] = {}
    if not Path("/proc/self/stat").exists():
        ps = subprocess.run(["ps", "-A", "-o", "pid=,ppid=,stat="], capture_output=True, text=True)
        for line in ps.stdout.splitlines():
            pid, ppid, state = line.split()[:3]
            found[int(pid)] = (int(ppid), state[0])
        return found
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[int(entry)] = (int(fields[1]), fields[0])
    return found


def children(pid: int) -> set[int]:
    """Live child processes of ``pid``."""
    return {p for p, (ppid, state) in processes().items() if ppid == pid and state != "Z"}


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    state = processes().get(pid)
    return state is not None and state[1] != "Z"


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
from opplan.util import workers
workers.sys.platform = "other"  # no prctl: only the portable watcher thread is left
parent = os.getpid()
child = os.fork()
if child == 0:
    workers.die_with_parent(parent)
    time.sleep(60)
    os._exit(0)
print(child, flush=True)
time.sleep(60)
"""


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


def _killed_worker(task: object) -> object:
    """A worker's task that ends its process at once, as the out-of-memory killer would."""
    os._exit(9)


@pytest.mark.parametrize("nodes", ["all", "few", "digests"])
def test_a_killed_worker_is_one_line_not_an_internal_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    nodes: str,
) -> None:
    """A worker the machine kills (the out-of-memory killer) stops the build with a plain
    line; what was written is complete, and the next build writes the rest."""
    from opplan.build import share
    from opplan.cli import WORKER_DIED, run
    from opplan.pipeline import checkpair

    cycle = tmp_path / "cycle"
    shutil.copytree(SAMPLE, cycle)
    out = tmp_path / "out"
    if nodes != "all":  # an incremental build of one team and its ancestors
        assert run(["build", str(cycle), "--out", str(out), "--jobs", "2"]) == 0
        plan = cycle / "northwind" / "retail" / "buying" / "cart" / "plan.yaml"
        plan.write_text(plan.read_text().replace("title: ", "title: Edited ", 1))
    capsys.readouterr()
    # the worker's task function, passed to it by name: this module's, which ends it
    name = {"all": "work_node", "few": "work_file", "digests": "work_digests"}[nodes]
    monkeypatch.setattr(share, name, _killed_worker)
    if nodes == "digests":  # a large org: the helper dies on its first run of record digests
        monkeypatch.setattr(checkpair, "PARALLEL_CHECKS", 1)
        monkeypatch.setattr(checkpair.workers, "usable_cpus", lambda: 2)
        monkeypatch.setattr(share, "PARALLEL_DIGESTS", 1)
    assert run(["build", str(cycle), "--out", str(out), "--jobs", "2"]) == 1
    err = capsys.readouterr().err
    assert WORKER_DIED in err and "internal error" not in err
    monkeypatch.undo()
    assert run(["build", str(cycle), "--out", str(out), "--jobs", "2"]) == 0
    fresh = tmp_path / "fresh"
    assert run(["build", str(cycle), "--out", str(fresh), "--jobs", "1"]) == 0
    names = sorted(p.name for p in fresh.iterdir() if not p.name.startswith("."))
    assert [(out / n).read_bytes() == (fresh / n).read_bytes() for n in names] == [True] * 68
