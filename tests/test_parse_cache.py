"""The parse cache (issue 17): a plan.yaml whose bytes were parsed before is not parsed again,
what it gives back is exactly what a parse gives (values, positions, diagnostics), and an
entry that is corrupted, forged, foreign or of another shape is a miss, never a result."""

from __future__ import annotations

import hashlib
import multiprocessing
import shutil
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import SAMPLE
from test_check_cache import forge

from opplan.cli import cli
from opplan.load import loader, parsecache
from opplan.load.loader import load
from opplan.load.yamlsrc import SOURCE_KEY, parse
from opplan.model.diagnostics import Diagnostic, Source
from opplan.util import cachestore
from opplan.util.cachestore import CACHE_DIR, open_store

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
import synth  # noqa: E402

#: A plan that parses with diagnostics of several kinds, and values of every kind.
ODD = """\
name: Odd
name: twice
owner: "Ann"
budget: {amount: 1.50, small: 0.0000001, big: 1E+3, on: yes, when: 2027-03-31, n: 0x1F}
"""


@pytest.fixture
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache on, its key under ``tmp_path``, the working directory ``tmp_path``."""
    monkeypatch.delenv("OPPLAN_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


class Parses:
    """The loader's parse of one plan file, counting the files it parses."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        real = loader._parse_item

        def counted(item: tuple[str, bytes | None]) -> tuple[Any, list[Diagnostic]]:
            self.paths.append(item[0])
            return real(item)

        monkeypatch.setattr(loader, "_parse_item", counted)


def _exact(value: Any) -> Any:
    """``value`` with every Source spelled out, key positions included (repr leaves them out)."""
    if isinstance(value, Source):
        return (repr(value), value.keypos)
    if isinstance(value, Diagnostic):
        return (repr(value), value.source.keypos)
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_exact(v) for v in value]
    return (type(value).__name__, repr(value))


def loaded(cycle: Path) -> str:
    """Everything a load gives, as text: the cycle's repr and its diagnostics."""
    found, diags = load(cycle, jobs=1, cache=True)
    return repr(found) + "\n" + "\n".join(map(repr, diags))


def shards(cycle: Path) -> list[Path]:
    return sorted((cycle / CACHE_DIR / parsecache.PARSE_DIR).glob("parse-*.json"))


def plans(cycle: Path) -> list[Path]:
    return sorted(cycle.rglob("plan.yaml"))


def with_odd_plan(cycle: Path) -> Path:
    odd = cycle / "northwind" / "retail" / "plan.yaml"
    odd.write_text(odd.read_text() + "owner: again\n" + ODD.replace("name", "nme"))
    (cycle / "northwind" / "plan.yaml").write_bytes(b"name: Northwind\nowner: \xff\n")
    return cycle


@pytest.fixture
def sample(cached: Path) -> Path:
    """A copy of the sample with odd plan files (a duplicate key, values of every kind,
    a file that is not UTF-8), shown as ``cycle``."""
    shutil.copytree(SAMPLE, cached / "cycle")
    return with_odd_plan(Path("cycle"))


@pytest.fixture
def generated(cached: Path) -> Path:
    synth.generate(cached / "gen", 30, 1)
    return Path("gen")


