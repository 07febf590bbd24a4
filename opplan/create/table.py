"""Create a cycle from a CSV or XLSX export: ``opplan import table`` (issue 6).

Nobody starts a planning cycle from an empty directory: headcount comes from
the HR system and spend from finance, as tables. :func:`import_table` reads
one such table with pandas (every cell as text, so codes keep their leading
zeros), builds the org tree from the ``--level`` columns
(:mod:`opplan.importer_tree`), adds up the money and headcount of every leaf,
and writes the cycle directory (:mod:`opplan.importer_write`).

Money is exact: amounts like ``"126,428"`` or ``(1,200)`` become
:class:`~decimal.Decimal`, blanks are zero, negatives stay negative. The
result carries the totals read from the file and the totals written into the
plans, so a user can see that nothing was lost. This is the only module of
opplan that imports pandas.
"""

from __future__ import annotations

import difflib
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from pathlib import Path

from opplan.create.tabletree import Level, LineKey, TreeNode, assign_ids, node_key, slugify
from opplan.create.tablewrite import CycleText, OutDirError, check_out_dir, grouped, write_cycle
from opplan.model import MAX_AMOUNT
from opplan.model.diagnostics import UserError
from opplan.util.xlsxsafe import UnsafeWorkbook, check_package

__all__ = [
    "ImportResult",
    "OutDirError",
    "TableImportError",
    "TableSpec",
    "import_table",
    "parse_amount",
    "parse_level",
    "read_table",
]

_AMOUNT = re.compile(r"[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d*)?([eE][-+]?\d+)?")
_YEAR = re.compile(r"\s*((19|2\d)\d\d)\s*")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
EXACT_DIGITS = 200


class TableImportError(UserError):
    """The table or the options cannot make a cycle (the message says why and where)."""


@dataclass(frozen=True, slots=True)
class TableSpec:
    """What to import and how: the ``opplan import table`` options."""

    levels: tuple[Level, ...]
    flat: str | None = None
    target: str | None = None
    ask: str | None = None
    role: str | None = None
    level_col: str | None = None
    location: str | None = None
    count: str | None = None
    name: str | None = None
    year: int | None = None
    currency: str = "USD"
    root: str | None = None
    rate: Decimal = Decimal(200000)
    category: str = "imported"
    sheet: str | None = None
    encoding: str = "utf-8-sig"


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import read and what it wrote; the two sets of totals must agree."""

    out: Path
    source: str
    rows: int
    nodes: int
    leaves: int
    per_level: tuple[tuple[str, int], ...]
    asks: int
    read: tuple[tuple[str, Decimal], ...]
    written: tuple[tuple[str, Decimal], ...]

    def lines(self) -> list[str]:
        """The report printed by the CLI: what was read, what was created."""
        out = [f"Read {self.source}: {self.rows:,} rows."]
        out += [f"  {label}: {grouped(v)}" for label, v in self.read]
        levels = ", ".join(f"{label} {n:,}" for label, n in self.per_level)
        out.append(
            f"Created {self.out}: {self.nodes:,} nodes (root 1, {levels}), "
            f"{self.leaves:,} leaves, {self.asks:,} asks."
        )
        out += [f"  {label}: {grouped(v)}" for label, v in self.written]
        return out


@dataclass(frozen=True, slots=True)
class Table:
    """A table read from a file: its header and every column, all cells as stripped text."""

    header: list[str]
    columns: dict[str, list[str]]

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
            )
        return self.columns[name]


def parse_level(text: str) -> Level:
    """``"Bureau Code=Bureau Name"`` -> Level("Bureau Code", "Bureau Name")."""
    id_col, sep, name_col = text.partition("=")
    if not id_col.strip() or (sep and not name_col.strip()):
        raise TableImportError(f"--level '{text}': expected ID_COL or ID_COL=NAME_COL")
    return Level(id_col.strip(), name_col.strip() or None)


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


def read_table(path: Path, sheet: str | None = None, encoding: str = "utf-8-sig") -> Table:
    """Read a CSV or XLSX file with every cell as text (codes keep their leading zeros)."""
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
            )
        else:
            frame = pd.read_csv(
                path, dtype=str, keep_default_na=False, encoding=encoding, skipinitialspace=False
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
    )


def _amounts(cells: list[str], col: str) -> list[Decimal]:
    out = []
    for i, cell in enumerate(cells):
        try:
            out.append(parse_amount(cell))
        except ValueError as exc:
            raise TableImportError(f"row {i + 2}, column '{col}': {exc}") from None
    return out


def _counts(cells: list[str], col: str) -> list[Decimal]:
    out = _amounts(cells, col)
    for i, value in enumerate(out):
        if value < 0:
            raise TableImportError(
                f"row {i + 2}, column '{col}': a headcount cannot be negative ({cells[i]})"
            )
    return out


def _check_spec(spec: TableSpec) -> None:
    if not spec.levels:
        raise TableImportError("give at least one --level")
    if spec.target is not None and spec.ask is not None:
        raise TableImportError("give --target or --ask, not both")
    if spec.target is not None and spec.flat is None:
        raise TableImportError("--target needs --flat: the ask is target minus flat")
    if spec.role is None and any((spec.level_col, spec.location, spec.count)):
        raise TableImportError("--level-col, --location and --count need --role")
    if not re.fullmatch(r"[A-Z]{3}", spec.currency):
        raise TableImportError(
            f"--currency '{spec.currency}': expected an ISO 4217 code such as USD"
        )
    if spec.rate <= 0:
        raise TableImportError("--rate must be greater than zero")


def plan_year(spec: TableSpec) -> int:
    """``--year``, else the year a money column is named after (``2017``), else an error."""
    if spec.year is not None:
        return spec.year
    for col, shift in ((spec.target, 0), (spec.ask, 0), (spec.flat, 1)):
        m = _YEAR.fullmatch(col or "")
        if m:
            return int(m.group(1)) + shift
    raise TableImportError("give the plan year with --year (no money column is named after a year)")


def import_table(file: Path, out: Path, spec: TableSpec) -> ImportResult:
    """Read ``file`` and write a new cycle into ``out`` (absent or empty); return what it did."""
    with localcontext() as ctx:
        ctx.prec = EXACT_DIGITS  # sums never round (the default context keeps 28 digits)
        return _import(file, out, spec)


def _import(file: Path, out: Path, spec: TableSpec) -> ImportResult:
    _check_spec(spec)
    year = plan_year(spec)
    check_out_dir(out)
    table = read_table(file, spec.sheet, spec.encoding)
    nrows = table.rows
    if nrows == 0:
        raise TableImportError(f"'{file}' has no rows below its header")
    col = table.column
    paths = [
        (lv, col(lv.id_col, "--level"), col(lv.name_col, "--level") if lv.name_col else None)
        for lv in spec.levels
    ]
    flat = _amounts(col(spec.flat, "--flat"), spec.flat) if spec.flat else None
    second_col = spec.target or spec.ask
    second = (
        _amounts(col(second_col, "--target" if spec.target else "--ask"), second_col)
        if second_col
        else None
    )
    roster = _roster(spec, table)

    root_name = (
        spec.root or file.stem.replace("_", " ").replace("-", " ").strip().title() or "Company"
    )
    root = TreeNode(("root", ""), root_name, 0)
    for i in range(nrows):
        node = root
        node.rows.append(i + 2)
        for level, ids, names in paths:
            key, name = node_key(level, ids[i], names[i] if names else "")
            node = node.child(key, name)
            node.rows.append(i + 2)
        if flat is not None:
            node.flat += flat[i]
        if second is not None:
            node.second += second[i]
        if roster is not None:
            line, count = roster[i]
            node.heads[line] = node.heads.get(line, Decimal(0)) + count
    assign_ids(root, slugify(root_name) or "company", spec.levels)

    text = CycleText(
        spec.name or f"{root_name} OP1 {year}",
        year,
        spec.currency,
        spec.rate,
        file.name,
        nrows,
        spec.category,
        spec.flat,
        second_col,
        "target" if spec.target else "ask" if spec.ask else None,
    )
    write_cycle(out, root, text)
    return _result(out, file.name, nrows, root, spec, flat, second, roster)


def _roster(spec: TableSpec, table: Table) -> list[tuple[LineKey, Decimal]] | None:
    """Each row's headcount line (role, level, location) and count, in roster mode."""
    if spec.role is None:
        return None
    col, nrows = table.column, table.rows
    roles = col(spec.role, "--role")
    levels = col(spec.level_col, "--level-col") if spec.level_col else None
    places = col(spec.location, "--location") if spec.location else None
    counts = _counts(col(spec.count, "--count"), spec.count) if spec.count else None
    return [
        (
            (
                roles[i] or "(no role)",
                (levels[i] or None) if levels else None,
                (places[i] or None) if places else None,
            ),
            counts[i] if counts else Decimal(1),
        )
        for i in range(nrows)
    ]


