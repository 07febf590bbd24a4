"""``opplan build --since OLD``: "What changed since ..." in every document and workbook.

A hand-edited copy of the sample against the sample: Retail's budget cut from 16 to 14 heads,
an ask added at Promotions, and Promotions' badges ask doubled. The body's paragraph, the
appendix's list and the workbook's ``Changes`` sheet are read back and compared whole. A
revision made by ``opplan revise`` shows the section without any flag (acceptance 4 of the
revisions issue: the sample's OP2 builds, its root document has the section, within six
pages, counted by LibreOffice).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE
from docreadback import read_back
from openpyxl import load_workbook
from pypdf import PdfReader
from reviewkit import need_libreoffice, need_tool

from opplan import pipeline
from opplan.build import BuildContext, build_docx
from opplan.cli import cli
from opplan.pipeline.changes import with_changes
from opplan.render.docx.plan import search_path
from opplan.render.pdf import write_pdfs


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


PRICE_MATCH = """\
  - id: price-match
    title: Automatic price match for the top 500 items
    summary: Match competitors' prices daily on the 500 items that drive most traffic.
    headcount:
      - {role: SDE, level: L5, location: SEA, count: 1, start: Q2}
    goals: [G1]
"""


def op2_edits(cycle: Path) -> None:
    """Realistic OP2 edits: a budget cut at Retail, an ask added, an ask's amount changed."""
    retail = cycle / "northwind" / "retail" / "plan.yaml"
    text = retail.read_text()
    assert "budget: {headcount: 16}" in text
    retail.write_text(text.replace("budget: {headcount: 16}", "budget: {headcount: 14}"))
    promotions = cycle / "northwind" / "retail" / "buying" / "promotions" / "plan.yaml"
    text = promotions.read_text()
    badges = "      - {role: SDE, level: L5, location: SEA, count: 1, start: Q3}\n    goals: [G1]"
    assert badges in text
    text = text.replace(badges, badges.replace("count: 1", "count: 2"))
    promotions.write_text(text.replace("incremental:\n", "incremental:\n" + PRICE_MATCH, 1))


@pytest.fixture(scope="module")
def since_build(tmp_path_factory) -> Path:
    """Retail's subtree of the edited copy, built --since the sample."""
    base = tmp_path_factory.mktemp("since")
    old, new = base / "sample", base / "edited"
    shutil.copytree(SAMPLE, old)  # outside git: the label is the name alone
    shutil.copytree(SAMPLE, new)
    op2_edits(new)
    out = base / "out"
    code, _, err = run(
        "build",
        str(new),
        "--out",
        str(out),
        "--node",
        "retail",
        "--jobs",
        "1",
        "--since",
        str(old),
    )
    assert code == 0, err
    return out


def section(lines: list[str], heading: str) -> list[str]:
    """The lines from the heading that starts with ``heading`` to the next heading."""
    start = next(i for i, line in enumerate(lines) if line.startswith(f"[Heading 2] {heading}"))
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith("[Heading")), len(lines)
    )
    return lines[start:end]


def test_the_body_says_what_changed_with_the_figures(since_build: Path) -> None:
    lines = read_back((since_build / "retail.docx").read_bytes())
    body = lines[: lines.index("[Heading 1] Appendix")]
    assert section(body, "What changed") == [
        "[Heading 2] What changed since Northwind OP1 2027",
        "[Normal] Since Northwind OP1 2027: 1 ask added, 1 changed; 1 budget changed. At "
        "Retail's line 2 asks moved below; funded went from 16 heads ($3,443,125) to 14 "
        "($3,195,625). Returns and refunds for Frankfurt orders (Returns) moved below the line "
        "because Retail's budget fell from 16 to 14 heads; Order tracking for DHL and Hermes "
        "in Frankfurt (Order Tracking) moved below the line because Retail's budget fell from "
        "16 to 14 heads.",
    ]
    # the section comes right after the outcome, before the narrative
    at = body.index("[Heading 2] What changed since Northwind OP1 2027")
    assert body[at - 1].startswith("[Normal] **Approved for Retail.**")