@pytest.mark.parametrize("which", ["sample", "generated"])
def test_a_warm_load_equals_a_cold_one(
    which: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    cycle: Path = request.getfixturevalue(which)
    uncached = repr(load(cycle, jobs=1)[0]) + "\n" + "\n".join(map(repr, load(cycle, jobs=1)[1]))
    count = Parses(monkeypatch)
    cold = loaded(cycle)
    assert len(count.paths) == len(plans(cycle))
    assert shards(cycle)
    warm = loaded(cycle)
    assert len(count.paths) == len(plans(cycle))  # nothing parsed the second time
    assert cold == warm == uncached
    assert "duplicate key" in cold or which == "generated"


def test_what_an_entry_gives_back_is_what_a_parse_gives(sample: Path) -> None:
    """Values, positions (key positions too, which repr leaves out) and diagnostics."""
    many = "big:\n" + "".join(f"  k{i}: {i}.5\n" for i in range(40))  # an indexed keypos
    for text in [ODD, many, "", "- [1, 2]\n- {a: b}\n", "a: [unclosed\n", "just text\n"]:
        parsed = parse(text, "cycle/x/plan.yaml")
        entry = parsecache.encode(parsed)
        assert entry is not None
        assert _exact(parsecache.decode(entry, "cycle/x/plan.yaml")) == _exact(parsed), text
    data, _ = parse(ODD, "p")
    assert data["budget"]["small"] == Decimal("1E-7")
    assert parsecache.decode(parsecache.encode(parse(ODD, "a")), "b") is not None
    moved = parsecache.decode(parsecache.encode(parse(ODD, "a")), "b")
    assert moved is not None and moved[0][SOURCE_KEY].path == "b"


def test_one_edited_file_is_the_only_one_parsed(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded(sample)
    edited = sample / "northwind" / "retail" / "buying" / "plan.yaml"
    edited.write_text(edited.read_text().replace("name:", "name: Edited", 1))
    expected = repr(load(sample, jobs=1)[0]) + "\n" + "\n".join(map(repr, load(sample, jobs=1)[1]))
    count = Parses(monkeypatch)
    assert loaded(sample) == expected
    assert count.paths == [str(edited)]
    assert loaded(sample) == expected
    assert count.paths == [str(edited)]


def test_a_moved_file_is_a_hit_with_its_new_path(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded(sample)
    (sample / "northwind" / "retail").rename(sample / "northwind" / "shops")
    expected = repr(load(sample, jobs=1)[0]) + "\n" + "\n".join(map(repr, load(sample, jobs=1)[1]))
    assert "northwind/shops/plan.yaml" in expected
    count = Parses(monkeypatch)
    assert loaded(sample) == expected
    assert count.paths == []


def test_entries_of_files_no_longer_in_the_cycle_are_removed(sample: Path) -> None:
    loaded(sample)
    before = sum(len(p.read_bytes()) for p in shards(sample))
    shutil.rmtree(sample / "northwind" / "retail")
    loaded(sample)
    after = sum(len(p.read_bytes()) for p in shards(sample))
    assert after < before
    for plan in plans(sample):
        if plan.parent != sample / "northwind":
            shutil.rmtree(plan.parent, ignore_errors=True)
    loaded(sample)
    assert len(shards(sample)) == 1


def variants(entry: Path) -> list[tuple[str, bytes]]:
    """The check cache's ways an entry can be wrong, with edits that a shard holds."""
    data = entry.read_bytes()
    head = len(cachestore.MAGIC)
    edited = data[head + 65 :].replace(b"1", b"2", 1)
    unkeyed = hashlib.sha256(entry.stem.encode() + b"\0" + edited).hexdigest().encode()
    mine = [
        ("payload edited", data[: head + 65] + edited),
        ("hand-made", cachestore.MAGIC + unkeyed + b"\n" + edited),
    ]
    return [(w, d) for w, d in forge(entry) if w not in dict(mine)] + mine


def test_a_corrupted_or_forged_shard_is_ignored(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = loaded(sample)
    digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in plans(sample)]
    entry = max(shards(sample), key=lambda p: sum(d[:2] == p.stem[-2:] for d in digests))
    inside = sum(d[:2] == entry.stem[-2:] for d in digests)
    assert inside >= 1
    good = entry.read_bytes()
    count = Parses(monkeypatch)
    for n, (what, data) in enumerate(variants(entry), start=1):
        entry.write_bytes(data)
        assert loaded(sample) == expected, what
        assert len(count.paths) == n * inside, what  # that shard's files parsed again
        assert entry.read_bytes() == good, what  # and stored again


def test_a_shard_signed_by_another_key_or_of_another_shape_is_a_miss(
    sample: Path, cached: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = loaded(sample)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cached / "another-home"))
    count = Parses(monkeypatch)
    assert loaded(sample) == expected
    assert len(count.paths) == len(plans(sample))
    store = open_store(sample / CACHE_DIR / parsecache.PARSE_DIR, limit=parsecache.SHARDS)
    assert store is not None
    for path in shards(sample):
        files = store.get(path.stem)["files"]
        odd = [
            '[{"x":1},[]]',
            "[null,[[1]]]",
            '[{"__source__":[1,1,[],"yes",[]]},[]]',
            '[{"__source__":[1,1,[],true,[]],"a":1.5},[]]',
            '"text"',
            ["not", "text"],
        ]
        bad = {k: odd[i % len(odd)] for i, k in enumerate(files)}
        store.put(path.stem, {"salt": parsecache.salt(), "files": bad})
    assert loaded(sample) == expected
    assert len(count.paths) == 2 * len(plans(sample))


def test_no_cache_and_cache_off_parse_everything_and_write_nothing(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = Parses(monkeypatch)
    result = CliRunner().invoke(cli, ["check", "--no-cache", str(sample)])
    assert result.exit_code == 1, result.output
    assert not (sample / CACHE_DIR).exists()
    assert len(count.paths) == len(plans(sample))
    CliRunner().invoke(cli, ["check", str(sample)])
    assert len(shards(sample)) > 0
    CliRunner().invoke(cli, ["check", "--no-cache", str(sample)])
    assert len(count.paths) == 3 * len(plans(sample))
    monkeypatch.setenv("OPPLAN_CACHE", "off")
    shutil.rmtree(sample / CACHE_DIR)
    loaded(sample)
    assert len(count.paths) == 4 * len(plans(sample))
    assert not (sample / CACHE_DIR).exists()


def test_rollup_after_an_edit_parses_only_that_file(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The roll-up (and so build) loads through the cache; its output is unchanged."""
    first = CliRunner().invoke(cli, ["rollup", str(generated), "--format", "json"])
    assert first.exit_code == 0, first.output
    team = plans(generated)[-1]
    team.write_text(team.read_text().replace("title: ", "title: Edited ", 1))
    monkeypatch.setenv("OPPLAN_CACHE", "off")
    expected = CliRunner().invoke(cli, ["rollup", str(generated), "--format", "json"]).output
    monkeypatch.delenv("OPPLAN_CACHE")
    count = Parses(monkeypatch)
    again = CliRunner().invoke(cli, ["rollup", str(generated), "--format", "json"])
    assert again.output == expected
    assert count.paths == [str(team)]


def test_worker_processes_make_the_same_entries(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large cycle is parsed (and its entries made) in worker processes."""
    expected = loaded(generated)
    made = {p.name: p.read_bytes() for p in shards(generated)}
    shutil.rmtree(generated / CACHE_DIR)
    monkeypatch.setattr(loader, "PARALLEL_MIN_NODES", 2)
    cold = load(generated, jobs=2, cache=True)
    assert repr(cold[0]) + "\n" + "\n".join(map(repr, cold[1])) == expected
    assert {p.name: p.read_bytes() for p in shards(generated)} == made
    count = Parses(monkeypatch)
    assert loaded(generated) == expected
    assert count.paths == []


def _load_many(cycle: str, n: int) -> None:
    for _ in range(n):
        load(Path(cycle), jobs=1, cache=True)


def test_two_processes_loading_one_cycle(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = loaded(sample)
    shutil.rmtree(sample / CACHE_DIR)
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_load_many, args=(str(sample), 5)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    count = Parses(monkeypatch)
    assert loaded(sample) == expected
    assert count.paths == []


def test_an_unusable_cache_directory_is_no_cache(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = loaded(sample)
    shutil.rmtree(sample / CACHE_DIR)
    (sample / CACHE_DIR).write_text("a file where the directory should be")
    count = Parses(monkeypatch)
    assert loaded(sample) == expected
    assert len(count.paths) == len(plans(sample))
    (sample / CACHE_DIR).unlink()
    (sample / CACHE_DIR).mkdir()
    (sample / CACHE_DIR / parsecache.PARSE_DIR).write_text("not a directory either")
    assert loaded(sample) == expected
    assert len(count.paths) == 2 * len(plans(sample))
