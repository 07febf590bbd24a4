"""Read an export as a table of text cells: CSV or XLSX, with the header on any row.

Every cell is read as text (pandas with ``dtype=str`` and no "NA" guessing), so codes keep
their leading zeros and a team called ``null`` stays a team. Rows are numbered as in a
spreadsheet, counting the rows above the header. This is the only module of opplan that
imports pandas.
"""

from __future__ import annotations

import difflib
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from opplan.model import MAX_AMOUNT
from opplan.model.diagnostics import UserError
from opplan.util.xlsxsafe import UnsafeWorkbook, check_package

_AMOUNT = re.compile(r"[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d*)?([eE][-+]?\d+)?")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


class TableImportError(UserError):
    """The table or the options cannot make a cycle (the message says why and where)."""


@dataclass(frozen=True, slots=True)
class Table:
    """A table read from a file: its header and every column, all cells as stripped text."""

    header: list[str]
    columns: dict[str, list[str]]
    first_row: int = 2  # the spreadsheet row number of the first data row

    @property
    def rows(self) -> int:
        """The number of data rows (the header not counted)."""
        return len(next(iter(self.columns.values()), []))

    def column(self, name: str, option: str) -> list[str]:
        """The cells of column ``name``, which ``option`` named; a clear error if it is absent."""
        if name not in self.columns:
            hint = difflib.get_close_matches(name, self.header, n=1)
            raise TableImportError(
                f"{option} '{name}': no such column"
                + (f" (did you mean '{hint[0]}'?)" if hint else "")
                + f"; the columns are: {', '.join(self.header)}"
                + self.header_hint()
            )
        return self.columns[name]

    def header_hint(self) -> str:
        """A hint when the header row read has blank cells: a title row above the real one."""
        blank = [h for h in self.header if h.startswith("Unnamed: ")]
        if not blank:
            return ""
        return (
            f" (row {self.first_row - 1} has blank header cells, read as '{blank[0]}': when "
            "a title or blank rows stand above the header, give the header's row number "
            "with --header-row N)"
        )


def parse_amount(text: str) -> Decimal:
    """An amount cell as an exact decimal: ``"126,428"``, ``"-3.5"``, ``"(1,200)"``; blank is 0."""
    s = text.strip().replace("\u2212", "-")
    if s.startswith("(") and s.endswith(")"):
        s = "-" + s[1:-1].strip()
    if not s or s in ("-", "+"):
        return Decimal(0)
    if not _AMOUNT.fullmatch(s) or not any(ch.isdigit() for ch in s):
        raise ValueError(f"'{text}' is not an amount")
    try:
        value = Decimal(s.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise ValueError(f"'{text}' is not an amount") from None
    if abs(value) > MAX_AMOUNT:
        raise ValueError(f"'{text}' is more than {MAX_AMOUNT:,}, the most a plan may hold")
    exponent = value.as_tuple().exponent  # a letter only for NaN and Infinity, refused above
    if isinstance(exponent, int) and exponent < -6:
        raise ValueError(f"'{text}' has more than 6 decimal places")
    return value


def read_table(
    path: Path, sheet: str | None = None, encoding: str = "utf-8-sig", header_row: int = 1
) -> Table:
    """Read a CSV or XLSX file with every cell as text (codes keep their leading zeros).

    ``header_row`` is the spreadsheet row number of the header; the rows above it (a title,
    a date, blank rows) are skipped.
    """
    skip = header_row - 1
    import pandas as pd  # only here: importing pandas costs half a second
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        if path.suffix.lower() in EXCEL_SUFFIXES:
            check_package(path)  # zip bombs, entity attacks, renamed files: before openpyxl
            frame = pd.read_excel(
                path,
                sheet_name=sheet if sheet is not None else 0,
                dtype=str,
                keep_default_na=False,
                engine="openpyxl",
                skiprows=skip,
            )
        else:
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                encoding=encoding,
                skipinitialspace=False,
                skiprows=skip,
            )
    except FileNotFoundError:
        raise TableImportError(f"'{path}': no such file") from None
    except UnsafeWorkbook as exc:
        raise TableImportError(f"cannot read '{path}': {exc}") from None
    except UnicodeDecodeError as exc:
        raise TableImportError(
            f"'{path}' is not {encoding} text ({exc.reason}); "
            "give its encoding with --encoding, e.g. cp1252"
        ) from None
    except (ValueError, OSError, KeyError, zipfile.BadZipFile, InvalidFileException) as exc:
        raise TableImportError(f"cannot read '{path}' as a table: {exc}") from None
    header = [str(c) for c in frame.columns]
    return Table(
        header,
        {h: [str(v).strip() for v in frame.iloc[:, i].tolist()] for i, h in enumerate(header)},
        header_row + 1,
    )


def amounts(cells: list[str], col: str, first_row: int = 2) -> list[Decimal]:
    """The cells of column ``col`` as amounts; the first cell is on row ``first_row``."""
    out = []
    for i, cell in enumerate(cells):
        try:
            out.append(parse_amount(cell))
        except ValueError as exc:
            raise TableImportError(f"row {i + first_row}, column '{col}': {exc}") from None
    return out


def counts(cells: list[str], col: str, first_row: int = 2) -> list[Decimal]:
    """The cells of column ``col`` as headcounts (never negative)."""
    out = amounts(cells, col, first_row)
    for i, value in enumerate(out):
        if value < 0:
            raise TableImportError(
                f"row {i + first_row}, column '{col}': a headcount cannot be negative ({cells[i]})"
            )
    return out
