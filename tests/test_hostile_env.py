"""Issue 10, case 12: a read-only or full disk, a path through a file.

Each is one line ``opplan: cannot write <path>: <reason> (what to do)`` and
exit 1, with nothing half-written. Tests run as root in CI, where ``chmod``
does not stop writes: read-only and full disks are simulated by raising the
``OSError`` the system would raise from the write path; paths through a
regular file fail even for root and run for real, through the console script.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from opplan import build
from opplan.cli import run
from opplan.create import scaffold
from opplan.util import atomic

SAMPLE = REPO / "samples" / "northwind-op1-2027"
OPPLAN = [sys.executable, "-m", "opplan"]


def console(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "OPPLAN_DEBUG"}
    return subprocess.run(
        [*OPPLAN, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env
    )


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPPLAN_DEBUG", raising=False)


def test_case12_build_out_inside_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    done = console("build", str(SAMPLE), "--out", "notes.txt/out", "--jobs", "2", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "opplan: cannot write notes.txt/out/northwind.docx: part of the path is a file, "
        "not a directory (choose a path whose parents are directories)"
    )
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_case12_init_where_a_file_already_stands(tmp_path: Path) -> None:
    (tmp_path / "plans").write_text("keep me")
    below = console("init", "plans/op1", cwd=tmp_path)
    assert below.returncode == 1
    assert below.stderr == (
        "opplan: cannot write plans/op1: part of the path is a file, not a directory "
        "(choose a path whose parents are directories)\n"
    )
    sample = console("init", "plans/op1", "--sample", cwd=tmp_path)
    assert (sample.returncode, sample.stderr) == (below.returncode, below.stderr)
    on = console("init", "plans", cwd=tmp_path)
    assert on.returncode == 2
    assert "Directory 'plans' is a file." in on.stderr and "Traceback" not in on.stderr
    assert (tmp_path / "plans").read_text() == "keep me"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_case12_build_onto_a_read_only_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    def read_only(path: Path, data: bytes) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(path.parent))

    monkeypatch.setattr(build.files, "write_bytes", read_only)
    out = tmp_path / "out"
    assert run(["build", str(SAMPLE), "--out", str(out), "--jobs", jobs]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"opplan: cannot write {out}/northwind.docx: the disk is read-only "
        "(choose a directory on a writable disk)\n"
    )


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_case12_a_full_disk_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "payments.docx").write_bytes(b"last week's document")

    def disk_full(fd: int) -> None:  # the error os.fsync gives on a full disk: no file name
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    assert run(["build", str(SAMPLE), "--out", str(out), "--node", "payments", "-j", jobs]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"opplan: cannot write {out}/payments.docx: the disk is full (free some space and "
        "run again; files already there were left as they were)\n"
    )
    assert sorted(p.name for p in out.iterdir()) == ["payments.docx"]
    assert (out / "payments.docx").read_bytes() == b"last week's document"


@pytest.mark.parametrize("sample", [False, True])
def test_case12_init_that_fails_half_way_leaves_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sample: bool,
) -> None:
    written: list[Path] = []
    real = scaffold.write_text

    def fills_up(path: Path, text: str) -> None:
        if written:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        written.append(path)
        real(path, text)

    monkeypatch.setattr(scaffold, "write_text", fills_up)

    real_bytes = scaffold.write_bytes

    def denied_at_narrative(path: Path, data: bytes) -> None:
        if path.name == "narrative.md":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        real_bytes(path, data)

    monkeypatch.setattr(scaffold, "write_bytes", denied_at_narrative)
    target = tmp_path / "cycle"
    args = ["init", str(target)] + (["--sample"] if sample else [])
    assert run(args) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"opplan: cannot write {target}/") and err.count("\n") == 1
    assert ("permission denied" if sample else "the disk is full") in err
    assert not target.exists()
    # an empty directory given by the user stays, empty
    target.mkdir()
    written.clear()
    assert run(args) == 1
    assert list(target.iterdir()) == []


def test_case12_init_into_an_unwritable_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def denied(path: Path, text: str) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", f"{path.parent}/.tmp123")

    monkeypatch.setattr(scaffold, "write_text", denied)
    assert run(["init", str(tmp_path / "c")]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"opplan: cannot write {tmp_path}/c/.tmp123: permission denied "
        "(check the directory's permissions, or choose another directory)\n"
    )
