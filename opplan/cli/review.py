"""``opplan review import``: a reviewed workbook's decisions into the node's plan.yaml."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from opplan import pipeline
from opplan.cli.options import cycle_dir_argument
from opplan.model.diagnostics import UserError

if TYPE_CHECKING:
    from opplan.review.importer import ImportResult


@click.group()
def review() -> None:
    """Review workbooks: bring a manager's decisions back into the plans.

    \b
    Example:
      opplan build my-cycle --out out
      (the manager edits the Stack sheet of out/retail.xlsx)
      opplan review import out/retail.xlsx my-cycle
    """


@review.command("import")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False))
@cycle_dir_argument
@click.option("--dry-run", is_flag=True, help="Show the changes; write nothing.")
@click.option(
    "--force",
    is_flag=True,
    help="Import even rows whose plans changed since the workbook was built (the workbook wins).",
)
def import_(workbook: str, cycle_dir: str, dry_run: bool, force: bool) -> None:
    """Write the decisions of a reviewed WORKBOOK into its node's plan.yaml.

    Reads the Stack sheet by its column names and writes each edited row's
    Decision, Partial headcount, Partial cost, Rank and Note into
    review.decisions of the node the workbook was built for, keeping the
    file's comments and layout. Unedited and deleted rows change nothing.
    Any problem refuses the whole import and writes nothing.

    \b
    Example:
      opplan review import out/retail.xlsx samples/northwind-op1-2027 --dry-run
    """
    try:
        result = pipeline.review_import(workbook, cycle_dir, dry_run=dry_run, force=force)
    except UserError as exc:
        click.echo(f"opplan: cannot import {workbook}:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        click.echo("Nothing was written.", err=True)
        sys.exit(1)
    click.echo(change_table(result))
    for row in result.forced:
        click.echo(f"warning: imported with --force although the plans changed: {row}", err=True)
    for caused in result.caused:  # e.g. a node now over budget: path:line:col: warning: ...
        click.echo(caused.format(), err=True)


def change_table(result: ImportResult) -> str:
    """The changes of an import as a plain text table, with a closing line."""
    path = result.plan_path
    if not result.changes:
        return f"No changes: {path} already holds every decision of the workbook."
    rows = [("ask", "row", "before", "after")]
    rows += [
        (
            c.ask,
            str(c.row),
            pipeline.describe_decision(c.before),
            pipeline.describe_decision(c.after),
        )
        for c in result.changes
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=False)).rstrip() for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    n = len(result.changes)
    verb = "written to" if result.written else "would be written to (dry run)"
    lines.append(f"{n} decision{'s' if n != 1 else ''} {verb} {path}")
    return "\n".join(lines)
