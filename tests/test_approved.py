"""``opplan approved``: the approved plan flowing down (docs/through-the-year.md).

Per node, what the approved plan (the root's view) gives it equals the roll-up's JSON; the
hiring plan plus the funded asks' other spend is the funded cost, per ask and in total; a
partial's positions are the partial's; the outputs are deterministic and safe to open in a
spreadsheet; each team's document opens with the same figures.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import SAMPLE
from cyclefactory import write_cycle
from reviewkit import need_libreoffice

from opplan import pipeline
from opplan.cli import cli
from opplan.model.costing import spend_total
from opplan.narrative.filters import money_text, plural
from opplan.render.docx.plan import Renderer, search_path
from opplan.util import libreoffice


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["approved", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def sample_tables() -> dict[str, list[dict[str, str]]]:
    """The sample's three CSV tables."""
    return {t: rows(run(str(SAMPLE), "--table", t)) for t in ("nodes", "asks", "hiring")}


def test_every_nodes_totals_equal_the_rollup_json(sample_tables, sample_json) -> None:
    nodes = sample_tables["nodes"]
    assert [n["id"] for n in nodes] == list(sample_json)  # every node, depth-first
    for n in nodes:
        there = sample_json[n["id"]]
        funded = there["approved"]["incremental"]["funded"]
        assert Decimal(n["funded_headcount"]) == Decimal(str(funded["headcount"])), n["id"]
        assert n["funded_cost"] == funded["cost"], n["id"]
        assert n["funded_run_rate"] == funded["run_rate"], n["id"]
        flat = there["flat"]
        assert Decimal(n["flat_headcount"]) == Decimal(str(flat["headcount"])), n["id"]
        assert n["flat_cost"] == flat["cost"] and n["flat_run_rate"] == flat["run_rate"]
        for dim in ("cost", "run_rate"):
            assert Decimal(n[f"total_{dim}"]) == Decimal(flat[dim]) + Decimal(funded[dim])
            people = Decimal(n[f"funded_people_{dim}"]) + Decimal(n[f"funded_spend_{dim}"])
            assert people == Decimal(n[f"funded_{dim}"]), n["id"]
        assert Decimal(n["flat_people_cost"]) + Decimal(n["flat_spend"]) == Decimal(n["flat_cost"])
        quarters = sum(Decimal(n[f"hires_q{q}"]) for q in range(1, 5))
        assert quarters == Decimal(n["funded_headcount"]), n["id"]
    root = nodes[0]
    assert (root["id"], root["funded_asks"], root["partial_asks"]) == ("northwind", "28", "3")
    assert (root["funded_headcount"], root["funded_cost"]) == ("33", "7680625.00")


def test_positions_plus_other_spend_are_the_funded_cost(sample_tables, sample_report) -> None:
    asks, hiring = sample_tables["asks"], sample_tables["hiring"]
    people: dict[str, Decimal] = {}
    heads: dict[str, Decimal] = {}
    for p in hiring:
        people[p["ask"]] = people.get(p["ask"], Decimal(0)) + Decimal(p["cost"])
        heads[p["ask"]] = heads.get(p["ask"], Decimal(0)) + Decimal(p["headcount"])
    for a in asks:
        got = people.get(a["ask"], Decimal(0))
        assert got == Decimal(a["people_cost"]), a["ask"]
        assert got + Decimal(a["spend_cost"]) == Decimal(a["funded_cost"]), a["ask"]
        assert heads.get(a["ask"], Decimal(0)) == Decimal(a["funded_headcount"]), a["ask"]
        if a["decision"] != "partial":  # funded whole: the other spend is the ask's as written
            team = sample_report.nodes[a["team"]]
            written = spend_total(dict(team.asks[a["ask_id"]].spend))
            assert Decimal(a["spend_cost"]) == written, a["ask"]
    root = sample_report.nodes[sample_report.root]
    spend = sum(Decimal(a["spend_cost"]) for a in asks)
    assert spend == root.hiring.spend.cost == Decimal("1115000.00")
    total = sum(people.values(), Decimal(0)) + spend
    assert total == root.approved.funded.cost == Decimal("7680625.00")
    assert len(asks) == 28 and len(hiring) == 30


