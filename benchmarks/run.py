#!/usr/bin/env python3
"""Benchmark opplan commands on synthetic planning cycles.

    python benchmarks/run.py                                  # check on 1,000 and 10,000 teams
    python benchmarks/run.py --teams 1000 --stages check,rollup,build
    python benchmarks/run.py --json results.json --keep /tmp/bench-out

Each size is generated once by benchmarks/synth.py and cached under benchmarks/.cache/
(keyed by size, seed and a hash of synth.py). Every timed command runs as its own
subprocess, ``sys.executable -m opplan ...``, started by a tiny wrapper process that measures
its wall time (time.perf_counter) and its peak RSS (getrusage(RUSAGE_CHILDREN).ru_maxrss), so
the peak belongs to that one command and not to anything run before it.

Stages are rows of the STAGES table below; add one by appending a Stage.
Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_CACHE = BENCH / ".cache"

sys.path.insert(0, str(BENCH))
import synth  # noqa: E402

# --------------------------------------------------------------------------- stage table


@dataclass
class Ctx:
    """What a stage's argv builder may use."""

    cycle: Path  # the generated cycle directory
    work: Path  # a scratch directory for this (size, stage, repeat); kept with --keep
    teams: int


@dataclass
class Target:
    text: str  # shown in the table
    teams: int | None = None  # the size the target is defined at (None: every size)
    seconds: float | None = None
    peak_mb: float | None = None
    minus_stage: str | None = (
        None  # compare (this stage - that stage) seconds, e.g. "beyond loading"
    )
    ratio_of: str | None = None  # compare (this stage / that stage) seconds, same run
    max_ratio: float | None = None


@dataclass
class Stage:
    name: str
    help: str
    argv: Callable[[Ctx], list[str]]  # arguments after `python -m opplan`
    target: Target
    ok_codes: tuple[int, ...] = (0,)
    stdout_devnull: bool = False  # send stdout to /dev/null instead of a log file
    subcommand: str | None = None  # probed with `<subcommand> --help`; skipped if missing


STAGES: list[Stage] = [
    Stage(
        name="check",
        help="opplan check DIR: load, validate, apply policies (exit 0 or 1 are both fine)",
        argv=lambda c: ["check", str(c.cycle)],
        ok_codes=(0, 1),
        subcommand="check",
        target=Target("10,000 teams <= 15 s, <= 2 GB", teams=10000, seconds=15, peak_mb=2048),
    ),
    # ---- rollup: runs once `opplan rollup` exists (skipped with a note before that).
    Stage(
        name="rollup",
        help="opplan rollup DIR --format json > /dev/null: load + validate + roll-up engine",
        argv=lambda c: ["rollup", str(c.cycle), "--format", "json"],
        ok_codes=(0, 1),
        stdout_devnull=True,
        subcommand="rollup",
        target=Target(
            "10,000 teams: engine <= 5 s beyond loading (rollup - check)",
            teams=10000,
            seconds=5,
            minus_stage="check",
        ),
    ),
    # ---- build: runs once `opplan build` exists (skipped with a note before that).
    Stage(
        name="build",
        help="opplan build DIR --out TMP --jobs 2: every node's .docx and .xlsx",
        argv=lambda c: ["build", str(c.cycle), "--out", str(c.work / "out"), "--jobs", "2"],
        ok_codes=(0, 1),
        subcommand="build",
        target=Target("1,000 teams --jobs 2 <= 60 s", teams=1000, seconds=60),
    ),
]


def revised_cycle(c: Ctx) -> Path:
    """The second version of the generated cycle for ``diff`` (benchmarks/revise.py), made
    once beside the cached cycle (keyed by a hash of revise.py)."""
    import revise

    digest = hashlib.sha256((BENCH / "revise.py").read_bytes()).hexdigest()[:10]
    out = c.cycle.parent / f"{c.cycle.name}-revised-{digest}"
    if not out.is_dir() and c.work.name != "TMP":
        tmp = c.cycle.parent / f".{out.name}.tmp"
        revise.revise(c.cycle, tmp, seed=1)
        os.rename(tmp, out)
    return out


STAGES.append(
    Stage(
        name="diff",
        help="opplan diff DIR DIR2 --format json > /dev/null: two versions (benchmarks/revise.py)",
        argv=lambda c: ["diff", str(c.cycle), str(revised_cycle(c)), "--format", "json"],
        ok_codes=(0,),
        stdout_devnull=True,
        subcommand="diff",
        target=Target(
            "10,000 teams: diff of two versions <= 2x rollup (same run)",
            teams=10000,
            ratio_of="rollup",
            max_ratio=2.0,
        ),
    )
)
STAGE_BY_NAME = {s.name: s for s in STAGES}

