"""Issue 10, hostile and broken input round 2, for review import: each test names its case.

Every refusal is a clear message, in bounded time, with plan.yaml unchanged.
"""

from __future__ import annotations

import difflib
import errno
import fcntl
import io
import multiprocessing
import os
import random
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from reviewkit import ORG, build_workbook, edit_stack, make_cycle

from opplan.cli import cli
from opplan.review import importer as review_mod
from opplan.review.importer import ReviewError, import_review
from opplan.util import atomic, xlsxsafe


def changed_lines(before: bytes, after: bytes) -> list[bytes]:
    """The lines (with their line ends) removed or added between two versions of a file."""
    diff = difflib.ndiff(
        before.decode().splitlines(keepends=True), after.decode().splitlines(keepends=True)
    )
    return [line.encode() for line in diff if line[:1] in "+-"]


# --- case 10: XML that makes the parser slow, too many strings, rows or cells -----------

STACK_PART = "xl/worksheets/sheet2.xml"
SST_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


@pytest.fixture
def org(tmp_path: Path) -> Path:
    return make_cycle(tmp_path / "c")


@pytest.fixture
def built(org: Path, tmp_path: Path) -> bytes:
    """A real workbook built from the org's plans."""
    data = build_workbook(org, "org", tmp_path / "out").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert b"<t>Ask</t>" in zf.read(STACK_PART)
    return data


