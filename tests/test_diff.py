"""``opplan diff``: two versions of a cycle compared (docs/revisions.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import SAMPLE

from opplan import pipeline


def test_a_cycle_against_itself_has_no_changes() -> None:
    result = pipeline.diff(SAMPLE, SAMPLE)
    assert result.failed_side is None and result.diff is not None
    assert not result.diff.changed
    assert len(result.diff.nodes) == 34
    assert all(n.status == "same" and not n.changed for n in result.diff.nodes)


def test_a_smaller_budget_moves_asks_below_its_line_and_says_so(tmp_path: Path) -> None:
    new = tmp_path / "new"
    shutil.copytree(SAMPLE, new)
    plan = new / "northwind" / "payments" / "plan.yaml"
    text = plan.read_text()
    plan.write_text(
        text.replace(
            "budget: {headcount: 10, cost: 1900000}", "budget: {headcount: 8, cost: 1500000}"
        )
    )
    result = pipeline.diff(SAMPLE, new)
    assert result.diff is not None
    payments = result.diff.node("payments")
    assert payments is not None and payments.budget is not None
    assert payments.budget.text == "10 heads, 1,900,000.00 -> 8 heads, 1,500,000.00"
    assert [(m.ask, m.old, m.new) for m in payments.moves] == [
        ("kyc/eu-kyc", "above", "below"),
        ("payments/pci-program-tpm", "above", "below"),
    ]
    assert [c.text for c in payments.moves[0].causes] == [
        "budget at payments: 10 heads, 1,900,000.00 -> 8 heads, 1,500,000.00"
    ]
