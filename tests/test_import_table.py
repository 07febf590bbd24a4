"""``opplan import table`` through CliRunner, one small inline table per parsing case."""

from __future__ import annotations

import datetime as dt
import random
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from opplan import pipeline
from opplan.cli import cli
from opplan.create.table import parse_amount
from opplan.model import NODE_ID_RE, Plan

Nodes = dict[str, tuple[str, Plan]]
YEAR = ("--year", "2027")


def run(
    tmp_path: Path, table: str, *args: str, name: str = "export.csv", out: str = "out"
) -> tuple[int, str, Path]:
    """Write ``table`` to a file, import it into ``out``; return (exit code, output, out dir)."""
    src = tmp_path / name
    src.write_text(textwrap.dedent(table).lstrip(), encoding="utf-8")
    return invoke(src, tmp_path / out, *args)


def invoke(src: Path, out: Path, *args: str) -> tuple[int, str, Path]:
    """Run the import of ``src`` into ``out``."""
    result = CliRunner().invoke(cli, ["import", "table", str(src), "--out", str(out), *args])
    return result.exit_code, result.output, out


def plans(out: Path) -> Nodes:
    """Every node of the written cycle: id -> (path below the cycle, plan); it checks clean
    (the cycle turns the placeholder policy off), and opplan status shows what each team
    replaces: every owner a placeholder, every narrative the import's."""
    checked = pipeline.check(out)
    assert [d.format() for d in checked.diagnostics] == []
    shown = pipeline.status(out, dt.date(2026, 1, 1)).report
    assert shown is not None
    assert {(s.owner_set, s.narrative) for s in shown.nodes.values()} == {(False, "scaffold")}
    return {n.id: (n.rel, n.plan) for n in checked.cycle.nodes.values()}


def imported(tmp_path: Path, table: str, *args: str, out: str = "out") -> tuple[str, Nodes]:
    """Import ``table`` successfully; return the printed output and the written nodes."""
    code, output, path = run(tmp_path, table, *args, out=out)
    assert code == 0, output
    return output, plans(path)


OMB_LIKE = """\
    Agency Code,Agency Name,Bureau Code,Bureau Name,Account Code,Account Name,2016,2017
    001,Legislative Branch,05,Senate,0000,Senate,"126,428","130,000"
    001,Legislative Branch,05,Senate,0000,Senate,-428,
    001,Legislative Branch,00,Legislative Branch,,"Receipts, Central fiscal operations",-30,-31
    002,Judicial Branch,00,Judicial Branch,0000,Supreme Court,"2,000","1,500"
    """
LEVELS = (
    "--level",
    "Agency Code=Agency Name",
    "--level",
    "Bureau Code=Bureau Name",
    "--level",
    "Account Code=Account Name",
)


def test_omb_like_table_prints_what_it_read_and_wrote(tmp_path):
    output, nodes = imported(
        tmp_path, OMB_LIKE, *LEVELS, "--flat", "2016", "--target", "2017", "--root", "US Government"
    )
    out = tmp_path / "out"
    assert output == textwrap.dedent(f"""\
        Read export.csv: 4 rows.
          2016: 127,970
          2017: 131,469
        Created {out}: 9 nodes (root 1, agency 2, bureau 3, account 3), 3 leaves, 3 asks.
          flat spend (2016): 127,970
          requested (2017 - 2016): 3,499
          flat + requested (= 2017): 131,469
        Next: opplan check {out}
        """)
    # Bureau 05 is unique and keeps its code; 00 and 0000 repeat under other parents.
    assert list(nodes) == [
        "us-government",
        "001",
        "001-00",
        "receipts-central-fiscal-operations",
        "05",
        "05-0000",
        "002",
        "002-00",
        "002-00-0000",
    ]
    rel, senate = nodes["05-0000"]
    assert rel == "us-government/001/05/05-0000"
    assert (senate.name, senate.owner) == ("Senate", "Unassigned")
    assert senate.spend == {"imported": Decimal("126000")}
    (ask,) = senate.incremental
    assert (ask.id, ask.title, ask.spend) == (
        "target",
        "Move from 2016 to 2017",
        {"imported": Decimal("4000")},
    )
    assert ask.summary == "2016: 126,000. 2017: 130,000. Change: 4,000."
    assert ask.headcount == ()
    # An interior node has no figures of its own.
    _, agency = nodes["001"]
    assert (agency.name, agency.spend, agency.incremental) == ("Legislative Branch", {}, ())
    # A cut is an ask with negative spend.
    _, court = nodes["002-00-0000"]
    assert court.incremental[0].spend == {"imported": Decimal("-500")}