def test_the_appendix_lists_every_change(since_build: Path) -> None:
    lines = read_back((since_build / "retail.docx").read_bytes())
    appendix = lines[lines.index("[Heading 1] Appendix") :]
    got = section(appendix, "Changes since")
    assert got[0] == "[Heading 2] Changes since Northwind OP1 2027"
    assert got[2:] == [
        "| **Where** | **Change** | **Ask, goal or team** | **What** | **HC** | **Cost** |",
        "| Retail | Budget | Retail's budget (retail) | 16 heads -> 14 heads | -2 |  |",
        "| Retail | Below the line | Order tracking for DHL and Hermes in Frankfurt "
        "(order-tracking/eu-tracking) | above -> below: Retail's budget fell from 16 to 14 "
        "heads | -1 | -$71,250 |",
        "| Retail | Below the line | Returns and refunds for Frankfurt orders (returns/eu-returns)"
        " | above -> below: Retail's budget fell from 16 to 14 heads | -1 | -$176,250 |",
        "| Promotions | Ask added | Automatic price match for the top 500 items "
        "(promotions/price-match) | 1 head, $176,250 | +1 | +$176,250 |",
        "| Promotions | Ask changed | Promotion badges in search results "
        "(promotions/promo-badges) | headcount 1 head -> 2 heads; cost $117,500 -> "
        "$235,000; run rate $235,000 -> $470,000 | +1 | +$117,500 |",
        "| *HC and Cost: for a move across a line, the change in what that line funds; for an "
        "ask added, removed or changed, in what the ask requests; for a budget, in the "
        "envelope.* |",
    ]


def test_each_workbook_has_a_changes_sheet(since_build: Path) -> None:
    wb = load_workbook(io.BytesIO((since_build / "buying.xlsx").read_bytes()))
    assert wb.sheetnames[-3:] == ["Changes", "Instructions", "opplan"]
    ws = wb["Changes"]
    rows = [tuple(c.value for c in row) for row in ws.iter_rows()]
    assert rows == [
        ("Where", "Change", "Item", "Title", "What", "Headcount", "Cost"),
        (
            "Buying",
            "Below the line",
            "promotions/eu-promotions",
            "Promotions that follow German and French pricing law",
            "above -> below: Automatic price match for the top 500 items (Promotions) now "
            "ranks ahead of it",
            -1,
            -176250,
        ),
        (
            "Promotions",
            "Ask added",
            "promotions/price-match",
            "Automatic price match for the top 500 items",
            "1 head, $176,250",
            1,
            176250,
        ),
        (
            "Promotions",
            "Ask changed",
            "promotions/promo-badges",
            "Promotion badges in search results",
            "headcount 1 head -> 2 heads; cost $117,500 -> $235,000; run rate $235,000 -> $470,000",
            1,
            117500,
        ),
    ]
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape"
    assert ws.freeze_panes == "A2"


def test_a_team_with_no_change_says_so(since_build: Path) -> None:
    lines = read_back((since_build / "cart.docx").read_bytes())
    assert section(lines, "What changed") == [
        "[Heading 2] What changed since Northwind OP1 2027",
        "[Normal] Since Northwind OP1 2027, nothing changed in Cart's plans or at its line.",
    ]
    assert not any(line.startswith("[Heading 2] Changes since") for line in lines)


def test_since_must_name_a_cycle(tmp_path: Path) -> None:
    code, _, err = run("build", str(SAMPLE), "--out", str(tmp_path / "o"), "--since", str(tmp_path))
    assert code == 2
    assert f"--since {tmp_path}: not a cycle directory (no cycle.yaml in it)" in err
    assert not (tmp_path / "o").exists()


