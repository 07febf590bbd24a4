"""Properties of the roll-up over random trees, asks, decisions and budgets (hypothesis).

Each example is a valid cycle built in memory (no files): up to 9 nodes, each
with up to 3 asks of random heads, start months and spend (offsets included),
random decisions by ancestors (fund, partial, cut, defer, escalate, rank-only)
and random budgets in either dimension, both or none.
"""

from __future__ import annotations

import json
from dataclasses import fields
from decimal import Decimal
from typing import Any

import yaml
from cyclefactory import CYCLE_YAML, errors_of, make_cycle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opplan.engine.forced import forced_totals
from opplan.engine.rollup import rollup
from opplan.model import Ask, Rates
from opplan.model.costing import Amount, RateTable, ask_amount
from opplan.render.contract import json_text, report_document
from opplan.report.records import Report, StackRow

STACK_FIELDS = [f.name for f in fields(StackRow)]
RATES = RateTable(Rates.model_validate(yaml.safe_load(CYCLE_YAML)["rates"]))
COUNTS = [Decimal(x) for x in ("0", "0.5", "1", "1.5", "2", "3", "0.25")]
SPENDS = [Decimal(x) for x in ("-50000", "12345.675", "25000.55", "100000")]
HEADCOUNT_BUDGETS = [Decimal(x) for x in ("0", "1", "2.5", "4", "10")]
COST_BUDGETS = [Decimal(x) for x in ("0", "100000", "250000.50", "600000", "2000000")]


@st.composite
def asks(draw: Any, node: str) -> list[dict[str, Any]]:
    """Up to three asks of one node."""
    out = []
    for k in range(draw(st.integers(0, 3))):
        lines = [
            {
                "role": "SDE",
                "count": draw(st.sampled_from(COUNTS)),
                "start": draw(st.integers(1, 12)),
            }
            for _ in range(draw(st.integers(0, 2)))
        ]
        ask: dict[str, Any] = {"id": f"{node}-x{k}", "title": f"Ask {k}", "headcount": lines}
        spend = draw(st.none() | st.sampled_from(SPENDS))
        if spend is not None:
            ask["spend"] = {"misc": spend}
        out.append(ask)
    return out


def _partial(draw: Any, ask: dict[str, Any]) -> dict[str, Any] | None:
    """A valid partial decision on ``ask``, or None when it cannot have one."""
    amount = ask_amount(Ask.model_validate(ask), RATES)
    if amount.headcount > 0:
        dec: dict[str, Any] = {"decision": "partial", "headcount": amount.headcount / 2}
        if draw(st.booleans()) and amount.cost > 0:
            dec["cost"] = (amount.cost / 3).quantize(Decimal("0.01"))
        return dec
    if amount.cost > 0:
        return {"decision": "partial", "cost": (amount.cost / 2).quantize(Decimal("0.01"))}
    return None


@st.composite
def cycles(draw: Any) -> dict[str, dict[str, Any]]:
    """Plans by path: a random tree with asks, decisions and budgets."""
    n = draw(st.integers(1, 9))
    parents = [None] + [draw(st.integers(0, k - 1)) for k in range(1, n)]
    paths: list[str] = []
    for k, parent in enumerate(parents):
        paths.append(f"n{k}" if parent is None else f"{paths[parent]}/n{k}")
    node_asks = {f"n{k}": draw(asks(f"n{k}")) for k in range(n)}
    plans: dict[str, dict[str, Any]] = {}
    for k, path in enumerate(paths):
        nid = f"n{k}"
        plan: dict[str, Any] = {
            "name": nid.upper(),
            "owner": "Owner",
            "headcount": [{"role": "SDE", "count": draw(st.sampled_from(COUNTS))}],
            "capex": {"kit": draw(st.sampled_from([0, 1000, 2500.5]))},
            "incremental": node_asks[nid],
        }
        if draw(st.booleans()):
            plan["spend"] = {"travel": draw(st.sampled_from(SPENDS))}
        subtree = [
            a
            for p, (other, lst) in zip(paths, node_asks.items(), strict=False)
            if p == path or p.startswith(path + "/")
            for a in lst
        ]
        review: dict[str, Any] = {}
        budget = {}
        if draw(st.booleans()):
            budget["headcount"] = draw(st.sampled_from(HEADCOUNT_BUDGETS))
        if draw(st.booleans()):
            budget["cost"] = draw(st.sampled_from(COST_BUDGETS))
        if budget:
            review["budget"] = budget
        decisions: dict[str, Any] = {}
        chosen = (
            draw(st.lists(st.sampled_from(subtree), unique_by=lambda a: a["id"], max_size=4))
            if subtree
            else []
        )
        ranks = iter(draw(st.permutations(range(1, len(chosen) + 1))))
        for a in chosen:
            owner = a["id"].split("-")[0]
            kind = draw(st.sampled_from(["fund", "partial", "cut", "defer", "escalate", None]))
            dec = _partial(draw, a) if kind == "partial" else {"decision": kind}
            dec = dec or {"decision": "fund"}
            if dec.get("decision") is None:
                dec = {}
            rank = next(ranks)
            if draw(st.booleans()) or not dec:
                dec["rank"] = rank
            decisions[f"{owner}/{a['id']}"] = dec
        if decisions:
            review["decisions"] = decisions
        if review:
            plan["review"] = review
        plans[path] = plan
    return plans