def test_cycle_yaml_and_narrative(tmp_path):
    imported(tmp_path, OMB_LIKE, *LEVELS, "--flat", "2016", "--target", "2017")
    cycle = pipeline.check(tmp_path / "out").cycle
    s = cycle.settings
    assert (s.name, s.year, str(s.as_of), s.currency, s.root, s.rates.default) == (
        "Export OP1 2017",
        2017,
        "2016-09-15",
        "USD",
        "export",
        Decimal(200000),
    )
    assert s.policies["min-goals"].severity == "off"
    assert s.policies["ask-needs-goal"].severity == "off"
    assert (s.policies["page-limit"].severity, s.policies["page-limit"].max) == ("warning", 6)
    leaf = cycle.nodes["05-0000"]
    assert leaf.narrative.text == (
        "## Introduction\n\nImported from `export.csv` (rows 2, 3). "
        "The owner replaces this text with the plan's narrative.\n"
    )


@pytest.mark.parametrize(
    "cell, value",
    [
        ("126,428", "126428"),
        ("1,234,567.25", "1234567.25"),
        ("", "0"),
        ("  ", "0"),
        ("-1,234", "-1234"),
        ("(1,200)", "-1200"),
        ("+7", "7"),
        ("0.1", "0.1"),
        ("1e3", "1000"),
        ("\u22125", "-5"),
    ],
)
def test_amount_cells(cell, value):
    assert parse_amount(cell) == Decimal(value)


@pytest.mark.parametrize("cell", ["abc", "12,34", "1.2.3", "$5", "1,2345"])
def test_bad_amount_names_row_and_column(tmp_path, cell):
    code, output, out = run(
        tmp_path, f'Team,Spend\nA,1\nB,"{cell}"\n', "--level", "Team", "--flat", "Spend", *YEAR
    )
    assert (code, output) == (1, f"Error: row 3, column 'Spend': '{cell}' is not an amount\n")
    assert not out.exists()


def test_exact_decimals_never_floats(tmp_path):
    table = 'Team,Spend\nA,0.1\nA,0.2\nA,"1,000,000,000,000.01"\n'
    output, nodes = imported(tmp_path, table, "--level", "Team", "--flat", "Spend", *YEAR)
    assert nodes["a"][1].spend == {"imported": Decimal("1000000000000.31")}
    assert "Spend: 1,000,000,000,000.31" in output
    table = "Team,Spend\nA,0.000001\nA,999999999999999\n"
    _, nodes = imported(tmp_path, table, "--level", "Team", "--flat", "Spend", *YEAR, out="o2")
    assert nodes["a"][1].spend == {"imported": Decimal("999999999999999.000001")}


@pytest.mark.parametrize(
    "cell, message",
    [
        ("0.0000001", "row 2, column 'Spend': '0.0000001' has more than 6 decimal places"),
        (
            "1e16",
            "row 2, column 'Spend': '1e16' is more than 1,000,000,000,000,000, the most "
            "a plan may hold",
        ),
        (
            "2000000000000000",
            "row 2, column 'Spend': '2000000000000000' is more than "
            "1,000,000,000,000,000, the most a plan may hold",
        ),
    ],
)
def test_amounts_a_plan_cannot_hold_are_refused(tmp_path, cell, message):
    code, output, out = run(
        tmp_path, f"Team,Spend\nA,{cell}\n", "--level", "Team", "--flat", "Spend", *YEAR
    )
    assert code == 1 and message in output and not out.exists()


def test_leading_zeros_are_kept(tmp_path):
    _, nodes = imported(
        tmp_path,
        "Dept,Unit,Cost\n007,0042,1\n07,042,2\n",
        "--level",
        "Dept",
        "--level",
        "Unit",
        "--flat",
        "Cost",
        *YEAR,
    )
    assert sorted(nodes) == ["0042", "007", "042", "07", "export"]
    assert nodes["0042"][0] == "export/007/0042"


