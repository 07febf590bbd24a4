"""``opplan import table``: create a cycle from a CSV or XLSX export."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from opplan import pipeline
from opplan.model.diagnostics import UserError


def _amount(ctx: click.Context, param: click.Parameter, value: str) -> Decimal:
    """A finite decimal option value."""
    try:
        amount = Decimal(value)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise click.BadParameter(f"'{value}' is not an amount")
    return amount


@click.group(name="import")
def import_group() -> None:
    """Create a cycle from data people already have.

    \b
    Example:
      opplan import table roster.csv --out acme-op1-2027 --level Org --level Team --role Role
    """


@import_group.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The new cycle directory (absent or empty).",
)
@click.option(
    "--level",
    "levels",
    multiple=True,
    required=True,
    metavar="ID_COL[=NAME_COL]",
    help="A level of the org path, top first (repeatable): ids from ID_COL, "
    "display names from NAME_COL.",
)
@click.option("--flat", metavar="COL", help="Current annual spend: each leaf's flat spend.")
@click.option(
    "--target",
    metavar="COL",
    help="Next year's spend: each leaf asks for target minus flat (may be negative).",
)
@click.option("--ask", metavar="COL", help="Each leaf's incremental ask (spend).")
@click.option(
    "--role",
    metavar="COL",
    help="Roster mode: one row per person or role line; "
    "the role column of the flat headcount lines.",
)
@click.option("--level-col", metavar="COL", help="Roster mode: the level column (e.g. L5).")
@click.option("--location", metavar="COL", help="Roster mode: the location column.")
@click.option("--count", metavar="COL", help="Roster mode: heads per row (default 1 a row).")
@click.option("--name", help="The cycle's name (default: '<root> OP1 <year>').")
@click.option(
    "--year",
    type=click.IntRange(1900, 2999),
    help="The plan year (default: the year a --target/--ask column is named after, "
    "or the year after --flat's).",
)
@click.option("--currency", default="USD", show_default=True, help="ISO 4217 code of the amounts.")
@click.option(
    "--root",
    "root_name",
    metavar="ID[=NAME]",
    help="The root node: an id (identity), ID=NAME, or a name whose id is made from it "
    "(default: the first level's value when every row has the same one, else the file name).",
)
@click.option(
    "--rate",
    default="200000",
    show_default=True,
    callback=_amount,
    help="The cycle's default annual cost of one head.",
)
@click.option(
    "--category",
    default="imported",
    show_default=True,
    help="The spend category the amounts are written under.",
)
@click.option("--sheet", help="XLSX: the sheet to read (default: the first).")
@click.option(
    "--header-row",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="N",
    help="The row number of the header; rows above it (a title, blank rows) are skipped.",
)
@click.option("--encoding", default="utf-8-sig", show_default=True, help="CSV: the text encoding.")
def table(
    file: Path,
    out: Path,
    levels: tuple[str, ...],
    flat: str | None,
    target: str | None,
    ask: str | None,
    role: str | None,
    level_col: str | None,
    location: str | None,
    count: str | None,
    name: str | None,
    year: int | None,
    currency: str,
    root_name: str | None,
    rate: Decimal,
    category: str,
    sheet: str | None,
    header_row: int,
    encoding: str,
) -> None:
    """Create a cycle in --out from the CSV or XLSX table FILE.

    Every distinct path of --level values becomes a node; each leaf gets the
    amounts of its rows added up. Prints the totals read from the file and
    the totals written, which agree.

    \b
    Example:
      opplan import table outlays.csv --out us-budget \\
        --level "Agency Code=Agency Name" --level "Bureau Code=Bureau Name" \\
        --level "Account Code=Account Name" --flat 2016 --target 2017
    """
    try:
        spec = pipeline.table_spec(
            levels,
            flat=flat,
            target=target,
            ask=ask,
            role=role,
            level_col=level_col,
            location=location,
            count=count,
            name=name,
            year=year,
            currency=currency,
            root=root_name,
            rate=rate,
            category=category,
            sheet=sheet,
            encoding=encoding,
            header_row=header_row,
        )
        result = pipeline.import_table(file, out, spec)
    except UserError as exc:
        if exc.usage:
            raise click.UsageError(str(exc)) from exc
        raise click.ClickException(str(exc)) from exc
    for line in result.lines():
        click.echo(line)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"Next: opplan check {out}")