@pytest.fixture(scope="module")
def revision(tmp_path_factory) -> Path:
    """The sample's OP2 from opplan revise, with the OP2 edits."""
    base = tmp_path_factory.mktemp("op2")
    shutil.copytree(SAMPLE, base / "northwind-op1-2027")
    op2 = base / "northwind-op2-2027"
    assert run("revise", str(base / "northwind-op1-2027"), str(op2))[0] == 0
    op2_edits(op2)
    return op2


ROOT_SECTION = [
    "[Heading 2] What changed since Northwind OP1 2027",
    "[Normal] Since Northwind OP1 2027: 1 ask added, 1 changed; 2 decisions and 1 budget "
    "changed. At Northwind's line 2 asks moved below and 1 above; funded went from 33 heads "
    "($7,680,625) to 32 ($7,633,125). Second compliance program manager (Payments) moved above "
    "the line because Northwind's deferral was lifted; Returns and refunds for Frankfurt "
    "orders (Returns) moved below the line because Retail's budget fell from 16 to 14 heads. "
    "1 more move in the appendix.",
]


def test_a_revision_shows_the_section_without_flags_and_none_turns_it_off(
    revision: Path, tmp_path: Path
) -> None:
    code, _, err = run(
        "build", str(revision), "--out", str(tmp_path / "a"), "--node", "risk", "--jobs", "1"
    )
    assert code == 0, err
    lines = read_back((tmp_path / "a" / "risk.docx").read_bytes())
    assert section(lines, "What changed") == [
        "[Heading 2] What changed since Northwind OP1 2027",
        "[Normal] Since Northwind OP1 2027: 1 decision changed.",
    ]
    # the deferred ask is back in Risk's stack, its deferral after its title
    assert [line.split(" | ")[:3] for line in lines if "(Deferred in OP1 by Risk)" in line] == [
        [
            "| 4",
            "Automated representment for delivery disputes (Deferred in OP1 by Risk)",
            "Chargebacks",
        ],
        [
            "| 4",
            "Automated representment for delivery disputes (Deferred in OP1 by Risk)",
            "Chargebacks",
        ],
    ]
    code, _, err = run(
        "build",
        str(revision),
        "--out",
        str(tmp_path / "b"),
        "--node",
        "risk",
        "--jobs",
        "1",
        "--since",
        "none",
    )
    assert code == 0, err
    lines = read_back((tmp_path / "b" / "risk.docx").read_bytes())
    assert not any("What changed" in line for line in lines)


def test_a_revision_whose_old_cycle_is_gone_warns_and_builds(
    revision: Path, tmp_path: Path
) -> None:
    moved = tmp_path / "alone"
    shutil.copytree(revision, moved)
    code, _, err = run("build", str(moved), "--out", str(tmp_path / "o"), "--node", "risk")
    assert code == 0, err
    assert err.splitlines()[0] == (
        f"{moved}/cycle.yaml:76:3: warning: the revised cycle Northwind OP1 2027 is not at "
        "../northwind-op1-2027: the documents have no 'What changed' section "
        "(opplan build --since DIR names where it is) [revises]"
    )
    lines = read_back((tmp_path / "o" / "risk.docx").read_bytes())
    assert not any("What changed" in line for line in lines)


def test_acceptance_the_sample_op2_root_has_the_section_within_six_pages(
    revision: Path, tmp_path: Path
) -> None:
    """The root document alone, rendered as build renders it and printed by LibreOffice:
    the body (the pages before the Appendix heading) is at most six pages."""
    need_libreoffice()
    rolled = pipeline.rollup(revision)
    assert rolled.report is not None
    report, found = with_changes(rolled.cycle, rolled.report, None)
    assert found == []
    data = build_docx(BuildContext(report, tuple(search_path(revision))), "northwind")
    assert section(read_back(data), "What changed") == ROOT_SECTION
    (tmp_path / "northwind.docx").write_bytes(data)
    (pdf,) = write_pdfs([tmp_path / "northwind.docx"], tmp_path / "pdf")
    pages = [p.extract_text() for p in PdfReader(str(pdf)).pages]
    appendix = next(i for i, t in enumerate(pages) if "Appendix" in t.splitlines()[:3])
    assert "What changed since Northwind OP1 2027" in pages[0]
    assert appendix <= 6, f"the body runs to {appendix} pages"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture
