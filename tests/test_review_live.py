"""The review workbook is a live model: decisions typed in it move the line as the import will.

Acceptance of the live-workbook issue, with LibreOffice (skipped without it, except in CI):

1. On built workbooks of the sample's managers, decisions are set with openpyxl (a fund
   below the line, a cut above it, a partial by heads, a partial by cost, then a seeded
   loop of random edits), LibreOffice recalculates them, and every row's Status,
   Position, amounts and Budget used, and the Summary's totals, headroom and over-budget,
   equal what `opplan review import` then `opplan rollup --format json` give.
2. The printed Stack sheet has text of at least 8 pt, and no two words overprint.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import REPO
from reviewkit import build_workbook, need_libreoffice, need_tool

from opplan.cli import cli
from opplan.util import libreoffice

pytestmark = pytest.mark.libreoffice

SAMPLE = REPO / "samples" / "northwind-op1-2027"
#: The sheet's status words (the documents' words) and the engine's statuses.
ENGINE_STATUS = {
    "funded": "above",
    "partial": "above",
    "funded by decision": "above",
    "below": "below",
    "no budget": "unlined",
    "cut": "cut",
    "deferred": "deferred",
}
RANDOM_CASES = 50
SEED = 2027


def rollup_json(cycle: Path) -> dict[str, dict[str, Any]]:
    out = CliRunner().invoke(cli, ["rollup", str(cycle), "--format", "json"])
    assert out.exit_code == 0, out.output
    return {n["id"]: n for n in json.loads(out.stdout)["nodes"]}


def sheet_rows(path: Path) -> list[dict[str, Any]]:
    ws = openpyxl.load_workbook(path)["Stack"]
    headers = [c.value for c in ws[1]]
    return [
        dict(zip(headers, row, strict=False))
        for row in ws.iter_rows(min_row=2, values_only=True)
        if row[0]
    ]


def edit(path: Path, out: Path, edits: dict[str, dict[str, Any]]) -> Path:
    """Set review cells as a manager would, with openpyxl; save to ``out``."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Stack"]
    col = {c.value: c.column for c in ws[1]}
    for r in range(2, ws.max_row + 1):
        for header, value in edits.get(ws.cell(r, 1).value, {}).items():
            ws.cell(r, col[header]).value = value
    wb.save(out)
    return out


def near(got: Any, want: Any, places: int = 2) -> bool:
    if want is None:
        return got in (None, "")
    return isinstance(got, (int, float)) and abs(Decimal(repr(got)) - Decimal(str(want))) < (
        Decimal(10) ** -places
    )


def mismatches(recalc: Path, node: dict[str, Any]) -> list[str]:
    """Every difference between a recalculated workbook and the node's roll-up, row by row."""
    wb = openpyxl.load_workbook(recalc, data_only=True)
    rows = {r["Ask"]: r for r in _rows(wb["Stack"])}
    out: list[str] = []
    live = node["stack"]
    forced = [r for r in live if r["forced"]]
    forced_hc = sum(Decimal(str(r["headcount"])) for r in forced)
    forced_cost = sum(Decimal(r["cost"]) for r in forced)
    run_hc, run_cost = forced_hc, forced_cost
    for e in live:
        got = rows.pop(e["ask"], None)
        if got is None:
            out.append(f"{e['ask']}: not in the sheet")
            continue
        if not e["forced"]:
            run_hc += Decimal(str(e["headcount"]))
            run_cost += Decimal(e["cost"])
        want = {
            "Status": e["status"],
            "Position": e["position"],
            "Headcount": e["headcount"],
            "Cost": e["cost"],
            "Run rate": e["run_rate"],
            "Budget used headcount": run_hc if not e["forced"] else forced_hc,
            "Budget used cost": run_cost if not e["forced"] else forced_cost,
        }
        status = ENGINE_STATUS.get(got["Status"])
        if status != want.pop("Status"):
            out.append(f"{e['ask']}: Status {got['Status']!r}, engine {e['status']!r}")
        for header, value in want.items():
            if not near(got[header], value):
                out.append(f"{e['ask']}: {header} {got[header]!r}, engine {value}")
    for e in node["removed"]:
        got = rows.pop(e["ask"], None)
        if got is None or ENGINE_STATUS.get(got["Status"]) != e["status"]:
            out.append(f"{e['ask']}: Status {got and got['Status']!r}, engine {e['status']!r}")
    out += [f"{ask}: in the sheet, not in the roll-up" for ask in rows]
    summary = wb["Summary"]
    label = {summary.cell(r, 1).value: r for r in range(1, summary.max_row + 1)}
    funded = node["incremental"]["funded"]
    budget = node["budget"] or {}
    over = node["over_budget"] or {"headcount": 0, "cost": "0"}
    for c, unit in ((2, "headcount"), (3, "cost")):
        cap = budget.get(unit)
        checks = {
            "Budget used": funded[unit],
            "Headroom": None if cap is None else Decimal(str(cap)) - Decimal(str(funded[unit])),
            "Over budget": None if cap is None else over[unit],
        }
        for name, value in checks.items():
            got = summary.cell(label[name], c).value
            if not near(got, value):
                out.append(f"Summary {name} {unit}: {got!r}, engine {value}")
    headers = [c.value for c in summary[label["Total"] - 2 - len(node["children"])]]
    for kind in ("funded", "unfunded", "cut", "deferred"):
        for unit in ("headcount", "cost"):
            got = summary.cell(label["Total"], headers.index(f"{kind.title()} {unit}") + 1).value
            value = node["incremental"][kind][unit]
            if not near(got, value):
                out.append(f"Summary Total {kind} {unit}: {got!r}, engine {value}")
    return out


