"""LibreOffice recalculates the workbooks: every formula gives the engine's figure.

Acceptance 1 of the review-workbook issue: the sample root's and a team's
workbooks (and the small review org's), converted by headless LibreOffice with
recalculation forced, hold in every formula cell the roll-up engine's figure
and no error value anywhere. Skipped without LibreOffice, except in CI.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import REPO
from reviewkit import make_cycle, need_libreoffice, rollup_of

from opplan.model.costing import Amount
from opplan.render.xlsx.workbook import render_xlsx
from opplan.report.records import NodeReport, Report
from opplan.util import libreoffice

pytestmark = pytest.mark.libreoffice

SAMPLE = REPO / "samples" / "northwind-op1-2027"
CENT = Decimal("0.005")
ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "Err:")


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory) -> dict[str, tuple[Report, NodeReport, Path, Path]]:
    """{label: (report, node report, built workbook, LibreOffice-recalculated copy)}."""
    need_libreoffice()
    base = tmp_path_factory.mktemp("lo")
    org = rollup_of(make_cycle(base / "org"))
    sample = rollup_of(SAMPLE)
    wanted = [
        ("org", org, "org"),
        ("alpha", org, "alpha"),
        ("northwind", sample, "northwind"),
        ("checkout", sample, "checkout"),
    ]
    built = base / "built"
    built.mkdir()
    paths = []
    for label, report, node in wanted:
        path = built / f"{label}.xlsx"
        path.write_bytes(render_xlsx(report, node))
        paths.append(path)
    outs = libreoffice.convert(paths, "xlsx:Calc MS Excel 2007 XML", base / "recalc")
    return {
        label: (report, report.nodes[node], path, out)
        for (label, report, node), path, out in zip(wanted, paths, outs, strict=False)
    }


@pytest.mark.parametrize("label", ["org", "alpha", "northwind", "checkout"])
def test_every_formula_gives_the_engines_figure(recalculated, label):
    """Unedited, the live Stack and the Summary recalculate to the roll-up's figures, row by
    row (the same comparison the edited workbooks pass in test_review_live.py)."""
    from test_review_live import mismatches

    from opplan.render.contract import report_document

    report, node, _built, recalc = recalculated[label]
    entry = report_document(report, [node])["nodes"][0]
    assert mismatches(recalc, entry) == []
    values = openpyxl.load_workbook(recalc, data_only=True)
    headcount = values["Headcount"]
    lines = Amount.total(h.amount for h in node.headcount)
    last = headcount.max_row
    for letter, value in (("E", lines.headcount), ("F", lines.cost), ("G", lines.run_rate)):
        assert close(headcount[f"{letter}{last}"].value, value), (label, letter)


def close(actual, expected: Decimal) -> bool:
    """A recalculated number equals the engine's figure to the cent."""
    return (
        isinstance(actual, (int, float))
        and not isinstance(actual, bool)
        and abs(Decimal(repr(actual)) - expected) <= CENT
    )


@pytest.mark.parametrize("label", ["org", "alpha", "northwind", "checkout"])
def test_no_error_value_anywhere_and_plan_text_stays_text(recalculated, label):
    _report, node, _built, recalc = recalculated[label]
    values = openpyxl.load_workbook(recalc, data_only=True)
    for sheet in values.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "e", (label, sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(ERRORS), (
                        label,
                        sheet.title,
                        cell.coordinate,
                        cell.value,
                    )
    titles = [values["Stack"].cell(r, 2).value for r in range(2, len(node.stack) + 2)]
    assert titles == [row.title for row in node.stack]


def test_a_workbook_saved_by_libreoffice_round_trips(tmp_path):
    """A manager who reviews in LibreOffice: its writer (shared strings, its own types)
    changes nothing by itself, and the edits come through."""
    need_libreoffice()
    from reviewkit import build_workbook, edit_stack

    from opplan.review.importer import import_review

    cycle = make_cycle(tmp_path / "cycle")
    built = build_workbook(cycle, "org", tmp_path / "out")
    edited = edit_stack(
        built,
        {
            "beta/b2": {"Decision": "fund", "Note": "Ship it."},
            "alpha/a3": {"Decision": "partial", "Partial headcount": 0.5},
        },
        tmp_path / "out" / "edited.xlsx",
    )
    saved = libreoffice.convert([built, edited], "xlsx:Calc MS Excel 2007 XML", tmp_path / "saved")
    plans = {p: p.read_bytes() for p in cycle.rglob("plan.yaml")}
    assert import_review(saved[0], cycle).changes == []
    assert {p: p.read_bytes() for p in cycle.rglob("plan.yaml")} == plans
    result = import_review(saved[1], cycle)
    assert sorted((c.ask, c.after.decision) for c in result.changes) == [
        ("alpha/a3", "partial"),
        ("beta/b2", "fund"),
    ]
    assert "beta/b2: {decision: fund, note: Ship it.}" in (cycle / "org" / "plan.yaml").read_text()
