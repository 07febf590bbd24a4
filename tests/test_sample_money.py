"""Acceptance (issue 12, item 3): in every manager's document of the sample, the Resources
table's people plus other spend is the flat cost of ``opplan rollup --format json``, capex
is printed, and the appendix headcount table totals the people cost."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from docreadback import read_back

from opplan.render.docx.plan import search_path
from opplan.render.docx.writer import render_docx

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "northwind-op1-2027"


@pytest.fixture(scope="module")
def sample(sample_json, sample_report):
    return sample_json, sample_report


def _tables(lines: list[str]) -> list[list[list[str]]]:
    """Every table of a read-back document as rows of cells, bold markers dropped."""
    tables: list[list[list[str]]] = []
    for line in lines:
        if line.startswith("[table"):
            tables.append([])
        elif line.startswith("| ") and tables:
            tables[-1].append([c.strip().strip("*") for c in line[2:-2].split(" | ")])
    return tables


def _money(cell: str) -> Decimal:
    return Decimal(cell.replace("$", "").replace(",", ""))


def _row(table: list[list[str]], label: str) -> list[str]:
    found = [r for r in table if r[0] == label]
    assert len(found) == 1, (label, table)
    return found[0]


def _managers(report) -> list[str]:
    return [nid for nid, n in report.nodes.items() if n.children]


def test_the_sample_has_managers_with_and_without_capex(sample):
    nodes, report = sample
    capex = {nid: Decimal(nodes[nid]["flat"]["capex"]) for nid in _managers(report)}
    assert len(capex) == 11
    assert any(capex.values()) and not all(capex.values())


def test_every_managers_resources_reconcile_to_the_rollup(sample):
    nodes, report = sample
    for nid in _managers(report):
        lines = read_back(render_docx(report.nodes[nid], report, search_path(SAMPLE)))
        tables = _tables(lines)
        # the body's table (totals) and the appendix's (every role family and category)
        body, full = [t for t in tables if t[0][0] == "Resources"]
        flat = nodes[nid]["flat"]
        for resources in (body, full):
            people = _money(_row(resources, "People")[2])
            spend_rows = [r for r in resources if r[0] == "Other spend"]
            spend = _money(spend_rows[0][2]) if spend_rows else Decimal(0)
            assert people + spend == Decimal(flat["cost"]), nid
            assert _money(_row(resources, "Flat plan")[2]) == Decimal(flat["cost"]), nid
            assert _row(resources, "Flat plan")[1] == str(flat["headcount"]), nid
            capex = _row(resources, "Capex, apart from cost")
            assert _money(capex[2]) == Decimal(flat["capex"]), nid
        roles = [_money(r[2]) for r in full if r[0].startswith("People: ")]
        assert roles and sum(roles) == people, nid
        assert not any(r[0].startswith("People: ") for r in body), nid
        [headcount] = [t for t in tables if t[0][:2] == ["Team", "Role"]]
        total = _row(headcount, "Total")
        assert _money(total[-1]) == people, nid
        assert total[-2] == str(flat["headcount"]), nid
        text = "\n".join(lines)
        assert "the table totals people only" in text, nid


def test_the_roots_figures_are_whole(sample):
    """The issue's figures: $60.4M of people, $24.4M of other spend, $1.95M of capex."""
    _, report = sample
    res = report.nodes[report.root].resources
    assert res.people_total.cost == Decimal("60385000.00")
    assert res.spend_total.cost == Decimal("24370000.00")
    assert res.capex_total == Decimal("1950000.00")
    lines = read_back(render_docx(report.nodes[report.root], report, search_path(SAMPLE)))
    text = "\n".join(lines)
    assert "costing $60.4M a year in people; the table totals people only." in text
    assert "Other spend of $24.4M and capex of $1,950,000 are separate" in text