def test_several_rows_of_one_leaf_add_up(tmp_path):
    table = "Team,Now,Next\nA,10,12\nB,5,5\nA,1,\nA,,3\n"
    output, nodes = imported(
        tmp_path, table, "--level", "Team", "--flat", "Now", "--target", "Next", *YEAR
    )
    assert nodes["a"][1].spend == {"imported": Decimal(11)}
    assert nodes["a"][1].incremental[0].spend == {"imported": Decimal(4)}
    # An unchanged leaf gets no ask.
    assert nodes["b"][1].incremental == ()
    assert "2 leaves, 1 asks" in output


def test_same_code_under_different_parents_is_qualified(tmp_path):
    table = "Org,Team,Cost\nA,ops,1\nB,ops,2\nB,web,3\n"
    _, nodes = imported(
        tmp_path, table, "--level", "Org", "--level", "Team", "--flat", "Cost", *YEAR
    )
    assert sorted(nodes) == ["a", "a-ops", "b", "b-ops", "export", "web"]
    assert nodes["b-ops"][1].name == "ops"


def test_a_code_taken_by_an_upper_level_is_qualified(tmp_path):
    _, nodes = imported(
        tmp_path,
        "Org,Team,Cost\nops,ops,1\n",
        "--level",
        "Org",
        "--level",
        "Team",
        "--flat",
        "Cost",
        "--root",
        "Ops",
        *YEAR,
    )
    # the one Org is the root itself (named by --root), and its team 'ops' is qualified
    assert list(nodes) == ["ops", "ops-ops"]


def test_names_that_collide_once_made_ids_get_a_suffix(tmp_path):
    table = "Team,Cost\nR&D,1\nR D,2\nr-d,3\nÉquipe,4\n日本,5\n"
    _, nodes = imported(tmp_path, table, "--level", "Team", "--flat", "Cost", *YEAR)
    names = {nid: plan.name for nid, (_, plan) in nodes.items()}
    assert names == {
        "export": "Export",
        "r-d": "R D",
        "r-d-2": "R&D",
        "r-d-3": "r-d",
        "equipe": "Équipe",
        "node": "日本",
    }


def test_ids_do_not_depend_on_row_order(tmp_path):
    rows = ["A,ops,1", "B,ops,2", "B,web,3", "C,R&D,4", "C,R D,5", "C,,6"]
    outs = []
    for i in range(3):
        random.Random(i).shuffle(rows)
        _, nodes = imported(
            tmp_path,
            "Org,Team,Cost\n" + "\n".join(rows) + "\n",
            "--level",
            "Org",
            "--level",
            "Team",
            "--flat",
            "Cost",
            *YEAR,
            out=f"out{i}",
        )
        outs.append(sorted((rel, plan.spend.get("imported")) for rel, plan in nodes.values()))
    assert outs[0] == outs[1] == outs[2]


def test_blank_level_values_get_a_named_node_and_no_row_is_lost(tmp_path):
    """Blank lower levels: the row is the parent's own (an agency's own spend, the root's);
    a blank level above a filled one: a '(no <level>)' node."""
    table = """\
        Agency Code,Agency Name,Bureau Code,Bureau Name,Cost
        1,Alpha,,,5
        1,Alpha,,,6
        ,,,,7
        2,,9,,8
        ,,3,,4
        """
    output, nodes = imported(
        tmp_path,
        table,
        "--level",
        "Agency Code=Agency Name",
        "--level",
        "Bureau Code=Bureau Name",
        "--flat",
        "Cost",
        *YEAR,
    )
    got = {nid: (plan.name, plan.spend.get("imported")) for nid, (_, plan) in nodes.items()}
    assert got == {
        "export": ("Export", Decimal(7)),
        "1": ("Alpha", Decimal(11)),
        "no-agency": ("(no agency)", None),
        "3": ("3", Decimal(4)),
        "2": ("2", None),
        "9": ("9", Decimal(8)),
    }
    assert "Cost: 30\n" in output and "flat spend (Cost): 30\n" in output