def rewrite_parts(data: bytes, edits: dict[str, bytes | None], add: dict[str, bytes] = {}) -> bytes:  # noqa: B006
    """The package with parts edited (``{name: new bytes}``) and parts added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = edits.get(info.filename) or src.read(info)
            dst.writestr(info.filename, body)
        for name, body in add.items():
            dst.writestr(name, body)
    return out.getvalue()


def stack_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(STACK_PART)


def noise(n: int) -> bytes:
    """``n`` bytes of hex text that compress about 2 to 1 (well within the zip-bomb checks)."""
    return random.Random(0).randbytes(n // 2).hex().encode()


def hostile_refusal(tmp_path: Path, org: Path, data: bytes, limit: float = 30) -> str:
    """Import ``data`` through the CLI: exit 1, a message, no write, within ``limit`` seconds."""
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(data)
    plans = {p: p.read_bytes() for p in org.rglob("plan.yaml")}
    start = time.monotonic()
    out = CliRunner().invoke(cli, ["review", "import", str(path), str(org)])
    elapsed = time.monotonic() - start
    assert out.exit_code == 1, out.output
    assert "Traceback" not in out.output and "internal error" not in out.output
    assert out.output.rstrip().endswith("Nothing was written.")
    assert {p: p.read_bytes() for p in org.rglob("plan.yaml")} == plans
    assert elapsed < limit, elapsed
    return out.output


def test_case10_a_32mb_comment_in_the_sheet_is_refused_at_once(tmp_path, org, built):
    sheet = stack_xml(built).replace(b"<sheetData>", b"<!--" + noise(32 << 20) + b"--><sheetData>")
    data = rewrite_parts(built, {STACK_PART: sheet})
    assert len(data) < xlsxsafe.MAX_FILE_BYTES  # passes the size and ratio checks
    assert (
        "part 'xl/worksheets/sheet2.xml' holds an XML comment, which a spreadsheet never "
        "writes: refused as a damaged or hostile workbook"
    ) in hostile_refusal(tmp_path, org, data)


@pytest.mark.parametrize(
    ("inserted", "message"),
    [
        (b"<?evil " + b"x" * 100_000 + b"?>", "holds an XML processing instruction"),
        (b"<!DOCTYPE x>", "declares a DTD or XML entities"),
        # one start tag of 2 MB; quoted '>' must not hide its length
        (b'<x a="' + noise(2 << 20).replace(b"a", b">") + b'"/>', "holds a tag longer than 65,536"),
        (
            b"<x " + noise(2 << 20).replace(b"a", b'="1" a') + b"/>",
            "holds a tag longer than 65,536",
        ),
        (b"<x>&" + b"y" * 1000 + b";</x>", "holds an entity reference longer than 64 bytes"),
    ],
    ids=["processing-instruction", "doctype", "long-attribute", "many-attributes", "long-ref"],
)
def test_case10_pathological_xml_tokens_are_refused(tmp_path, org, built, inserted, message):
    sheet = stack_xml(built).replace(b"<sheetData>", inserted + b"<sheetData>", 1)
    assert message in hostile_refusal(tmp_path, org, rewrite_parts(built, {STACK_PART: sheet}))


def with_shared_strings(data: bytes, count: int) -> bytes:
    """The workbook with a shared-string table of ``count`` strings added."""
    items = b"".join(b"<si><t>s%d</t></si>" % i for i in range(count))
    sst = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'count="%d" uniqueCount="%d">%s</sst>' % (count, count, items)
    )
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        types = zf.read("[Content_Types].xml")
    types = types.replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="' + SST_TYPE + b'"/></Types>',
    )
    return rewrite_parts(data, {"[Content_Types].xml": types}, {"xl/sharedStrings.xml": sst})


def test_case10_two_million_shared_strings_are_refused(tmp_path, org, built):
    message = hostile_refusal(tmp_path, org, with_shared_strings(built, 2_000_000))
    assert (
        "part 'xl/sharedStrings.xml' has more than 1,000,000 shared strings, more than a "
        "review workbook holds: refused as too large"
    ) in message


def test_case10_shared_strings_under_the_bound_still_import(tmp_path, org, built):
    path = tmp_path / "sst.xlsx"
    path.write_bytes(with_shared_strings(built, 1000))
    assert import_review(path, org).changes == []


@pytest.mark.parametrize(
    ("limit", "value", "message"),
    [
        ("MAX_SHEET_ROWS", 3, "has more than 3 rows, more than a review workbook holds"),
        ("MAX_SHEET_CELLS", 50, "has more than 50 cells, more than a review workbook holds"),
    ],
)
def test_case10_rows_and_cells_are_bounded(
    tmp_path, org, built, monkeypatch, limit, value, message
):
    monkeypatch.setattr(xlsxsafe, limit, value)
    assert message in hostile_refusal(tmp_path, org, built)


def test_case10_the_whole_read_is_time_bounded(tmp_path, org, built, monkeypatch):
    monkeypatch.setattr(xlsxsafe, "MAX_SECONDS", 0.0)
    assert "reading the workbook took more than 0 s; refused as too large or damaged" in (
        hostile_refusal(tmp_path, org, built)
    )


def scan(body: bytes, chunk: int, monkeypatch) -> str | list[int]:
    """The counts (rows, cells) of one sheet part scanned in chunks of ``chunk`` bytes,
    or the refusal."""
    monkeypatch.setattr(xlsxsafe, "_CHUNK", chunk)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", body)
    with zipfile.ZipFile(out) as zf:
        counted = ((xlsxsafe._ROW, 10**9, "rows"), (xlsxsafe._CELL, 10**9, "cells"))
        try:
            return xlsxsafe._scan_part(
                zf, zf.infolist()[0], "w.xlsx", counted, xlsxsafe.Deadline("w.xlsx")
            )
        except xlsxsafe.UnsafeWorkbook as exc:
            return str(exc).split("' ", 1)[1].split(",")[0]


def test_case10_the_scan_does_not_depend_on_where_chunks_end(built, monkeypatch):
    """Every chunk size gives the same counts and the same refusals (a token split between
    two chunks is still seen whole)."""
    sheet = stack_xml(built)
    text = b"<t>" + b"x" * 70_000 + b"</t>"
    cases = {
        "workbook": b'<?xml version="1.0" encoding="UTF-8"?>\n' + sheet,
        "cdata": sheet.replace(b"<sheetData>", b"<t><![CDATA[<a <b ]] >]]></t><sheetData>"),
        "long text": sheet.replace(b"<sheetData>", text + b"<sheetData>"),
        "comment": sheet.replace(b"<sheetData>", b"<!-- x --><sheetData>"),
        "long tag": sheet.replace(b"<sheetData>", b'<x a="' + b"y>" * 40_000 + b'"/><sheetData>'),
        "long ref": sheet.replace(b"<sheetData>", text + b"&" + b"y" * 200 + b";<sheetData>"),
        "pi": sheet.replace(b"<sheetData>", b"<?pi x?><sheetData>"),
    }
    for label, body in cases.items():
        sizes = (61, 4099, xlsxsafe.MAX_TOKEN, xlsxsafe.MAX_TOKEN + 1, 1 << 20)
        results = {size: scan(body, size, monkeypatch) for size in sizes}
        assert len({str(r) for r in results.values()}) == 1, (label, results)
        verdict = results[1 << 20]
        if label in ("workbook", "cdata", "long text"):
            assert verdict == [7, 133], (label, verdict)  # 7 rows of 19 cells
        else:
            assert isinstance(verdict, str), (label, verdict)


def test_case10_long_text_and_cdata_are_not_refused(tmp_path, org, built):
    """A note as long as a spreadsheet cell holds (text is linear for the parser) still imports."""
    note = "R&D <budget> " + "\U0001f4b6" * 19_000  # 19,013 characters, 76 KB of UTF-8
    edited = edit_stack(
        tmp_path / "out" / "org.xlsx", {"alpha/a2": {"Decision": "cut", "Note": note}}
    )
    result = import_review(edited, org)
    assert result.written and result.changes[0].after.note == note.strip()
    sheet = stack_xml(built).replace(
        b"<t>Ask</t>", b"<t><![CDATA[Ask]]></t>"
    )  # CDATA is plain text to the parser
    path = tmp_path / "cdata.xlsx"
    path.write_bytes(rewrite_parts(built, {STACK_PART: sheet}))
    xlsxsafe.check_package(path)


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


ODD_LAYOUT = (
    ORG.replace("{role: SDM, count: 1}", "{ role: SDM,  count: 1 }")
    .replace("name: Org", "name:    Org")
    .replace("owner: Olga Org", "owner: Olga Org   ")
    .replace("beta/b3: {decision: defer, note: Next year.}", "beta/b3: { decision: defer }")
    .replace("note: Fund what ships the launch.", "note: " + "word " * 60)
)


def test_case14_layout_outside_the_changed_entries_is_kept_byte_for_byte(tmp_path):
    cycle = make_cycle(tmp_path / "c", **{"org/plan.yaml": ODD_LAYOUT})
    plan = cycle / "org" / "plan.yaml"
    book = build_workbook(cycle, "org", tmp_path / "out")
    edited = edit_stack(book, {"alpha/a2": {"Decision": "cut", "Note": "No."}})
    before = plan.read_bytes()
    assert import_review(edited, cycle).written
    after = plan.read_bytes()
    assert changed_lines(before, after) == [b"+     alpha/a2: {decision: cut, note: No.}\n"]
    cleared = edit_stack(
        build_workbook(cycle, "org", tmp_path / "out2"), {"beta/b3": {"Decision": None}}
    )
    assert import_review(cleared, cycle).written
    assert changed_lines(after, plan.read_bytes()) == [b"-     beta/b3: { decision: defer }\n"]


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
        after = check(*args)
        plan.write_bytes(other)  # the other import's decision lands now
        return after

    monkeypatch.setattr(review_mod, "_check_new_plan", meanwhile)
    out = CliRunner().invoke(cli, ["review", "import", str(edited), str(cycle)])
    assert out.exit_code == 1
    assert "changed while importing" in out.output and "run the import again" in out.output
    assert "Nothing was written." in out.output
    assert plan.read_bytes() == other


def _import_in_child(args: list[str], log: str, barrier) -> None:  # pragma: no cover - child
    """Run ``opplan ARGS`` in this (forked) process, its output into ``log``."""
    with open(log, "w") as out:
        sys.stdout = sys.stderr = out  # pytest's capture is not fd 1 in the child
        barrier.wait()
        try:
            cli.main(args=args, prog_name="opplan")
        finally:
            out.flush()


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


def test_case11_a_plan_locked_too_long_is_a_clear_refusal(tmp_path, monkeypatch):
    """A command that holds plan.yaml's lock too long: the import waits, then refuses."""
    cycle = make_cycle(tmp_path / "c")
    plan = cycle / "org" / "plan.yaml"
    before = plan.read_bytes()
    book = build_workbook(cycle, "org", tmp_path / "out")
    edited = edit_stack(book, {"alpha/a2": {"Decision": "cut"}})
    monkeypatch.setattr(atomic, "LOCK_TIMEOUT", 0.2)
    with plan.open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        out = CliRunner().invoke(cli, ["review", "import", str(edited), str(cycle)])
    assert out.exit_code == 1
    assert "is being written by another command (locked for more than 0 s); try again" in (
        out.output
    )
    assert plan.read_bytes() == before
