"""The command-line process keeps the memory it frees (opplan.util.memtune)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from opplan import cli
from opplan.util import memtune

# Allocates and frees 96 MB twice, touching every page; prints whether the settings took
# and the page faults of the second allocation.
_PROBE = """
import resource, sys
from opplan.util.memtune import keep_freed_memory
took = keep_freed_memory() if sys.argv[1] == "tune" else None
def touched():
    block = bytearray(96 * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1
    return block
block = touched()
del block
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
block = touched()
print(took, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _probe(mode: str, **env: str) -> tuple[str, int]:
    clean = {k: v for k, v in os.environ.items() if not memtune.user_tuned_name(k)}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, mode],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.split()
    return out[0], int(out[1])


def test_freed_memory_is_reused_without_faulting_again() -> None:
    took, faults = _probe("tune")
    if not memtune.glibc():  # the settings are glibc's: elsewhere nothing is changed
        assert took == "False"
        return
    assert took == "True"
    _, untuned = _probe("leave")
    # 96 MB of new pages fault again when the block was given back: 24,576 faults with
    # 4 KB pages (fewer where the kernel backs it with huge pages); kept, it is reused
    assert untuned > 200
    assert faults < untuned / 10


def test_an_allocator_the_user_tuned_is_left_alone() -> None:
    took, faults = _probe("tune", MALLOC_ARENA_MAX="2")
    _, untuned = _probe("leave", MALLOC_ARENA_MAX="2")
    assert took == "False"  # (and off glibc, where nothing is changed either)
    assert faults > untuned / 2  # as untuned: the block was given back
    took, _ = _probe("tune", GLIBC_TUNABLES="glibc.malloc.arena_max=2")
    assert took == "False"


def test_nothing_is_changed_off_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    """macOS and musl have no glibc version to name (ValueError, an empty answer or
    OSError), Windows no ``os.confstr`` at all: no setting is tried, nothing raises."""
    tried: list[object] = []
    monkeypatch.setattr(memtune.ctypes, "CDLL", lambda *a: tried.append(a))

    def raising(error: type[Exception]) -> object:
        def confstr(name: str) -> str:
            raise error(name)

        return confstr

    for confstr in (raising(ValueError), raising(OSError), lambda name: None, lambda name: "musl"):
        monkeypatch.setattr(memtune.os, "confstr", confstr)
        assert memtune.keep_freed_memory() is False
    monkeypatch.delattr(memtune.os, "confstr")
    assert memtune.keep_freed_memory() is False
    assert tried == []


def test_the_command_line_process_tunes_its_allocator_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(cli, "keep_freed_memory", lambda: calls.append("tune") or True)
    monkeypatch.setattr(cli, "run", lambda: calls.append("run") or 0)

    class Ended(Exception):
        pass

    def end(code: int) -> None:
        calls.append(f"exit {code}")
        raise Ended

    monkeypatch.setattr(cli.os, "_exit", end)
    with pytest.raises(Ended):
        cli.main()
    assert calls == ["tune", "run", "exit 0"]