def test_long_names_are_kept_whole(tmp_path):
    long = (
        "Payment to the Foreign Service Retirement and Disability Fund, and to the Civil "
        "Service Retirement and Disability Fund, for Unfunded Liabilities, Department of State"
    )
    _, nodes = imported(
        tmp_path,
        f'Account,Cost\n"{long}",1\n"{long} (2)",2\n',
        "--level",
        "Account",
        "--flat",
        "Cost",
        *YEAR,
    )
    by_name = {plan.name: nid for nid, (_, plan) in nodes.items()}
    assert by_name == {
        "Export": "export",
        long: "payment-to-the-foreign-service-retirement-and-disability-fund-a",
        f"{long} (2)": "payment-to-the-foreign-service-retirement-and-disability-fund-2",
    }
    assert all(NODE_ID_RE.match(nid) for nid in nodes)


def test_names_with_yaml_specials_stay_strings(tmp_path):
    table = 'Team,Cost\n"Ops: ""core"" #1, {x}",1\nyes,2\n2027-01-01,3\nnull,4\n'
    _, nodes = imported(tmp_path, table, "--level", "Team", "--flat", "Cost", *YEAR)
    names = sorted(plan.name for _, plan in nodes.values())
    assert names == ["2027-01-01", "Export", 'Ops: "core" #1, {x}', "null", "yes"]


def test_one_code_with_several_names_keeps_the_first(tmp_path):
    table = 'Code,Name,Cost\n7,Gifts,1\n7,"Gifts and\nbequests",2\n7,Gifts,3\n'
    _, nodes = imported(tmp_path, table, "--level", "Code=Name", "--flat", "Cost", *YEAR)
    assert (nodes["7"][1].name, nodes["7"][1].spend) == ("Gifts", {"imported": Decimal(6)})
    text = (tmp_path / "out/export/7/plan.yaml").read_text()
    assert text.splitlines()[:2] == [
        "# Imported from export.csv, rows 2, 3, 4.",
        "# Also named in the table: Gifts and bequests",
    ]


ROSTER = """\
    Org,Team,Person,Role,Level,Location
    Eng,Web,Ann,SDE,L5,SEA
    Eng,Web,Bo,SDE,L5,SEA
    Eng,Web,Cy,SDM,L7,
    Eng,Data,Di,DS,L6,DUB
    Ops,,Ed,,,
    """


def test_roster_mode_gives_flat_headcount_lines(tmp_path):
    output, nodes = imported(
        tmp_path,
        ROSTER,
        "--level",
        "Org",
        "--level",
        "Team",
        "--role",
        "Role",
        "--level-col",
        "Level",
        "--location",
        "Location",
        *YEAR,
        "--name",
        "Acme OP1 2027",
        "--root",
        "Acme",
    )

    def lines(nid):
        return [(h.role, h.level, h.location, h.count) for h in nodes[nid][1].headcount]

    assert lines("web") == [("SDE", "L5", "SEA", 2), ("SDM", "L7", None, 1)]
    assert lines("data") == [("DS", "L6", "DUB", 1)]
    assert lines("ops") == [("(no role)", None, None, 1)]  # Ops' own: no team
    assert nodes["web"][1].spend == {} and nodes["eng"][1].headcount == ()
    assert "  headcount: 5\n" in output and "  flat headcount: 5\n" in output


def test_roster_count_column(tmp_path):
    table = "Team,Role,Heads\nA,SDE,2.5\nA,SDE,1\nA,PM,\n"
    _, nodes = imported(
        tmp_path, table, "--level", "Team", "--role", "Role", "--count", "Heads", *YEAR
    )
    assert [(h.role, h.count) for h in nodes["a"][1].headcount] == [
        ("PM", 0),
        ("SDE", Decimal("3.5")),
    ]
    code, output, _ = run(
        tmp_path,
        "Team,Role,Heads\nA,SDE,-1\n",
        "--level",
        "Team",
        "--role",
        "Role",
        "--count",
        "Heads",
        *YEAR,
        out="out2",
    )
    assert (code, output) == (
        1,
        "Error: row 2, column 'Heads': a headcount cannot be negative (-1)\n",
    )


def test_ask_column_is_the_ask_itself(tmp_path):
    table = "Team,Now,More\nA,10,3\nA,1,-1\nB,5,\n"
    output, nodes = imported(
        tmp_path, table, "--level", "Team", "--flat", "Now", "--ask", "More", *YEAR
    )
    (ask,) = nodes["a"][1].incremental
    assert (ask.id, ask.title, ask.spend) == (
        "ask",
        "More from the table",
        {"imported": Decimal(2)},
    )
    assert nodes["b"][1].incremental == ()
    assert output.splitlines()[1:3] == ["  Now: 16", "  More: 2"]
    assert output.splitlines()[4:6] == ["  flat spend (Now): 16", "  requested (More): 2"]


