"""``opplan goal update``: a status report appended to a goal's plan.yaml, comments and layout
kept, validated with the cycle, atomic; refused with nothing written (docs/through-the-year.md).
"""

from __future__ import annotations

import datetime as dt
import difflib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from cyclefactory import write_cycle

from opplan import pipeline
from opplan.cli import cli
from opplan.model.diagnostics import UserError
from opplan.util import atomic

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "northwind-op1-2027"

#: A team's plan with comments everywhere, flow and block styles, and odd spacing.
TEAM = """\
name: Team   # the display name
owner: Jo Doe

# Goals, reviewed monthly by the board.
goals:
  - id: G1
    title: Ship the thing
    kind: initiative
    due: Q4
    status:          # oldest first
      - {date: 2026-07-31, color: green, note: On track.}
      # August was rough
      - {date: 2026-08-31,  color: yellow, note: "Vendor late: 2 weeks."}   # spacing kept
  - id: G2
    title: Second thing
    kind: initiative
    due: Q3   # no status yet
  - id: G3
    title: Third thing
    kind: initiative
    due: Q2
    status:
      - date: 2026-08-15
        color: green
"""


def _cycle(tmp_path: Path, team: str = TEAM) -> Path:
    return write_cycle(tmp_path / "cycle", {"org": "name: Org\nowner: Al Boss\n", "org/team": team})


def _added(before: str, after: str) -> list[str]:
    """The lines ``after`` adds to ``before``; fails if it removes or changes any."""
    ops = difflib.SequenceMatcher(None, before.splitlines(True), after.splitlines(True))
    added = []
    for tag, i1, i2, j1, j2 in ops.get_opcodes():
        assert tag in ("equal", "insert"), (tag, before.splitlines()[i1:i2])
        if tag == "insert":
            added.extend(after.splitlines()[j1:j2])
    return added


def _update(cycle_dir: Path, *args: str):
    return CliRunner().invoke(cli, ["goal", "update", *args[:1], str(cycle_dir), *args[1:]])