PARTIAL_CYCLE = """\
name: Flow OP1 2027
kind: OP1
year: 2027
currency: USD
as_of: 2026-09-15
rates:
  default: 120000
  by:
    - {role: SDE, level: L5, cost: 200000}
"""

ORG = """\
name: Org
owner: Olga Org
review:
  decisions:
    a/x: {decision: partial, headcount: 1.5}
    a/y: {decision: fund}
"""

TEAM = """\
name: Team A
owner: Ann A
headcount:
  - {role: SDE, level: L5, count: 4}
spend: {tools: 10000}
incremental:
  - id: x
    title: Payments in euros
    headcount:
      - {role: SDE, level: L5, count: 2}
      - {role: PM, count: 1, start: 7}
    spend: {tools: 30000}
  - id: y
    title: Cloud credits
    spend: {cloud: 50000}
  - id: z
    title: Not funded
    headcount:
      - {role: SDE, count: 1}
"""


@pytest.fixture
def partial_cycle(tmp_path: Path) -> Path:
    return write_cycle(tmp_path / "c", {"org": ORG, "org/a": TEAM}, PARTIAL_CYCLE)


def test_a_partials_positions_are_the_partials(partial_cycle: Path) -> None:
    assert run(str(partial_cycle)) == (
        "team,team_name,path,ask,ask_id,title,decision,role,level,location,start_month,"
        "start_quarter,headcount,rate,cost,run_rate\n"
        "a,Team A,org/a,a/x,x,Payments in euros,partial,SDE,L5,,2027-01,1,1,200000.00,"
        "200000.00,200000.00\n"
        "a,Team A,org/a,a/x,x,Payments in euros,partial,PM,,,2027-07,3,0.5,120000.00,"
        "30000.00,60000.00\n"
    )
    assert run(str(partial_cycle), "--table", "asks") == (
        "team,team_name,path,ask,ask_id,title,decision,decided_by,requested_headcount,"
        "requested_cost,requested_run_rate,funded_headcount,funded_cost,funded_run_rate,"
        "people_cost,people_run_rate,spend_cost,spend_run_rate,positions\n"
        "a,Team A,org/a,a/x,x,Payments in euros,partial,org,3,490000.00,550000.00,1.5,"
        "245000.00,275000.00,230000.00,260000.00,15000.00,15000.00,2\n"
        "a,Team A,org/a,a/y,y,Cloud credits,fund,org,0,50000.00,50000.00,0,50000.00,"
        "50000.00,0.00,0.00,50000.00,50000.00,0\n"
    )
    nodes = rows(run(str(partial_cycle), "--table", "nodes"))
    team = nodes[1]
    assert {k: team[k] for k in ("id", "flat_headcount", "flat_cost", "flat_people_cost")} == {
        "id": "a",
        "flat_headcount": "4",
        "flat_cost": "810000.00",
        "flat_people_cost": "800000.00",
    }
    assert [team[k] for k in ("funded_asks", "partial_asks", "funded_headcount")] == [
        "2",
        "1",
        "1.5",
    ]
    assert [team[k] for k in ("funded_cost", "funded_run_rate")] == ["295000.00", "325000.00"]
    assert [team[f"hires_q{q}"] for q in range(1, 5)] == ["1", "0", "0.5", "0"]
    assert [team[k] for k in ("total_headcount", "total_cost", "exit_headcount")] == [
        "5.5",
        "1105000.00",
        "5.5",
    ]
    assert nodes[0]["funded_cost"] == team["funded_cost"]  # the root holds the team


