"""The approved plan flowing down (docs/through-the-year.md): what the approved plan (the
root's view, roll-up rule 7) gives every node, its funded asks, and its hiring plan as
positions, the records that ``opplan approved`` lays out as CSV, JSON and a workbook.

Everything is read from the report: a node's figures from its own record (``totals.flat``,
``resources``, ``approved``, ``approved_total``, ``hiring``), each funded ask from the root's
stack (:attr:`Report.approved_rows`: its amount after a partial there), and the positions
from the top node's approved hiring plan (``hiring.rows``: one per headcount line of a funded
ask, already split by a partial). The positions are built once for the whole export, never
per node, and each gets the annual rate of one head from the cycle's rate table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from opplan.model import AskRef, HeadcountLine, NodeId
from opplan.model.costing import ZERO, Amount, RateTable
from opplan.model.types import ask_ref
from opplan.report.money import HireRow
from opplan.report.records import CycleInfo, NodeReport, Report

__all__ = ["ApprovedNode", "ApprovedPlan", "FundedAsk", "Position", "approved_plan"]


@dataclass(frozen=True)
class Position:
    """One funded position (a headcount line of a funded ask): ``heads`` of one role, level
    and location starting in one month, after a partial; ``rate`` is the annual cost of one
    head (the line's own rate, else the cycle's rate that matches it)."""

    team: NodeId
    team_name: str
    path: str
    ask: AskRef
    ask_id: str
    title: str
    decision: str | None  # fund or partial in effect in the approved plan; None: the line
    role: str
    level: str | None
    location: str | None
    start: int  # month 1..12
    start_date: dt.date  # the first day of the start month in the plan year
    rate: Decimal
    amount: Amount  # heads, in-year cost from the start month, run rate

    @property
    def quarter(self) -> int:
        """The quarter (1..4) the heads start in."""
        return (self.start - 1) // 3 + 1


@dataclass(frozen=True)
class FundedAsk:
    """An ask funded in the approved plan: as written (``requested``), as funded
    (``funded``, after a partial), and the funded amount split into its positions'
    (``people``) and its other spend (``spend``, no heads): ``people + spend == funded``."""

    team: NodeId
    team_name: str
    path: str
    ask: AskRef
    ask_id: str
    title: str
    decision: str | None  # fund or partial in effect in the approved plan; None: the line
    decided_by: NodeId | None  # the node whose decision is in effect there
    requested: Amount
    funded: Amount
    people: Amount
    spend: Amount
    positions: int  # how many position rows it has


@dataclass(frozen=True)
class ApprovedNode:
    """What the approved plan gives a node's subtree: flat heads and spend (people, other
    spend, capex apart), the funded asks (how many, how many in part, their amount, split
    into people and other spend), the totals flat plus funded (in-year and run rate), and
    the funded heads by the quarter they start in."""

    id: NodeId
    name: str
    owner: str
    path: str
    parent: NodeId | None
    depth: int
    flat: Amount  # heads a full year, people plus other spend
    flat_people: Amount  # the flat heads' cost
    flat_spend: Decimal  # the flat other spend (annual)
    capex: Decimal  # apart: never in cost
    asks: int  # the subtree's asks funded in the approved plan
    partial: int  # of them, funded in part
    funded: Amount  # those asks after partials
    funded_people: Amount  # their positions
    funded_spend: Amount  # their other spend (no heads)
    total: Amount  # flat plus funded: heads, in-year cost, run rate
    hires_by_quarter: tuple[Decimal, ...]  # funded heads starting in Q1..Q4
    exit_headcount: Decimal  # flat plus funded heads: December's headcount


@dataclass(frozen=True)
class ApprovedPlan:
    """The approved plan of a subtree (``top``), as ``opplan approved`` exports it: every
    node, depth-first; the funded asks and the positions, by team depth-first, then ask
    order and line order."""

    cycle: CycleInfo
    root: NodeId
    root_name: str
    top: NodeId
    nodes: tuple[ApprovedNode, ...]
    asks: tuple[FundedAsk, ...]
    positions: tuple[Position, ...]


def approved_node(node: NodeReport) -> ApprovedNode:
    """What the approved plan gives ``node``'s subtree, from its report."""
    hiring = node.hiring
    return ApprovedNode(
        id=node.id,
        name=node.name,
        owner=node.owner,
        path=node.path,
        parent=node.parent,
        depth=node.depth,
        flat=node.totals.flat,
        flat_people=node.resources.people_total,
        flat_spend=node.resources.spend_total.cost,
        capex=node.totals.capex,
        asks=node.approved_counts.funded,
        partial=node.approved_counts.partial,
        funded=node.approved.funded,
        funded_people=hiring.people,
        funded_spend=hiring.spend,
        total=node.approved_total,
        hires_by_quarter=tuple(q.headcount for q in hiring.by_quarter),
        exit_headcount=hiring.exit_headcount,
    )


def _positions_by_ask(rows: Sequence[HireRow]) -> dict[AskRef, list[HireRow]]:
    """The hire rows grouped by ask (each ask's rows are in its headcount lines' order)."""
    out: dict[AskRef, list[HireRow]] = {}
    for row in rows:
        found = out.get(row.ask)
        if found is None:
            out[row.ask] = [row]
        else:
            found.append(row)
    return out


def approved_plan(report: Report, rates: RateTable, top: NodeId | None = None) -> ApprovedPlan:
    """The approved plan of ``top``'s subtree (default: the whole org), with ``rates`` (the
    cycle's rate table) for the rate of each position. One pass over the subtree's nodes,
    their asks and the top node's approved hire rows."""
    top = report.root if top is None else top
    nodes = report.subtree(top)
    there = report.approved_rows
    hires = _positions_by_ask(report.nodes[top].hiring.rows)
    asks: list[FundedAsk] = []
    positions: list[Position] = []
    for node in nodes:
        for ask_id, ask in node.asks.items():
            ref = ask_ref(node.id, ask_id)
            row = there.get(ref)
            if row is None or row.approved != "above":
                continue
            mine = hires.get(ref, [])
            people = Amount.total([h.amount for h in mine])
            funded = row.amount
            decision = row.approved_decision
            asks.append(
                FundedAsk(
                    team=node.id,
                    team_name=node.name,
                    path=node.path,
                    ask=ref,
                    ask_id=ask_id,
                    title=ask.title,
                    decision=decision,
                    decided_by=row.approved_by,
                    requested=row.requested,
                    funded=funded,
                    people=people,
                    spend=Amount(
                        ZERO, funded.cost - people.cost, funded.run_rate - people.run_rate
                    ),
                    positions=len(mine),
                )
            )
            lines: Sequence[HeadcountLine] = ask.headcount
            positions.extend(
                Position(
                    team=node.id,
                    team_name=node.name,
                    path=node.path,
                    ask=ref,
                    ask_id=ask_id,
                    title=ask.title,
                    decision=decision,
                    role=h.role,
                    level=h.level,
                    location=h.location,
                    start=h.start,
                    start_date=dt.date(report.cycle.year, h.start, 1),
                    rate=rates.rate(line),
                    amount=h.amount,
                )
                for h, line in zip(mine, lines, strict=True)
            )
    root = report.nodes[report.root]
    return ApprovedPlan(
        cycle=report.cycle,
        root=report.root,
        root_name=root.name,
        top=top,
        nodes=tuple(approved_node(n) for n in nodes),
        asks=tuple(asks),
        positions=tuple(positions),
    )