# --------------------------------------------------------------------------- measuring

# Runs in its own interpreter: argv = result.json stdout-path stderr-path timeout cmd...
# RUSAGE_CHILDREN covers the waited-for child (and whatever it waited for), nothing else.
WRAPPER = r"""
import json, resource, subprocess, sys, time
res, out, err, timeout = sys.argv[1:5]
cmd = sys.argv[5:]
timed_out = False
with open(out, "wb") as so, open(err, "wb") as se:
    t0 = time.perf_counter()
    try:
        rc = subprocess.run(cmd, stdout=so, stderr=se, stdin=subprocess.DEVNULL,
                            timeout=float(timeout) or None).returncode
    except subprocess.TimeoutExpired:
        rc, timed_out = None, True
    seconds = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(res, "w") as f:
    json.dump({"rc": rc, "seconds": seconds, "maxrss": ru.ru_maxrss, "user": ru.ru_utime,
               "sys": ru.ru_stime, "timed_out": timed_out}, f)
"""


def _rss_mb(maxrss: int) -> float:
    # Linux reports KiB, macOS bytes.
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


def child_env(code: Path = REPO) -> dict:
    env = dict(os.environ)
    # Use the working tree's package (or another checkout's) even when it is not installed.
    env["PYTHONPATH"] = os.pathsep.join(
        [str(code)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    return env


def measure(
    cmd: list[str], work: Path, timeout: float, stdout_devnull: bool, code: Path = REPO
) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    res = work / "result.json"
    out = os.devnull if stdout_devnull else str(work / "stdout.txt")
    err = str(work / "stderr.txt")
    subprocess.run(
        [sys.executable, "-c", WRAPPER, str(res), out, err, str(timeout), *cmd],
        env=child_env(code),
        cwd=str(code),
        check=True,
    )
    r = json.loads(res.read_text())
    r["peak_mb"] = _rss_mb(r.pop("maxrss"))
    r["stderr_tail"] = _tail(Path(err))
    return r


def _tail(p: Path, lines: int = 8) -> str:
    try:
        data = p.read_bytes()[-4000:].decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])


def probe(module: str, args: list[str]) -> tuple[int, str]:
    p = subprocess.run(
        [sys.executable, "-m", module, *args],
        env=child_env(),
        cwd=str(REPO),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return p.returncode, (p.stderr or p.stdout).strip()


# --------------------------------------------------------------------------- cycles


def synth_digest() -> str:
    return hashlib.sha256((BENCH / "synth.py").read_bytes()).hexdigest()[:10]


def cached_cycle(teams: int, seed: int, cache: Path, regen: bool, log) -> tuple[Path, dict]:
    """The generated cycle for (teams, seed), generating it on a miss. Returns (dir, stats)."""
    key = f"teams-{teams}-seed-{seed}-{synth_digest()}"
    d = cache / key
    stats_file = cache / f"{key}.json"
    if regen and d.exists():
        shutil.rmtree(d)
    if d.is_dir() and stats_file.is_file():
        stats = json.loads(stats_file.read_text())
        stats["cached"] = True
        return d, stats
    cache.mkdir(parents=True, exist_ok=True)
    # stale entries of the same size and seed (older synth.py)
    for old in cache.glob(f"teams-{teams}-seed-{seed}-*"):
        if old.name not in (key, f"{key}.json"):
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    log(f"generating {teams:,} teams (seed {seed}) ...")
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=cache))
    try:
        stats = synth.generate(tmp / "cycle", teams, seed)
        if d.exists():
            shutil.rmtree(d)
        os.rename(tmp / "cycle", d)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    stats_file.write_text(json.dumps(stats, indent=2) + "\n")
    log(
        f"  {stats['nodes']:,} nodes, {stats['asks']:,} asks, {stats['bytes'] / 1e6:.1f} MB "
        f"in {stats['seconds']:.1f} s -> {d}"
    )
    stats["cached"] = False
    return d, stats


# --------------------------------------------------------------------------- report


