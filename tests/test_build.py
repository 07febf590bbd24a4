"""``opplan build``: every node's documents, atomic, parallel, deterministic, refusing bad plans."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import docx
from click.testing import CliRunner
from conftest import REPO

from opplan.cli import cli

SAMPLE = REPO / "samples" / "northwind-op1-2027"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_builds_every_node_of_a_subtree(tmp_path: Path) -> None:
    code, output = run(
        "build", str(SAMPLE), "--out", str(tmp_path), "--node", "buying", "--jobs", "1"
    )
    assert code == 0, output
    # not a TTY: no progress bar, one line of what was written
    assert output == (
        f"1 warning (opplan check shows them)\nWrote 5 documents and 5 workbooks to {tmp_path}/\n"
    )
    names = sorted(p.name for p in tmp_path.iterdir())
    nodes = ["buying", "cart", "checkout", "order-tracking", "promotions"]
    documents = sorted(f"{n}.{ext}" for n in nodes for ext in ("docx", "xlsx"))
    assert names == [".opplan-build.json", *documents]  # and what each was built from


def test_two_builds_are_byte_identical_with_parallel_jobs(tmp_path: Path) -> None:
    for out in ("a", "b"):
        code, output = run(
            "build", str(SAMPLE), "--out", str(tmp_path / out), "--node", "payments", "--jobs", "2"
        )
        assert code == 0, output
    # the manifests differ in the files' times only
    a = sorted(p for p in (tmp_path / "a").iterdir() if p.name != ".opplan-build.json")
    assert len(a) == 2 * 9  # payments, processing + 3 teams, risk + 3 teams
    for path in a:
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_refuses_plans_with_errors(tmp_path: Path) -> None:
    cycle = tmp_path / "cycle"
    shutil.copytree(SAMPLE, cycle)
    plan = cycle / "northwind" / "retail" / "plan.yaml"
    plan.write_text(plan.read_text().replace("owner:", "ownr:", 1))
    code, output = run("build", str(cycle), "--out", str(tmp_path / "out"))
    assert code == 1
    assert "retail/plan.yaml" in output and "unknown key 'ownr'" in output
    assert not (tmp_path / "out").exists()


def test_a_failing_narrative_names_its_line_and_others_are_written(tmp_path: Path) -> None:
    cycle = tmp_path / "cycle"
    shutil.copytree(SAMPLE, cycle)
    narrative = cycle / "northwind" / "retail" / "buying" / "cart" / "narrative.md"
    narrative.write_text("## Intro\n\n{{ ''.__class__.__mro__ }}\n")
    code, output = run(
        "build",
        str(cycle),
        "--out",
        str(tmp_path / "out"),
        "--node",
        "buying",
        "--format",
        "docx",
        "--jobs",
        "1",
    )
    assert code == 1
    assert (
        f"{cycle}/northwind/retail/buying/cart/narrative.md:3:1: error: access to "
        "attribute '__class__' of 'str' object is unsafe. [template]"
    ) in output
    assert (tmp_path / "out" / "checkout.docx").exists()
    assert not (tmp_path / "out" / "cart.docx").exists()


def test_a_cycle_template_overrides_the_default(tmp_path: Path) -> None:
    cycle = tmp_path / "cycle"
    shutil.copytree(SAMPLE, cycle)
    (cycle / "templates" / "document").mkdir(parents=True)
    (cycle / "templates" / "document" / "stack.md.j2").write_text(
        "## Investments\n\n{{ node.name }} wants {{ totals.incremental.requested.headcount }} "
        "people.\n"
    )
    code, output = run(
        "build", str(cycle), "--out", str(tmp_path / "out"), "--node", "cart", "--format", "docx"
    )
    assert code == 0, output
    d = docx.Document(io.BytesIO((tmp_path / "out" / "cart.docx").read_bytes()))
    texts = [p.text for p in d.paragraphs]
    assert "Investments" in texts and "Cart wants 2 people." in texts


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    code, output = run("build", str(SAMPLE), "--out", str(tmp_path), "--format", "odt")
    assert code == 2 and "unknown format odt; choose from docx, xlsx, pdf" in output


def test_unknown_node_is_refused(tmp_path: Path) -> None:
    code, output = run("build", str(SAMPLE), "--out", str(tmp_path), "--node", "nope")
    assert code == 1 and "no node 'nope' in this cycle" in output
