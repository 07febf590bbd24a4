"""Every view labelled, the outcome everywhere: documents state funding in a named view.

A team has no budget, so nothing is funded in its own view: its document must say what the
approved plan (the root's view) decided. A director sees the dependencies of its teams that
are decided above it. Each generated statement about funding names the view it is true in.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cyclefactory import ask, plan, rolled
from docreadback import read_back

from opplan.narrative.markdown import Paragraph, plain
from opplan.render.docx.plan import Renderer, search_path
from opplan.render.docx.writer import render_docx
from opplan.report.context import node_context
from opplan.report.records import Report

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "northwind-op1-2027"

#: The templates whose statements this test holds to naming their view.
VIEW_TEMPLATES = ("approved", "dependencies", "appendix_chart", "appendix_teams")
FUNDING = re.compile(r"\bfund|below the line|unlined|at risk|\bcut\b|deferred", re.IGNORECASE)
NAMED_VIEW = re.compile(r"(?:'s|s') (own )?view|approved plan")


@pytest.fixture(scope="module")
def sample(sample_report: Report) -> Report:
    return sample_report


def _sentences(text: str) -> list[str]:
    """Sentences of plain prose (a full stop followed by a space ends one)."""
    return [s.strip() for s in re.split(r"(?<=[.;:])\s+(?=[A-Z0-9])", text) if s.strip()]


def _statements(r: Renderer, report: Report) -> list[tuple[str, str, str]]:
    """``(node, template, sentence)`` for every sentence the view templates write, every
    node of the report (each child summary of every manager included)."""
    out = []
    for node in report.nodes.values():
        sections = [(name, r.section(name, node)) for name in VIEW_TEMPLATES]
        for child in node_context(node, report)["children"]:
            sections.append(("child", r.section("child", node, child=child, introduction=None)))
        for name, parsed in sections:
            for section in parsed:
                for block in section.blocks:
                    if isinstance(block, Paragraph):
                        out += [(node.id, name, s) for s in _sentences(plain(block.spans))]
    return out


def test_every_generated_statement_about_funding_names_its_view(sample: Report) -> None:
    statements = _statements(Renderer(sample, search_path(SAMPLE)), sample)
    about_funding = [s for s in statements if FUNDING.search(s[2])]
    # these templates speak about funding in the sample: the check is not empty
    # (appendix_teams only announces the summaries)
    assert {t for _, t, _ in about_funding} == {
        "approved",
        "dependencies",
        "appendix_chart",
        "child",
    }
    unnamed = [s for s in about_funding if not NAMED_VIEW.search(s[2])]
    assert unnamed == []


def test_the_check_finds_a_statement_without_its_view(sample: Report, tmp_path: Path) -> None:
    """The old child summary ("0 are funded in its own view") fails the check above."""
    (tmp_path / "templates" / "document").mkdir(parents=True)
    (tmp_path / "templates" / "document" / "child.md.j2").write_text(
        "### {{ child.name }}\n\n{{ child.name }} asks for {{ child.requested.headcount }} "
        "heads; {{ child.totals.incremental.funded.headcount }} are funded in its own view.\n",
        encoding="utf-8",
    )
    statements = _statements(Renderer(sample, search_path(tmp_path)), sample)
    unnamed = [s for s in statements if FUNDING.search(s[2]) and not NAMED_VIEW.search(s[2])]
    assert unnamed and {t for _, t, _ in unnamed} == {"child"}


def test_no_team_document_calls_an_answer_unfunded_that_the_approved_plan_funds(
    sample: Report,
) -> None:
    """All 16 teams in the Frankfurt mandate's scope are funded in the approved plan, though
    none is funded in its own view (teams have no budget): each team's document says funded."""
    templates = search_path(SAMPLE)
    checked = 0
    for node in sample.nodes.values():
        if node.children:
            continue
        lines = read_back(render_docx(node, sample, templates))
        for m in node.mandates:
            (answer,) = m.answers
            if answer.approved_status not in ("flat", "funded"):
                continue
            checked += 1
            title = m.title[0].lower() + m.title[1:]
            said = [line for line in lines if f"answers the mandate to {title}" in line]
            assert len(said) == 1, (node.id, m.id)
            assert "in the approved plan the answer is funded" in said[0], said[0]
            row = next(line for line in lines if line.startswith(f"| {m.title} |"))
            approved_cell = row.rstrip(" |").rsplit(" | ", 1)[1]
            assert approved_cell in ("funded", "funded on flat"), row
            claims = [line for line in lines if "not funded" in line or "unfunded" in line]
            assert not [c for c in claims if "mandate" in c.lower() or m.title in c], node.id
            if answer.status != "funded" and not node.has_budget:
                # its own view funds nothing and says nothing: no column for it
                header = lines[lines.index(row) - 1]
                assert f"{node.name}'s view" not in header
    eu = [m for m in sample.nodes[sample.root].mandates if m.id == "eu-region"]
    assert eu and eu[0].approved_funded == 16
    assert checked >= 16