def verdict(row: dict, rows: list[dict]) -> str:
    if row.get("skipped"):
        return "skipped"
    if row["timed_out"]:
        return "TIMEOUT"
    if not row["ok"]:
        return f"ERROR (exit {row['rc']})"
    t: Target = STAGE_BY_NAME[row["stage"]].target
    if t.ratio_of:
        return _ratio_verdict(row, rows, t)
    if t.teams is not None and t.teams != row["teams"]:
        return "-"
    secs = row["seconds"]
    extra = ""
    if t.minus_stage:
        base = next(
            (
                r
                for r in rows
                if r["teams"] == row["teams"] and r["stage"] == t.minus_stage and r.get("ok")
            ),
            None,
        )
        if base is None:
            return f"n/a (run with {t.minus_stage})"
        secs = row["seconds"] - base["seconds"]
        extra = f" ({row['stage']} - {t.minus_stage} = {secs:.2f} s)"
    fails = []
    if t.seconds is not None and secs > t.seconds:
        fails.append("time")
    if t.peak_mb is not None and row["peak_mb"] > t.peak_mb:
        fails.append("memory")
    return ("FAIL: " + ", ".join(fails) if fails else "PASS") + extra


def _ratio_verdict(row: dict, rows: list[dict], t: Target) -> str:
    """This stage's seconds over another stage's on the same size in the same run."""
    base = next(
        (
            r
            for r in rows
            if r["teams"] == row["teams"] and r["stage"] == t.ratio_of and r.get("ok")
        ),
        None,
    )
    if base is None:
        return f"n/a (run with {t.ratio_of})"
    ratio = row["seconds"] / base["seconds"]
    text = f"({row['stage']} / {t.ratio_of} = {ratio:.2f})"
    if t.teams is not None and t.teams != row["teams"]:
        return f"- {text}"
    ok = t.max_ratio is None or ratio <= t.max_ratio
    return ("PASS " if ok else "FAIL: time ") + text


def markdown(rows: list[dict]) -> str:
    out = [
        "| teams | nodes | stage | exit | seconds | peak MB | target | result |",
        "| ---: | ---: | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        t = STAGE_BY_NAME[r["stage"]].target.text
        if r.get("skipped"):
            out.append(
                f"| {r['teams']:,} | {r['nodes']:,} | {r['stage']} | | | | {t} | skipped: {r['skipped']} |"
            )
            continue
        rc = "" if r["rc"] is None else str(r["rc"])
        out.append(
            f"| {r['teams']:,} | {r['nodes']:,} | {r['stage']} | {rc} | {r['seconds']:.2f} | "
            f"{r['peak_mb']:,.0f} | {t} | {r['verdict']} |"
        )
    return "\n".join(out)


# --------------------------------------------------------------------------- main


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="stages:\n" + "\n".join(f"  {s.name:8} {s.help}" for s in STAGES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--teams", default="1000,10000", help="comma-separated sizes (default 1000,10000)"
    )
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--stages", default="check", help="comma-separated stages (default check)")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per stage; the table shows the fastest, and the largest peak RSS",
    )
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per command (0: none)")
    ap.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep each command's stdout/stderr/result and build output under DIR",
    )
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    ap.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help="cycle cache (default benchmarks/.cache)"
    )
    ap.add_argument("--regen", action="store_true", help="regenerate cycles even if cached")
    ap.add_argument("--module", default="opplan", help=argparse.SUPPRESS)  # for testing the harness
    ap.add_argument("--fail-on-target", action="store_true", help="exit 1 when a target is missed")
    a = ap.parse_args(argv)
    try:
        a.sizes = [int(x.replace("_", "")) for x in a.teams.split(",") if x.strip()]
    except ValueError:
        ap.error(f"--teams: expected comma-separated integers, got {a.teams!r}")
    if not a.sizes or min(a.sizes) < 1:
        ap.error("--teams: sizes must be >= 1")
    a.stage_list = [s.strip() for s in a.stages.split(",") if s.strip()]
    unknown = [s for s in a.stage_list if s not in STAGE_BY_NAME]
    if unknown or not a.stage_list:
        ap.error(
            f"--stages: unknown {', '.join(unknown) or '(empty)'}; choose from {', '.join(STAGE_BY_NAME)}"
        )
    if a.repeat < 1:
        ap.error("--repeat must be >= 1")
    return a


