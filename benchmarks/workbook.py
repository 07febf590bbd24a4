#!/usr/bin/env python3
"""Benchmark the review workbook: write and import ``<id>.xlsx`` for a node with 10,000 asks.

    python benchmarks/workbook.py                 # 10,000 asks: 100 teams x 100 asks
    python benchmarks/workbook.py --asks 2000 --json out.json

Targets (issue 5): the workbook of a node whose stack holds 10,000 asks is
written in at most 10 s, and a reviewed copy (100 rows edited) is imported in
at most 10 s. Writing is ``render_xlsx`` (the roll-up is not counted, it has
its own target); importing is the whole ``opplan review import`` library call:
hostile-file checks, reading the workbook, loading the cycle, fingerprints,
the ruamel.yaml round trip, validation and the atomic write. Exits 1 when a
target is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

WRITE_TARGET = 10.0
IMPORT_TARGET = 10.0


def make_cycle(base: Path, teams: int, per_team: int) -> Path:
    """A cycle: root ``big`` (a budget) with ``teams`` teams of ``per_team`` asks each."""
    base.mkdir(parents=True, exist_ok=True)
    (base / "cycle.yaml").write_text(
        "name: Bench OP1 2027\nkind: OP1\nyear: 2027\ncurrency: USD\nas_of: 2026-09-15\n"
        "rates:\n  default: 200000\n  by:\n    - {role: SDE, cost: 210000}\n",
        encoding="utf-8",
    )
    root = base / "big"
    root.mkdir(exist_ok=True)
    (root / "plan.yaml").write_text(
        "# The org under test.\nname: Big\nowner: Bea Big\nheadcount:\n"
        "  - {role: SDM, count: 1}\nreview:\n"
        f"  budget: {{headcount: {teams * per_team // 2}}}\n",
        encoding="utf-8",
    )
    for t in range(teams):
        team = root / f"team-{t:04d}"
        team.mkdir(exist_ok=True)
        lines = [
            f"name: Team {t}",
            f"owner: Owner {t}",
            "headcount:",
            "  - {role: SDE, level: L5, count: 6}",
            "incremental:",
        ]
        for a in range(per_team):
            start = 1 + (a % 4) * 3
            lines.append(
                f"  - {{id: ask-{a:03d}, title: Ask {a} of team {t}, "
                f"headcount: [{{role: SDE, count: {1 + a % 2}, start: {start}}}], "
                f"spend: {{tools: {1000 * (a % 7)}}}}}"
            )
        (team / "plan.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return base


def edit(workbook: Path, out: Path, rows: int) -> int:
    """Edit ``rows`` Stack rows as a manager would (fund, cut, partial, rank, note)."""
    import openpyxl

    wb = openpyxl.load_workbook(workbook)
    ws = wb["Stack"]
    col = {c.value: c.column for c in ws[1]}
    edited = 0
    for r in range(2, ws.max_row + 1, max(1, (ws.max_row - 1) // rows)):
        if edited == rows:
            break
        kind = edited % 4
        if kind == 0:
            ws.cell(r, col["Decision"]).value = "fund"
        elif kind == 1:
            ws.cell(r, col["Decision"]).value = "cut"
        elif kind == 2:
            ws.cell(r, col["Decision"]).value = "partial"
            ws.cell(r, col["Partial headcount"]).value = 0.5
        else:
            ws.cell(r, col["Rank"]).value = edited
        ws.cell(r, col["Note"]).value = f"Benchmark edit {edited}."
        edited += 1
    wb.save(out)
    return edited


def run(asks: int, edits: int, keep: Path | None) -> dict:
    """Build, write, edit and import; return the measurements."""
    from opplan import pipeline
    from opplan.engine.rollup import rollup
    from opplan.render.xlsx.workbook import render_xlsx
    from opplan.review.importer import import_review

    per_team = 100 if asks >= 100 else asks
    teams = max(1, asks // per_team)
    with tempfile.TemporaryDirectory(prefix="opplan-bench-wb-") as tmp:
        base = keep or Path(tmp)
        cycle_dir = make_cycle(base / "cycle", teams, per_team)
        t0 = time.perf_counter()
        report = rollup(pipeline.check(cycle_dir).cycle)
        rolled = time.perf_counter() - t0
        stack = len(report.nodes["big"].stack)

        book = base / "big.xlsx"
        with _Timer() as write:
            data = render_xlsx(report, "big")
            book.write_bytes(data)
        with _Timer() as unedited:
            assert not import_review(book, cycle_dir).changes
        edited = base / "big-edited.xlsx"
        n = edit(book, edited, edits)
        with _Timer() as imported:
            result = import_review(edited, cycle_dir)
        assert len(result.changes) == n, (len(result.changes), n)
    return {
        "asks": stack,
        "teams": teams,
        "rollup_s": round(rolled, 2),
        "write_s": write.wall,
        "write_cpu_s": write.cpu,
        "xlsx_bytes": len(data),
        "import_unedited_s": unedited.wall,
        "import_unedited_cpu_s": unedited.cpu,
        "edited_rows": n,
        "import_edited_s": imported.wall,
        "import_edited_cpu_s": imported.cpu,
        "write_target_s": WRITE_TARGET,
        "import_target_s": IMPORT_TARGET,
    }


class _Timer:
    """Wall and CPU seconds of a block (CPU shows the work when the machine is busy)."""

    def __enter__(self) -> _Timer:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = round(time.perf_counter() - self._wall, 2)
        self.cpu = round(time.process_time() - self._cpu, 2)


def main(argv: list[str] | None = None) -> int:
    """Command line entry: print the figures, exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--asks", type=int, default=10_000, help="asks in the node's stack")
    parser.add_argument("--edits", type=int, default=100, help="rows the 'manager' edits")
    parser.add_argument("--keep", type=Path, help="keep the cycle and workbooks here")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    figures = run(args.asks, args.edits, args.keep)
    for key, value in figures.items():
        print(f"{key:>18}: {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    slow = (
        figures["write_s"] > WRITE_TARGET
        or figures["import_edited_s"] > IMPORT_TARGET
        or figures["import_unedited_s"] > IMPORT_TARGET
    )
    print("verdict:", "MISSED a target" if slow else "within targets")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
