"""Goals through the year: ``opplan goals`` and the documents' "Goals this year"
(docs/through-the-year.md).

A goal's status as of a date counts only reports dated on or before it; the trend compares
the last two; a goal is stale when its latest report is more than goal_stale_days old; each
manager counts its subtree's goals by colour and lists its red and stale ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from cyclefactory import CYCLE_YAML, plan, write_cycle
from docreadback import read_back

from opplan import pipeline
from opplan.cli import cli
from opplan.render.docx.plan import search_path
from opplan.render.docx.writer import render_docx
from opplan.report.goalrecords import StatusReport
from opplan.report.goalstatus import goal_track

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "northwind-op1-2027"


def _goal(
    goal_id: str,
    *status: tuple[str, str],
    title: str | None = None,
    note: str = "ok",
    owner: str = "Jo Doe",
):
    return {
        "id": goal_id,
        "title": title or f"Goal {goal_id}",
        "kind": "initiative",
        "due": "Q4",
        "owner": owner,
        "status": [{"date": d, "color": c, "note": note} for d, c in status],
    }


def _board(tmp_path: Path, cycle_yaml: str = CYCLE_YAML) -> Path:
    """org (G1) -> c (a red goal with formula-like text), mid -> a, b; as_of 2026-09-15."""
    return write_cycle(
        tmp_path / "cycle",
        {
            "org": plan(
                "Org", goals=[_goal("G1", ("2026-05-31", "green"), ("2026-08-31", "yellow"))]
            ),
            "org/c": plan(
                "-Cash",
                goals=[
                    _goal(
                        "G1",
                        ("2026-09-01", "red"),
                        title="=SUM(A1)",
                        note="@evil",
                        owner="+Plus Owner",
                    )
                ],
            ),
            "org/mid": plan("Mid"),
            "org/mid/a": plan(
                "A",
                goals=[
                    _goal(
                        "G1",
                        ("2026-06-30", "yellow"),
                        ("2026-08-31", "red"),
                        ("2026-10-31", "green"),
                    ),
                    _goal("G2"),
                    _goal("G3", ("2026-07-01", "yellow")),
                ],
            ),
            "org/mid/b": plan(
                "B",
                goals=[
                    _goal("G1", ("2026-09-01", "red"), ("2026-09-10", "yellow")),
                    _goal("G2", ("2026-09-01", "green"), ("2026-09-14", "green")),
                ],
            ),
        },
        cycle_yaml,
    )


def _json(cycle_dir: Path, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["goals", str(cycle_dir), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _tracks(doc: dict) -> dict[str, tuple]:
    return {
        g["ref"]: (
            g["color"],
            g["date"],
            g["trend"],
            g["updates"],
            g["days_since_update"],
            g["stale"],
        )
        for g in doc["goals"]
    }


def _counts(doc: dict) -> dict[str, tuple]:
    return {
        m["node"]: (
            m["goals"],
            m["green"],
            m["yellow"],
            m["red"],
            m["not_reported"],
            m["stale"],
            m["red_goals"],
            m["stale_goals"],
        )
        for m in doc["managers"]
    }


# --- the rules, one by one ------------------------------------------------------------------


def _h(*entries: tuple[str, str]) -> tuple[StatusReport, ...]:
    return tuple(StatusReport(dt.date.fromisoformat(d), c, "") for d, c in entries)


@pytest.mark.parametrize(
    ("history", "trend"),
    [
        ((), None),
        ((("2026-01-31", "red"),), "new"),
        ((("2026-01-31", "red"), ("2026-02-28", "yellow")), "improving"),
        ((("2026-01-31", "red"), ("2026-02-28", "green")), "improving"),
        ((("2026-01-31", "yellow"), ("2026-02-28", "green")), "improving"),
        ((("2026-01-31", "green"), ("2026-02-28", "yellow")), "worsening"),
        ((("2026-01-31", "yellow"), ("2026-02-28", "red")), "worsening"),
        ((("2026-01-31", "red"), ("2026-02-28", "red")), "steady"),
        ((("2026-01-31", "green"), ("2026-02-28", "red"), ("2026-03-31", "red")), "steady"),
    ],
)
def test_the_trend_compares_the_last_two_reports(history, trend):
    assert goal_track(_h(*history), dt.date(2026, 4, 1), 45).trend == trend


def test_stale_is_more_than_the_setting_and_never_for_a_goal_not_reported():
    history = _h(("2026-01-01", "green"))
    assert goal_track(history, dt.date(2026, 2, 15), 45).stale is False  # 45 days: not more
    assert goal_track(history, dt.date(2026, 2, 16), 45).stale is True  # 46 days
    assert goal_track((), dt.date(2026, 12, 31), 45).stale is False
    assert goal_track(history, None, 45).stale is False  # no date: nothing is stale


def test_reports_after_the_as_of_date_are_ignored():
    history = _h(("2026-01-31", "green"), ("2026-02-28", "red"))
    track = goal_track(history, dt.date(2026, 2, 27), 45)
    assert (track.color, track.date, track.trend, track.updates, track.days) == (
        "green",
        dt.date(2026, 1, 31),
        "new",
        1,
        27,
    )
    assert goal_track(history, dt.date(2026, 1, 30), 45).color is None


# --- opplan goals on a hand-built cycle --------------------------------------------------------


def test_goals_as_of_the_cycle_date(tmp_path):
    doc = _json(_board(tmp_path))
    assert (doc["node"], doc["as_of"], doc["as_of_from"], doc["stale_days"]) == (
        "org",
        "2026-09-15",
        "cycle",
        45,
    )
    assert _tracks(doc) == {
        "org/G1": ("yellow", "2026-08-31", "worsening", 2, 15, False),
        "c/G1": ("red", "2026-09-01", "new", 1, 14, False),
        "a/G1": ("red", "2026-08-31", "worsening", 2, 15, False),  # 31 Oct is after as_of
        "a/G2": (None, None, None, 0, None, False),
        "a/G3": ("yellow", "2026-07-01", "new", 1, 76, True),
        "b/G1": ("yellow", "2026-09-10", "improving", 2, 5, False),
        "b/G2": ("green", "2026-09-14", "steady", 2, 1, False),
    }
    assert list(_tracks(doc)) == ["org/G1", "c/G1", "a/G1", "a/G2", "a/G3", "b/G1", "b/G2"]
    assert _counts(doc) == {
        "org": (7, 1, 3, 2, 1, 1, ["c/G1", "a/G1"], ["a/G3"]),
        "mid": (5, 1, 2, 1, 1, 1, ["a/G1"], ["a/G3"]),
    }


def test_as_of_ignores_later_reports_and_moves_staleness(tmp_path):
    cycle_dir = _board(tmp_path)
    later = _json(cycle_dir, "--as-of", "2026-11-01")
    assert later["as_of_from"] == "option"
    assert _tracks(later)["a/G1"] == ("green", "2026-10-31", "improving", 3, 1, False)
    assert _counts(later)["org"] == (
        7,
        2,
        3,
        1,
        1,
        5,
        ["c/G1"],
        ["org/G1", "c/G1", "a/G3", "b/G1", "b/G2"],
    )  # c/G1's red of 1 September is 61 days old
    early = _json(cycle_dir, "--as-of", "2026-07-15", "--node", "mid")
    assert _tracks(early) == {
        "a/G1": ("yellow", "2026-06-30", "new", 1, 15, False),
        "a/G2": (None, None, None, 0, None, False),
        "a/G3": ("yellow", "2026-07-01", "new", 1, 14, False),
        "b/G1": (None, None, None, 0, None, False),
        "b/G2": (None, None, None, 0, None, False),
    }
    assert _counts(early) == {"mid": (5, 0, 2, 0, 3, 0, [], [])}


def test_the_stale_setting_comes_from_cycle_yaml(tmp_path):
    doc = _json(_board(tmp_path, CYCLE_YAML + "goal_stale_days: 80\n"))
    assert doc["stale_days"] == 80
    assert _counts(doc)["org"][5:] == (0, ["c/G1", "a/G1"], [])


def test_without_an_as_of_the_date_is_today_and_said(tmp_path, monkeypatch):
    monkeypatch.setattr("opplan.pipeline.goals.today", lambda: dt.date(2026, 10, 1))
    cycle_dir = _board(tmp_path, CYCLE_YAML.replace("as_of: 2026-09-15\n", ""))
    doc = _json(cycle_dir)
    assert (doc["as_of"], doc["as_of_from"]) == ("2026-10-01", "today")
    table = CliRunner().invoke(cli, ["goals", str(cycle_dir)]).stdout
    assert table.splitlines()[0] == (
        "Rollup Test OP1 2027: goals as of 2026-10-01 (today; the cycle sets no as_of); "
        "stale after 45 days without a report"
    )


def test_the_table_shows_counts_goals_and_the_red_and_stale_lists(tmp_path):
    result = CliRunner().invoke(cli, ["goals", str(_board(tmp_path)), "--node", "mid"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Rollup Test OP1 2027: goals as of 2026-09-15 (the cycle's as_of); "
        "stale after 45 days without a report",
        "Node / goal      Goals  Green  Yellow  Red  None  Stale  "
        "Latest                              Trend      Updates",
        "---------------  -----  -----  ------  ---  ----  -----  "
        "----------------------------------  ---------  -------",
        "Mid                  5      1       2    1     1      1",
        "  A",
        "    G1: Goal G1                                          "
        "red 2026-08-31                      worsening        2",
        "    G2: Goal G2                                          "
        "not reported                                         0",
        "    G3: Goal G3                                          "
        "yellow 2026-07-01 (stale, 76 days)  new              1",
        "  B",
        "    G1: Goal G1                                          "
        "yellow 2026-09-10                   improving        2",
        "    G2: Goal G2                                          "
        "green 2026-09-14                    steady           2",
        "",
        "Red (1):",
        "  a/G1: Goal G1 (2026-08-31: ok)",
        "Stale (1):",
        "  a/G3: Goal G3 (last report 2026-07-01, 76 days)",
    ]


def test_json_and_csv_are_deterministic_and_csv_is_injection_safe(tmp_path):
    cycle_dir = _board(tmp_path)
    runs = [
        CliRunner().invoke(cli, ["goals", str(cycle_dir), "--format", fmt]).stdout
        for fmt in ("json", "csv", "json", "csv")
    ]
    assert runs[0] == runs[2] and runs[1] == runs[3]
    rows = list(csv.DictReader(io.StringIO(runs[1])))
    assert [r["ref"] for r in rows] == ["org/G1", "c/G1", "a/G1", "a/G2", "a/G3", "b/G1", "b/G2"]
    c = rows[1]
    assert (c["node_name"], c["title"], c["owner"], c["note"], c["color"], c["stale"]) == (
        "'-Cash",
        "'=SUM(A1)",
        "'+Plus Owner",
        "'@evil",
        "red",
        "no",
    )
    assert runs[1].splitlines()[0] == (
        "ref,node,node_name,goal,title,owner,color,date,trend,updates,days_since_update,stale,note"
    )
    doc = json.loads(runs[0])
    assert doc["goals"][1]["title"] == "=SUM(A1)"  # JSON carries the text as written


def test_goals_refuses_an_unknown_node_and_a_bad_date(tmp_path):
    cycle_dir = _board(tmp_path)
    unknown = CliRunner().invoke(cli, ["goals", str(cycle_dir), "--node", "nope"])
    assert unknown.exit_code == 2
    assert "Invalid value for --node: no node 'nope' in this cycle" in unknown.stderr
    bad = CliRunner().invoke(cli, ["goals", str(cycle_dir), "--as-of", "15/09/2026"])
    assert bad.exit_code == 2
    assert "'15/09/2026' is not a date: write YYYY-MM-DD" in bad.stderr


@pytest.mark.parametrize("command", [["status"], ["goals"]])
def test_every_as_of_takes_the_same_dates(tmp_path, command):
    """One date option for every command: the same form, the same message."""
    cycle_dir = _board(tmp_path)
    for bad in ("15/09/2026", "2026-02-30", "yesterday"):
        out = CliRunner().invoke(cli, [*command, str(cycle_dir), "--as-of", bad])
        assert out.exit_code == 2
        assert f"'{bad}' is not a date: write YYYY-MM-DD, e.g. 2026-09-30" in out.stderr
    good = CliRunner().invoke(cli, [*command, str(cycle_dir), "--as-of", "2026-09-30"])
    assert good.exit_code == 0 and "2026-09-30" in good.stdout


# --- the sample -------------------------------------------------------------------------------


def test_the_sample_counts_per_manager():
    """Twelve goals of the sample have reports (7 green, 4 yellow, 1 red); Observability's
    G1 was last reported on 30 June, 77 days before the cycle's 15 September."""
    result = pipeline.goal_status(SAMPLE)
    assert result.report is not None
    doc = json.loads(pipeline.goals_output(result.report, "json"))
    counts = _counts(doc)
    assert counts["northwind"] == (
        101,
        7,
        4,
        1,
        89,
        1,
        ["fraud-detection/G1"],
        ["observability/G1"],
    )
    assert counts["payments"] == (27, 2, 0, 1, 24, 0, ["fraud-detection/G1"], [])
    assert counts["risk"] == (12, 1, 0, 1, 10, 0, ["fraud-detection/G1"], [])
    assert counts["platform"] == (29, 3, 0, 0, 26, 1, [], ["observability/G1"])
    assert counts["retail"] == (41, 2, 3, 0, 36, 0, [], [])
    assert _tracks(doc)["fraud-detection/G1"] == ("red", "2026-08-31", "worsening", 3, 15, False)
    assert _tracks(doc)["observability/G1"] == ("green", "2026-06-30", "new", 1, 77, True)
    assert _tracks(doc)["checkout/G2"] == ("green", "2026-08-31", "improving", 3, 15, False)


