"""The money's grids: resources, children's envelopes, the hiring plan and its bridge.

Format only: every figure, total included, comes from the report's money records
(:mod:`opplan.report.money`); this module picks the rows and formats the cells.
"""

from __future__ import annotations

from decimal import Decimal

from opplan.model.costing import Amount
from opplan.narrative.templating import headcount, possessive
from opplan.render.docx.grids import ROW, TOTAL, Builder, Column, Grid, money
from opplan.report.money import Hiring
from opplan.report.records import NodeReport, Report

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _view_name(node: NodeReport) -> str:
    return f"{possessive(node.name)} view"


def _amount_cells(label: str, a: Amount, currency: str, *, heads: bool = True) -> list[str]:
    """A row of an amount: its label, heads (blank for spend), in-year cost and run rate."""
    return [
        label,
        headcount(a.headcount) if heads else "",
        money(a.cost, currency),
        money(a.run_rate, currency),
    ]


def resources_grid(node: NodeReport, report: Report, *, full: bool = True) -> Grid:
    """Flat cost as people (by role family) and other spend (by category), the funded asks
    in the approved plan (and in this node's view where it differs), the totals, and capex
    apart from cost (by category). The body's version (``full=False``) shows the totals
    only; the appendix's shows every role family and category."""
    cur = report.cycle.currency
    res = node.resources
    b = Builder(
        [
            Column("Resources", "left", 2.6),
            Column("HC", "right", 0.6),
            Column("In-year cost", "right", 1.2),
            Column("Run rate", "right", 1.2),
        ]
    )
    for p in res.people if full else ():
        b.add(_amount_cells(f"People: {p.role}", p.amount, cur))
    b.add(_amount_cells("People", res.people_total, cur), TOTAL)
    for s in res.spend if full else ():
        b.add([f"Other spend: {s.category}", "", money(s.amount, cur), money(s.amount, cur)])
    if res.spend:
        b.add(_amount_cells("Other spend", res.spend_total, cur, heads=False), TOTAL)
    b.add(_amount_cells("Flat plan", res.flat, cur), TOTAL)
    root = node.id == report.root
    views = [("approved plan", res.approved_funded, res.approved_total)]
    own_view = node.has_budget or bool(node.children)  # a team without a budget funds nothing
    if not root and own_view and res.funded != res.approved_funded:
        views.append((_view_name(node), res.funded, res.total))
    for label, funded, total in views:
        where = "" if root else f" ({label})"
        b.add(_amount_cells(f"Funded asks{where}", funded, cur))
        b.add(_amount_cells(f"Total{where}", total, cur), TOTAL)
    for c in res.capex if full else ():
        b.add([f"Capex: {c.category}", "", money(c.amount, cur), ""])
    b.add(["Capex, apart from cost", "", money(res.capex_total, cur), ""], TOTAL)
    return b.grid()


def _budget_text(heads: Decimal | None, cost: Decimal | None, currency: str) -> str:
    parts = []
    if heads is not None:
        parts.append(f"{headcount(heads)} HC")
    if cost is not None:
        parts.append(money(cost, currency))
    return ", ".join(parts) if parts else "none"


def envelope_grid(node: NodeReport, report: Report) -> Grid:
    """Each child's budget, what it funded in its own view and what this node funds of its
    asks, with the children's budgets summed."""
    cur = report.cycle.currency
    env = node.envelopes
    b = Builder(
        [
            Column("Team", "left", 1.5),
            Column("Budget", "right", 1.4),
            Column("Team funds HC", "right", 0.75),
            Column("Team funds cost", "right", 1.1),
            Column("Funded here HC", "right", 0.75),
            Column("Funded here cost", "right", 1.1),
        ]
    )
    for r in env.rows:
        b.add(
            [
                r.name,
                _budget_text(r.budget_headcount, r.budget_cost, cur),
                headcount(r.funded_there.headcount),
                money(r.funded_there.cost, cur),
                headcount(r.funded_here.headcount),
                money(r.funded_here.cost, cur),
            ]
        )
    if env.rows:
        b.add(
            [
                "Teams' budgets",
                _budget_text(env.budget_headcount, env.budget_cost, cur),
                "",
                "",
                "",
                "",
            ],
            TOTAL,
        )
        b.add(
            [
                f"{possessive(node.name)} budget",
                _budget_text(node.budget_headcount, node.budget_cost, cur),
                "",
                "",
                "",
                "",
            ],
            TOTAL,
        )
    return b.grid()


def bridge_grid(plan: Hiring, report: Report, view: str) -> Grid:
    """Headcount from flat to December in ``view`` (named in the header): the funded heads
    starting in each quarter, with their in-year cost and run rate; then the average
    headcount over the year."""
    cur = report.cycle.currency
    b = Builder(
        [
            Column(f"Headcount, {view}", "left", 2.4),
            Column("HC", "right", 0.7),
            Column("In-year cost", "right", 1.2),
            Column("Run rate", "right", 1.2),
        ]
    )
    b.add(["Flat (January)", headcount(plan.flat_headcount), "", ""])
    for q, a in enumerate(plan.by_quarter, start=1):
        b.add(_amount_cells(f"Funded heads starting in Q{q}", a, cur))
    exit_row = _amount_cells("December (exit)", plan.people, cur)
    exit_row[1] = headcount(plan.exit_headcount)  # the heads in December, not those hired
    b.add(exit_row, TOTAL)
    b.add(["Average over the year", headcount(plan.average_headcount), "", ""])
    return b.grid()


def hires_grid(node: NodeReport, report: Report) -> Grid:
    """The approved plan's funded position groups: team, ask, role, level, location, start
    month, heads, in-year cost and run rate, with their total."""
    cur = report.cycle.currency
    plan = node.hiring
    cols = [Column("Team", "left", 1.1)] if node.children else []
    cols += [
        Column("Ask", "left", 1.6),
        Column("Role", "left", 0.55),
        Column("Level", "left", 0.45),
        Column("Loc.", "left", 0.45),
        Column("Start", "left", 0.45),
        Column("HC", "right", 0.45),
        Column("In-year cost", "right", 0.95),
        Column("Run rate", "right", 0.95),
    ]
    b = Builder(cols)
    for h in plan.rows:
        team = [h.node_name] if node.children else []
        b.add(
            [
                *team,
                h.title,
                h.role,
                h.level or "",
                h.location or "",
                MONTHS[h.start - 1],
                headcount(h.amount.headcount),
                money(h.amount.cost, cur),
                money(h.amount.run_rate, cur),
            ],
            ROW,
        )
    p = plan.people
    pad = [""] * (len(cols) - 4)
    b.add(
        ["Total", *pad, headcount(p.headcount), money(p.cost, cur), money(p.run_rate, cur)], TOTAL
    )
    return b.grid()