def test_an_update_adds_only_the_new_entrys_line(tmp_path):
    cycle_dir = _cycle(tmp_path)
    path = cycle_dir / "org" / "team" / "plan.yaml"
    result = _update(
        cycle_dir,
        "team/G1",
        "--color",
        "red",
        "--note",
        "Vendor gone: replan",
        "--date",
        "2026-09-30",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == f"team/G1: red on 2026-09-30 written to {path}\n"
    assert result.stderr == ""  # yellow to red is no jump
    text = path.read_text()
    assert _added(TEAM, text) == [
        "      - {date: 2026-09-30, color: red, note: 'Vendor gone: replan'}"
    ]
    assert text.index("'Vendor gone") > text.index("spacing kept")  # appended last
    assert pipeline.check(cycle_dir).diagnostics == []


def test_a_goal_without_status_gets_a_list_and_a_block_list_gets_a_block_entry(tmp_path):
    cycle_dir = _cycle(tmp_path)
    path = cycle_dir / "org" / "team" / "plan.yaml"
    assert (
        _update(
            cycle_dir, "team/G2", "--color", "green", "--note", "42", "--date", "2026-09-01"
        ).exit_code
        == 0
    )
    first = path.read_text()
    assert _added(TEAM, first) == [
        "    status:",
        '      - {date: 2026-09-01, color: green, note: "42"}',  # quoted: it stays text
    ]
    assert (
        _update(
            cycle_dir, "team/G3", "--color", "yellow", "--note", "Slipping", "--date", "2026-09-01"
        ).exit_code
        == 0
    )
    assert _added(first, path.read_text()) == [
        "      - date: 2026-09-01",
        "        color: yellow",
        "        note: Slipping",
    ]
    goals = {g.id: g for g in pipeline.check(cycle_dir).cycle.node("team").plan.goals}
    assert [(s.date, s.color, s.note) for s in goals["G2"].status] == [
        (dt.date(2026, 9, 1), "green", "42")
    ]


def test_the_sample_round_trip_keeps_every_other_byte(tmp_path):
    cycle_dir = tmp_path / "sample"
    shutil.copytree(SAMPLE, cycle_dir)
    path = cycle_dir / "northwind" / "payments" / "risk" / "fraud-detection" / "plan.yaml"
    before = path.read_text()
    result = _update(
        cycle_dir,
        "fraud-detection/G1",
        "--color",
        "yellow",
        "--note",
        "Back to 11 bps",
        "--date",
        "2026-09-30",
    )
    assert result.exit_code == 0, result.output
    assert _added(before, path.read_text()) == [
        "      - {date: 2026-09-30, color: yellow, note: Back to 11 bps}"
    ]
    doc = pipeline.goal_status(cycle_dir, as_of=dt.date(2026, 10, 1)).report
    assert doc is not None
    track = next(g.track for g in doc.goals if g.ref == "fraud-detection/G1")
    assert (track.color, track.trend, track.updates) == ("yellow", "improving", 4)


def test_green_to_red_is_written_with_the_status_jump_warning(tmp_path):
    cycle_dir = _cycle(tmp_path)
    path = cycle_dir / "org" / "team" / "plan.yaml"
    result = _update(
        cycle_dir, "team/G3", "--color", "red", "--note", "Broke", "--date", "2026-09-02"
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"{path}:26:9: warning: goal 'G3' goes from green to red on 2026-09-02 "
        "with no yellow between [status-jump]\n"
    )
    assert path.read_text().splitlines()[25] == "        color: red"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["team/G9", "--color", "red", "--note", "x"],
            1,
            "node 'team' has no goal 'G9' (its goals: G1, G2, G3)",
        ),
        (["nobody/G1", "--color", "red", "--note", "x"], 1, "no node 'nobody' in the cycle in"),
        (
            ["team", "--color", "red", "--note", "x"],
            1,
            "'team' is not a goal reference: write <node-id>/<goal-id>",
        ),
        (["team/G1/x", "--color", "red", "--note", "x"], 1, "is not a goal reference"),
        (
            ["team/G1", "--color", "blue", "--note", "x"],
            2,
            "'blue' is not one of 'green', 'yellow', 'red'",
        ),
        (["team/G1", "--color", "red"], 2, "Missing option '--note'"),
        (
            ["team/G1", "--color", "red", "--note", "x", "--date", "2026-02-30"],
            2,
            "'2026-02-30' is not a date",
        ),
        (
            ["team/G1", "--color", "red", "--note", "x", "--date", "2026-08-30"],
            1,
            "goal team/G1's latest report is dated 2026-08-31; reports are kept oldest first, "
            "so one dated 2026-08-30 cannot follow it",
        ),
    ],
)
def test_refusals_write_nothing(tmp_path, args, code, message):
    cycle_dir = _cycle(tmp_path)
    files = {p: p.read_bytes() for p in cycle_dir.rglob("*") if p.is_file()}
    result = _update(cycle_dir, *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    if code == 1:
        assert result.stderr.endswith("Nothing was written.\n")
    assert {p: p.read_bytes() for p in cycle_dir.rglob("*") if p.is_file()} == files


def test_a_report_on_the_same_day_as_the_latest_is_appended(tmp_path):
    cycle_dir = _cycle(tmp_path)
    result = _update(
        cycle_dir,
        "team/G1",
        "--color",
        "yellow",
        "--note",
        "Later that day",
        "--date",
        "2026-08-31",
    )
    assert result.exit_code == 0, result.output
    goal = pipeline.check(cycle_dir).cycle.node("team").plan.goals[0]
    assert [s.note for s in goal.status] == ["On track.", "Vendor late: 2 weeks.", "Later that day"]


def test_an_update_that_would_add_an_error_writes_nothing(tmp_path):
    """A note over the 20,000 characters a text may hold would make plan.yaml fail to load:
    refused."""
    cycle_dir = _cycle(tmp_path)
    path = cycle_dir / "org" / "team" / "plan.yaml"
    with pytest.raises(UserError) as refused:
        pipeline.goal_update(cycle_dir, "team/G1", "green", "x" * 20_001, date=dt.date(2026, 9, 30))
    assert "nothing was written" in str(refused.value)
    assert path.read_text() == TEAM


def test_dry_run_and_the_default_date(tmp_path, monkeypatch):
    monkeypatch.setattr("opplan.pipeline.goals.today", lambda: dt.date(2026, 10, 2))
    cycle_dir = _cycle(tmp_path)
    path = cycle_dir / "org" / "team" / "plan.yaml"
    result = _update(cycle_dir, "team/G1", "--color", "green", "--note", "ok", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"team/G1: green on 2026-10-02 would be written to (dry run) {path}\n"
    assert path.read_text() == TEAM


def test_a_failure_mid_write_leaves_the_old_file(tmp_path, monkeypatch):
    cycle_dir = _cycle(tmp_path)
    path = cycle_dir / "org" / "team" / "plan.yaml"

    def full_disk(target, data, shown):
        raise OSError(28, "No space left on device", str(shown))

    monkeypatch.setattr(atomic, "_replace", full_disk)
    with pytest.raises(OSError):
        pipeline.goal_update(cycle_dir, "team/G1", "green", "ok", date=dt.date(2026, 9, 30))
    assert path.read_text() == TEAM
    assert sorted(p.name for p in path.parent.iterdir()) == ["plan.yaml"]  # no temporary left


def test_a_file_changed_during_the_update_is_refused(tmp_path, monkeypatch):
    cycle_dir = _cycle(tmp_path)
    path = cycle_dir / "org" / "team" / "plan.yaml"
    real = atomic.rewrite

    def edited_meanwhile(target, edit, *, expected=None):
        path.write_text(TEAM + "# an editor saved\n")
        return real(target, edit, expected=expected)

    monkeypatch.setattr(atomic, "rewrite", edited_meanwhile)
    with pytest.raises(UserError) as refused:
        pipeline.goal_update(cycle_dir, "team/G1", "green", "ok", date=dt.date(2026, 9, 30))
    assert "changed while updating the goal" in str(refused.value)
    assert path.read_text() == TEAM + "# an editor saved\n"


def test_crlf_and_a_byte_order_mark_are_kept(tmp_path):
    cycle_dir = _cycle(tmp_path)
    path = cycle_dir / "org" / "team" / "plan.yaml"
    raw = b"\xef\xbb\xbf" + TEAM.replace("\n", "\r\n").encode()
    path.write_bytes(raw)
    assert (
        _update(
            cycle_dir, "team/G1", "--color", "green", "--note", "ok", "--date", "2026-09-30"
        ).exit_code
        == 0
    )
    new = path.read_bytes()
    assert new.startswith(b"\xef\xbb\xbf")
    assert new.replace(b"      - {date: 2026-09-30, color: green, note: ok}\r\n", b"") == raw


@pytest.mark.parametrize(
    ("status", "added"),
    [
        (  # a blank line and a comment after the list stay after the new entry
            "    status:\n      - {date: 2026-07-31, color: green}\n\n      # more to come\n\n",
            ["      - {date: 2026-09-30, color: yellow, note: n}"],
        ),
        (  # a list written as [] becomes a block list, its comment kept on the key's line
            "    status: []   # none yet\n",
            ["    status:      # none yet", "      - {date: 2026-09-30, color: yellow, note: n}"],
        ),
    ],
)
def test_the_new_entry_goes_after_the_last_reports_content(tmp_path, status, added):
    team = (
        "name: T\nowner: O\ngoals:\n  - id: G1\n    title: X\n    kind: initiative\n"
        f"    due: Q4\n{status}  - id: G2\n    title: Y\n    kind: initiative\n    due: Q4\n"
    )
    cycle_dir = _cycle(tmp_path, team)
    path = cycle_dir / "org" / "team" / "plan.yaml"
    result = _update(
        cycle_dir, "team/G1", "--color", "yellow", "--note", "n", "--date", "2026-09-30"
    )
    assert result.exit_code == 0, result.output
    after = path.read_text()
    if "[]" in team:  # the key's line is rewritten: compare without it
        assert after.replace(added[0] + "\n", "").replace(added[1] + "\n", "") == team.replace(
            status, ""
        )
    else:
        assert _added(team, after) == added


def test_where_status_jump_is_an_error_green_to_red_is_refused(tmp_path):
    cycle_dir = _cycle(tmp_path)
    org = cycle_dir / "org" / "plan.yaml"
    org.write_text(org.read_text() + "policies:\n  status-jump: error\n")
    path = cycle_dir / "org" / "team" / "plan.yaml"
    result = _update(
        cycle_dir, "team/G3", "--color", "red", "--note", "Broke", "--date", "2026-09-02"
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "opplan: cannot update team/G3:\n"
        "  the update would introduce errors, so nothing was written:\n"
        "  goal 'G3' goes from green to red on 2026-09-02 with no yellow between [status-jump]\n"
        "Nothing was written.\n"
    )
    assert path.read_text() == TEAM