# --- the documents: "Goals this year" -------------------------------------------------------


def _section(lines: list[str], heading: str) -> list[str]:
    start = lines.index(heading)
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith("[Heading")), len(lines)
    )
    return lines[start:end]


def test_a_managers_appendix_has_goals_this_year_with_its_teams_red_and_stale_goals(tmp_path):
    report = pipeline.rollup(_board(tmp_path)).report
    assert report is not None
    lines = read_back(render_docx(report.nodes["mid"], report, search_path(None)))
    assert lines.index("[Heading 1] Appendix") < lines.index("[Heading 2] Goals this year")
    assert _section(lines, "[Heading 2] Goals this year")[2:] == [
        "[table Table Grid]",
        "| **Goal** | **Latest status** | **Trend** | **Reports** |",
        "| A, G1: Goal G1 | red, 31 Aug | worsening | 2 |",
        "| A, G3: Goal G3 | yellow, 1 Jul; stale | new | 1 |",
    ]
    team = read_back(render_docx(report.nodes["b"], report, search_path(None)))
    assert _section(team, "[Heading 2] Goals this year")[2:] == [
        "[table Table Grid]",
        "| **Goal** | **Latest status** | **Trend** | **Reports** |",
        "| G1: Goal G1 | yellow, 10 Sep | improving | 2 |",
        "| G2: Goal G2 | green, 14 Sep | steady | 2 |",
    ]


def test_no_goals_this_year_table_without_a_single_report(tmp_path):
    cycle_dir = write_cycle(
        tmp_path / "cycle",
        {"org": plan("Org"), "org/t": plan("T", goals=[_goal("G1"), _goal("G2")])},
    )
    report = pipeline.rollup(cycle_dir).report
    assert report is not None
    assert report.nodes["t"].goals_this_year == () and report.nodes["org"].goals_this_year == ()
    for node in ("org", "t"):
        lines = read_back(render_docx(report.nodes[node], report, search_path(None)))
        assert "[Heading 2] Goals this year" not in lines


def test_goals_of_a_cycle_with_errors_prints_them_and_exits_1(tmp_path):
    cycle_dir = write_cycle(
        tmp_path / "cycle", {"org": plan("Org", goals=[{"id": "G1", "title": "No kind"}])}
    )
    result = CliRunner().invoke(cli, ["goals", str(cycle_dir)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert "error:" in result.stderr and "1 error" in result.stderr
