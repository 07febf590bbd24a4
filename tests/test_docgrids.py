"""The body's tables stay summaries on wide orgs (SPEC 10: full tables go to the appendix)."""

from __future__ import annotations

from cyclefactory import ask, make_cycle, plan

from opplan.engine.rollup import rollup
from opplan.render.docx.grids import BODY_MAX_CHILDREN, flat_grid


def wide_org(children: int):
    plans = {"org": plan("Org", budget={"headcount": 5})}
    for i in range(children):
        plans[f"org/t{i:02d}"] = plan(f"Team {i:02d}", ask(f"a{i}"), hc=i + 1)
    return rollup(make_cycle(plans))


def test_body_lists_the_largest_children_and_sums_the_others():
    report = wide_org(30)
    grid = flat_grid(report.nodes["org"], report, full=False)
    names = [row[0] for row in grid.rows]
    assert len(grid.rows) == BODY_MAX_CHILDREN + 1  # 11 largest, others, total
    assert names[: BODY_MAX_CHILDREN - 1] == [f"Team {i:02d}" for i in range(19, 30)]
    assert names[-2:] == ["19 other teams (appendix)", "Total"]
    others, total = grid.rows[-2], grid.rows[-1]
    assert others[1] == str(sum(range(1, 20)))  # flat heads of teams 00-18
    assert total[1] == str(sum(range(1, 31)))
    full = flat_grid(report.nodes["org"], report)
    assert len(full.rows) == 31  # every child and the total


def test_small_orgs_list_every_child():
    report = wide_org(BODY_MAX_CHILDREN)
    assert len(flat_grid(report.nodes["org"], report, full=False).rows) == BODY_MAX_CHILDREN + 1
