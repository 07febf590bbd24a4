"""Read a reviewed workbook: its metadata and the review cells of its ``Stack`` sheet.

The only module of the importer that touches openpyxl. It runs after
:func:`opplan.xlsxsafe.check_package` and reads in openpyxl's streaming
(read-only) mode with bounded rows and columns, so a huge sheet is an error and
never a hang. Columns are found by their header names, so a manager may
reorder, hide, sort or filter them. Each cell is checked for what it holds:
a formula or an error value in a review cell is a problem reported with the
cell's coordinate, never evaluated.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from opplan.model import MAX_AMOUNT, MAX_RANK
from opplan.model.diagnostics import UserError
from opplan.report.reviewkeys import (
    COL_ASK,
    COL_DECISION,
    COL_NOTE,
    COL_PARTIAL_COST,
    COL_PARTIAL_HC,
    COL_RANK,
    DECISIONS,
    FORMAT,
    FORMAT_VERSION,
    META,
    META_KEYS,
    META_ROW_HEADER,
    READABLE_VERSIONS,
    REVIEW_COLUMNS,
    STACK,
    ReviewValues,
)
from opplan.review.stackcells import stack_cells
from opplan.util.xlsxsafe import Deadline, UnsafeWorkbook

#: Most rows of a Stack sheet we read (a 10,000-team company has fewer live asks).
MAX_ROWS = 200_000
#: Most columns we look at for headers.
MAX_HEADER_COLUMNS = 200


class ReviewError(UserError, ValueError):
    """The workbook cannot be imported; ``problems`` lists every reason, one line each."""


@dataclass(frozen=True)
class BuiltRow:
    """A Stack row as the build wrote it: its fingerprint and the prefilled review cells."""

    fingerprint: str
    prefill: ReviewValues


@dataclass(frozen=True)
class SheetRow:
    """One row of the Stack sheet as the manager left it."""

    row: int
    ask: str
    values: ReviewValues
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewBook:
    """What a reviewed workbook says: its metadata, its built rows and its Stack rows."""

    meta: dict[str, str]
    built: dict[str, BuiltRow]
    rows: list[SheetRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # rows ignored, said so


def read_review_book(path: Path, deadline: Deadline | None = None) -> ReviewBook:
    """Read ``path`` (already checked by :mod:`opplan.xlsxsafe`); raise :class:`ReviewError`.

    ``deadline`` bounds the time of the read (a fresh one by default).
    """
    name = Path(path).name
    deadline = deadline or Deadline(name)
    try:
        return _read_book(path, name, deadline)
    except UnsafeWorkbook as exc:
        raise ReviewError(str(exc)) from exc


def _read_book(path: Path, name: str, deadline: Deadline) -> ReviewBook:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about data validation etc.
            wb = load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ReviewError(f"{name}: cannot read the workbook: {exc}") from exc
    except Exception as exc:
        raise ReviewError(
            f"{name}: cannot read the workbook ({type(exc).__name__}: {exc})"
        ) from exc
    try:
        deadline.check()
        if META not in wb.sheetnames:
            raise ReviewError(
                f"{name}: not a review workbook built by opplan (it has no opplan "
                "metadata); build one with `opplan build` and review that"
            )
        meta, built = _read_meta(wb[META], name, deadline)
        if STACK not in wb.sheetnames:
            raise ReviewError(f"{name}: the workbook has no '{STACK}' sheet")
        rows, problems, ignored = _read_stack(wb[STACK], name, deadline)
    except (ReviewError, UnsafeWorkbook):
        raise
    except Exception as exc:
        raise ReviewError(
            f"{name}: cannot read the workbook ({type(exc).__name__}: {exc})"
        ) from exc
    finally:
        wb.close()
    return ReviewBook(meta, built, rows, problems, ignored)


def _read_meta(
    ws: Any, name: str, deadline: Deadline
) -> tuple[dict[str, str], dict[str, BuiltRow]]:
    rows = ws.iter_rows(
        min_row=1, max_row=MAX_ROWS + 20, max_col=len(META_ROW_HEADER), values_only=True
    )
    first = next(rows, None)
    if not first or first[0] != FORMAT:
        raise ReviewError(
            f"{name}: not a review workbook built by opplan (its metadata sheet is not opplan's)"
        )
    try:
        fmt = int(first[1])
    except (TypeError, ValueError):
        fmt = -1
    if fmt not in READABLE_VERSIONS:
        raise ReviewError(
            f"{name}: workbook format {first[1]!r} is not the one this opplan "
            f"reads ({FORMAT_VERSION}); rebuild it with this opplan"
        )
    meta: dict[str, str] = {}
    built: dict[str, BuiltRow] = {}
    in_rows = False
    for values in rows:
        deadline.check()
        values = tuple(_text(v) for v in values)
        if not in_rows:
            if values[:2] == META_ROW_HEADER[:2]:
                in_rows = True
            elif values[0] in META_KEYS:
                meta[values[0]] = values[1] or ""
            continue
        if values[0]:
            prefill, problems = _values(dict(zip(REVIEW_COLUMNS, values[2:], strict=False)))
            if problems:
                raise ReviewError(f"{name}: its opplan metadata is damaged")
            built[values[0]] = BuiltRow(values[1] or "", prefill)
    missing = [k for k in META_KEYS if k not in meta]
    if missing or not in_rows:
        raise ReviewError(
            f"{name}: its opplan metadata is incomplete (missing "
            f"{', '.join(missing) or 'the row table'})"
        )
    return meta, built


def _read_stack(
    ws: Any, name: str, deadline: Deadline
) -> tuple[list[SheetRow], list[str], list[str]]:
    """The Stack's rows, the problems that refuse the import, and rows ignored with a warning
    (a note typed in a row without an ask: it decides nothing)."""
    header = next(
        ws.iter_rows(min_row=1, max_row=1, max_col=MAX_HEADER_COLUMNS, values_only=True), ()
    )
    cols: dict[str, int] = {}
    for i, value in enumerate(header):
        label = _text(value)
        if label in cols and label in (COL_ASK, *REVIEW_COLUMNS):
            raise ReviewError(f"{name}: the {STACK} sheet has two '{label}' columns")
        if label:
            cols.setdefault(label, i)
    missing = [c for c in (COL_ASK, *REVIEW_COLUMNS) if c not in cols]
    if missing:
        raise ReviewError(
            f"{name}: the {STACK} sheet has no column "
            f"{', '.join(repr(m) for m in missing)} in its first row"
        )
    wanted = {c: cols[c] for c in (COL_ASK, *REVIEW_COLUMNS)}
    width = max(wanted.values()) + 1
    out: list[SheetRow] = []
    problems: list[str] = []
    ignored: list[str] = []
    r = 1
    for r, cells in enumerate(stack_cells(ws, 2, MAX_ROWS + 2, width), start=2):
        deadline.check()
        if r > MAX_ROWS + 1:
            raise ReviewError(
                f"{name}: the {STACK} sheet has more than {MAX_ROWS:,} rows; refused as too large"
            )
        picked = {c: (cells[i] if i < len(cells) else None) for c, i in wanted.items()}
        raw: dict[str, Any] = {}
        row_problems = []
        for column, cell in picked.items():
            value = getattr(cell, "value", None)
            kind = getattr(cell, "data_type", None)
            where = f"{get_column_letter(wanted[column] + 1)}{r}"
            if kind == "f":
                row_problems.append(
                    f"{STACK} cell {where} ({column}) holds a formula; type the value itself"
                )
                value = None
            elif kind == "e":
                row_problems.append(
                    f"{STACK} cell {where} ({column}) holds the error value {value}"
                )
                value = None
            raw[column] = value
        ask = _text(raw.pop(COL_ASK))
        values, value_problems = _values(raw)
        row_problems.extend(f"{STACK} row {r}: {p}" for p in value_problems)
        if not ask:
            if not row_problems and values.note and values == ReviewValues(note=values.note):
                ignored.append(
                    f"{STACK} row {r} has a note but no ask reference in column '{COL_ASK}'; "
                    "the note was ignored"
                )
            elif not values.empty() or row_problems:
                problems.append(
                    f"{STACK} row {r} has review values but no ask reference in column '{COL_ASK}'"
                )
            continue
        out.append(SheetRow(r, ask, values, tuple(row_problems)))
    return out, problems, ignored


def _values(raw: dict[str, Any]) -> tuple[ReviewValues, list[str]]:
    """The review cells of a row as values, and what is wrong with them."""
    problems: list[str] = []
    decision = _text(raw.get(COL_DECISION))
    if decision is not None:
        decision = decision.lower()
        if decision not in DECISIONS:
            problems.append(
                f"invalid decision '{decision}' (choose one of "
                f"{', '.join(DECISIONS)}, or leave it empty)"
            )
            decision = None
    headcount = _number(raw.get(COL_PARTIAL_HC), COL_PARTIAL_HC, problems)
    cost = _number(_money(raw.get(COL_PARTIAL_COST)), COL_PARTIAL_COST, problems, money=True)
    if cost is not None and cost != cost.quantize(Decimal("0.01")):
        problems.append(f"{COL_PARTIAL_COST} {cost} has more than two decimals (cents)")
        cost = None
    rank = _number(raw.get(COL_RANK), COL_RANK, problems, MAX_RANK)
    rank_int = None
    if rank is not None:
        if rank != rank.to_integral_value() or rank < 1:
            problems.append(f"{COL_RANK} {rank} is not a whole number from 1")
        else:
            rank_int = int(rank)
    note = _text(raw.get(COL_NOTE))
    return ReviewValues(decision, headcount, cost, rank_int, note), problems


#: A money cell typed as text: an optional currency sign, digits with optional thousands
#: commas and decimals, an optional k (thousands) or m (millions): ``$150,000``, ``150k``.
_MONEY_TEXT = re.compile(r"[$€£]?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*([kKmM]?)")
_SCALE = {"": 1, "k": 1_000, "m": 1_000_000}
MONEY_FORMS = "150000, 150,000, $150,000 or 150k"


def _money(value: Any) -> Any:
    """A Partial cost typed as text in a form people write money (``$150,000``, ``150k``,
    ``1.2m``) as a number; any other value unchanged (so it is judged as a number)."""
    if not isinstance(value, str):
        return value
    m = _MONEY_TEXT.fullmatch(value.strip())
    if m is None:
        return value
    whole, fraction, scale = m.groups()
    return Decimal(whole.replace(",", "") + (fraction or "")) * _SCALE[scale.lower()]


def _number(
    value: Any,
    column: str,
    problems: list[str],
    limit: Decimal | int = MAX_AMOUNT,
    *,
    money: bool = False,
) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        problems.append(f"{column} {value} is not a number")
        return None
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        if money:
            problems.append(f"{column} '{value}' is not an amount: write it as {MONEY_FORMS}")
        else:
            problems.append(f"{column} '{value}' is not a number")
        return None
    if not number.is_finite() or number < 0:
        problems.append(f"{column} {value} is not a number of at least 0")
        return None
    if number > limit:
        problems.append(f"{column} {value} is more than {limit:,}, the most a plan may hold")
        return None
    return number


def _text(value: Any) -> str | None:
    """A cell value as stripped text; None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    text = text.strip()
    return text or None