def main(argv=None) -> int:
    a = parse_args(argv)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    # 1. Can `python -m opplan` start at all?
    rc, msg = probe(a.module, ["--help"])
    if rc != 0:
        log(
            f"run.py: `{Path(sys.executable).name} -m {a.module} --help` failed with exit code {rc}, "
            f"so there is nothing to benchmark yet.\n"
            f"  interpreter: {sys.executable}\n"
            f"  PYTHONPATH : {REPO} (prepended)\n"
            f"  output     : "
            + ("\n               ".join(msg.splitlines()[-6:]) or "(none)")
            + "\n"
            f"Make sure the package imports and has {a.module}/__main__.py, and that its dependencies "
            f"are installed (e.g. `pip install -e .` in {REPO})."
        )
        return 2

    # 2. Which stages' subcommands exist?
    missing: dict[str, str] = {}
    for name in a.stage_list:
        st = STAGE_BY_NAME[name]
        if st.subcommand:
            src, smsg = probe(a.module, [st.subcommand, "--help"])
            if src != 0:
                missing[name] = f"`{a.module} {st.subcommand}` not available"
                log(
                    f"run.py: skipping stage {name}: `{a.module} {st.subcommand} --help` exited {src}: "
                    f"{(smsg.splitlines() or [''])[-1]}"
                )

    keep_root = a.keep.resolve() if a.keep else None
    scratch = keep_root or Path(tempfile.mkdtemp(prefix="opplan-bench-"))
    rows: list[dict] = []
    gens: list[dict] = []
    try:
        for teams in a.sizes:
            cycle, stats = cached_cycle(teams, a.seed, a.cache.resolve(), a.regen, log)
            gens.append(stats)
            for name in a.stage_list:
                st = STAGE_BY_NAME[name]
                base = {"teams": teams, "nodes": stats["nodes"], "stage": name}
                if name in missing:
                    rows.append({**base, "skipped": missing[name]})
                    continue
                runs = []
                for i in range(a.repeat):
                    work = (
                        scratch / f"teams-{teams}" / (name if a.repeat == 1 else f"{name}-{i + 1}")
                    )
                    if work.exists():
                        shutil.rmtree(work)
                    ctx = Ctx(cycle=cycle, work=work, teams=teams)
                    cmd = [sys.executable, "-m", a.module, *st.argv(ctx)]
                    log(
                        f"[{teams:,} teams] {name}"
                        + (f" run {i + 1}/{a.repeat}" if a.repeat > 1 else "")
                        + f": {' '.join(cmd[1:])}"
                    )
                    r = measure(cmd, work, a.timeout, st.stdout_devnull)
                    r["ok"] = (not r["timed_out"]) and r["rc"] in st.ok_codes
                    log(
                        f"  {'timed out' if r['timed_out'] else 'exit ' + str(r['rc'])}, {r['seconds']:.2f} s, "
                        f"peak {r['peak_mb']:,.0f} MB"
                        + ("" if r["ok"] else "  <-- FAILED\n" + _indent(r["stderr_tail"]))
                    )
                    runs.append(r)
                    if not keep_root:
                        shutil.rmtree(work, ignore_errors=True)
                best = min(runs, key=lambda r: (not r["ok"], r["seconds"]))
                rows.append(
                    {
                        **base,
                        "rc": best["rc"],
                        "ok": all(r["ok"] for r in runs),
                        "timed_out": any(r["timed_out"] for r in runs),
                        "seconds": best["seconds"],
                        "median_seconds": statistics.median(r["seconds"] for r in runs),
                        "peak_mb": max(r["peak_mb"] for r in runs),
                        "user_seconds": best["user"],
                        "sys_seconds": best["sys"],
                        "runs": len(runs),
                        "command": " ".join(
                            [
                                "python",
                                "-m",
                                a.module,
                                *st.argv(Ctx(cycle=cycle, work=Path("TMP"), teams=teams)),
                            ]
                        ),
                    }
                )
    finally:
        if not keep_root:
            shutil.rmtree(scratch, ignore_errors=True)

    for r in rows:
        r["verdict"] = verdict(r, rows)
        r["target"] = STAGE_BY_NAME[r["stage"]].target.text
    print(markdown(rows))

    if a.json:
        doc = {
            "seed": a.seed,
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "commit": _git_commit(),
            "generated": gens,
            "results": rows,
        }
        a.json.write_text(json.dumps(doc, indent=2) + "\n")
        log(f"wrote {a.json}")

    failed = [r for r in rows if not r.get("skipped") and not r["ok"]]
    missed = [r for r in rows if r["verdict"].startswith("FAIL")]
    if failed or (a.fail_on_target and missed):
        return 1
    return 0


def _indent(s: str) -> str:
    return "\n".join("    " + line for line in s.splitlines())


def _git_commit() -> str | None:
    try:
        p = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=str(REPO), capture_output=True, text=True, timeout=10
        )
        return p.stdout.strip() or None if p.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


if __name__ == "__main__":
    sys.exit(main())
