#!/usr/bin/env python3
"""A second version of a generated cycle, for the ``diff`` benchmark: a copy with edits.

    python benchmarks/revise.py SRC DST --seed 1

copies the cycle SRC (from benchmarks/synth.py) to DST and edits it as a planning round
would, in a fixed order driven by ``random.Random(seed)``: budgets cut by a tenth at one
manager in twenty (the root's included), the first ask of one team in a hundred retitled,
grown by a head or joined by a new ask ranked first, one goal target in a hundred moved,
a rank entry in fifty turned into a deferral, and three teams that no decision names moved
under another manager (outside any mandate's scope) (a directory move, as ``git mv`` makes). The result still checks
without errors. Importable: ``revise(src, dst, seed) -> dict`` returns the counts.
Standard library only; the YAML is edited as text.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from pathlib import Path

_BUDGET = re.compile(r"(budget: \{headcount: )(\d+)")
_COUNT = re.compile(r"(\n      - \{role: [^\n]*?count: )(\d+(?:\.\d+)?)")
_TITLE = re.compile(r"(\nincremental:\n  - id: [^\n]+\n    title: )([^\n]+)")
_TARGET = re.compile(r"(\n    target: )(-?\d+(?:\.\d+)?)")
_RANK = re.compile(r"(\n    [a-z0-9-]+/[a-z0-9-]+: )\{rank: \d+\}")
_SCOPE = re.compile(r"applies_to: \[([a-z0-9-]+)\]")
_DECIDED = re.compile(r"^    ([a-z0-9-]+)/[a-z0-9-]+: \{", re.MULTILINE)
NEW_ASK = (
    "incremental:\n"
    "  - id: bench-new-ask\n"
    "    title: A new ask from the planning round\n"
    "    headcount:\n"
    "      - {role: SDE, level: L5, location: SEA, count: 1, start: Q2}\n"
)


def revise(src: Path, dst: Path, seed: int = 1) -> dict[str, int]:
    """Copy ``src`` to ``dst`` and edit the copy; the counts of each kind of edit."""
    rng = random.Random(seed)
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    plans = sorted(dst.rglob("plan.yaml"))
    texts = {p: p.read_text(encoding="utf-8") for p in plans}
    counts = dict.fromkeys(
        ("budgets", "titles", "grown", "added", "targets", "deferred", "moved"), 0
    )

    def edit(path: Path, pattern: re.Pattern[str], new: str, key: str) -> None:
        text = texts[path]
        changed = pattern.sub(new, text, count=1)
        if changed != text:
            texts[path] = changed
            counts[key] += 1

    for p in plans:
        text = texts[p]
        roll = rng.random()
        m = _BUDGET.search(text)
        if m and (p.parent.parent == dst or roll < 0.05):
            cut = max(1, int(m[2]) * 9 // 10)
            edit(p, _BUDGET, rf"\g<1>{cut}", "budgets")
        if "\nincremental:\n" in text:
            if roll < 0.01:
                edit(p, _TITLE, r"\g<1>\g<2> (revised)", "titles")
            elif roll < 0.02:
                head = texts[p].index("\nincremental:\n")
                rest = texts[p][head:]
                grown = _COUNT.sub(lambda m: f"{m[1]}{float(m[2]) + 1:g}", rest, count=1)
                if grown != rest:
                    texts[p] = texts[p][:head] + grown
                    counts["grown"] += 1
            elif roll < 0.03:
                texts[p] = texts[p].replace("incremental:\n", NEW_ASK, 1)
                counts["added"] += 1
        if rng.random() < 0.01:
            edit(p, _TARGET, lambda m: f"{m[1]}{m[2]}1", "targets")  # type: ignore[arg-type]
        if rng.random() < 0.02:
            edit(
                p,
                _RANK,
                r"\g<1>{decision: defer, note: Revisited in the planning round}",
                "deferred",
            )
    decided = {nid for text in texts.values() for nid in _DECIDED.findall(text)}
    for p in plans:
        p.write_text(texts[p], encoding="utf-8")
    scope = set(_SCOPE.findall((dst / "cycle.yaml").read_text(encoding="utf-8")))

    def outside(d: Path) -> bool:  # a move in or out of a mandate's scope changes what it needs
        return scope.isdisjoint(d.relative_to(dst).parts)

    leaves = [p.parent for p in plans if not any(q.is_dir() for q in p.parent.iterdir())]
    movable = [d for d in leaves if d.name not in decided and outside(d)]
    managers = sorted({d.parent for d in leaves if outside(d.parent)})
    for team in rng.sample(movable, min(3, len(movable))):
        target = rng.choice([m for m in managers if m != team.parent and m.exists()])
        if len([c for c in team.parent.iterdir() if c.is_dir()]) > 1:
            team.rename(target / team.name)
            counts["moved"] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("dst", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    print(json.dumps(revise(a.src, a.dst, a.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
