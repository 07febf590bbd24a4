"""Issue 10, hostile and broken input round 2, for review import: each test names its case.

Every refusal is a clear message, in bounded time, with plan.yaml unchanged.
"""

from __future__ import annotations

import difflib
import errno
import multiprocessing
import os
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from reviewkit import ORG, build_workbook, edit_stack, make_cycle

from opplan import atomic
from opplan import review as review_mod
from opplan.cli import cli
from opplan.review import ReviewError, import_review


def changed_lines(before: bytes, after: bytes) -> list[bytes]:
    """The lines (with their line ends) removed or added between two versions of a file."""
    diff = difflib.ndiff(
        before.decode().splitlines(keepends=True), after.decode().splitlines(keepends=True)
    )
    return [line.encode() for line in diff if line[:1] in "+-"]


# --- case 14: layout kept byte for byte; symlinked plan.yaml written through --------------

ORG_WITH_BLANKS = ORG.replace(
    "    beta/b3: {decision: defer, note: Next year.}\n",
    "    beta/b3: {decision: defer, note: Next year.}\n\n    alpha/a1: {decision: fund}\n\n",
).replace("headcount:\n", "headcount:\n\n")


@pytest.mark.parametrize("final_newline", [True, False])
def test_case14_crlf_plan_changes_only_the_decision_lines(tmp_path, final_newline):
    text = ORG_WITH_BLANKS if final_newline else ORG_WITH_BLANKS.rstrip("\n")
    cycle = make_cycle(tmp_path / "c")
    plan = cycle / "org" / "plan.yaml"
    plan.write_bytes(text.replace("\n", "\r\n").encode())
    book = build_workbook(cycle, "org", tmp_path / "out")
    edited = edit_stack(
        book, {"alpha/a2": {"Decision": "cut", "Note": "No."}, "alpha/a1": {"Decision": "defer"}}
    )
    before = plan.read_bytes()
    result = import_review(edited, cycle)
    assert result.written
    after = plan.read_bytes()
    assert sorted(changed_lines(before, after)) == sorted(
        [
            b"-     alpha/a1: {decision: fund}\r\n",
            b"+     alpha/a1: {decision: defer}\r\n",
            b"+     alpha/a2: {decision: cut, note: No.}\r\n",
        ]
    )
    assert after.count(b"\r\n") == after.count(b"\n")  # every line still ends in CRLF
    assert after.endswith(b"\r\n") == final_newline


def test_case14_symlinked_plan_is_written_through_and_stays_a_link(tmp_path):
    cycle = make_cycle(tmp_path / "c")
    plan = cycle / "org" / "plan.yaml"
    real = cycle / "org-plan.yaml"  # inside the cycle directory
    real.write_bytes(plan.read_bytes())
    plan.unlink()
    plan.symlink_to(Path("..") / "org-plan.yaml")
    book = build_workbook(cycle, "org", tmp_path / "out")
    edited = edit_stack(book, {"alpha/a2": {"Decision": "cut"}})
    start = time.monotonic()
    out = CliRunner().invoke(cli, ["review", "import", str(edited), str(cycle)])
    assert time.monotonic() - start < 60
    assert out.exit_code == 0, out.output
    assert "1 decision written" in out.output
    assert plan.is_symlink() and os.readlink(plan) == str(Path("..") / "org-plan.yaml")
    assert b"alpha/a2: {decision: cut}" in real.read_bytes()
    assert [p.name for p in cycle.iterdir() if p.name.startswith(".")] == []  # no temp left


# --- case 11: two imports on one node at once never lose a decision ------------------------


def test_case11_rewrite_refuses_a_file_changed_since_it_was_read(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"a: 1\n")
    first = path.read_bytes()
    path.write_bytes(b"a: 2\n")  # someone else wrote in between
    with pytest.raises(atomic.FileChanged) as info:
        atomic.rewrite(path, lambda cur: cur + b"b: 3\n", expected=first)
    assert info.value.filename == str(path)
    assert "changed while this command was running" in str(info.value)
    assert path.read_bytes() == b"a: 2\n"
    assert atomic.rewrite(path, lambda cur: cur + b"b: 3\n", expected=b"a: 2\n")
    assert path.read_bytes() == b"a: 2\nb: 3\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]  # no lock or temp file