def _rows(ws: Any) -> list[dict[str, Any]]:
    headers = [c.value for c in ws[1]]
    return [
        dict(zip(headers, row, strict=False))
        for row in ws.iter_rows(min_row=2, values_only=True)
        if row[0]
    ]


def random_edits(rng: random.Random, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One to four rows edited: fund, cut, defer, escalate, clear, partial by heads or cost."""
    edits: dict[str, dict[str, Any]] = {}
    for row in rng.sample(rows, min(len(rows), rng.randint(1, 4))):
        heads, cost = Decimal(str(row["Requested headcount"])), Decimal(str(row["Requested cost"]))
        choices = ["fund", "cut", "defer", "escalate", "clear", "fund", "cut"]
        if heads >= 1:
            choices.append("partial-heads")
        if cost >= 2000:
            choices.append("partial-cost")
        action = rng.choice(choices)
        cells: dict[str, Any] = {"Partial headcount": None, "Partial cost": None}
        if action == "partial-heads":
            steps = int(heads * 2)
            cells.update({"Decision": "partial", "Partial headcount": rng.randint(1, steps) / 2})
        elif action == "partial-cost":
            thousands = int(cost // 1000)
            cells.update({"Decision": "partial", "Partial cost": 1000 * rng.randint(1, thousands)})
        else:
            cells["Decision"] = None if action == "clear" else action
        edits[row["Ask"]] = cells
    return edits


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> list[tuple[str, str, Path, Path, dict[str, Any]]]:
    """(label, node, edited workbook, recalculated copy, edits): the four named decisions
    on Retail's workbook, then the seeded random edits; one LibreOffice call for all."""
    need_libreoffice()
    base = tmp_path_factory.mktemp("live")
    rollup = rollup_json(SAMPLE)
    managers = sorted(n for n, v in rollup.items() if v["children"] and v["stack"])
    built = {n: build_workbook(SAMPLE, n, base / "built") for n in managers}
    retail = rollup["retail"]["stack"]
    above = [r for r in retail if r["status"] == "above" and not r["forced"]]
    below = [r for r in retail if r["status"] == "below"]
    others = [r for r in retail if not r["forced"] and r not in (below[0], above[0])]
    heads = sorted(others, key=lambda r: -r["headcount"])
    by_money = 1000 * (int(Decimal(heads[1]["cost"])) // 2000)
    named = {
        below[0]["ask"]: {"Decision": "fund"},  # a fund below the line
        above[0]["ask"]: {"Decision": "cut", "Note": "Not this year."},  # a cut above it
        heads[0]["ask"]: {"Decision": "partial", "Partial headcount": heads[0]["headcount"] / 2},
        heads[1]["ask"]: {"Decision": "partial", "Partial cost": by_money},  # partial by money
    }
    edited = [("named", "retail", edit(built["retail"], base / "named.xlsx", named), named)]
    rng = random.Random(SEED)
    for i in range(RANDOM_CASES):
        node = managers[i % len(managers)]
        edits = random_edits(rng, sheet_rows(built[node]))
        out = base / f"case{i:02d}-{node}.xlsx"
        edited.append((f"case {i} ({node})", node, edit(built[node], out, edits), edits))
    recalc = libreoffice.convert(
        [e[2] for e in edited], "xlsx:Calc MS Excel 2007 XML", base / "recalc"
    )
    return [
        (label, node, path, out, edits)
        for (label, node, path, edits), out in zip(edited, recalc, strict=True)
    ]


@pytest.fixture
def cycle(tmp_path) -> Path:
    copy = tmp_path / "northwind-op1-2027"
    shutil.copytree(SAMPLE, copy)
    return copy


def test_named_decisions_recalculate_as_the_import_rolls_up(cases, cycle):
    _label, node, path, recalc, edits = cases[0]
    runner = CliRunner()
    out = runner.invoke(cli, ["review", "import", str(path), str(cycle)])
    assert out.exit_code == 0, out.output
    assert "4 decisions written to" in out.output
    rollup = rollup_json(cycle)
    assert mismatches(recalc, rollup[node]) == []
    rows = {r["ask"]: r for r in rollup[node]["stack"]}
    by_cost = next(a for a, e in edits.items() if "Partial cost" in e)
    assert rows[by_cost]["decision"] == "partial"
    assert Decimal(rows[by_cost]["cost"]) == edits[by_cost]["Partial cost"]
    assert rows[by_cost]["headcount"] > 0  # heads scaled with the cost
    assert Decimal(rows[by_cost]["run_rate"]) >= Decimal(rows[by_cost]["cost"])
    cut = next(a for a, e in edits.items() if e["Decision"] == "cut")
    assert cut in {r["ask"] for r in rollup[node]["removed"]}


def test_random_decisions_recalculate_as_the_import_rolls_up(cases, cycle):
    """At least 50 seeded cases over the sample's managers: 0 mismatches, row by row."""
    from opplan.review.importer import import_review

    plans = {p: p.read_bytes() for p in cycle.rglob("plan.yaml")}
    failures: list[str] = []
    compared = 0
    for label, node, path, recalc, _edits in cases[1:]:
        for p, data in plans.items():
            p.write_bytes(data)
        import_review(path, cycle)
        found = mismatches(recalc, rollup_json(cycle)[node])
        failures += [f"{label}: {m}" for m in found]
        compared += 1
    assert compared >= RANDOM_CASES
    assert failures == []


def test_the_printed_stack_is_readable(tmp_path):
    """Acceptance 2: LibreOffice prints the Stack at 8 pt or more; no word overprints another."""
    need_libreoffice()
    need_tool("pdftotext")
    from pypdf import PdfReader

    books = [build_workbook(SAMPLE, n, tmp_path / "built") for n in ("northwind", "retail")]
    pdfs = libreoffice.convert(books, "pdf", tmp_path / "pdf")
    for pdf in pdfs:
        pages = [
            i for i, page in enumerate(PdfReader(pdf).pages) if "Stack" in page.extract_text()[:200]
        ]
        assert pages, pdf
        for i in pages:
            sizes = _font_sizes(PdfReader(pdf).pages[i])
            assert min(sizes) >= 8, (pdf.name, i + 1, min(sizes))
            assert _overprints(pdf, i + 1) == [], (pdf.name, i + 1)


def _font_sizes(page: Any) -> list[float]:
    sizes: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, size: float) -> None:
        if text.strip():
            c = tm[2] * cm[0] + tm[3] * cm[2]
            d = tm[2] * cm[1] + tm[3] * cm[3]
            sizes.append(size * (c * c + d * d) ** 0.5)

    page.extract_text(visitor_text=visit)
    return sizes


def _overprints(pdf: Path, page: int) -> list[str]:
    """Pairs of words whose boxes overlap on ``page`` (wrapped text running into a row)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    import re

    words = [
        (float(a), float(b), float(c), float(d), w)
        for a, b, c, d, w in re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', html
        )
    ]
    out = []
    words.sort()
    for i, (x0, y0, x1, y1, w) in enumerate(words):
        for u0, v0, u1, v1, v in words[i + 1 :]:
            if u0 >= x1:
                break
            # a word's box holds its font's ascent and descent, so lines of one wrapped
            # cell touch; text drawn over other text overlaps by most of a line
            high = min(y1 - y0, v1 - v0)
            if min(x1, u1) - max(x0, u0) > 0.5 and min(y1, v1) - max(y0, v0) > 0.4 * high:
                out.append(f"{w!r} and {v!r}")
    return out
