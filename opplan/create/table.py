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
plans, so a user can see that nothing was lost. Reading the file
(:mod:`opplan.create.tableread`) is the only place opplan imports pandas.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, localcontext
from pathlib import Path

from opplan.create.tableread import (
    Table,
    TableImportError,
    amounts,
    counts,
    parse_amount,
    read_table,
)
from opplan.create.tabletree import (
    Cells,
    Level,
    LineKey,
    TreeNode,
    assign_ids,
    place_rows,
    single_top,
    slugify,
    spelling_warnings,
)
from opplan.create.tablewrite import CycleText, OutDirError, check_out_dir, grouped, write_cycle
from opplan.model import NODE_ID_RE
from opplan.model.words import NODE_ID_WORDS

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

_YEAR = re.compile(r"\s*((19|2\d)\d\d)\s*")
EXACT_DIGITS = 200


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
    header_row: int = 1


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
    warnings: tuple[str, ...] = ()

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


def parse_level(text: str) -> Level:
    """``"Bureau Code=Bureau Name"`` -> Level("Bureau Code", "Bureau Name")."""
    id_col, sep, name_col = text.partition("=")
    if not id_col.strip() or (sep and not name_col.strip()):
        raise TableImportError(f"--level '{text}': expected ID_COL or ID_COL=NAME_COL")
    return Level(id_col.strip(), name_col.strip() or None)


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


def parse_root(text: str | None) -> tuple[str | None, str | None]:
    """``--root``: ``ID=NAME``, an id alone (``identity``) or a name alone (``Juniper
    Outfitters``, whose id is made from it); ``(id, name)``, either may be None."""
    if text is None:
        return None, None
    node_id, sep, name = (part.strip() for part in text.partition("="))
    if not sep and not NODE_ID_RE.match(node_id):
        return None, node_id or None
    if not NODE_ID_RE.match(node_id):
        raise TableImportError(
            f"--root '{text}': '{node_id}' is not a valid node id: {NODE_ID_WORDS}"
        )
    return node_id, name or None


def _import(file: Path, out: Path, spec: TableSpec) -> ImportResult:
    _check_spec(spec)
    year = plan_year(spec)
    root_id, root_name = parse_root(spec.root)
    check_out_dir(out)
    table = read_table(file, spec.sheet, spec.encoding, spec.header_row)
    nrows, first = table.rows, table.first_row
    if nrows == 0:
        raise TableImportError(f"'{file}' has no rows below its header")
    col = table.column
    paths: list[Cells] = [
        (lv, col(lv.id_col, "--level"), col(lv.name_col, "--level") if lv.name_col else None)
        for lv in spec.levels
    ]
    flat = amounts(col(spec.flat, "--flat"), spec.flat, first) if spec.flat else None
    second_col = spec.target or spec.ask
    second = (
        amounts(col(second_col, "--target" if spec.target else "--ask"), second_col, first)
        if second_col
        else None
    )
    roster = _roster(spec, table)

    levels = spec.levels
    top = single_top(paths)
    if top is not None:  # the org the table is of: the root itself, not a level below one
        paths, levels = paths[1:], levels[1:]
        root_name = root_name or top[1]
    elif root_name is None and root_id is None:
        root_name = file.stem.replace("_", " ").replace("-", " ").strip().title()
    root_name = root_name or (root_id or "company").replace("-", " ").title()
    root = TreeNode(("root", ""), root_name, 0)
    if top is not None:
        root.spellings = top[2]
    for i, node in enumerate(place_rows(root, paths, first)):
        if flat is not None:
            node.flat += flat[i]
        if second is not None:
            node.second += second[i]
        if roster is not None:
            line, count = roster[i]
            node.heads[line] = node.heads.get(line, Decimal(0)) + count
    assign_ids(root, root_id or slugify(root_name) or "company", levels)
    warnings = spelling_warnings(root, levels)
    if top is not None and len(top[2]) > 1:
        warnings.insert(0, _top_warning(spec.levels[0], top[2], root))

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
    result = _result(out, file.name, nrows, root, spec, levels, flat, second, roster)
    return replace(result, warnings=tuple(warnings))


def _top_warning(level: Level, spellings: list[str], root: TreeNode) -> str:
    shown = ", ".join(f"'{s}'" for s in spellings)
    return (
        f"{level.label} {shown} differ only in case or spacing: read as one, the root "
        f"{root.id} ('{root.name}'); correct the table if they are different {level.label}s"
    )


def _roster(spec: TableSpec, table: Table) -> list[tuple[LineKey, Decimal]] | None:
    """Each row's headcount line (role, level, location) and count, in roster mode."""
    if spec.role is None:
        return None
    col, nrows = table.column, table.rows
    first = table.first_row
    roles = col(spec.role, "--role")
    levels = col(spec.level_col, "--level-col") if spec.level_col else None
    places = col(spec.location, "--location") if spec.location else None
    heads = counts(col(spec.count, "--count"), spec.count, first) if spec.count else None
    return [
        (
            (
                roles[i] or "(no role)",
                (levels[i] or None) if levels else None,
                (places[i] or None) if places else None,
            ),
            heads[i] if heads else Decimal(1),
        )
        for i in range(nrows)
    ]


def _result(
    out: Path,
    source: str,
    nrows: int,
    root: TreeNode,
    spec: TableSpec,
    levels: tuple[Level, ...],
    flat: Sequence[Decimal] | None,
    second: Sequence[Decimal] | None,
    roster: Sequence[tuple[LineKey, Decimal]] | None,
) -> ImportResult:
    """Totals read from the columns beside totals summed over the written leaves."""
    nodes = list(root.walk())
    leaves = [n for n in nodes if not n.children]
    holders = [n for n in nodes if not n.children or n.own_rows]  # nodes with figures
    read: list[tuple[str, Decimal]] = []
    written: list[tuple[str, Decimal]] = []
    if roster is not None:
        read.append(("headcount", sum((c for _, c in roster), Decimal(0))))
        written.append(
            ("flat headcount", sum((c for n in holders for c in n.heads.values()), Decimal(0)))
        )
    if flat is not None and spec.flat:  # flat is read when --flat names a column
        read.append((spec.flat, sum(flat, Decimal(0))))
        written.append((f"flat spend ({spec.flat})", sum((n.flat for n in holders), Decimal(0))))
    asks = 0
    label = spec.target or spec.ask
    if second is not None and label:  # second is read when --target or --ask names a column
        read.append((label, sum(second, Decimal(0))))
        deltas = [n.second - n.flat if spec.target else n.second for n in holders]
        asks = sum(1 for d in deltas if d != 0)
        requested = sum(deltas, Decimal(0))
        if spec.target:
            flat_total = sum((n.flat for n in holders), Decimal(0))
            written.append((f"requested ({spec.target} - {spec.flat})", requested))
            written.append((f"flat + requested (= {spec.target})", flat_total + requested))
        else:
            written.append((f"requested ({spec.ask})", requested))
    if [v for _, v in read] != [
        v for label, v in written if not label.startswith("requested") or not spec.target
    ]:
        raise RuntimeError(f"bug: the totals written {written} differ from those read {read}")
    per_level = tuple(
        (lv.label, sum(1 for n in nodes if n.depth == d + 1)) for d, lv in enumerate(levels)
    )
    return ImportResult(
        out, source, nrows, len(nodes), len(leaves), per_level, asks, tuple(read), tuple(written)
    )