def test_target_versus_ask_on_the_same_columns(tmp_path):
    base = ("Team,A,B\nx,10,12\n", "--level", "Team", "--flat", "A", *YEAR)
    _, by_target = imported(tmp_path, *base, "--target", "B", out="t")
    _, by_ask = imported(tmp_path, *base, "--ask", "B", out="a")
    assert by_target["x"][1].incremental[0].spend == {"imported": Decimal(2)}
    assert by_ask["x"][1].incremental[0].spend == {"imported": Decimal(12)}


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ("--flat", "Now", "--target", "Next", "--ask", "Next"),
            "give --target or --ask, not both",
        ),
        (("--target", "Next"), "--target needs --flat: the ask is target minus flat"),
        (
            ("--flat", "Nwo", *YEAR),
            "--flat 'Nwo': no such column (did you mean 'Now'?); the columns are: Team, Now, Next",
        ),
        (("--count", "Now"), "--level-col, --location and --count need --role"),
        (
            ("--flat", "Now", "--currency", "usd"),
            "--currency 'usd': expected an ISO 4217 code such as USD",
        ),
        (
            ("--flat", "Now", *YEAR, "--level", "Team=Nope"),
            "--level 'Nope': no such column; the columns are: Team, Now, Next",
        ),
        (
            ("--flat", "Now"),
            "give the plan year with --year (no money column is named after a year)",
        ),
    ],
)
def test_option_errors(tmp_path, args, message):
    code, output, out = run(tmp_path, "Team,Now,Next\nA,1,2\n", "--level", "Team", *args)
    assert (code, output) == (1, f"Error: {message}\n")
    assert not out.exists()


@pytest.mark.parametrize(
    "args, year",
    [
        (("--flat", "2016", "--target", "2017"), 2017),
        (("--flat", "2016"), 2017),
        (("--ask", "2030"), 2030),
        (("--flat", "2016", "--year", "2019"), 2019),
    ],
)
def test_year_from_the_column_names(tmp_path, args, year):
    imported(tmp_path, "Team,2016,2017,2030\nA,1,2,3\n", "--level", "Team", *args)
    assert pipeline.check(tmp_path / "out").cycle.settings.year == year


