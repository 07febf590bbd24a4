"""Issue 10, case 3: characters XML cannot hold, at three depths.

(a) ``check`` refuses them at the exact key or narrative line:col, naming the
character; (b) one sanitiser keeps every renderer from crashing on them even
when they come from a template; (c) a node whose document fails to render is
refused at its file while every other node's documents are written, with
``--jobs 1`` and ``--jobs 2`` alike.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO
from cyclefactory import write_cycle

from opplan import build, pipeline
from opplan.check.xmltext import REPLACEMENT, char_name, xml_safe
from opplan.cli import cli
from opplan.render.docx.plan import search_path

SAMPLE = REPO / "samples" / "northwind-op1-2027"

ROOT = """\
name: Company
owner: Ana Silva
"""

TEAM = """\
name: Team
owner: Bo Chen
contributors: [Cy Diaz, Di Eze]
incremental:
  - id: a1
    title: First ask
    headcount:
      - role: SDE
        count: 1
"""


def errors(cycle_dir: Path) -> list[str]:
    return [d.format() for d in pipeline.check(cycle_dir).diagnostics if d.rule == "xml-text"]


@pytest.mark.parametrize(
    ("old", "new", "where", "char"),
    [
        ("owner: Bo Chen", 'owner: "Bo\\vChen"', "co/team/plan.yaml:2:1", "U+000B (vertical tab)"),
        ("name: Team", 'name: "Te\\x07am"', "co/team/plan.yaml:1:1", "U+0007 (bell)"),
        (
            "title: First ask",
            'title: "First \\uFFFE ask"',
            "co/team/plan.yaml:6:5",
            "U+FFFE (not a character)",
        ),
        ("[Cy Diaz, Di Eze]", '[Cy Diaz, "Di\\0Eze"]', "co/team/plan.yaml:3:25", "U+0000 (null)"),
        ("role: SDE", 'role: "SDE\\x1f"', "co/team/plan.yaml:8:9", "U+001F (control character)"),
    ],
)
def test_case3a_check_refuses_a_bad_character_in_plan_yaml_at_its_key(
    tmp_path: Path, old: str, new: str, where: str, char: str
) -> None:
    write_cycle(tmp_path, {"co": ROOT, "co/team": TEAM.replace(old, new)})
    found = errors(tmp_path)
    assert len(found) == 1, found
    assert found[0].startswith(f"{tmp_path}/{where}: error: ")
    assert char in found[0] and "[xml-text]" in found[0]


def test_case3a_check_refuses_a_bad_character_in_cycle_yaml(tmp_path: Path) -> None:
    cycle_yaml = 'name: "OP1\\f2027"\nyear: 2027\nas_of: 2026-09-15\nrates:\n  default: 1\n'
    write_cycle(tmp_path, {"co": ROOT}, cycle_yaml)
    assert errors(tmp_path) == [
        f"{tmp_path}/cycle.yaml:1:1: error: 'name' holds the character U+000C (form feed), "
        "which Word and Excel files cannot hold; delete it (it is often invisible: retype "
        "the text around it) [xml-text]"
    ]


def test_case3a_check_refuses_a_bad_character_in_narrative_at_line_and_col(
    tmp_path: Path,
) -> None:
    write_cycle(tmp_path, {"co": ROOT, "co/team": TEAM})
    (tmp_path / "co/team/narrative.md").write_text(
        "# Team\n\nFirst line.\nSecond\x0bline and \x1b.\n", encoding="utf-8"
    )
    found = errors(tmp_path)
    assert [f.split(": error: ")[0] for f in found] == [
        f"{tmp_path}/co/team/narrative.md:4:7",
        f"{tmp_path}/co/team/narrative.md:4:17",
    ]
    assert "U+000B (vertical tab)" in found[0] and "U+001B (escape)" in found[1]


def test_case3a_build_of_such_a_plan_exits_1_at_the_line_and_writes_nothing(
    tmp_path: Path,
) -> None:
    cycle = tmp_path / "cycle"
    shutil.copytree(SAMPLE, cycle)
    narrative = cycle / "northwind/retail/buying/cart/narrative.md"
    narrative.write_text(narrative.read_text() + "\nA\x0bB\n", encoding="utf-8")
    for jobs in ("1", "2"):
        result = CliRunner().invoke(
            cli, ["build", str(cycle), "--out", str(tmp_path / "out"), "--jobs", jobs]
        )
        assert result.exit_code == 1, result.output
        assert "cart/narrative.md:" in result.output
        assert "U+000B (vertical tab)" in result.output
        assert "internal error" not in result.output
        assert not (tmp_path / "out").exists()


def test_case3_the_shared_rule_names_and_replaces_every_illegal_character() -> None:
    assert char_name("\x0b") == "U+000B (vertical tab)"
    assert char_name("\udfff") == "U+DFFF (lone surrogate)"
    assert char_name("\x1f") == "U+001F (control character)"
    text = "tab\tnl\ncr\r ok é 😀 \x00\x08\x0b\x0c\x1f\ud800\ufffe\uffff"
    assert xml_safe(text) == "tab\tnl\ncr\r ok é 😀 " + REPLACEMENT * 8


def _hostile_report() -> tuple[build.BuildContext, str]:
    """The sample's roll-up with every text of one node made hostile (as a template might)."""
    rolled = pipeline.rollup(SAMPLE)
    report = rolled.report
    assert report is not None
    bad = "A\x0bB\ufffeC\ud800D\x00E $\\frac$"
    node = report.nodes["cart"]
    assert node.narrative is not None
    text = f"{node.narrative.text}\n\nx{bad}\n\n```\n{bad}\n```\n\n| h |\n|---|\n| {bad} |\n"
    hostile = dataclasses.replace(
        node,
        name=bad,
        owner=bad,
        narrative=dataclasses.replace(node.narrative, text=text),
    )
    nodes = {**report.nodes, "cart": hostile}
    ctx = build.BuildContext(
        dataclasses.replace(report, nodes=nodes), tuple(search_path(rolled.cycle.dir))
    )
    return ctx, bad


