"""The check cache: an unchanged cycle is not checked twice, and the cache is never trusted
(acceptance 5 of issue 17): corrupted, truncated, foreign or hand-made entries are misses,
an unusable cache directory is no cache, and the output is the same with or without it."""

from __future__ import annotations

import hashlib
import multiprocessing
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE

from opplan import pipeline
from opplan.cli import cli
from opplan.pipeline import cache
from opplan.util import cachestore


@pytest.fixture
def cycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the sample with one error (at a known position), named ``cycle`` in the
    working directory; the cache on, its key under ``tmp_path``."""
    monkeypatch.delenv("OPPLAN_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    shutil.copytree(SAMPLE, tmp_path / "cycle")
    plan = tmp_path / "cycle" / "northwind" / "retail" / "plan.yaml"
    plan.write_text(plan.read_text().replace("owner:", "ownr:", 1))
    monkeypatch.chdir(tmp_path)
    return Path("cycle")


class Counting:
    """pipeline.check, counting its calls (a cache hit makes none)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = pipeline.check

        def counted(*args: object, **kwargs: object) -> pipeline.Checked:
            self.calls += 1
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(pipeline, "check", counted)


def run_check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", "cycle", "--pages", "estimate", *args])
    return result.exit_code, result.output


EXPECTED_FIRST = "cycle/northwind/retail/plan.yaml:2:1: error: unknown key 'ownr'"


def entries(cycle: Path) -> list[Path]:
    return sorted((cycle / cache.CACHE_DIR).glob("check-*.json"))


