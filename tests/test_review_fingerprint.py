"""A review workbook row's fingerprint: its text, and the asks' JSON made beside the roll-up."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import pytest

from opplan import pipeline
from opplan.load.loader import load
from opplan.model import ask_ref
from opplan.pipeline import checkpair
from opplan.render.xlsx.workbook import render_xlsx
from opplan.report.reviewkeys import (
    _amount,
    _decision,
    _TreeNode,
    ask_records,
    decisions_below,
    fingerprint,
    record_json,
    report_fingerprint,
)
from opplan.util import workers

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "northwind-op1-2027"


def _as_documented(ref, ask, requested, decisions) -> str:  # type: ignore[no-untyped-def]
    payload = {
        "ask": ref,
        "record": ask.model_dump(mode="json"),
        "requested": _amount(requested),
        "decisions": [[node, _decision(entry)] for node, entry in decisions],
    }
    text = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def test_the_fingerprint_is_the_hash_of_the_documented_json_text() -> None:
    """Put together from each value's JSON (with or without the ask's JSON made before),
    the text is the one ``json.dumps`` of the whole payload gives, for every row of every
    workbook of the sample (decisions of every kind on the way up)."""
    report = pipeline.rollup(SAMPLE).report
    cycle, _ = load(SAMPLE)
    assert report is not None
    nodes: dict[str, _TreeNode] = dict(cycle.nodes)
    seen = 0
    for top in report.nodes.values():
        for row in [*top.stack, *top.removed]:
            ask = report.nodes[row.node].asks[row.ask.split("/", 1)[1]]
            decisions = decisions_below(nodes, row.ask, row.node, top.id)
            expected = _as_documented(row.ask, ask, row.requested, decisions)
            assert fingerprint(row.ask, ask, row.requested, decisions) == expected
            made = record_json(ask)
            assert fingerprint(row.ask, ask, row.requested, decisions, made) == expected
            assert report_fingerprint(report.nodes, row.ask, row.node, top.id, row.requested) == (
                expected
            )
            seen += 1
    assert seen > 150
    assert any(e is not None for top in report.nodes.values() for e in top.decisions.values())


def test_ask_records_hold_every_ask_as_written() -> None:
    cycle, _ = load(SAMPLE)
    records = ask_records(cycle.nodes)
    asks = {
        ask_ref(nid, a.id): a
        for nid, node in cycle.nodes.items()
        if node.plan is not None
        for a in node.plan.incremental
    }
    assert records.keys() == asks.keys() and len(asks) > 40
    for ref, text in records.items():
        assert json.loads(text) == asks[ref].model_dump(mode="json")
        assert text == record_json(asks[ref])


def test_the_asks_json_is_made_beside_the_roll_up_and_changes_no_byte(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(checkpair, "PARALLEL_CHECKS", 1)
    monkeypatch.setattr(workers, "usable_cpus", lambda: 2)
    cycle, _ = load(SAMPLE)
    checks = checkpair.validate_and_roll_up(cycle)
    report = checks.report
    assert report is not None
    assert report.ask_json == ask_records(cycle.nodes)
    bare = dataclasses.replace(report, ask_json={})
    for nid in (report.root, *report.nodes[report.root].children[:2]):
        assert render_xlsx(report, nid) == render_xlsx(bare, nid)
    # and the workbook takes the JSON from the report: another text, another fingerprint
    ref = report.nodes[report.root].stack[0].ask
    other = dataclasses.replace(report, ask_json={**report.ask_json, ref: "{}"})
    assert render_xlsx(other, report.root) != render_xlsx(report, report.root)