def test_case3b_every_renderer_sanitises_text_that_reached_it_unchecked() -> None:
    ctx, _bad = _hostile_report()
    # the node itself, and its parent (whose appendix and chart name the child)
    for node_id in ("cart", "buying"):
        for fmt, render in build.RENDERERS.items():
            data = render(ctx, node_id)
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
            assert "\x0b" not in xml and "\ufffe" not in xml, (fmt, node_id)
            if node_id == "cart":
                assert "A\ufffdB\ufffdC\ufffdD\ufffdE" in xml, (fmt, node_id)


@pytest.mark.parametrize("jobs", [1, 2])
def test_case3c_one_node_failing_to_render_is_refused_at_its_file_the_others_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    docx = build.RENDERERS["docx"]

    def breaks_on_cart(ctx: build.BuildContext, node_id: str) -> bytes:
        if node_id == "cart":
            raise ValueError("All strings must be XML compatible")
        return docx(ctx, node_id)

    monkeypatch.setitem(build.RENDERERS, "docx", breaks_on_cart)
    monkeypatch.delenv("OPPLAN_DEBUG", raising=False)
    started = time.monotonic()
    result = CliRunner().invoke(
        cli, ["build", str(SAMPLE), "--out", str(tmp_path), "--jobs", str(jobs)]
    )
    assert time.monotonic() - started < 120  # a safety net, not a benchmark
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "[render]" in line]
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"{SAMPLE}/northwind/retail/buying/cart/narrative.md:1:1: error: ")
    assert "cart.docx could not be written" in lines[0]
    assert "internal error" not in result.output
    written = sorted(p.name for p in tmp_path.iterdir() if p.name != ".opplan-build.json")
    assert len(written) == 2 * 34 - 2
    assert "cart.docx" not in written and "cart.xlsx" not in written


def test_case3a_check_refuses_a_bad_character_in_a_key_the_plan_names(tmp_path: Path) -> None:
    write_cycle(tmp_path, {"co": ROOT, "co/team": TEAM + 'spend:\n  "tr\\x07vel": 5\n'})
    found = errors(tmp_path)
    assert len(found) == 1
    assert found[0].startswith(
        f"{tmp_path}/co/team/plan.yaml:11:3: error: a key of 'spend' holds the character "
        "U+0007 (bell)"
    )
