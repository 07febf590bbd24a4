"""The plan at a glance (the page opening every document's appendix): its figures are those
of ``opplan rollup --format json`` for the node, in its own view and in the approved plan,
and a team without a budget shows the approved plan's column only."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from docreadback import read_back

from opplan.narrative.filters import possessive
from opplan.render.docx.plan import search_path
from opplan.render.docx.writer import render_docx

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "northwind-op1-2027"


@pytest.fixture(scope="module")
def sample(sample_json, sample_report):
    return sample_json, sample_report


def _glance(lines: list[str]) -> dict[str, list[str]]:
    """The at-a-glance table of a read-back document: its rows by their first cell."""
    rows: dict[str, list[str]] = {}
    inside = False
    for line in lines:
        if not inside and line.startswith("| **Measure** |"):
            inside = True
            rows["Measure"] = [c.strip().strip("*") for c in line[2:-2].split(" | ")][1:]
            continue
        if inside:
            if not line.startswith("| "):
                if rows:
                    break
                continue
            cells = [c.strip().strip("*") for c in line[2:-2].split(" | ")]
            rows[cells[0]] = cells[1:]
    return rows


def _heads_money(cell: str) -> tuple[Decimal, Decimal]:
    if cell == "none":
        return Decimal(0), Decimal(0)
    heads, cost = cell.split(", ")
    return Decimal(heads.split()[0]), Decimal(cost.replace("$", "").replace(",", ""))


def test_every_node_opens_its_appendix_with_the_figures_of_the_rollup(sample):
    nodes, report = sample
    for nid, node in report.nodes.items():
        lines = read_back(render_docx(node, report, search_path(SAMPLE)))
        appendix = lines[lines.index("[Heading 1] Appendix") :]
        assert appendix[1] == f"[Heading 2] {node.name} at a glance", nid
        rows = _glance(appendix)
        data = nodes[nid]
        both = node.parent is not None and node.has_budget
        columns = ["In the approved plan"]
        if both:
            columns.insert(0, f"In {possessive(node.name)} view")
        assert rows["Measure"] == columns, nid
        funded = [_heads_money(c) for c in rows["Funded (2027)"]]
        views = [data["approved"]["incremental"]["funded"]]
        if both:
            views.insert(0, data["incremental"]["funded"])
        assert funded == [(Decimal(str(v["headcount"])), Decimal(v["cost"])) for v in views], nid
        flat = _heads_money(rows["Flat plan (a year)"][0])
        assert flat == (Decimal(str(data["flat"]["headcount"])), Decimal(data["flat"]["cost"]))
        assert rows["Capex, apart from cost"][0] == f"${Decimal(data['flat']['capex']):,.0f}"
        if node.has_budget:
            assert "Headroom at the line" in rows, nid


def test_a_team_without_a_budget_has_the_approved_column_only(sample):
    _, report = sample
    team = report.nodes["checkout"]
    assert not team.has_budget and not team.children
    lines = read_back(render_docx(team, report, search_path(SAMPLE)))
    rows = _glance(lines[lines.index("[Heading 1] Appendix") :])
    assert rows["Measure"] == ["In the approved plan"]
    assert "Budget" not in rows and "Headroom at the line" not in rows