def test_non_empty_out_dir_is_refused(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("keep me")
    code, output, out = run(
        tmp_path, "Team,Cost\nA,1\n", "--level", "Team", "--flat", "Cost", *YEAR
    )
    assert code == 2
    assert f"Error: '{out}' exists and is not an empty directory" in output
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_empty_out_dir_is_used(tmp_path):
    (tmp_path / "out").mkdir()
    imported(tmp_path, "Team,Cost\nA,1\n", "--level", "Team", "--flat", "Cost", *YEAR)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["cycle.yaml", "export"]


def test_the_same_input_writes_the_same_bytes(tmp_path):
    outs = []
    for name in ("one", "two"):
        imported(tmp_path, OMB_LIKE, *LEVELS, "--flat", "2016", "--target", "2017", out=name)
        out = tmp_path / name
        outs.append(
            {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
        )
    assert outs[0] == outs[1]


def test_xlsx_input(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Export"
    sheet.append(["Dept", "Dept Name", "Spend", "Plan"])
    sheet.append(["007", "Defense", 126428, "130,000"])
    sheet.append(["007", "Defense", -428.5, None])
    sheet.append(["010", "Interior", None, 12.25])
    book.create_sheet("Other").append(["Dept", "Spend"])
    book["Other"].append(["x", 1])
    book.save(tmp_path / "export.xlsx")
    code, output, out = invoke(
        tmp_path / "export.xlsx",
        tmp_path / "out",
        "--level",
        "Dept=Dept Name",
        "--flat",
        "Spend",
        "--target",
        "Plan",
        *YEAR,
    )
    assert code == 0, output
    nodes = plans(out)
    assert nodes["007"][1].name == "Defense"
    assert nodes["007"][1].spend == {"imported": Decimal("125999.5")}
    assert nodes["010"][1].incremental[0].spend == {"imported": Decimal("12.25")}
    code, output, out = invoke(
        tmp_path / "export.xlsx",
        tmp_path / "out2",
        "--level",
        "Dept",
        "--flat",
        "Spend",
        *YEAR,
        "--sheet",
        "Other",
    )
    assert code == 0, output
    assert list(plans(out)) == ["export", "x"]


def test_unreadable_files(tmp_path):
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    code, output, _ = invoke(tmp_path / "bad.xlsx", tmp_path / "out", "--level", "A", *YEAR)
    assert code == 1 and output.startswith("Error: cannot read ")
    (tmp_path / "latin.csv").write_bytes("Team,Cost\nZ\xfcrich,1\n".encode("cp1252"))
    code, output, _ = invoke(tmp_path / "latin.csv", tmp_path / "out", "--level", "Team", *YEAR)
    assert code == 1 and "--encoding" in output
    code, output, out = invoke(
        tmp_path / "latin.csv", tmp_path / "out", "--level", "Team", *YEAR, "--encoding", "cp1252"
    )
    assert code == 0, output
    assert plans(out)["zurich"][1].name == "Zürich"
    (tmp_path / "empty.csv").write_text("Team,Cost\n")
    code, output, _ = invoke(tmp_path / "empty.csv", tmp_path / "out3", "--level", "Team", *YEAR)
    assert (code, output) == (
        1,
        f"Error: '{tmp_path / 'empty.csv'}' has no rows below its header\n",
    )


REPO = Path(__file__).resolve().parent.parent


def test_the_sample_roster_imports_as_documented(tmp_path, monkeypatch):
    """docs/import.md shows this command and its output verbatim."""
    monkeypatch.chdir(tmp_path)
    args = [
        "import",
        "table",
        str(REPO / "samples/roster/juniper-roster.csv"),
        "--out",
        "juniper-op1-2027",
        "--level",
        "Division",
        "--level",
        "Team",
        "--role",
        "Role",
        "--level-col",
        "Level",
        "--location",
        "Location",
        "--count",
        "FTE",
        "--root",
        "Juniper Outfitters",
        "--year",
        "2027",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output in (REPO / "docs" / "import.md").read_text()
    nodes = plans(tmp_path / "juniper-op1-2027")
    assert len(nodes) == 11
    search = tmp_path / "juniper-op1-2027/juniper-outfitters/storefront/search/plan.yaml"
    shown = search.read_text().split("\n# Flat annual spend")[0]
    assert f"```yaml\n{shown}\n...\n```" in (REPO / "docs" / "import.md").read_text()


def test_hostile_xlsx_exports_are_refused_before_parsing(tmp_path):
    """A zip bomb or an XML entity attack in an export: a clear error, no output directory."""
    import io
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Dept", "Spend"])
    buffer = io.BytesIO()
    book.save(buffer)

    def with_sheet(content: bytes) -> bytes:
        src = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = content if info.filename == "xl/worksheets/sheet1.xml" else src.read(info)
                dst.writestr(info.filename, data)
        return out.getvalue()

    entity = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;">]><worksheet>&b;</worksheet>'
    )
    for name, data, reason in [
        ("bomb.xlsx", with_sheet(b" " * (64 * 1024 * 1024)), "zip bomb"),
        ("entity.xlsx", with_sheet(entity), "XML entity attack"),
    ]:
        (tmp_path / name).write_bytes(data)
        code, output, out = invoke(
            tmp_path / name, tmp_path / f"out-{name}", "--level", "Dept", *YEAR
        )
        assert code == 1 and output.startswith(f"Error: cannot read '{tmp_path / name}': ")
        assert reason in output and not out.exists()


IDENTITY_ROSTER = """\
    Identity Roster 2026-09,,,,
    Employee,Org,Team,Role,Level
    1,Identity,Sign-in,SDE,L5
    2,Identity,Sign-in,SDE,L6
    3,Identity,audit log,SDE,L5
    4,identity,Audit Log,SDM,L7
    5,Identity,Audit  log,SDE,L4
    6,Identity,,SDM,L8
    7,Identity,,TPM,L6
    8,Identity,Directory,SDE,L5
    """


def test_a_roster_with_a_title_row_blank_teams_and_case_variants(tmp_path):
    """The roster case: a title row above the header (--header-row), one org (the root,
    named by --root, not doubled), blank teams (the org's own headcount), and one team
    spelled three ways (one node, with a warning listing the spellings)."""
    src = tmp_path / "Identity Roster 2026 09.csv"
    src.write_text(textwrap.dedent(IDENTITY_ROSTER), encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "import",
            "table",
            str(src),
            "--out",
            str(tmp_path / "out"),
            "--header-row",
            "2",
            "--level",
            "Org",
            "--level",
            "Team",
            "--role",
            "Role",
            "--level-col",
            "Level",
            "--root",
            "identity",
            "--year",
            "2027",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "warning: org 'Identity', 'identity' differ only in case or spacing: read as one, the "
        "root identity ('Identity'); correct the table if they are different orgs\n"
        "warning: team 'audit log', 'Audit Log', 'Audit  log' differ only in case or spacing: "
        "read as one, audit-log ('audit log'); correct the table if they are different teams\n"
    )
    assert result.stdout.splitlines()[2] == (
        f"Created {tmp_path / 'out'}: 4 nodes (root 1, team 3), 3 leaves, 0 asks."
    )
    nodes = plans(tmp_path / "out")
    tree = {nid: (rel, plan.name) for nid, (rel, plan) in nodes.items()}
    assert tree == {
        "identity": ("identity", "Identity"),
        "audit-log": ("identity/audit-log", "audit log"),
        "directory": ("identity/directory", "Directory"),
        "sign-in": ("identity/sign-in", "Sign-in"),
    }

    def heads(nid):
        return [(h.role, h.level, h.count) for h in nodes[nid][1].headcount]

    assert heads("identity") == [("SDM", "L8", 1), ("TPM", "L6", 1)]  # the org's own staff
    assert heads("audit-log") == [("SDE", "L4", 1), ("SDE", "L5", 1), ("SDM", "L7", 1)]
    plan = (tmp_path / "out/identity/plan.yaml").read_text()
    assert plan.startswith(
        "# Imported from Identity Roster 2026 09.csv, 6 rows below and its "
        "own rows 8, 9.\n# The plan of Identity: a manager's org"
    )
    assert "#       decision: partial" in plan  # the scaffold's guidance, a manager's


def test_a_title_row_without_header_row_names_the_option(tmp_path):
    code, output, _ = run(tmp_path, IDENTITY_ROSTER, "--level", "Org", "--role", "Role", *YEAR)
    assert code == 1
    assert output == (
        "Error: --level 'Org': no such column; the columns are: Identity Roster 2026-09, "
        "Unnamed: 1, Unnamed: 2, Unnamed: 3, Unnamed: 4 (row 1 has blank header cells, read "
        "as 'Unnamed: 1': when a title or blank rows stand above the header, give the "
        "header's row number with --header-row N)\n"
    )


@pytest.mark.parametrize(
    "root, expected",
    [
        ("identity", ("identity", "Identity")),
        ("iam=Identity and Access", ("iam", "Identity and Access")),
        ("Identity and Access", ("identity-and-access", "Identity and Access")),
    ],
)
def test_root_option_names_the_root(tmp_path, root, expected):
    _, nodes = imported(
        tmp_path,
        "Org,Team,Cost\nA,x,1\nB,y,2\n",
        "--level",
        "Org",
        "--level",
        "Team",
        "--flat",
        "Cost",
        "--root",
        root,
        *YEAR,
    )
    root_id = next(nid for nid, (rel, _) in nodes.items() if "/" not in rel)
    assert (root_id, nodes[root_id][1].name) == expected
    assert sorted(nodes) == sorted([expected[0], "a", "b", "x", "y"])


def test_a_bad_root_id_is_explained(tmp_path):
    code, output, _ = run(
        tmp_path,
        "Team,Cost\nA,1\n",
        "--level",
        "Team",
        "--flat",
        "Cost",
        "--root",
        "Bad_Id=Name",
        *YEAR,
    )
    assert (code, output) == (
        1,
        "Error: --root 'Bad_Id=Name': 'Bad_Id' is not a valid node id: use 1 to 63 lowercase "
        "letters, digits and '-', starting with a letter or a digit (e.g. sign-in or team-2)\n",
    )