def test_the_json_contract(partial_cycle: Path) -> None:
    doc = json.loads(run(str(partial_cycle), "--format", "json", "--node", "a"))
    assert doc["cycle"]["root"] == "org" and doc["top"] == "a"
    (node,) = doc["nodes"]
    assert node["funded"] == {
        "asks": 2,
        "partial": 1,
        "headcount": 1.5,
        "cost": "295000.00",
        "run_rate": "325000.00",
        "people": {"cost": "230000.00", "run_rate": "260000.00"},
        "spend": {"cost": "65000.00", "run_rate": "65000.00"},
    }
    x = node["asks"][0]
    assert (x["ask"], x["decision"], x["funded"]["headcount"]) == ("a/x", "partial", 1.5)
    assert x["positions"][1] == {
        "role": "PM",
        "level": None,
        "location": None,
        "start_month": "2027-07",
        "start_quarter": 3,
        "headcount": 0.5,
        "rate": "120000.00",
        "cost": "30000.00",
        "run_rate": "60000.00",
    }
    assert [a["ask"] for a in node["asks"]] == ["a/x", "a/y"]


HOSTILE = """\
name: "@Team"
owner: "-Owner"
incremental:
  - id: x
    title: '=HYPERLINK("http://evil.example","click")'
    headcount:
      - {role: "+SDE", location: "-SEA", count: 1}
"""


