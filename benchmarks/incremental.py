"""Measure the check cache and the incremental build on one generated cycle, as ratios.

    python benchmarks/incremental.py --teams 10000 --stages check
    python benchmarks/incremental.py --teams 2000 --stages build --jobs 2 --verify
    python benchmarks/incremental.py --teams 10000 --stages edit-check --rounds 2

``check``: ``opplan check DIR`` with an empty cache (cold: the cycle is checked and the
result stored in ``DIR/.opplan-cache/``) and again with it (warm), alternated ``--rounds``
times; prints the medians and warm / cold. ``build``: a full ``opplan build`` into an empty
directory, then one team edits an ask title in its plan.yaml, then ``opplan build`` again
into the same directory; prints both times, their ratio, and the files the second build
rewrote (by inode and modification time), which must be that team's and its ancestors'.
``--verify`` also builds the edited cycle into a fresh directory and compares every file.
``edit-check``: ``opplan check`` with an empty cache, then one team's edit and a check again
(the whole-check cache misses; the parse cache holds every other plan), and the same for
``opplan rollup --format json``; prints the medians, edit / cold, and whether the outputs
after the edit equal those of ``OPPLAN_CACHE=off``.

The cycle is a copy (in a scratch directory) of the generated one, so the edit never
touches benchmarks/.cache. Before each timed command, what the earlier ones wrote is flushed
to disk (``os.sync``), outside every timing. Standard library only.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run


def _opplan(args: list[str], work: Path, timeout: float, env: dict | None = None) -> dict:
    """One timed opplan command. What earlier steps wrote (the copied cycle, a full build's
    23,636 files) is flushed to disk first, so that the kernel's writing it back does not
    run during, and count against, the next command."""
    _flush()
    saved = {k: os.environ.get(k) for k in env or {}}
    os.environ.update(env or {})  # the child's environment is a copy of ours
    try:
        r = run.measure([sys.executable, "-m", "opplan", *args], work, timeout, False)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    if r["rc"] not in (0, 1):
        raise SystemExit(f"opplan {' '.join(args)} exited {r['rc']}:\n{r['stderr_tail']}")
    return r


def _flush() -> None:
    if hasattr(os, "sync"):
        os.sync()


def bench_check(cycle: Path, scratch: Path, rounds: int, timeout: float) -> dict:
    """Cold and warm ``opplan check`` times, alternated; the same output each time."""
    cold: list[float] = []
    warm: list[float] = []
    outputs = set()
    for i in range(rounds):
        shutil.rmtree(cycle / ".opplan-cache", ignore_errors=True)
        for label, times in (("cold", cold), ("warm", warm)):
            work = scratch / f"check-{label}-{i}"
            r = _opplan(["check", str(cycle)], work, timeout)
            times.append(r["seconds"])
            outputs.add((work / "stderr.txt").read_bytes())
            print(f"check {label} {i + 1}: {r['seconds']:.2f} s", file=sys.stderr, flush=True)
    return {
        "cold": statistics.median(cold),
        "warm": statistics.median(warm),
        "ratio": statistics.median(warm) / statistics.median(cold),
        "same_output": len(outputs) == 1,
    }


def bench_edit_check(cycle: Path, scratch: Path, rounds: int, timeout: float) -> dict:
    """A cold ``opplan check`` (empty cache), then one team's edit and a check again: the
    check cache misses, the parse cache has every other file. Then the same for ``opplan
    rollup --format json``. Each warm output is compared with one of ``OPPLAN_CACHE=off``."""
    times: dict[str, list[float]] = {k: [] for k in ("cold", "edit", "rcold", "redit")}
    # and one run of each command with the cache off (after the first edit)
    same = True
    for i in range(rounds):
        for cmd, cold, edit in (
            (["check", str(cycle)], "cold", "edit"),
            (["rollup", str(cycle), "--format", "json"], "rcold", "redit"),
        ):
            shutil.rmtree(cycle / ".opplan-cache", ignore_errors=True)
            r = _opplan(cmd, scratch / f"{cold}-{i}", timeout)
            times[cold].append(r["seconds"])
            _edit_one_team(cycle)
            r = _opplan(cmd, scratch / f"{edit}-{i}", timeout)
            times[edit].append(r["seconds"])
            print(
                f"{cmd[0]} {i + 1}: cold {times[cold][-1]:.2f} s, "
                f"after an edit {times[edit][-1]:.2f} s",
                file=sys.stderr,
                flush=True,
            )
            if i == 0:
                off = _opplan(cmd, scratch / f"{edit}-off", timeout, {"OPPLAN_CACHE": "off"})
                times[f"{cold}-off"] = [off["seconds"]]
                for name in ("stdout.txt", "stderr.txt"):
                    warm = (scratch / f"{edit}-{i}" / name).read_bytes()
                    same = same and warm == (scratch / f"{edit}-off" / name).read_bytes()
                    same = same and off["rc"] == r["rc"]
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        **med,
        "ratio": med["edit"] / med["cold"],
        "rollup_ratio": med["redit"] / med["rcold"],
        "same_output": same,
    }


def _stamps(out: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.iterdir()}


def _edit_one_team(cycle: Path) -> tuple[str, list[str]]:
    """Change the title of the first ask of the last team; its id and its ancestors' ids."""
    plans = sorted(cycle.rglob("plan.yaml"))
    team = next(p for p in reversed(plans) if not any(p.parent.glob("*/plan.yaml")))
    text = team.read_text()
    edited, n = re.subn(r"(?m)^(\s*-?\s*title: )(.*)$", r"\1Edited \2", text, count=1)
    assert n == 1, f"no title in {team}"
    team.write_text(edited)
    rel = team.parent.relative_to(cycle).parts
    return rel[-1], list(rel[:-1])


