"""Incremental ``opplan build``: only the documents whose inputs changed are written again,
and the output stays byte-identical to a full build (acceptance 4 of issue 17)."""

from __future__ import annotations

import filecmp
import json
import multiprocessing
import os
import re
import shutil
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from opplan import pipeline
from opplan.build import BuildResult
from opplan.cli import cli
from opplan.render import manifest
from opplan.report.fingerprint import node_digests, shared_digest
from opplan.util import workers

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
import synth  # noqa: E402
from conftest import children_end  # noqa: E402

FORMATS = ("docx", "xlsx")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated org of 30 teams (36 nodes), never edited: tests copy it."""
    cycle = tmp_path_factory.mktemp("generated") / "cycle"
    synth.generate(cycle, 30, 1)
    return cycle


@pytest.fixture(scope="module")
def reference(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A full build of the generated org, with its manifest: tests copy it."""
    out = tmp_path_factory.mktemp("reference") / "out"
    here = Path.cwd()
    os.chdir(generated.parent)  # paths print as "cycle/...", as in every test's copy
    try:
        first = build(Path("cycle"), out)
    finally:
        os.chdir(here)
    assert (len(first.files), first.current) == (72, [])
    return out


@pytest.fixture
def org(generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the generated org, named ``cycle`` in the working directory."""
    shutil.copytree(generated, tmp_path / "cycle")
    monkeypatch.chdir(tmp_path)
    return Path("cycle")


@pytest.fixture
def out(reference: Path, tmp_path: Path) -> Path:
    """The generated org's documents as a previous build left them (times kept)."""
    return Path(shutil.copytree(reference, tmp_path / "out"))


def build(cycle: Path, out: Path, **options: Any) -> BuildResult:
    result = pipeline.build(cycle, out, jobs=2, **options)
    assert result.ok, result.diagnostics
    assert result.report is not None  # the roll-up its documents show, one per node
    assert result.cycle is not None and result.cycle.nodes.keys() == result.report.nodes.keys()
    assert {f"{n}.docx" for n in result.report.nodes} == {p.name for p in out.glob("*.docx")}
    return result


def stamps(out: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.iterdir()}


def rewritten(before: dict[str, tuple[int, int]], out: Path) -> list[str]:
    return sorted(n for n, s in stamps(out).items() if before.get(n) != s and n[0] != ".")


def files_of(*nodes: str) -> list[str]:
    return sorted(f"{n}.{fmt}" for n in nodes for fmt in FORMATS)


def assert_same_as_full_build(cycle: Path | None, out: Path, fresh: Path) -> None:
    """Every document in ``out`` is byte-identical to a clean full build's (of ``cycle``
    into ``fresh``; with no ``cycle``, the one already in ``fresh``), and no more."""
    if cycle is not None:
        build(cycle, fresh)
    names = sorted(p.name for p in fresh.iterdir() if p.name[0] != ".")
    assert sorted(p.name for p in out.iterdir() if p.name[0] != ".") == names
    same, diff, errors = filecmp.cmpfiles(out, fresh, names, shallow=False)
    assert (diff, errors) == ([], [])
    assert len(same) == 72


def a_team(cycle: Path) -> tuple[Path, list[str]]:
    """The last leaf team's plan.yaml and the ids of the team and its ancestors."""
    plans = sorted(cycle.rglob("plan.yaml"))
    team = next(p for p in reversed(plans) if not any(p.parent.glob("*/plan.yaml")))
    return team, list(reversed(team.parent.relative_to(cycle).parts))


def edit_ask_title(plan: Path) -> None:
    text = plan.read_text()
    edited, n = re.subn(r"(?m)^(  - id: \S+\n    title: )", r"\1Edited ", text, count=1)
    assert n == 1
    plan.write_text(edited)


def test_one_team_edit_rewrites_that_team_and_its_ancestors(
    org: Path, out: Path, tmp_path: Path
) -> None:
    before = stamps(out)
    team, path = a_team(org)
    edit_ask_title(team)

    second = build(org, out)

    assert len(path) == 3  # the team, its manager, the root
    assert sorted(p.name for p in second.files) == files_of(*path)
    assert rewritten(before, out) == files_of(*path)
    assert len(second.current) == 72 - 6
    assert_same_as_full_build(org, out, tmp_path / "fresh")


def test_a_second_build_writes_nothing_and_says_so(org: Path, out: Path) -> None:
    before = stamps(out)
    runner = CliRunner()
    result = runner.invoke(cli, ["build", str(org), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == f"Wrote nothing to {out}; 72 files were current"
    assert rewritten(before, out) == []
    forced = runner.invoke(cli, ["build", str(org), "--out", str(out), "--force", "-j", "2"])
    assert forced.stderr.splitlines()[-1] == f"Wrote 36 documents and 36 workbooks to {out}/"


def test_a_changed_template_rebuilds_everything(org: Path, out: Path, reference: Path) -> None:
    before = stamps(out)
    shipped = REPO / "templates" / "document" / "approved.md.j2"
    (org / "templates" / "document").mkdir(parents=True)
    own = org / "templates" / "document" / "approved.md.j2"
    own.write_text(shipped.read_text() + "{# our own copy #}\n")

    again = build(org, out)

    assert len(again.files) == 72
    assert len(rewritten(before, out)) == 72
    assert_same_as_full_build(None, out, reference)  # the copy prints the same


def test_another_opplan_version_rebuilds_everything(
    org: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert build(org, out).files == []
    monkeypatch.setattr(manifest, "opplan_version", lambda: "99.0.0")
    assert len(build(org, out).files) == 72
    assert build(org, out).files == []


def test_a_missing_or_modified_file_is_written_again(org: Path, out: Path, reference: Path) -> None:
    _, path = a_team(org)
    (out / f"{path[0]}.docx").unlink()
    edited = out / f"{path[1]}.xlsx"
    edited.write_bytes(edited.read_bytes() + b"\0")
    before = stamps(out)

    again = build(org, out)

    assert sorted(p.name for p in again.files) == files_of(path[0], path[1])
    assert rewritten(before, out) == files_of(path[0], path[1])
    assert_same_as_full_build(None, out, reference)


def test_a_corrupted_manifest_means_a_full_build(org: Path, out: Path) -> None:
    (out / manifest.MANIFEST).write_bytes(b'{"format": 1, "files": {"../x": 1}}')
    assert len(build(org, out).files) == 72
    for junk in (b"{not json", b"[]", b'{"format": 2, "files": {}}'):
        (out / manifest.MANIFEST).write_bytes(junk)
        assert len(build(org, out, node=a_team(org)[1][0]).files) == 2
    assert len(build(org, out).files) == 70  # the others had lost their entries
    data = json.loads((out / manifest.MANIFEST).read_text())
    data["files"]["../../escape.docx"] = dict(data["files"][f"{a_team(org)[1][0]}.docx"])
    (out / manifest.MANIFEST).write_text(json.dumps(data))
    assert build(org, out).files == []  # the foreign entry is dropped, never used
    assert "../../escape.docx" not in json.loads((out / manifest.MANIFEST).read_text())["files"]
    data = json.loads((out / manifest.MANIFEST).read_text())
    ours = sorted(data["files"])
    entry = data["files"][ours[0]]
    written = (out / ours[0]).read_bytes()
    (out / "a").mkdir()
    for name in (".hidden.xlsx", "a/b.docx"):  # files holding the bytes the entry records
        (out / name).write_bytes(written)
    for name in ("gone\u0000.docx", "gone\ud800.docx", ".hidden.xlsx", "", "a/b.docx"):
        st = (out / name).stat() if name in (".hidden.xlsx", "a/b.docx") else None
        times = {"mtime_ns": st.st_mtime_ns} if st else {}
        data["files"][name] = {**entry, "node": "no-such-node", **times}  # a node that left
    (out / manifest.MANIFEST).write_text(json.dumps(data))
    assert build(org, out).removed == []  # dropped: no such name is looked at or removed
    assert (out / ".hidden.xlsx").read_bytes() == written == (out / "a" / "b.docx").read_bytes()
    assert sorted(json.loads((out / manifest.MANIFEST).read_text())["files"]) == ours


def test_a_removed_node_loses_its_files_and_only_ours(tmp_path: Path) -> None:
    from cyclefactory import ask, plan, write_cycle

    plans = {
        "acme": plan("Acme"),
        "acme/a": plan("A", ask("x")),
        "acme/b": plan("B", ask("y")),
        "acme/c": plan("C", ask("z")),
    }
    cycle = write_cycle(tmp_path / "cycle", plans)
    out = tmp_path / "out"
    build(cycle, out)
    (out / "c.xlsx").write_bytes(b"my own notes")  # not what opplan wrote
    (out / "notes.txt").write_text("mine")
    shutil.rmtree(cycle / "acme" / "b")
    shutil.rmtree(cycle / "acme" / "c")

    again = build(cycle, out)

    assert sorted(p.name for p in again.removed) == ["b.docx", "b.xlsx", "c.docx"]
    assert sorted(p.name for p in out.iterdir()) == [
        ".opplan-build.json",
        "a.docx",
        "a.xlsx",
        "acme.docx",
        "acme.xlsx",
        "c.xlsx",
        "notes.txt",
    ]
    kept = json.loads((out / manifest.MANIFEST).read_text())["files"]
    assert sorted(kept) == ["a.docx", "a.xlsx", "acme.docx", "acme.xlsx"]
    assert_small_same_as_full(cycle, out, tmp_path / "fresh")


def assert_small_same_as_full(cycle: Path, out: Path, fresh: Path) -> None:
    build(cycle, fresh)
    names = sorted(p.name for p in fresh.iterdir() if p.name[0] != ".")
    assert filecmp.cmpfiles(out, fresh, names, shallow=False)[1:] == ([], [])


# --- the digest of each kind of input ------------------------------------------------


def digests(cycle: Path) -> dict[str, str]:
    report = pipeline.rollup(cycle).report
    assert report is not None
    shared = shared_digest(report, manifest.build_inputs(cycle))
    return node_digests(report, report.root, shared)


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    assert before.keys() == after.keys()
    return {n for n in before if before[n] != after[n]}


def test_each_kind_of_input_changes_the_digest_of_what_reads_it(org: Path) -> None:
    everyone = set(digests(org))
    team, path = a_team(org)
    base = digests(org)
    assert digests(org) == base  # the same inputs, the same digests

    edit_ask_title(team)  # a team's ask: its stack and every ancestor's
    step = digests(org)
    assert changed(base, step) == set(path)

    narrative = team.with_name("narrative.md")
    narrative.write_text(narrative.read_text() + "\nOne more sentence.\n")
    base, step = step, digests(org)
    # its documents, and its ancestors' (which hash their subtree's records whole)
    assert changed(base, step) == set(path)

    text = team.read_text()
    team.write_text(re.sub(r"(?m)^name: .*$", "name: Renamed Team", text, count=1))
    base, step = step, digests(org)  # a name is printed anywhere the node is mentioned
    assert changed(base, step) == everyone

    cycle_yaml = org / "cycle.yaml"
    cycle_yaml.write_text(
        re.sub(r"(?m)^name: .*$", "name: Another Name", cycle_yaml.read_text(), count=1)
    )
    base, step = step, digests(org)
    assert changed(base, step) == everyone

    (org / "templates").mkdir()
    (org / "templates" / "cover.md.j2").write_text("x")
    base, step = step, digests(org)
    assert changed(base, step) == everyone

    siblings = [p for p in team.parent.parent.glob("*/plan.yaml") if p != team]
    sibling = siblings[0]
    sibling.write_text(re.sub(r"(?m)^owner: .*$", "owner: Someone Else", sibling.read_text()))
    base, step = step, digests(org)
    assert changed(base, step) == {sibling.parent.name, *path[1:]}


def test_a_root_decision_changes_the_digests_of_the_nodes_that_show_the_ask(org: Path) -> None:
    """The approved plan is the root's view: a partial there changes the documents of the
    team that asks (its status and amount in the approved plan) and of every node between."""
    root = org / "contoso" / "plan.yaml"
    text = root.read_text()
    assert "t-00022/migrate-test-harness: {decision: partial, headcount: 1," in text
    base = digests(org)
    root.write_text(text.replace("partial, headcount: 1,", "partial, headcount: 2,"))
    step = digests(org)
    team = next(org.rglob("t-00022/plan.yaml")).parent
    shows = set(team.relative_to(org).parts)
    assert shows <= changed(base, step)
    report = pipeline.rollup(org).report
    assert report is not None
    assert report.approved_rows["t-00022/migrate-test-harness"].amount.headcount == 2


def test_a_few_nodes_render_a_file_per_task_and_a_failing_node_writes_none(
    tmp_path: Path,
) -> None:
    from cyclefactory import ask, plan, write_cycle

    plans = {"acme": plan("Acme"), "acme/a": plan("A", ask("x")), "acme/b": plan("B", ask("y"))}
    cycle = write_cycle(tmp_path / "cycle", plans)
    (cycle / "acme" / "b" / "narrative.md").write_text("# B\n\n{{ ask('acme/nope') }}\n")
    out = tmp_path / "out"
    result = pipeline.build(cycle, out, jobs=2)  # 3 nodes, 2 processes: one file per task
    assert [d.rule for d in result.diagnostics if d.severity.value == "error"] == ["template"]
    # b's narrative fails in b's document and in its manager's (which quotes each team's)
    assert sorted(p.name for p in result.files) == files_of("a")
    assert sorted(p.name for p in out.iterdir()) == [".opplan-build.json", *files_of("a")]
    (cycle / "acme" / "b" / "narrative.md").write_text("# B\n\nFixed.\n")
    again = pipeline.build(cycle, out, jobs=2)
    assert sorted(p.name for p in again.files) == files_of("acme", "b")  # the failed, fixed
    assert_small_same_as_full(cycle, out, tmp_path / "fresh")


def test_since_an_older_version_rebuilds_what_prints_the_changes(
    org: Path, out: Path, tmp_path: Path
) -> None:
    """A build --since after a plain build: every document that now prints "What changed"
    is written again, and the result is a full --since build's, byte for byte."""
    older = tmp_path / "older"
    shutil.copytree(org, older)
    team, path = a_team(older)
    edit_ask_title(team)  # the older version differs from the current one in one team

    second = build(org, out, since=str(older))

    assert set(files_of(*path)) <= {p.name for p in second.files}
    fresh = tmp_path / "fresh"
    build(org, fresh, since=str(older))
    assert_same_as_full_build(None, out, fresh)
    third = build(org, out, since=str(older))
    assert third.files == []  # nothing changed since the --since build


def test_record_digests_spread_over_processes_are_those_of_one(
    org: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opplan import build
    from opplan.render.docx.plan import search_path
    from opplan.report.fingerprint import record_digests

    report = pipeline.rollup(org).report
    assert report is not None
    ids = [n.id for n in report.subtree(report.root)]
    ctx = build.BuildContext(report, tuple(search_path(org)))
    monkeypatch.setattr(build.share, "PARALLEL_DIGESTS", 1)
    with build.Helpers((ctx, org, ("docx", "xlsx")), 1) as helpers:
        spread = build.record_digests(ctx, ids, helpers)
    assert spread == record_digests(report, ids)
    assert len(set(spread)) == len(ids)  # every node's record differs


def _shown_text(node: Any) -> str:
    """``repr(node)`` as the record digests show it: the stack's rows one after the other,
    each of the node's own asks as its ``repr`` and each ask from below as its view text."""
    import dataclasses

    from opplan.report.fingerprint import view_text

    rows = [repr(r) + ", " if r.node == node.id else view_text(r) for r in node.stack]
    asks = "".join(f"{k!r}: {a.model_dump_json()}, " for k, a in node.asks.items())
    whole = repr(dataclasses.replace(node, stack=(), asks={}))
    assert whole.count("stack=()") == 1 and whole.count("asks={}") == 1
    return whole.replace("stack=()", f"stack=({''.join(rows)})").replace(
        "asks={}", f"asks={{{asks}}}"
    )


def test_record_digests_are_the_digests_of_each_records_text(org: Path) -> None:
    """The fast path, which shows each hire row once per call, gives the digest of every
    node's record (its ``repr`` but for the stack rows of asks from below, shown by their
    view text) and the root's rows of its own asks; ``record_text`` is that text for no,
    one and several rows (hire rows, stack rows)."""
    import dataclasses
    import hashlib

    from opplan.model import ask_ref
    from opplan.report.fingerprint import record_digests, record_text

    report = pipeline.rollup(org).report
    assert report is not None
    approved, cut = report.approved_rows, report.removed_rows
    ids = [n.id for n in report.subtree(report.root)]
    expected = []
    for nid in ids:
        node = report.nodes[nid]
        rows = [(approved.get(ask_ref(nid, a)), cut.get(ask_ref(nid, a))) for a in node.asks]
        text = f"({_shown_text(node)}, {rows!r})"
        expected.append(hashlib.sha256(text.encode()).hexdigest())
    assert record_digests(report, ids) == expected
    hires = [id(r) for n in report.nodes.values() for r in n.hiring.rows]
    assert len(set(hires)) < len(hires)  # the views share rows: the fast path is taken
    root = report.nodes[report.root]
    rows = root.hiring.rows
    assert len(rows) > 1
    for some in ((), rows[:1], rows):
        node = dataclasses.replace(root, hiring=dataclasses.replace(root.hiring, rows=some))
        assert record_text(node, {}) == _shown_text(node)
    mixed = [  # a stack is shown row by row: own asks whole, asks from below by view text
        n for n in report.nodes.values() if {r.node == n.id for r in n.stack} == {True, False}
    ]
    assert mixed
    for manager in mixed:
        stack = manager.stack
        for some_rows in ((), stack[:1], stack[:2], stack):
            node = dataclasses.replace(manager, stack=some_rows)
            assert record_text(node, {}) == _shown_text(node)


def test_a_stack_rows_view_text_shows_every_field_the_ask_does_not_give(org: Path) -> None:
    """Each field of a stack row but those it takes from the ask as written changes its
    view text (a field added to StackRow and left out of the text fails here); those are
    the fields the owner's record holds, and an edit of one changes every ancestor's
    digest through the owner's (the Merkle tree)."""
    import dataclasses

    from opplan.model.costing import Amount
    from opplan.report.fingerprint import ASK_FIELDS, node_digests, shared_digest, view_text

    report = pipeline.rollup(org).report
    assert report is not None
    row = next(r for r in report.nodes[report.root].stack if r.node != report.root)
    others = {int: 987654, bool: None, str: "something else"}

    def variants(name: str, value: Any) -> list[Any]:
        """Other values of a field: an amount with each of its parts changed in turn."""
        if type(value) is Amount:
            return [
                dataclasses.replace(value, **{part: getattr(value, part) + Decimal("0.01")})
                for part in ("headcount", "cost", "run_rate")
            ]
        if type(value) is bool:
            return [not value]
        if value is None:
            return [3 if name == "rank" else "x"]
        return [others.get(type(value), "y")]

    for f in dataclasses.fields(row):
        for other in variants(f.name, getattr(row, f.name)):
            changed = dataclasses.replace(row, **{f.name: other})
            if f.name in ASK_FIELDS:
                assert view_text(changed) == view_text(row), f.name
            else:
                assert view_text(changed) != view_text(row), (f.name, other)
    assert {f.name for f in dataclasses.fields(row)} > ASK_FIELDS
    # an ask's title, which the ancestors' records no longer show, changes their digests
    owner = report.nodes[row.node]
    ask_id = row.ask.split("/", 1)[1]
    retitled = owner.asks[ask_id].model_copy(update={"title": "Another title"})
    nodes = dict(report.nodes)
    nodes[owner.id] = dataclasses.replace(owner, asks={**owner.asks, ask_id: retitled})
    other_report = dataclasses.replace(report, nodes=nodes)
    before = node_digests(report, report.root, shared_digest(report))
    after = node_digests(other_report, report.root, shared_digest(other_report))
    chain = {owner.id}
    nid = owner.parent
    while nid is not None:
        chain.add(nid)
        nid = report.nodes[nid].parent
    assert {n for n in before if before[n] != after[n]} == chain


_LOGGED: dict[str, Any] = {}  # set before the workers fork, so they inherit it


def _log(kind: str) -> None:
    with _LOGGED["log"].open("a") as f:
        f.write(f"{os.getpid()} {kind}\n")


def _logged_file(task: Any) -> Any:
    _log("work_file")
    return _LOGGED["work_file"](task)


def _logged_digests(task: Any) -> Any:
    _log("work_digests")
    return _LOGGED["work_digests"](task)


def _shared(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Builds of the 36-node org take the large-org path: the check's worker validates
    beside the roll-up, and the build's helper shares the record digests and the files;
    each worker forked (with how many others were alive then: the check's worker, its task
    done, ends without being waited for, so it is not counted) and each task a worker process
    runs is logged (pid, kind) in ``log``."""
    from opplan.build import share
    from opplan.pipeline import checkpair

    monkeypatch.setattr(checkpair, "PARALLEL_CHECKS", 1)
    monkeypatch.setattr(share, "PARALLEL_DIGESTS", 1)
    monkeypatch.setitem(_LOGGED, "log", log)
    monkeypatch.setattr(workers, "usable_cpus", lambda: 2)  # as on CI, on any machine
    real_pool, real_started = workers.pool, workers.started
    monkeypatch.setitem(_LOGGED, "pool", real_pool)

    checks: set[int | None] = set()  # the check's worker

    def others() -> int:
        return sum(p.pid not in checks for p in multiprocessing.active_children())

    def counted_pool(shared: Any, n: int) -> Any:
        _log(f"pool-of-{n}-beside-{others()}")
        return real_pool(shared, n)

    def counted_started(shared: Any, fn: Any, arg: Any) -> Any:
        _log(f"checks-beside-{others()}")
        executor, future = real_started(shared, fn, arg)
        checks.update(executor._processes)  # its one process, forked now
        return executor, future

    def counted_forked(shared: Any, n: int) -> Any:
        _log(f"helpers-of-{n}-beside-{others()}")
        return real_forked(shared, n)

    real_forked = workers.forked
    monkeypatch.setattr(workers, "pool", counted_pool)
    monkeypatch.setattr(workers, "started", counted_started)
    monkeypatch.setattr(workers, "forked", counted_forked)
    for name, logged in (("work_file", _logged_file), ("work_digests", _logged_digests)):
        monkeypatch.setitem(_LOGGED, name, getattr(share, name))
        monkeypatch.setattr(share, name, logged)


def _alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Back to the small-org path, for the clean full build to compare with."""
    from opplan.build import share
    from opplan.pipeline import checkpair

    monkeypatch.setattr(workers, "pool", _LOGGED["pool"])
    monkeypatch.setattr(checkpair, "PARALLEL_CHECKS", 10**9)
    for name in ("work_file", "work_digests"):
        monkeypatch.setattr(share, name, _LOGGED[name])


def test_an_incremental_build_shares_digests_and_files_with_one_worker_forked_once(
    org: Path, out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check's worker ends with the check; one helper, forked after the roll-up (it
    inherits it), takes its share of the record digests and then of the files."""
    log = tmp_path / "tasks.log"
    _shared(monkeypatch, log)
    before = stamps(out)
    team, path = a_team(org)
    edit_ask_title(team)

    second = build(org, out)

    assert sorted(p.name for p in second.files) == files_of(*path)
    assert rewritten(before, out) == files_of(*path)
    tasks = [line.split() for line in log.read_text().splitlines()]
    forks = [kind for _, kind in tasks if not kind.startswith("work")]
    assert forks == ["checks-beside-0", "helpers-of-1-beside-0"]  # the helper, once, alone
    kinds = [kind for _, kind in tasks if kind.startswith("work")]
    assert "work_digests" in kinds and "work_file" in kinds
    assert kinds.index("work_file") > max(i for i, k in enumerate(kinds) if k == "work_digests")
    workers_seen = {pid for pid, kind in tasks if kind.startswith("work")}
    assert len(workers_seen) == 1 and str(os.getpid()) not in workers_seen
    assert children_end()  # told to end with the build (not waited for)
    _alone(monkeypatch)
    assert_same_as_full_build(org, out, tmp_path / "fresh")


def test_a_build_that_stops_before_rendering_forks_no_helper(
    org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "tasks.log"
    _shared(monkeypatch, log)
    result = pipeline.build(org, tmp_path / "out", jobs=2, node="no-such-node")
    assert not result.ok and result.files == []
    assert children_end()  # the check's worker, told to end
    kinds = [line.split()[1] for line in log.read_text().splitlines()]
    assert kinds == ["checks-beside-0"]


def test_a_full_build_ends_its_helper_before_forking_its_pool_and_matches(
    org: Path, reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "tasks.log"
    _shared(monkeypatch, log)
    full = build(org, tmp_path / "full")
    assert len(full.files) == 72
    kinds = [line.split()[1] for line in log.read_text().splitlines()]
    forks = [kind for kind in kinds if not kind.startswith("work")]
    # the check's worker, the helper for the digests, then the pool for every node's files,
    # forked once the helper is gone
    assert forks == ["checks-beside-0", "helpers-of-1-beside-0", "pool-of-2-beside-0"]
    assert "work_digests" in kinds and "work_file" not in kinds
    assert_same_as_full_build(None, tmp_path / "full", reference)