def test_csv_text_that_a_spreadsheet_would_run_is_neutralised(tmp_path: Path) -> None:
    org = "name: Org\nowner: Olga Org\nreview:\n  decisions:\n    t/x: {decision: fund}\n"
    base = write_cycle(tmp_path / "c", {"org": org, "org/t": HOSTILE})
    (position,) = rows(run(str(base)))
    assert position["team_name"] == "'@Team"
    assert position["title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert (position["role"], position["location"]) == ("'+SDE", "'-SEA")
    assert position["cost"] == "120000.00"  # numbers are never quoted
    (team,) = [n for n in rows(run(str(base), "--table", "nodes")) if n["id"] == "t"]
    assert (team["name"], team["owner"]) == ("'@Team", "'-Owner")
    book = openpyxl.load_workbook(io.BytesIO(_xlsx(base, tmp_path)))
    cell = book["Hiring plan"]["F2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://evil.example","click")', "s")


def _xlsx(cycle: Path, tmp_path: Path, name: str = "approved.xlsx") -> bytes:
    out = tmp_path / name
    result = CliRunner().invoke(
        cli, ["approved", str(cycle), "--format", "xlsx", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(f"wrote {out}\n")
    return out.read_bytes()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_text_outputs_are_deterministic(fmt: str) -> None:
    assert run(str(SAMPLE), "--format", fmt) == run(str(SAMPLE), "--format", fmt)


def test_the_workbook_is_deterministic_with_two_sheets_of_numbers(tmp_path: Path) -> None:
    first = _xlsx(SAMPLE, tmp_path, "one.xlsx")
    assert first == _xlsx(SAMPLE, tmp_path, "two.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(first))
    assert book.sheetnames == ["Nodes", "Hiring plan"]
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2"
    hiring = book["Hiring plan"]
    header = [c.value for c in hiring[1]]
    assert header == next(csv.reader(io.StringIO(run(str(SAMPLE)))))
    assert [c.value for c in hiring[2]] == [
        "card-processing",
        "Card Processing",
        "northwind/payments/processing/card-processing",
        "card-processing/eu-acquiring",
        "eu-acquiring",
        "German acquirer connection with 3-D Secure 2.2",
        None,
        "SDE",
        "L5",
        "SEA",
        "2027-01",
        1,
        2,
        235000,
        470000,
        470000,
    ]
    assert hiring.max_row == 31


def test_the_workbook_opens_in_libreoffice_with_numbers(tmp_path: Path) -> None:
    need_libreoffice()
    path = tmp_path / "approved.xlsx"
    path.write_bytes(_xlsx(SAMPLE, tmp_path))
    (saved,) = libreoffice.convert([path], "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    book = openpyxl.load_workbook(saved, data_only=True)
    assert book.sheetnames == ["Nodes", "Hiring plan"]
    nodes = book["Nodes"]
    header = [c.value for c in nodes[1]]
    root = dict(zip(header, [c.value for c in nodes[2]], strict=True))
    assert (root["id"], root["funded_headcount"], root["funded_cost"]) == ("northwind", 33, 7680625)
    assert isinstance(root["total_run_rate"], (int, float))
    hiring = book["Hiring plan"]
    costs = [r[14].value for r in hiring.iter_rows(min_row=2)]
    assert all(isinstance(c, (int, float)) for c in costs) and len(costs) == 30


def _statement(report, renderer: Renderer, node: str) -> str:
    (section,) = renderer.section("approved", report.nodes[node])
    return " ".join("".join(s.text for s in b.spans) for b in section.blocks)


def test_each_teams_document_opens_with_the_exports_figures(sample_report, sample_tables) -> None:
    renderer = Renderer(sample_report, search_path(None))
    nodes = sample_tables["nodes"]  # the 23 teams and, saying the same, the 11 managers
    assert len([n for n in nodes if not sample_report.nodes[n["id"]].children]) == 23
    assert len(nodes) == 34
    for n in nodes:
        text = _statement(sample_report, renderer, n["id"])
        year = sample_report.cycle.year

        def usd(key: str, n: dict[str, str] = n) -> str:
            return money_text(Decimal(n[key]))

        flat = f"{plural(Decimal(n['flat_headcount']), 'head')} on flat ({usd('flat_cost')} a year"
        assert flat in text, text
        if Decimal(n["flat_spend"]):
            assert f"{usd('flat_people_cost')} for people and {usd('flat_spend')} other" in text
        if Decimal(n["funded_asks"]):
            assert (
                f"{plural(Decimal(n['funded_headcount']), 'head')} for funded asks "
                f"({usd('funded_cost')} in {year}, {usd('funded_run_rate')} a year at run rate)"
            ) in text, text
            assert (
                f"{plural(Decimal(n['total_headcount']), 'head')} and {usd('total_cost')} in "
                f"{year} in all, {usd('total_run_rate')} a year at run rate"
            ) in text, text
        else:
            assert "no funded asks" in text, text
        for q in range(1, 5):
            hires = Decimal(n[f"hires_q{q}"])
            assert (f" in Q{q}" in text) == bool(hires), text
            if hires:
                assert f"{n[f'hires_q{q}']} in Q{q}" in text, text


def test_unknown_node_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["approved", str(SAMPLE), "--node", "nope"])
    assert result.exit_code == 2
    assert "no node 'nope' in this cycle" in result.output


def test_out_writes_the_csv_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "hiring.csv"
    result = CliRunner().invoke(cli, ["approved", str(SAMPLE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == run(str(SAMPLE))


def test_the_facade_builds_the_plan_once() -> None:
    done = pipeline.approved(SAMPLE, "retail")
    assert done.plan is not None and done.plan.top == "retail"
    assert [n.id for n in done.plan.nodes][:2] == ["retail", "buying"]
    assert {a.team for a in done.plan.asks} <= {n.id for n in done.plan.nodes}


def test_the_docs_json_example_is_the_commands_output() -> None:
    text = (SAMPLE.parent.parent / "docs" / "through-the-year.md").read_text(encoding="utf-8")
    section = text.split("## The approved plan flowing down", 1)[1].split("\n## ", 1)[0]
    example = section.split("```json\n", 1)[1].split("```", 1)[0]
    assert json.loads(example) == json.loads(
        run(str(SAMPLE), "--format", "json", "--node", "checkout")
    )


def test_plans_with_errors_export_nothing_and_exit_1(tmp_path: Path) -> None:
    base = write_cycle(tmp_path / "c", {"org": "name: Org\n"})  # no owner: an error
    result = CliRunner().invoke(cli, ["approved", str(base)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "error" in result.stderr
