"""Issue 12, acceptance 2: the line, checkable. For every node of the sample, read back
from its Word document: the budget used at the line equals the funded totals of
``opplan rollup --format json``, the headroom is printed in every budget dimension, and no
count of asks below the line includes an ask funded by decision."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from click.testing import CliRunner
from conftest import REPO
from docreadback import read_back

from opplan import pipeline
from opplan.cli import cli
from opplan.narrative.templating import headcount, plural
from opplan.render.docx.grids import money
from opplan.render.docx.plan import search_path
from opplan.render.docx.writer import render_docx

SAMPLE = REPO / "samples" / "northwind-op1-2027"


@pytest.fixture(scope="module")
def sample():
    out = CliRunner().invoke(cli, ["rollup", str(SAMPLE), "--format", "json"])
    assert out.exit_code == 0
    contract = {n["id"]: n for n in json.loads(out.stdout)["nodes"]}
    report = pipeline.rollup(SAMPLE).report
    assert report is not None
    docs = {
        nid: read_back(render_docx(node, report, search_path(SAMPLE)))
        for nid, node in report.nodes.items()
    }
    return contract, report, docs


def _cells(line: str) -> list[str]:
    return [c.strip().strip("*") for c in line.strip().strip("|").split("|")]


def _tables(lines: list[str]) -> list[list[list[str]]]:
    """Every stack table (its header has a '#' and an 'Ask' column), as rows of cells."""
    out, current = [], None
    for line in lines:
        if line.startswith("[table"):
            current = []
            out.append(current)
        elif line.startswith("|") and current is not None:
            current.append(_cells(line))
        else:
            current = None
    return [t for t in out if t and t[0][:2] == ["#", "Ask"]]


def test_the_budget_used_at_the_line_is_the_funded_total(sample):
    contract, report, docs = sample
    checked = 0
    for nid, entry in contract.items():
        funded = entry["incremental"]["funded"]
        # the contract: the line's used, and the last ask above it, are the funded totals
        assert entry["line"]["used"] == {k: funded[k] for k in ("headcount", "cost")}, nid
        above = [e for e in entry["stack"] if e["status"] == "above" and not e["forced"]]
        if above:
            assert above[-1]["used"] == entry["line"]["used"], nid
        if not report.nodes[nid].has_budget or not entry["stack"]:
            continue
        full = _tables(docs[nid])[-1]  # the appendix's full stack
        header = full[0]
        used_hc, used_cost = header.index("Used HC"), header.index("Used cost")
        rows = [r for r in full[1:] if len(r) == len(header) and r[0].isdigit()]
        status = header.index("Status")
        last = [r for r in rows if r[status] == "above"]
        want = (headcount(Decimal(str(funded["headcount"]))), money(Decimal(funded["cost"]), "USD"))
        if last:
            assert (last[-1][used_hc], last[-1][used_cost]) == want, nid
        for r in rows:  # forced asks are in every Used figure, counted first
            if r[status].endswith("by decision"):
                assert (r[used_hc], r[used_cost]) == ("\u2014", "\u2014"), nid
        checked += 1
    assert checked >= 10


def test_headroom_is_printed_in_every_budget_dimension(sample):
    contract, report, docs = sample
    for nid, entry in contract.items():
        node = report.nodes[nid]
        if not node.has_budget or node.over_budget is not None or not node.stack:
            continue
        room = entry["line"]["headroom"]
        parts = []
        if room["headcount"] is not None:
            parts.append(plural(Decimal(str(room["headcount"])), "head"))
        if room["cost"] is not None:
            parts.append(money(Decimal(room["cost"]), "USD"))
        phrase = " and ".join(parts)
        text = "\n".join(docs[nid])
        assert f"a headroom of {phrase}" in text, nid  # the body's prose
        if node.line.first_below is not None:
            assert f"; headroom {phrase}." in text, nid  # the line drawn in the table


def test_no_count_of_asks_below_includes_a_funded_ask(sample):
    _, report, docs = sample
    counts = re.compile(
        r"(\d+) (above the line|funded by decision|below the line|with no line drawn)"
    )
    seen = 0
    for nid, lines in docs.items():
        stack = report.nodes[nid].stack
        for table in _tables(lines):
            shown = [int(r[0]) for r in table[1:] if r[0].isdigit()]
            for row in table[1:]:
                text = row[0]
                if "more ask" in text:
                    elided = [r for r in stack if r.position > max(shown)]
                elif "ranked higher" in text:
                    elided = [r for r in stack if r.position < min(shown)]
                else:
                    continue
                said = {kind: int(n) for n, kind in counts.findall(text)}
                below = sum(1 for r in elided if r.status == "below" and not r.forced)
                forced = sum(1 for r in elided if r.forced)
                assert said.get("below the line", 0) == below, (nid, text)
                assert said.get("funded by decision", 0) == forced, (nid, text)
                assert sum(said.values()) == len(elided), (nid, text)
                seen += 1
        assert not any("more asks below" in line for line in lines), nid
    assert seen >= 5  # the sample's large stacks are elided in their bodies