def op1_in_git(tmp_path: Path) -> tuple[Path, str]:
    """A repository whose one commit holds the sample as ``op1``; its commit id."""
    need_tool("git")
    repo = tmp_path / "plans"
    shutil.copytree(SAMPLE, repo / "op1")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "op1")
    return repo, git(repo, "rev-parse", "HEAD")


def test_the_label_has_the_short_commit_of_a_revised_cycle_in_git(
    op1_in_git: tuple[Path, str], tmp_path: Path
) -> None:
    repo, head = op1_in_git
    assert run("revise", str(repo / "op1"), str(tmp_path / "op2"))[0] == 0
    code, _, err = run(
        "build", str(tmp_path / "op2"), "--out", str(tmp_path / "o"), "--node", "cart"
    )
    assert code == 0, err
    lines = read_back((tmp_path / "o" / "cart.docx").read_bytes())
    assert section(lines, "What changed") == [
        f"[Heading 2] What changed since Northwind OP1 2027 ({head[:7]})",
        f"[Normal] Since Northwind OP1 2027 ({head[:7]}), nothing changed in Cart's plans or "
        "at its line.",
    ]
    # the old cycle's directory is gone: git still has it at the commit revises: names
    shutil.rmtree(repo / "op1")
    code, _, err = run(
        "build", str(tmp_path / "op2"), "--out", str(tmp_path / "p"), "--node", "risk"
    )
    assert code == 0, err
    lines = read_back((tmp_path / "p" / "risk.docx").read_bytes())
    assert section(lines, "What changed") == [
        f"[Heading 2] What changed since Northwind OP1 2027 ({head[:7]})",
        f"[Normal] Since Northwind OP1 2027 ({head[:7]}): 1 decision changed.",
    ]


def test_since_a_git_revision_of_the_working_tree(
    op1_in_git: tuple[Path, str], tmp_path: Path, monkeypatch
) -> None:
    repo, head = op1_in_git
    buying = repo / "op1" / "northwind" / "retail" / "buying" / "plan.yaml"
    text = buying.read_text()
    assert "budget: {headcount: 5}" in text
    buying.write_text(text.replace("budget: {headcount: 5}", "budget: {headcount: 4}"))
    monkeypatch.chdir(repo)
    code, _, err = run(
        "build", "op1", "--out", str(tmp_path / "o"), "--node", "buying", "--since", "HEAD:op1"
    )
    assert code == 0, err
    lines = read_back((tmp_path / "o" / "buying.docx").read_bytes())
    got = section(lines, "What changed")
    assert got[0] == f"[Heading 2] What changed since Northwind OP1 2027 ({head[:7]})"
    assert got[1].startswith(
        f"[Normal] Since Northwind OP1 2027 ({head[:7]}): 1 budget changed. At Buying's line "
        "1 ask moved below"
    )
    assert "because Buying's budget fell from 5 to 4 heads" in got[1]
    assert git(repo, "status", "--porcelain") == "M op1/northwind/retail/buying/plan.yaml"
    # a bare revision is this cycle's directory at that revision
    code, _, err = run(
        "build", "op1", "--out", str(tmp_path / "b"), "--node", "buying", "--since", "HEAD"
    )
    assert code == 0, err
    assert section(read_back((tmp_path / "b" / "buying.docx").read_bytes()), "What changed") == got
    code, _, err = run("build", "op1", "--out", str(tmp_path / "y"), "--since", "nosuch")
    assert code == 2
    assert "--since nosuch: neither a cycle directory nor a git revision: " in err
    code, _, err = run("build", "op1", "--out", str(tmp_path / "x"), "--since", "nosuch:op1")
    assert code == 2
    assert "--since nosuch:op1: 'nosuch' is not a revision" in err
