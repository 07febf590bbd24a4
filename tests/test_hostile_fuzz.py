"""Issue 10: a seeded mutation fuzzer as a test (see :mod:`fuzzkit`).

``make test`` runs a few hundred cases; ``make fuzz`` runs thousands
(``FUZZ_CASES``). The invariant: no internal error, bounded time, and what
``check`` accepts, ``rollup`` and ``build`` handle. A failure prints the
seed and case that replay it (``FUZZ_SEED=... FUZZ_ONLY=...``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fuzzkit import run_fuzz, write_base

from opplan import pipeline
from opplan.model.diagnostics import Severity

SEED = os.environ.get("FUZZ_SEED", "2027")
CASES = int(os.environ.get("FUZZ_CASES", "300"))
ONLY = os.environ.get("FUZZ_ONLY")


def test_the_fuzz_base_cycle_is_clean(tmp_path: Path) -> None:
    write_base(tmp_path)
    diags = pipeline.check(tmp_path).diagnostics
    assert not [d.format() for d in diags if d.severity is Severity.ERROR]


def test_fuzz_no_internal_error_bounded_time_and_check_accepted_means_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPPLAN_DEBUG", raising=False)
    cases = range(int(ONLY), int(ONLY) + 1) if ONLY else range(CASES)
    tally = run_fuzz(tmp_path, SEED, cases)
    with capsys.disabled():
        print(
            f"\nfuzz seed {SEED}: {tally.cases} cases, {tally.accepted} accepted by check, "
            f"{tally.rendered} rendered, {len(tally.failures)} failures, "
            f"slowest case {tally.slowest:.1f} s"
        )
    assert not tally.failures, "\n\n".join(tally.failures[:5])
    assert tally.slowest < 60
