"""The roll-up as rows: one grid of typed cells feeds the terminal table and the CSV.

:data:`COLUMNS` names every column once (CSV key, table header, kind, getter);
:func:`grid` builds the typed cells; :func:`table_text` and :func:`csv_text`
only format them. Nothing here computes a figure: every number comes from the
report model.

Every CSV opplan writes goes through :func:`csv_rows`, which neutralises text
cells a spreadsheet would evaluate as a formula (see :func:`inert_text`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from opplan.model.costing import Amount
from opplan.render.contract import heads, money
from opplan.report.records import NodeReport, Report

Kind = Literal["text", "int", "heads", "money", "over"]


@dataclass(frozen=True)
class Column:
    """A column of the roll-up grid."""

    key: str  # CSV header
    header: str  # table header ("" = CSV only)
    kind: Kind
    get: Callable[[NodeReport], Any]


def _amount_columns(
    key: str, label: str, pick: Callable[[NodeReport], Amount], table: bool = True
) -> list[Column]:
    return [
        Column(
            f"{key}_headcount", f"{label} HC" if table else "", "heads", lambda n: pick(n).headcount
        ),
        Column(f"{key}_cost", f"{label} cost" if table else "", "money", lambda n: pick(n).cost),
        Column(f"{key}_run_rate", "", "money", lambda n: pick(n).run_rate),
    ]


COLUMNS: tuple[Column, ...] = (
    Column("id", "", "text", lambda n: n.id),
    Column("name", "Node", "text", lambda n: n.name),
    Column("path", "", "text", lambda n: n.path),
    Column("parent", "", "text", lambda n: n.parent),
    Column("depth", "", "int", lambda n: n.depth),
    Column("owner", "", "text", lambda n: n.owner),
    Column("budget_headcount", "", "heads", lambda n: n.budget_headcount),
    Column("budget_cost", "", "money", lambda n: n.budget_cost),
    *_amount_columns("flat", "Flat", lambda n: n.totals.flat),
    Column("flat_capex", "", "money", lambda n: n.totals.capex),
    *_amount_columns("requested", "Requested", lambda n: n.totals.requested),
    *_amount_columns("funded", "Funded", lambda n: n.totals.funded),
    *_amount_columns("unfunded", "Unfunded", lambda n: n.totals.unfunded),
    *_amount_columns("cut", "Cut", lambda n: n.totals.cut, table=False),
    *_amount_columns("deferred", "Deferred", lambda n: n.totals.deferred, table=False),
    Column("over_budget", "Over budget", "over", lambda n: n),
    Column(
        "over_budget_headcount",
        "",
        "heads",
        lambda n: (
            n.over_budget.headcount if n.over_budget and n.budget_headcount is not None else None
        ),
    ),
    Column(
        "over_budget_cost",
        "",
        "money",
        lambda n: n.over_budget.cost if n.over_budget and n.budget_cost is not None else None,
    ),
)


def grid(nodes: Sequence[NodeReport]) -> list[list[Any]]:
    """One row of typed cells per node, in :data:`COLUMNS` order."""
    return [[col.get(n) for col in COLUMNS] for n in nodes]


def _heads_text(value: Decimal) -> str:
    number = heads(value)
    return f"{number:,}" if isinstance(number, int) else f"{number:,.2f}".rstrip("0")


def _over_text(node: NodeReport) -> str:
    over = node.over_budget
    if over is None:
        return ""
    parts = []
    if over.headcount:
        parts.append(f"+{_heads_text(over.headcount)} HC")
    if over.cost:
        parts.append(f"+{over.cost:,.2f}")
    return "OVER " + ", ".join(parts)


TABLE_FORMATS: dict[Kind, Callable[[Any], Any]] = {
    "text": str,
    "int": str,
    "heads": _heads_text,
    "money": lambda v: f"{v:,.2f}",
    "over": _over_text,
}
CSV_FORMATS: dict[Kind, Callable[[Any], Any]] = {
    "text": str,
    "int": int,
    "heads": heads,
    "money": money,
    "over": lambda n: "yes" if n.over_budget is not None else "no",
}


def _format(formats: dict[Kind, Callable[[Any], Any]], kind: Kind, value: Any) -> Any:
    return "" if value is None else formats[kind](value)


#: First characters that make a spreadsheet read a CSV cell as a formula (or start one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def inert_text(text: str) -> str:
    """A text cell that no spreadsheet evaluates: ``'`` before a leading formula trigger.

    Excel, LibreOffice and Google Sheets evaluate a CSV cell starting with
    ``=``, ``+``, ``-`` or ``@`` (tab and carriage return can hide one), so plan
    text like ``=HYPERLINK(...)`` would run when the CSV is opened. OWASP's
    advice is a leading single quote, which spreadsheets show as text. Only
    for text cells: numbers, negative amounts included, are written as they are.
    """
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_rows(rows: Iterable[Sequence[tuple[Any, bool]]]) -> str:
    """CSV text of ``rows`` of ``(value, is_text)`` cells; text cells pass :func:`inert_text`.

    The one CSV writer of opplan: every command that writes CSV builds its
    rows with each cell marked as text or not and calls this.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(
            [inert_text(v) if is_text and isinstance(v, str) else v for v, is_text in row]
        )
    return out.getvalue()


def csv_text(nodes: Sequence[NodeReport]) -> str:
    """CSV: a header row of column keys, then one row per node."""
    header = [(c.key, True) for c in COLUMNS]
    body = (
        [
            (_format(CSV_FORMATS, c.kind, v), c.kind == "text")
            for c, v in zip(COLUMNS, row, strict=False)
        ]
        for row in grid(nodes)
    )
    return csv_rows([header, *body])


def table_text(report: Report, nodes: Sequence[NodeReport]) -> str:
    """A tree table: indented names, flat, requested, funded and unfunded heads and
    cost per node, and the over-budget flag."""
    shown = [(i, c) for i, c in enumerate(COLUMNS) if c.header]
    top = min((n.depth for n in nodes), default=0)
    body = []
    for node, row in zip(nodes, grid(nodes), strict=False):
        cells = []
        for i, col in shown:
            text = _format(TABLE_FORMATS, col.kind, row[i])
            cells.append("  " * (node.depth - top) + text if col.key == "name" else text)
        body.append(cells)
    headers = [c.header for _, c in shown]
    left = {k for k, (_, c) in enumerate(shown) if c.kind in ("text", "over")}
    c = report.cycle
    title = f"{c.name} ({c.kind} {c.year}, amounts in {c.currency})"
    return "\n".join([title, *aligned(headers, body, left)]) + "\n"


def aligned(headers: Sequence[str], body: Sequence[Sequence[str]], left: set[int]) -> list[str]:
    """The lines of a terminal table: headers, a rule, the body; the columns in ``left``
    flush left, the others flush right, two spaces between, no trailing spaces."""
    widths = [max([len(h), *(len(r[k]) for r in body)]) for k, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if k in left else c.rjust(w)
            for k, (c, w) in enumerate(zip(cells, widths, strict=False))
        ).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in body)]
