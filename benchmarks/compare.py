"""Compare this working tree with another checkout on the same generated cycle, in one run.

On a shared or noisy machine absolute seconds drift from run to run; a ratio measured by
alternating the two versions (A B B A ...) on the same input does not. Use it to show that a
change keeps (or improves) a benchmark target:

    git worktree add --detach /tmp/opplan-base main
    python benchmarks/compare.py --against /tmp/opplan-base --teams 10000 --stages check,rollup

Prints one row per stage: the median wall seconds and CPU seconds (user + system, which drift
less than wall time when other processes compete for the cores) of each version, their ratios
(this tree / the other) and peak memory. Standard library only.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--against", type=Path, required=True, help="the other checkout (a directory)")
    ap.add_argument("--teams", type=int, default=10000, help="size of the generated cycle")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--stages", default="check,rollup", help="comma-separated: check, rollup")
    ap.add_argument("--rounds", type=int, default=3, help="runs of each version per stage")
    ap.add_argument("--timeout", type=float, default=1800)
    a = ap.parse_args(argv)
    other = a.against.resolve()
    if not (other / "opplan" / "__init__.py").is_file():
        ap.error(f"--against: {other} is not an opplan checkout")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    cycle, stats = run.cached_cycle(a.teams, a.seed, run.DEFAULT_CACHE.resolve(), False, log)
    versions = {"this tree": run.REPO, "against": other}
    rows = []
    scratch = Path(tempfile.mkdtemp(prefix="opplan-compare-"))
    try:
        for name in [s.strip() for s in a.stages.split(",") if s.strip()]:
            st = run.STAGE_BY_NAME[name]
            seconds: dict[str, list[float]] = {v: [] for v in versions}
            cpu: dict[str, list[float]] = {v: [] for v in versions}
            peak: dict[str, float] = dict.fromkeys(versions, 0.0)
            for i in range(a.rounds):
                order = list(versions) if i % 2 == 0 else list(reversed(versions))
                for label in order:
                    work = scratch / f"{name}-{label.replace(' ', '-')}-{i}"
                    ctx = run.Ctx(cycle=cycle, work=work, teams=a.teams)
                    cmd = [sys.executable, "-m", "opplan", *st.argv(ctx)]
                    r = run.measure(cmd, work, a.timeout, st.stdout_devnull, versions[label])
                    if r["timed_out"] or r["rc"] not in st.ok_codes:
                        log(f"{label} {name} failed (exit {r['rc']}):\n{r['stderr_tail']}")
                        return 1
                    log(
                        f"[{name} round {i + 1}] {label}: {r['seconds']:.2f} s, "
                        f"CPU {r['user'] + r['sys']:.2f} s"
                    )
                    seconds[label].append(r["seconds"])
                    cpu[label].append(r["user"] + r["sys"])
                    peak[label] = max(peak[label], r["peak_mb"])
                    shutil.rmtree(work, ignore_errors=True)
            mine, theirs = (statistics.median(seconds[v]) for v in versions)
            cmine, ctheirs = (statistics.median(cpu[v]) for v in versions)
            rows.append((name, mine, theirs, cmine, ctheirs, peak["this tree"], peak["against"]))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{a.teams:,} teams ({stats['nodes']:,} nodes), median of {a.rounds} alternating runs")
    print(
        "| stage | wall s (this / against) | ratio | CPU s (this / against) | ratio "
        "| peak MB (this / against) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, mine, theirs, cmine, ctheirs, pm, pt in rows:
        print(
            f"| {name} | {mine:.2f} / {theirs:.2f} | {mine / theirs:.2f} "
            f"| {cmine:.2f} / {ctheirs:.2f} | {cmine / ctheirs:.2f} | {pm:,.0f} / {pt:,.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