# --- the engine: path dependencies and approved mandate figures ------------------


PATH_TREE = {
    "co": plan("Co", budget={"headcount": 2}),
    "co/org": plan("Org"),
    "co/org/dir": plan("Dir"),
    "co/org/dir/app": plan(
        "App",
        ask("uses-api", depends_on=["D1"]),
        dependencies=[{"id": "D1", "on": "api", "what": "An API"}],
    ),
    "co/plat": plan("Plat"),
    "co/plat/api": plan(
        "Api", ask("build-api"), commitments=[{"to": "app/D1", "funded_by": "build-api"}]
    ),
    "co/side": plan("Side"),
}


def test_every_manager_between_an_end_and_the_lowest_common_manager_sees_the_dependency(
    tmp_path: Path,
) -> None:
    report = rolled(tmp_path, PATH_TREE)
    roles = {nid: [(d.id, d.role) for d in n.dependencies] for nid, n in report.nodes.items()}
    assert roles == {
        "co": [("D1", "manager")],
        "org": [("D1", "path")],
        "dir": [("D1", "path")],
        "app": [("D1", "requester")],
        "plat": [("D1", "path")],
        "api": [("D1", "host")],
        "side": [],
    }
    # everyone reads the status where it is decided (co funds build-api within 2 heads)
    assert {d.status for n in report.nodes.values() for d in n.dependencies} == {"funded"}
    assert {d.manager for n in report.nodes.values() for d in n.dependencies} == {"co"}


def test_a_director_document_lists_its_teams_dependencies_decided_above_it(
    tmp_path: Path,
) -> None:
    report = rolled(tmp_path, PATH_TREE)
    lines = read_back(render_docx(report.nodes["dir"], report, search_path(None)))
    said = [line for line in lines if "Teams of Dir are party to" in line]
    assert len(said) == 1
    assert "decided above Dir by the lowest manager over both teams (Co)" in said[0]
    assert "it is committed or funded in Co's view and in the approved plan" in said[0]
    assert "| App | Api | An API |  | Co: funded | funded |" in lines


MANDATE_CYCLE = """\
name: Views OP1 2027
kind: OP1
year: 2027
currency: USD
as_of: 2026-09-15
rates:
  default: 120000
mandates:
  - id: eu
    title: Launch in the EU
    applies_to: [dir]
"""


def test_mandate_answers_carry_their_status_in_the_approved_plan(tmp_path: Path) -> None:
    """dir funds one answer within its 1-head budget; co funds both; co cuts c's ask
    that dir funded by decision: each answer's approved status is co's verdict everywhere."""
    answer = {"eu": {"response": "An ask launches it."}}
    report = rolled(
        tmp_path,
        {
            "co": plan("Co", budget={"headcount": 5}, decisions={"c/eu-c": {"decision": "cut"}}),
            "co/dir": plan(
                "Dir", budget={"headcount": 1}, decisions={"c/eu-c": {"decision": "fund"}}
            ),
            "co/dir/a": plan("A", ask("eu-a", mandate="eu"), mandates=answer),
            "co/dir/b": plan("B", ask("eu-b", mandate="eu"), mandates=answer),
            "co/dir/c": plan("C", ask("eu-c", mandate="eu"), mandates=answer),
        },
        MANDATE_CYCLE,
    )

    def statuses(nid: str) -> list[tuple[str, str, str]]:
        (m,) = report.nodes[nid].mandates
        return [(a.node, a.status, a.approved_status) for a in m.answers]

    # at dir: c is forced, a and b compete for no room left (the forced ask uses the budget)
    assert statuses("dir") == [
        ("a", "unfunded", "funded"),
        ("b", "unfunded", "funded"),
        ("c", "funded", "unfunded"),
    ]
    assert statuses("a") == [("a", "unfunded", "funded")]
    assert statuses("c") == [("c", "unfunded", "unfunded")]
    (at_dir,) = report.nodes["dir"].mandates
    assert (at_dir.funded, at_dir.unfunded) == (1, 2)
    assert (at_dir.approved_funded, at_dir.approved_unfunded) == (2, 1)
    (at_co,) = report.nodes["co"].mandates
    assert (at_co.funded, at_co.approved_funded, at_co.approved_unfunded) == (2, 2, 1)

    templates = search_path(None)
    a_doc = read_back(render_docx(report.nodes["a"], report, templates))
    assert any("in the approved plan the answer is funded." in line for line in a_doc)
    c_doc = read_back(render_docx(report.nodes["c"], report, templates))
    assert any("in the approved plan the answer is not funded." in line for line in c_doc)
    dir_doc = read_back(render_docx(report.nodes["dir"], report, templates))
    assert any(
        "1 of the answers is funded in Dir's view and 2 in the approved plan" in line
        for line in dir_doc
    )