def _result(
    out: Path,
    source: str,
    nrows: int,
    root: TreeNode,
    spec: TableSpec,
    flat: Sequence[Decimal] | None,
    second: Sequence[Decimal] | None,
    roster: Sequence[tuple[LineKey, Decimal]] | None,
) -> ImportResult:
    """Totals read from the columns beside totals summed over the written leaves."""
    nodes = list(root.walk())
    leaves = [n for n in nodes if not n.children]
    read: list[tuple[str, Decimal]] = []
    written: list[tuple[str, Decimal]] = []
    if roster is not None:
        read.append(("headcount", sum((c for _, c in roster), Decimal(0))))
        written.append(
            ("flat headcount", sum((c for n in leaves for c in n.heads.values()), Decimal(0)))
        )
    if flat is not None and spec.flat:  # flat is read when --flat names a column
        read.append((spec.flat, sum(flat, Decimal(0))))
        written.append((f"flat spend ({spec.flat})", sum((n.flat for n in leaves), Decimal(0))))
    asks = 0
    label = spec.target or spec.ask
    if second is not None and label:  # second is read when --target or --ask names a column
        read.append((label, sum(second, Decimal(0))))
        deltas = [n.second - n.flat if spec.target else n.second for n in leaves]
        asks = sum(1 for d in deltas if d != 0)
        requested = sum(deltas, Decimal(0))
        if spec.target:
            flat_total = sum((n.flat for n in leaves), Decimal(0))
            written.append((f"requested ({spec.target} - {spec.flat})", requested))
            written.append((f"flat + requested (= {spec.target})", flat_total + requested))
        else:
            written.append((f"requested ({spec.ask})", requested))
    if [v for _, v in read] != [
        v for label, v in written if not label.startswith("requested") or not spec.target
    ]:
        raise RuntimeError(f"bug: the totals written {written} differ from those read {read}")
    per_level = tuple(
        (lv.label, sum(1 for n in nodes if n.depth == d + 1)) for d, lv in enumerate(spec.levels)
    )
    return ImportResult(
        out, source, nrows, len(nodes), len(leaves), per_level, asks, tuple(read), tuple(written)
    )
