"""A small report built by hand for the document tests (no roll-up engine needed).

Acme (budget 3 heads) has two teams, Search and Cart. Acme's line falls after
its third head: search/ranking and cart/one-click are above, cart/gift-wrap
below; search/typeahead was cut by Acme.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal as D

from opplan.engine.resources import envelopes, resources
from opplan.model import Ask, FlatItem, Goal, HeadcountLine, Narrative, Plan, StatusEntry
from opplan.model.costing import Amount
from opplan.report.derive import derived_fields, outcome_fields, plan_fields
from opplan.report.money import Resources
from opplan.report.records import (
    CycleInfo,
    DependencyRow,
    GoalAtRisk,
    HeadcountRow,
    MandateAnswerRow,
    MandateCoverage,
    NodeReport,
    RemovedRow,
    Report,
    StackRow,
    Totals,
)

ZERO = Amount()


def amt(hc: str, cost: str, run_rate: str | None = None) -> Amount:
    return Amount(D(hc), D(cost), D(run_rate or cost))


def totals(
    flat: Amount,
    requested: Amount,
    funded: Amount = ZERO,
    unfunded: Amount = ZERO,
    cut: Amount = ZERO,
) -> Totals:
    return Totals(
        flat=flat,
        capex=D("0.00"),
        requested=requested,
        funded=funded,
        unfunded=unfunded,
        cut=cut,
        deferred=ZERO,
    )


def row(
    position: int,
    ask: str,
    title: str,
    amount: Amount,
    cumulative: Amount,
    status: str,
    child: str | None,
    child_status: str | None,
    node_name: str,
    forced: bool = False,
    used: Amount | None = None,
    approved: str | None = None,
    approved_by: str | None = None,
) -> StackRow:
    """A stack row; ``used`` (the line's running total, forced asks first) defaults to
    ``cumulative``, which it is when the view has no forced ask."""
    return StackRow(
        position=position,
        ask=ask,
        node=ask.split("/")[0],
        node_name=node_name,
        title=title,
        summary="",
        requested=amount,
        amount=amount,
        status=status,
        forced=forced,
        decision="fund" if forced else None,
        decided_by="acme" if forced else None,
        rank=None,
        note=None,
        cumulative=cumulative,
        child=child,
        child_status=child_status,
        used=cumulative if used is None else used,
        approved=approved or status,
        approved_by=approved_by or ("acme" if forced else None),
    )


SEARCH_NARRATIVE = """\
## Introduction

Search finds products. We serve {{ totals.flat.headcount }} engineers' worth of queries.

## Tenets

1. **Relevance first.** Then *speed*.
2. Measure with `p99` latency.

# Appendix

## Query volume

| Month | Queries |
|:------|--------:|
| Jan | 10 |
"""

ACME_NARRATIVE = """\
## Introduction

Acme sells things. We ask for {{ totals.incremental.requested.headcount }} heads \
({{ totals.incremental.requested.cost | money }} in {{ cycle.year }}); \
{{ totals.incremental.funded.headcount }} are above the line.

## Goals

- **G1** Grow *sales* by 10%.
  - Nested detail with `code`.
- G2 Ship the app.

## Strategic priorities

Our plan has three parts.

1. Search relevance.
2. Cart speed.

| Team | HC |
|:-----|---:|
| Search | 5 |
| Cart | 4 |

```
raw = text
```

> A quote.

### A subheading

Text under it.

## Dependencies and risks

Cart needs the search index.

## FAQ

Why now? Because.
"""


def report() -> Report:
    cycle = CycleInfo(
        name="Acme OP1 2027", kind="OP1", year=2027, currency="USD", as_of=dt.date(2026, 9, 15)
    )
    search_plan = Plan(
        name="Search",
        owner="Sam Lee",
        headcount=(HeadcountLine(role="SDE", level="L5", location="SEA", count=D(5)),),
        flat=(
            FlatItem(id="ktlo", title="Keep the lights on", headcount=D(2), goals=("G1",)),
            FlatItem(id="rel", title="Relevance program", headcount=D(3), goals=("G1",)),
        ),
        incremental=(
            Ask(id="ranking", title="Learning to rank"),
            Ask(id="typeahead", title="Typeahead"),
        ),
        goals=(
            Goal(
                id="G1",
                title="Cut zero-result searches",
                kind="metric",
                unit="%",
                baseline=D("8"),
                target=D("5"),
                due="Q3",
                owner="Sam Lee",
                status=(StatusEntry(date=dt.date(2026, 6, 30), color="green"),),
            ),
            Goal(
                id="G2",
                title="Search availability",
                kind="metric",
                metric_class="input",
                unit="%",
                baseline=D("99.95"),
                target=D("99.99"),
                due="Q4",
                owner="Sam Lee",
            ),
            Goal(
                id="G3",
                title="Pages to the on-call a week",
                kind="metric",
                metric_class="output",
                unit="calls",
                baseline=D("1"),
                target=D("0"),
                due=12,
                owner="Sam Lee",
                status=(
                    StatusEntry(date=dt.date(2025, 9, 30), color="green"),
                    StatusEntry(date=dt.date(2025, 12, 1), color="yellow"),
                ),
            ),
        ),
    )
    cart_plan = Plan(
        name="Cart",
        owner="Cy Park",
        headcount=(
            HeadcountLine(role="SDE", level="L5", location="SEA", count=D(3)),
            HeadcountLine(role="SDM", location="SEA", count=D(1)),
        ),
        incremental=(
            Ask(id="one-click", title="One-click add"),
            Ask(id="gift-wrap", title="Gift wrap"),
        ),
    )
    acme_plan = Plan(
        name="Acme",
        owner="Ada Stone",
        goals=(
            Goal(
                id="G1",
                title="Grow sales",
                kind="metric",
                unit="%",
                baseline=D(0),
                target=D(10),
                due="Q4",
                owner="Ada Stone",
            ),
        ),
    )
    s1, c1, c2 = amt("2", "400000.00"), amt("1", "150000.00", "200000.00"), amt("1", "200000.00")
    typeahead = amt("1", "200000.00")
    search = NodeReport(
        id="search",
        name="Search",
        owner="Sam Lee",
        path="acme/search",
        parent="acme",
        depth=1,
        children=(),
        budget_headcount=None,
        budget_cost=None,
        totals=totals(amt("5", "1000000.00"), s1 + typeahead, unfunded=s1 + typeahead),
        own=totals(amt("5", "1000000.00"), s1 + typeahead, unfunded=s1 + typeahead),
        approved=totals(amt("5", "1000000.00"), s1 + typeahead, funded=s1, cut=typeahead),
        over_budget=None,
        stack=(
            row(
                1,
                "search/ranking",
                "Learning to rank",
                s1,
                s1,
                "unlined",
                None,
                None,
                "Search",
                approved="above",
                approved_by="acme",
            ),
            row(
                2,
                "search/typeahead",
                "Typeahead",
                typeahead,
                s1 + typeahead,
                "unlined",
                None,
                None,
                "Search",
                approved="cut",
                approved_by="acme",
            ),
        ),
        removed=(),
        dependencies=(),
        mandates=(),
        goals_at_risk=(),
        headcount=(HeadcountRow(None, "SDE", "L5", "SEA", amt("5", "1000000.00")),),
        **plan_fields("search", search_plan, ()),
        narrative=Narrative("acme/search/narrative.md", SEARCH_NARRATIVE),
    )
    cart = NodeReport(
        id="cart",
        name="Cart",
        owner="Cy Park",
        path="acme/cart",
        parent="acme",
        depth=1,
        children=(),
        budget_headcount=None,
        budget_cost=None,
        totals=totals(amt("4", "850000.00"), c1 + c2, unfunded=c1 + c2),
        own=totals(amt("4", "850000.00"), c1 + c2, unfunded=c1 + c2),
        approved=totals(amt("4", "850000.00"), c1 + c2, funded=c1, unfunded=c2),
        over_budget=None,
        stack=(
            row(
                1,
                "cart/one-click",
                "One-click add",
                c1,
                c1,
                "unlined",
                None,
                None,
                "Cart",
                approved="above",
            ),
            row(
                2,
                "cart/gift-wrap",
                "Gift wrap",
                c2,
                c1 + c2,
                "unlined",
                None,
                None,
                "Cart",
                approved="below",
            ),
        ),
        removed=(),
        dependencies=(),
        mandates=(),
        goals_at_risk=(),
        headcount=(
            HeadcountRow(None, "SDE", "L5", "SEA", amt("3", "600000.00")),
            HeadcountRow(None, "SDM", None, "SEA", amt("1", "250000.00")),
        ),
        **plan_fields("cart", cart_plan, ()),
        narrative=None,
    )
    requested = s1 + typeahead + c1 + c2
    at_risk = (GoalAtRisk("acme", "G1", "Grow sales", "Acme"),)
    acme = NodeReport(
        id="acme",
        name="Acme",
        owner="Ada Stone",
        path="acme",
        parent=None,
        depth=0,
        children=("cart", "search"),
        budget_headcount=D(3),
        budget_cost=None,
        totals=totals(
            amt("9", "1850000.00"), requested, funded=s1 + c1, unfunded=c2, cut=typeahead
        ),
        own=totals(ZERO, ZERO),
        approved=totals(
            amt("9", "1850000.00"), requested, funded=s1 + c1, unfunded=c2, cut=typeahead
        ),
        over_budget=None,
        stack=(
            # the forced ranking (2 heads) is counted first: one-click uses the third head
            row(
                1,
                "cart/one-click",
                "One-click add",
                c1,
                c1,
                "above",
                "cart",
                "unlined",
                "Cart",
                used=s1 + c1,
            ),
            row(
                2,
                "search/ranking",
                "Learning to rank",
                s1,
                c1 + s1,
                "above",
                "search",
                "unlined",
                "Search",
                forced=True,
                used=s1 + c1,
            ),
            row(
                3,
                "cart/gift-wrap",
                "Gift wrap",
                c2,
                c1 + s1 + c2,
                "below",
                "cart",
                "unlined",
                "Cart",
            ),
        ),
        removed=(
            RemovedRow(
                "search/typeahead",
                "search",
                "Typeahead",
                typeahead,
                "cut",
                "acme",
                "Not this year.",
                child="search",
                approved_by="acme",
            ),
        ),
        dependencies=(
            DependencyRow(
                "cart",
                "D1",
                "search",
                "Search index API",
                "Q2",
                False,
                None,
                "acme",
                "unacknowledged",
                "unacknowledged",
                ("cart/gift-wrap",),
                "manager",
                at_risk=True,
            ),
        ),
        mandates=(
            MandateCoverage(
                "eu",
                "Launch in the EU",
                "Q3",
                2,
                1,
                1,
                0,
                (
                    MandateAnswerRow("cart", "We launch.", "flat", "flat", "flat"),
                    MandateAnswerRow("search", None, None, "missing", "missing"),
                ),
                approved_funded=1,
                approved_unfunded=0,
            ),
        ),
        goals_at_risk=at_risk,
        headcount=(
            HeadcountRow("cart", "SDE", "L5", "SEA", amt("3", "600000.00")),
            HeadcountRow("cart", "SDM", None, "SEA", amt("1", "250000.00")),
            HeadcountRow("search", "SDE", "L5", "SEA", amt("5", "1000000.00")),
        ),
        **plan_fields("acme", acme_plan, at_risk, at_risk),  # the root: the approved plan
        narrative=Narrative("acme/narrative.md", ACME_NARRATIVE),
    )
    # the per-list figures are derived from the stack exactly as the engine derives them
    built = {n.id: n for n in (acme, cart, search)}
    nodes = {
        n.id: dataclasses.replace(
            n,
            resources=_resources(n, {"servers": D("25000.00")} if n.id == "acme" else {}),
            **derived_fields(
                n.id,
                n.name,
                n.children,
                (n.budget_headcount, n.budget_cost),
                n.own,
                n.totals,
                n.over_budget,
                n.stack,
                n.headcount,
                built,
                goals=n.goals,
                as_of=cycle.as_of,
                stale_days=cycle.goal_stale_days,
            ),
            **outcome_fields(n.children, n.totals, n.approved, n.stack, n.removed, built),
        )
        for n in (acme, cart, search)
    }
    acme = nodes["acme"]
    nodes["acme"] = dataclasses.replace(
        acme,
        envelopes=envelopes(
            (acme.budget_headcount, acme.budget_cost),
            [nodes["cart"], nodes["search"]],
            acme.by_child,
        ),
    )
    return Report(cycle, "acme", nodes)


def _resources(n: NodeReport, capex: dict[str, D]) -> Resources:
    """A node's resources from its headcount rows, as the engine splits them."""
    heads: dict[tuple[str, str | None, str | None], Amount] = {}
    for r in n.headcount:
        key = (r.role, r.level, r.location)
        heads[key] = heads[key] + r.amount if key in heads else r.amount
    return resources(heads, {}, capex, n.totals.flat, n.totals.funded, n.approved.funded)