def test_cold_warm_and_uncached_checks_print_the_same(
    cycle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = Counting(monkeypatch)
    uncached = run_check("--no-cache")
    assert (calls.calls, entries(cycle)) == (1, [])
    assert uncached[0] == 1
    assert uncached[1].splitlines()[1:] == [
        "cycle/northwind/retail/plan.yaml:1:1: error: missing required key 'owner' [required]",
        EXPECTED_FIRST + " (did you mean 'owner'?) [unknown-key]",
        "2 errors, 1 warning",
    ]
    assert run_check() == uncached  # cold: checked and stored
    assert (calls.calls, len(entries(cycle))) == (2, 1)
    assert run_check() == uncached  # warm: not checked at all
    assert calls.calls == 2
    assert run_check("--format", "json")[1] != uncached[1]  # another output of the same entry
    assert calls.calls == 2
    assert (cycle / cache.CACHE_DIR / ".gitignore").read_text() == "*\n"


def test_a_changed_file_is_checked_again(cycle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_check()
    calls = Counting(monkeypatch)
    plan = cycle / "northwind" / "retail" / "plan.yaml"
    plan.write_text(plan.read_text().replace("ownr:", "owner:", 1))
    code, output = run_check()
    assert (calls.calls, code) == (1, 0)
    assert EXPECTED_FIRST not in output
    (cycle / "notes.txt").write_text("any file of the cycle counts")
    run_check()
    assert calls.calls == 2


def test_what_a_check_reads_outside_the_cycle_is_in_the_key(
    cycle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The repository's CODEOWNERS (codeowners-stale) and a revision's revised cycle (its
    "What changed" pages) are read by a check: changing either is a miss, never a stale hit."""
    (tmp_path / ".git").mkdir()  # the working directory is the repository's root
    run_check()
    calls = Counting(monkeypatch)
    (tmp_path / "CODEOWNERS").write_text("* @someone\n")
    run_check()
    assert calls.calls == 1
    older = tmp_path / "older"
    shutil.copytree(cycle, older, ignore=shutil.ignore_patterns(cache.CACHE_DIR))
    settings = cycle / "cycle.yaml"
    settings.write_text(settings.read_text() + "revises:\n  name: Older\n  path: ../older\n")
    run_check()
    run_check()
    assert calls.calls == 2  # stored, then a hit
    (older / "northwind" / "plan.yaml").write_text("name: changed\n")
    run_check()
    assert calls.calls == 3


def forge(entry: Path) -> list[tuple[str, bytes]]:
    """Ways a cache entry can be wrong: each must be ignored."""
    data = entry.read_bytes()
    head = len(cachestore.MAGIC)
    payload = data[head + 65 :]
    edited = payload.replace(b"unknown key", b"forged key")
    unkeyed = hashlib.sha256(entry.stem.encode() + b"\0" + edited).hexdigest().encode()
    return [
        ("truncated", data[: len(data) // 2]),
        ("empty", b""),
        ("garbage", b"\x80\x04garbage"),
        ("payload edited", data[: head + 65] + edited),
        ("hand-made", cachestore.MAGIC + unkeyed + b"\n" + edited),
        ("another format", b"opplan-cache 0\n" + data[head:]),
        ("too big", data + b" " * (cachestore.MAX_ENTRY_BYTES + 1)),
    ]


def test_a_corrupted_or_forged_entry_is_ignored(
    cycle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = run_check("--no-cache")
    run_check()
    [entry] = entries(cycle)
    calls = Counting(monkeypatch)
    for n, (what, data) in enumerate(forge(entry), start=1):
        entry.write_bytes(data)
        assert run_check() == expected, what
        assert calls.calls == n, what  # checked again, never read from the entry
    assert run_check() == expected
    assert calls.calls == len(forge(entry))  # the last check stored a good entry again


def test_an_entry_signed_by_another_user_or_machine_is_ignored(
    cycle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = run_check()
    [entry] = entries(cycle)
    good = entry.read_bytes()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-home"))  # another key
    calls = Counting(monkeypatch)
    assert run_check() == expected
    assert calls.calls == 1
    assert entry.read_bytes() != good  # re-signed with this key


def test_an_unusable_cache_is_no_cache(cycle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = run_check("--no-cache")
    (cycle / cache.CACHE_DIR).write_text("a file where the directory should be")
    calls = Counting(monkeypatch)
    assert run_check() == expected
    assert run_check() == expected
    assert calls.calls == 2
    (cycle / cache.CACHE_DIR).unlink()
    monkeypatch.setenv("XDG_CACHE_HOME", "/dev/null/nowhere")  # no key: no cache
    assert run_check() == expected
    assert not (cycle / cache.CACHE_DIR).exists()
    monkeypatch.setenv("OPPLAN_CACHE", "off")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert run_check() == expected
    assert not (cycle / cache.CACHE_DIR).exists()
    assert calls.calls == 4


def test_a_directory_that_is_not_a_cycle_gets_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPPLAN_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    (tmp_path / "plain").mkdir()
    assert pipeline.check_diagnostics(tmp_path / "plain")[0].rule == "io"
    assert sorted(p.name for p in (tmp_path / "plain").iterdir()) == []


def _put(directory: str, n: int) -> None:
    store = cachestore.open_store(Path(directory))
    assert store is not None
    for _ in range(n):
        store.put("same", {"value": list(range(1000))})


def test_two_processes_writing_one_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPPLAN_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    directory = tmp_path / "store"
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_put, args=(str(directory), 50)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    store = cachestore.open_store(directory)
    assert store is not None
    assert store.get("same") == {"value": list(range(1000))}
    assert sorted(p.name for p in directory.iterdir()) == [".gitignore", "same.json"]


def test_the_store_keeps_a_bounded_number_of_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPPLAN_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    store = cachestore.open_store(tmp_path / "store")
    assert store is not None
    for i in range(cachestore.MAX_ENTRIES + 5):
        store.put(f"e{i}", i)
    kept = sorted(int(p.stem[1:]) for p in (tmp_path / "store").glob("*.json"))
    assert len(kept) == cachestore.MAX_ENTRIES
    assert cachestore.MAX_ENTRIES + 4 in kept  # the entry just written stays
    assert store.get(f"e{cachestore.MAX_ENTRIES + 4}") == cachestore.MAX_ENTRIES + 4


def test_a_cycle_changed_while_checked_is_not_stored(
    cycle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pipeline.check

    def edited_meanwhile(*args: object, **kwargs: object) -> pipeline.Checked:
        (cycle / "notes.txt").write_text("written while the check ran")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "check", edited_meanwhile)
    run_check()
    assert entries(cycle) == []  # the result may belong to the bytes before the edit
    run_check()
    assert len(entries(cycle)) == 1  # unchanged this time: stored