def _subtree_asks(report: Report, nid: str) -> list[str]:
    return [f"{n.id}/{a.id}" for n in report.subtree(nid) for a in n.asks.values()]


PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(cycles())
def test_rollup_properties(plans):
    """Totals add up, every ask is accounted for once, and the line respects the budget."""
    cycle = make_cycle(plans)
    assert errors_of(cycle) == []
    report = rollup(cycle)
    for nid, node in report.nodes.items():
        kids = [report.nodes[c] for c in node.children]
        # inclusive totals = own + children (flat, capex, requested)
        assert node.totals.flat == Amount.total([node.own.flat, *(k.totals.flat for k in kids)])
        assert node.totals.capex == node.own.capex + sum((k.totals.capex for k in kids), Decimal(0))
        assert node.totals.requested == Amount.total(
            [node.own.requested, *(k.totals.requested for k in kids)]
        )
        # every ask of the subtree is in the stack or removed, exactly once
        seen = [r.ask for r in node.stack] + [r.ask for r in node.removed]
        assert sorted(seen) == sorted(_subtree_asks(report, nid))
        assert len(seen) == len(set(seen))
        # funded + unfunded = the final cumulative
        final = node.stack[-1].cumulative if node.stack else Amount()
        assert node.totals.funded + node.totals.unfunded == final
        # the per-list figures (own asks, each child) add up to the node's funded and unfunded
        assert [f.child for f in node.by_child] == [None, *node.children]
        assert Amount.total(f.funded for f in node.by_child) == node.totals.funded
        assert Amount.total(f.unfunded for f in node.by_child) == node.totals.unfunded
        assert [r.position for r in node.stack] == list(range(1, len(node.stack) + 1))
        for row in node.stack:  # rows are built without __init__: same as with it
            assert list(vars(row)) == STACK_FIELDS
            assert StackRow(**vars(row)) == row
        # the funded total is within the budget unless forced asks alone exceed it
        forced = Amount.total([r.amount for r in node.stack if r.forced])
        assert all(r.status == "above" for r in node.stack if r.forced)
        if node.over_budget is None:
            if node.budget_headcount is not None:
                assert node.totals.funded.headcount <= node.budget_headcount
            if node.budget_cost is not None:
                assert node.totals.funded.cost <= node.budget_cost
        else:
            assert node.totals.funded == forced
            assert (
                node.budget_headcount is not None and forced.headcount > node.budget_headcount
            ) or (node.budget_cost is not None and forced.cost > node.budget_cost)
        if node.budget_headcount is None and node.budget_cost is None:
            assert {r.status for r in node.stack} <= {"above", "unlined"}
        # rule 5's running total: every forced ask first, then the others in order; at the
        # line it is the funded total, and the first ask below is the first to break it
        running = forced
        for row in node.stack:
            running = running if row.forced else running + row.amount
            assert (row.used.headcount, row.used.cost) == (running.headcount, running.cost)
        line = node.line
        assert line.forced == forced and line.used == node.totals.funded
        first = next((i for i, r in enumerate(node.stack) if r.status == "below"), None)
        assert line.first_below == first
        if node.budget_headcount is not None:
            assert line.headroom_headcount == node.budget_headcount - line.used.headcount
        if first is not None and node.over_budget is None:
            broken = {
                d
                for d, used, cap in (
                    ("headcount", node.stack[first].used.headcount, node.budget_headcount),
                    ("cost", node.stack[first].used.cost, node.budget_cost),
                )
                if cap is not None and used > cap
            }
            assert set(line.binds) == broken and broken
    # the over-budget check's walk over the decisions finds the roll-up's forced totals
    assert cycle.settings is not None
    walked = forced_totals(cycle, RateTable(cycle.settings.rates))
    assert {nid: n.line.forced for nid, n in report.nodes.items() if n.line.forced != Amount()} == {
        nid: a for nid, a in walked.items() if a != Amount()
    }
    # the JSON text equals the JSON dicts (stack entries are formatted directly)
    text = "".join(json_text(report, report.nodes.values()))
    assert json.loads(text) == json.loads(
        json.dumps(report_document(report, report.nodes.values()))
    )
    # the root's flat is the sum of every node's own flat
    root = report.nodes[report.root]
    assert root.totals.flat == Amount.total([n.own.flat for n in report.nodes.values()])