def test_case11_a_plan_written_during_the_import_is_a_refusal(tmp_path, monkeypatch):
    """Another import writes plan.yaml after this one read it: this one refuses, exit 1."""
    cycle = make_cycle(tmp_path / "c")
    plan = cycle / "org" / "plan.yaml"
    book = build_workbook(cycle, "org", tmp_path / "out")
    edited = edit_stack(book, {"alpha/a2": {"Decision": "cut"}})
    check = review_mod._check_new_plan
    other = plan.read_bytes().replace(
        b"    beta/b3:", b"    alpha/a3: {decision: fund}\n    beta/b3:"
    )

    def meanwhile(*args):
        check(*args)
        plan.write_bytes(other)  # the other import's decision lands now

    monkeypatch.setattr(review_mod, "_check_new_plan", meanwhile)
    out = CliRunner().invoke(cli, ["review", "import", str(edited), str(cycle)])
    assert out.exit_code == 1
    assert "changed while importing" in out.output and "run the import again" in out.output
    assert "Nothing was written." in out.output
    assert plan.read_bytes() == other


def _import_in_child(args: list[str], log: str, barrier) -> None:  # pragma: no cover - child
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    barrier.wait()
    cli.main(args=args, prog_name="opplan")


def test_case11_two_concurrent_imports_never_lose_a_decision(tmp_path):
    """Two real processes import two workbooks (different rows) into one node, 50 times."""
    cycle = make_cycle(tmp_path / "c")
    plan = cycle / "org" / "plan.yaml"
    original = plan.read_bytes()
    book = build_workbook(cycle, "org", tmp_path / "out")
    books = [
        edit_stack(book, {"alpha/a2": {"Decision": "cut"}}, tmp_path / "one.xlsx"),
        edit_stack(book, {"beta/b1": {"Decision": "fund"}}, tmp_path / "two.xlsx"),
    ]
    wanted = [b"alpha/a2: {decision: cut}", b"beta/b1: {decision: fund}"]
    ctx = multiprocessing.get_context("fork")
    outcomes = {"both written": 0, "one refused": 0}
    start = time.monotonic()
    for run in range(50):
        plan.write_bytes(original)
        barrier = ctx.Barrier(2)
        logs = [str(tmp_path / f"log{i}") for i in range(2)]
        procs = [
            ctx.Process(
                target=_import_in_child,
                args=(["review", "import", str(b), str(cycle)], log, barrier),
            )
            for b, log in zip(books, logs, strict=True)
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
            assert p.exitcode is not None, "an import hung"
        text = plan.read_bytes()
        msgs = [Path(log).read_text() for log in logs]
        codes = [p.exitcode for p in procs]
        for code, msg, line in zip(codes, msgs, wanted, strict=True):
            if code == 0:
                assert "1 decision written" in msg, msg
                assert line in text, f"run {run}: a decision reported written was lost:\n{msgs}"
            else:
                assert code == 1, msg
                assert "changed while importing" in msg and "run the import again" in msg, msg
                assert "Nothing was written." in msg and "Traceback" not in msg, msg
                assert line not in text
        assert 0 in codes, msgs  # at least one import goes through
        outcomes["both written" if codes == [0, 0] else "one refused"] += 1
    sys.stderr.write(f"case 11, 50 runs: {outcomes}, {time.monotonic() - start:.1f} s\n")
    assert time.monotonic() - start < 300


# --- every write atomic ---------------------------------------------------------------------


def test_atomic_write_failure_names_the_path_and_leaves_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"old\n")

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full_disk)
    with pytest.raises(OSError) as info:
        atomic.write_bytes(path, b"new\n")
    assert info.value.filename == str(path)
    assert info.value.errno == errno.ENOSPC
    assert path.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]


def test_atomic_write_into_a_missing_directory_names_the_path(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OSError) as info:
        atomic.write_bytes(blocker / "sub" / "out.xlsx", b"data")
    assert info.value.filename == str(blocker / "sub" / "out.xlsx")


def test_review_error_for_a_plan_gone_missing_is_clear(tmp_path):
    with pytest.raises(OSError) as info:
        atomic.rewrite(tmp_path / "nope.yaml", lambda cur: cur)
    assert info.value.filename == str(tmp_path / "nope.yaml")
    assert isinstance(ReviewError("x"), ValueError)