def bench_build(cycle: Path, scratch: Path, jobs: int, timeout: float, verify: bool) -> dict:
    """A full build, one team's edit, an incremental build; what the second one rewrote."""
    out = scratch / "out"
    full = _opplan(
        ["build", str(cycle), "--out", str(out), "--jobs", str(jobs)], scratch / "full", timeout
    )
    print(f"full build: {full['seconds']:.1f} s", file=sys.stderr, flush=True)
    before = _stamps(out)
    team, ancestors = _edit_one_team(cycle)
    again = _opplan(
        ["build", str(cycle), "--out", str(out), "--jobs", str(jobs)], scratch / "incr", timeout
    )
    print(f"incremental build: {again['seconds']:.2f} s", file=sys.stderr, flush=True)
    after = _stamps(out)
    rewritten = sorted(n for n, s in after.items() if before.get(n) != s and not n.startswith("."))
    expected = sorted(f"{nid}.{fmt}" for nid in [team, *ancestors] for fmt in ("docx", "xlsx"))
    result = {
        "full": full["seconds"],
        "incremental": again["seconds"],
        "ratio": again["seconds"] / full["seconds"],
        "documents": sum(1 for n in after if not n.startswith(".")),
        "rewritten": rewritten,
        "only_team_and_ancestors": rewritten == expected,
        "summary": (scratch / "incr" / "stderr.txt").read_text().strip().splitlines()[-1],
        "peak_mb": (full["peak_mb"], again["peak_mb"]),
    }
    if verify:
        fresh = scratch / "fresh"
        _opplan(
            ["build", str(cycle), "--out", str(fresh), "--jobs", str(jobs)], scratch / "v", timeout
        )
        names = sorted(n for n in after if not n.startswith("."))
        same, diff, errors = filecmp.cmpfiles(out, fresh, names, shallow=False)
        result["identical_to_full_build"] = not diff and not errors and len(same) == len(names)
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--teams", type=int, default=10000, help="size of the generated cycle")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--stages", default="check,build", help="comma-separated: check, edit-check, build"
    )
    ap.add_argument("--rounds", type=int, default=3, help="cold/warm pairs of check")
    ap.add_argument("--jobs", type=int, default=2, help="build worker processes")
    ap.add_argument("--verify", action="store_true", help="compare with a fresh full build")
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--cycle", type=Path, help="a cycle generated before (copied, not edited)")
    a = ap.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    generated = (
        a.cycle or run.cached_cycle(a.teams, a.seed, run.DEFAULT_CACHE.resolve(), False, log)[0]
    )
    scratch = Path(tempfile.mkdtemp(prefix="opplan-incremental-"))
    try:
        cycle = scratch / "cycle"
        shutil.copytree(generated, cycle, symlinks=True)
        stages = [s.strip() for s in a.stages.split(",") if s.strip()]
        print(f"cycle: {generated} ({sum(1 for _ in cycle.rglob('plan.yaml')):,} nodes)")
        if "check" in stages:
            c = bench_check(cycle, scratch, a.rounds, a.timeout)
            print(
                f"check: cold {c['cold']:.2f} s, warm {c['warm']:.2f} s, "
                f"warm/cold {c['ratio']:.1%}, same output: {c['same_output']}"
            )
        if "edit-check" in stages:
            e = bench_edit_check(cycle, scratch, a.rounds, a.timeout)
            print(
                f"edit-check: cold check {e['cold']:.2f} s, after one team's edit "
                f"{e['edit']:.2f} s, edit/cold {e['ratio']:.1%}; rollup --format json: cold "
                f"{e['rcold']:.2f} s, after an edit {e['redit']:.2f} s, edit/cold "
                f"{e['rollup_ratio']:.1%}; same output as OPPLAN_CACHE=off: {e['same_output']}"
            )
            print(
                f"with OPPLAN_CACHE=off: check {e['cold-off']:.2f} s, rollup {e['rcold-off']:.2f} s"
            )
        if "build" in stages:
            b = bench_build(cycle, scratch, a.jobs, a.timeout, a.verify)
            print(
                f"build: full {b['full']:.1f} s, after one team's edit {b['incremental']:.2f} s, "
                f"incremental/full {b['ratio']:.1%}; {b['documents']:,} files, rewritten: "
                f"{', '.join(b['rewritten'])}; only that team and its ancestors: "
                f"{b['only_team_and_ancestors']}"
            )
            print(f"build said: {b['summary']}")
            print(
                f"peak memory of the build's process: full {b['peak_mb'][0]:,.0f} MB, "
                f"after the edit {b['peak_mb'][1]:,.0f} MB"
            )
            if "identical_to_full_build" in b:
                print(f"identical to a fresh full build: {b['identical_to_full_build']}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
