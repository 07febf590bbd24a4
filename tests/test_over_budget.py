"""The over-budget policy: asks funded by decision beyond a node's budget, and children's
budgets that add up to more than their manager's; ``review import`` says when it causes one."""

from __future__ import annotations

from decimal import Decimal

from click.testing import CliRunner
from cyclefactory import CYCLE_YAML, ask, plan, rolled, write_cycle
from cyclefactory import make_cycle as cycle_in_memory
from reviewkit import build_workbook, edit_stack, make_cycle

from opplan import pipeline
from opplan.cli import cli
from opplan.engine.forced import forced_totals
from opplan.model.costing import Amount, RateTable
from opplan.review.importer import import_review


def _over_budget(base):
    return [d.format() for d in pipeline.check(base).diagnostics if d.rule == "over-budget"]


def test_forced_asks_over_the_budget_warn_at_the_budget(tmp_path):
    plans = {
        "org": plan(
            "Org",
            budget={"headcount": 2, "cost": 100000},
            decisions={"org/a": {"decision": "fund"}, "team/t": {"decision": "fund"}},
        ),
        "org/team": plan("Team", ask("t", 1)),
    }
    plans["org"]["incremental"] = [ask("a", 2)]
    base = write_cycle(tmp_path, plans)
    diags = _over_budget(base)
    assert len(diags) == 1
    assert diags[0].startswith(f"{base}/org/plan.yaml:")
    assert diags[0].endswith(
        "warning: the asks funded by decision in org's view need 3 heads and cost 360,000.00, "
        "over its budget of 2 heads and cost 100,000.00 by 1 head and cost 260,000.00; "
        "every other ask is below its line [over-budget]"
    )
    # the same excess as the roll-up's
    over = rolled(tmp_path / "again", plans).nodes["org"].over_budget
    assert over is not None and (over.headcount, over.cost) == (1, 260000)


def test_within_budget_and_without_budget_say_nothing(tmp_path):
    plans = {
        # the team's own fund is in effect at org too (org did not override it): 2 + 1 heads
        "org": plan(
            "Org", ask("a", 2), budget={"headcount": 3}, decisions={"org/a": {"decision": "fund"}}
        ),
        "org/team": plan("Team", ask("t", 1), decisions={"team/t": {"decision": "fund"}}),
    }
    assert _over_budget(write_cycle(tmp_path, plans)) == []


def test_a_higher_decision_overrides_a_lower_fund(tmp_path):
    """Rule 2: the team funds its ask, its manager cuts it; at the manager nothing is forced."""
    plans = {
        "org": plan("Org", budget={"headcount": 1}, decisions={"team/t": {"decision": "cut"}}),
        "org/team": plan("Team", ask("t", 3), decisions={"team/t": {"decision": "fund"}}),
    }
    assert _over_budget(write_cycle(tmp_path, plans)) == []


def test_a_partial_counts_what_it_funds(tmp_path):
    plans = {
        "org": plan(
            "Org",
            budget={"headcount": 1},
            decisions={"team/t": {"decision": "partial", "headcount": 2}},
        ),
        "org/team": plan("Team", ask("t", 3)),
    }
    (diag,) = _over_budget(write_cycle(tmp_path, plans))
    assert "need 2 heads, over its budget of 1 head by 1 head" in diag


def test_childrens_budgets_over_the_managers_warn_per_dimension(tmp_path):
    plans = {
        "org": plan("Org", budget={"headcount": 3, "cost": 500000}),
        "org/a": plan("A", budget={"headcount": 2, "cost": 300000}),
        "org/b": plan("B", budget={"headcount": 2}),
        "org/c": plan("C"),
    }
    base = write_cycle(tmp_path, plans)
    assert [d.split(": warning: ")[1] for d in _over_budget(base)] == [
        "the budgets of org's children add up to 4 heads (a 2, b 2), more than its own 3 heads "
        "[over-budget]"
    ]
    text = (base / "org" / "plan.yaml").read_text().splitlines()
    line, col = (int(x) for x in _over_budget(base)[0].split(":")[1:3])
    assert text[line - 1][col - 1 :].startswith("headcount")


def test_the_policy_can_be_turned_off_or_made_an_error(tmp_path):
    plans = {
        "org": plan("Org", budget={"headcount": 1}),
        "org/a": plan("A", budget={"headcount": 2}),
    }
    off = write_cycle(tmp_path / "off", plans, CYCLE_YAML + "policies:\n  over-budget: off\n")
    assert _over_budget(off) == []
    err = write_cycle(tmp_path / "err", plans, CYCLE_YAML + "policies:\n  over-budget: error\n")
    assert [d.split(": ")[1] for d in _over_budget(err)] == ["error"]


def test_review_import_says_when_its_change_puts_a_node_over_budget(tmp_path):
    """org has 4 heads; funding five 1-head asks by decision is imported, and said."""
    org = make_cycle(tmp_path / "cycle")
    book = build_workbook(org, "org", tmp_path / "out")
    edits = {a: {"Decision": "fund"} for a in ("alpha/a1", "alpha/a2", "beta/b1", "beta/b2")}
    edited = edit_stack(book, edits)
    result = import_review(edited, org, dry_run=True)
    assert [d.message for d in result.caused] == [
        "the asks funded by decision in org's view need 5 heads, over its budget of 4 heads "
        "by 1 head; every other ask is below its line"
    ]
    out = CliRunner().invoke(cli, ["review", "import", str(edited), str(org)])
    assert out.exit_code == 0, out.output
    assert "warning: the asks funded by decision in org's view need 5 heads" in out.stderr
    assert "org/plan.yaml:" in out.stderr
    # an import that causes nothing says nothing
    again = import_review(edited, org, dry_run=True)
    assert again.caused == []


def test_forced_totals_of_decisions_that_validation_refuses():
    """A cycle as loaded, before validation (``review import`` reads the plans this way):
    decisions on a text that is no ask reference, on an unknown node's ask and on an
    unknown ask count for nothing, whatever comes after them; a fund naming heads funds
    the whole ask. At org: its own 2-head ask and team's 5 heads, 7 heads in all."""
    decisions = {
        "nothing": {"decision": "fund"},
        "ghost/x": {"decision": "fund"},
        "team/none": {"decision": "fund"},
        "team/t": {"decision": "fund", "headcount": 1},
        "org/a": {"decision": "fund"},
    }
    cycle = cycle_in_memory(
        {
            "org": plan("Org", ask("a", 2), budget={"headcount": 1}, decisions=decisions),
            "org/team": plan("Team", ask("t", 5)),
        }
    )
    assert cycle.settings is not None
    forced = forced_totals(cycle, RateTable(cycle.settings.rates))
    assert forced == {"org": Amount(Decimal(7), Decimal("840000.00"), Decimal("840000.00"))}