def test_outcome_figures_count_the_subtree_in_the_approved_plan(tmp_path: Path) -> None:
    """approved_counts covers every ask of the subtree (live or removed here); a child's
    summary gives its asks in the manager's view and funded in the approved plan."""
    report = rolled(
        tmp_path,
        {
            "co": plan("Co", budget={"headcount": 1}, decisions={"t/z": {"decision": "defer"}}),
            "co/d": plan("D", budget={"headcount": 3}, decisions={"t/y": {"decision": "cut"}}),
            "co/d/t": plan("T", ask("w"), ask("x"), ask("y"), ask("z"), hc=2),
        },
    )
    d = report.nodes["d"]
    c = d.approved_counts
    assert (c.funded, c.below, c.unlined, c.cut, c.deferred, c.asks) == (1, 1, 0, 1, 1, 4)
    assert d.approved_total.headcount == 3  # 2 flat and w, the one ask co funds
    (summary,) = d.child_summaries
    assert summary.child == "t"
    assert (summary.funded.headcount, summary.unfunded.headcount) == (3, 0)  # w, x, z at d
    assert (summary.cut.headcount, summary.deferred.headcount) == (1, 0)
    assert summary.approved_funded.headcount == 1
    child = node_context(d, report)["children"][0]
    assert child["here"]["funded"]["headcount"] == 3 and child["approved_funded"]["headcount"] == 1


def test_an_ask_funded_in_part_says_so_in_the_teams_document(sample: Report) -> None:
    """Retail funds one of the two heads of Inventory's oversell guard: the team's stack says
    how much of the ask, its opening statement says one ask is funded only in part, and the
    glance gives the rest of the ask, so asked = funded + below + cut + deferred + rest."""
    lines = read_back(render_docx(sample.nodes["inventory"], sample, search_path(SAMPLE)))
    text = "\n".join(lines)
    assert "| Reservation check that stops overselling |" in text
    assert "partial (Retail): 1 of 2 heads" in text
    assert "both asks of Inventory are funded (1 of them only in part" in text
    rest = next(x for x in lines if x.startswith("| Rest of asks funded in part |"))
    assert rest == "| Rest of asks funded in part | 1 head, $176,250 |"
    t = sample.nodes["inventory"].approved
    whole = [t.funded, t.unfunded, t.cut, t.deferred, t.partial_rest]
    assert sum(a.headcount for a in whole) == t.requested.headcount
    assert sum(a.cost for a in whole) == t.requested.cost


def test_a_childs_funded_here_is_its_asks_above_this_nodes_line(sample: Report) -> None:
    """``child(id).funded_here`` in a narrative is the child summary's funded figure: the
    child's asks above this node's line, summed here from the stack rows to check it."""
    from opplan.narrative.helpers import child_row

    checked = 0
    for node in sample.nodes.values():
        ctx = node_context(node, sample)
        for row in ctx["children"]:
            above = [r for r in ctx["above"] if r["child"] == row["id"]]
            funded = child_row(row)["funded_here"]
            assert funded["cost"] == sum((r["cost"] for r in above), 0), (node.id, row["id"])
            assert funded["headcount"] == sum((r["headcount"] for r in above), 0)
            checked += bool(above)
    assert checked >= 20
