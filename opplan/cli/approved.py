"""``opplan approved``: what the approved plan gives every node, and its hiring plan."""

from __future__ import annotations

from pathlib import Path

import click

from opplan import pipeline
from opplan.cli.options import cycle_dir_argument, exit_on_failure, format_option, node_option
from opplan.model.diagnostics import UserError


@click.command()
@cycle_dir_argument
@node_option("Export only this node and its subtree (default: the root).")
@format_option(
    "CSV (one table, see --table) or the JSON contract, printed; or a workbook with "
    "the Nodes and Hiring plan sheets, written to a file.",
    choices=pipeline.APPROVED_FORMATS,
    default="csv",
)
@click.option(
    "--table",
    type=click.Choice(pipeline.APPROVED_TABLES),
    default="hiring",
    show_default=True,
    help="With --format csv: the hiring plan (one row per funded position), the nodes, "
    "or the funded asks.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write to FILE instead of printing (xlsx default: approved-<node>.xlsx here).",
)
def approved(cycle_dir: str, node_id: str | None, fmt: str, table: str, out: Path | None) -> None:
    """Export what the approved plan (the root's view) gives every node, and the hiring plan.

    Checks the plans first: errors are printed to stderr and exit 1. For each
    node: flat heads and spend, the asks funded (after partials), in-year cost
    and run rate, and the funded heads by start quarter; the hiring plan has
    one row per funded position (team, ask, role, level, location, start
    month, heads, rate, in-year cost, run rate), the file recruiting and
    finance load. Columns and the JSON: docs/through-the-year.md.

    \b
    Example:
      opplan approved samples/northwind-op1-2027 > hiring.csv
      opplan approved samples/northwind-op1-2027 --table nodes --node retail
      opplan approved samples/northwind-op1-2027 --format xlsx --out approved.xlsx
    """
    try:
        result = pipeline.approved(cycle_dir, node_id)
    except UserError as exc:
        raise click.BadParameter(str(exc), param_hint="--node") from None
    pipeline.settle()  # the plans and the report stay alive to the end
    exit_on_failure(result.diagnostics)
    plan = result.plan
    assert plan is not None, "no errors, so the roll-up ran"
    if fmt == "xlsx" and out is None:
        out = Path(f"approved-{plan.top}.xlsx")
    if out is None:
        for chunk in pipeline.approved_output(plan, fmt, table):
            click.echo(chunk, nl=False)
        return
    pipeline.write_approved(plan, fmt, out, table)
    click.echo(f"wrote {out}", err=True)
