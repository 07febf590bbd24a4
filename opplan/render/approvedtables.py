"""The approved plan as tables (docs/through-the-year.md): one grid of typed cells per table
feeds the CSV of ``opplan approved`` and the sheets of its workbook.

Three tables, each a tuple of :class:`Column` (stable key, kind, getter):
:data:`NODE_COLUMNS` (what the approved plan gives each node's subtree),
:data:`ASK_COLUMNS` (each funded ask, after a partial) and :data:`POSITION_COLUMNS` (the
hiring plan: one row per funded position). Nothing here computes a figure: every value is a
field of :mod:`opplan.report.approved`. CSV goes through the one CSV writer
(:func:`opplan.render.tabular.csv_rows`), which neutralises text a spreadsheet would run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from opplan.render.contract import heads, money
from opplan.render.tabular import csv_rows
from opplan.report.approved import ApprovedNode, ApprovedPlan, FundedAsk, Position

Kind = Literal["text", "int", "heads", "money", "month"]


@dataclass(frozen=True)
class Column:
    """A column of an approved-plan table: its key (the CSV and sheet header), its kind
    and the getter of its typed value."""

    key: str
    kind: Kind
    get: Callable[[Any], Any]


def _amount(key: str, pick: Callable[[Any], Any]) -> list[Column]:
    return [
        Column(f"{key}_headcount", "heads", lambda r: pick(r).headcount),
        Column(f"{key}_cost", "money", lambda r: pick(r).cost),
        Column(f"{key}_run_rate", "money", lambda r: pick(r).run_rate),
    ]


def _money(key: str, pick: Callable[[Any], Any]) -> list[Column]:
    return [
        Column(f"{key}_cost", "money", lambda r: pick(r).cost),
        Column(f"{key}_run_rate", "money", lambda r: pick(r).run_rate),
    ]


def _node_quarter(q: int) -> Column:
    return Column(f"hires_q{q + 1}", "heads", lambda n: n.hires_by_quarter[q])


NODE_COLUMNS: tuple[Column, ...] = (
    Column("id", "text", lambda n: n.id),
    Column("name", "text", lambda n: n.name),
    Column("path", "text", lambda n: n.path),
    Column("parent", "text", lambda n: n.parent),
    Column("depth", "int", lambda n: n.depth),
    Column("owner", "text", lambda n: n.owner),
    *_amount("flat", lambda n: n.flat),
    Column("flat_people_cost", "money", lambda n: n.flat_people.cost),
    Column("flat_spend", "money", lambda n: n.flat_spend),
    Column("capex", "money", lambda n: n.capex),
    Column("funded_asks", "int", lambda n: n.asks),
    Column("partial_asks", "int", lambda n: n.partial),
    *_amount("funded", lambda n: n.funded),
    *_money("funded_people", lambda n: n.funded_people),
    *_money("funded_spend", lambda n: n.funded_spend),
    *_amount("total", lambda n: n.total),
    *(_node_quarter(q) for q in range(4)),
    Column("exit_headcount", "heads", lambda n: n.exit_headcount),
)

#: What a funded ask and a position both begin with: the team, the ask and its decision.
_ASK_KEY: tuple[Column, ...] = (
    Column("team", "text", lambda r: r.team),
    Column("team_name", "text", lambda r: r.team_name),
    Column("path", "text", lambda r: r.path),
    Column("ask", "text", lambda r: r.ask),
    Column("ask_id", "text", lambda r: r.ask_id),
    Column("title", "text", lambda r: r.title),
    Column("decision", "text", lambda r: r.decision),
)

ASK_COLUMNS: tuple[Column, ...] = (
    *_ASK_KEY,
    Column("decided_by", "text", lambda a: a.decided_by),
    *_amount("requested", lambda a: a.requested),
    *_amount("funded", lambda a: a.funded),
    *_money("people", lambda a: a.people),
    *_money("spend", lambda a: a.spend),
    Column("positions", "int", lambda a: a.positions),
)

POSITION_COLUMNS: tuple[Column, ...] = (
    *_ASK_KEY,
    Column("role", "text", lambda p: p.role),
    Column("level", "text", lambda p: p.level),
    Column("location", "text", lambda p: p.location),
    Column("start_month", "month", lambda p: p.start_date),
    Column("start_quarter", "int", lambda p: p.quarter),
    Column("headcount", "heads", lambda p: p.amount.headcount),
    Column("rate", "money", lambda p: p.rate),
    Column("cost", "money", lambda p: p.amount.cost),
    Column("run_rate", "money", lambda p: p.amount.run_rate),
)


def table(
    plan: ApprovedPlan, name: str
) -> tuple[tuple[Column, ...], Sequence[ApprovedNode | FundedAsk | Position]]:
    """The columns and records of table ``name``: ``nodes``, ``asks``, else the hiring plan."""
    if name == "nodes":
        return NODE_COLUMNS, plan.nodes
    if name == "asks":
        return ASK_COLUMNS, plan.asks
    return POSITION_COLUMNS, plan.positions


def grid(columns: Sequence[Column], records: Sequence[Any]) -> list[list[Any]]:
    """One row of typed cells per record, in ``columns`` order."""
    return [[c.get(r) for c in columns] for r in records]


CSV_FORMATS: dict[Kind, Callable[[Any], Any]] = {
    "text": str,
    "int": int,
    "heads": heads,
    "money": money,
    "month": lambda d: f"{d:%Y-%m}",
}


def csv_text(plan: ApprovedPlan, name: str = "hiring") -> str:
    """Table ``name`` as CSV: a header row of the column keys, then one row per record;
    numbers plain (money with two decimals), months ``YYYY-MM``, empty for none."""
    columns, records = table(plan, name)
    header = [(c.key, True) for c in columns]
    body = (
        [
            ("" if v is None else CSV_FORMATS[c.kind](v), c.kind == "text")
            for c, v in zip(columns, row, strict=True)
        ]
        for row in grid(columns, records)
    )
    return csv_rows([header, *body])
