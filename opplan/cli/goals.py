"""``opplan goals`` and ``opplan goal update``: goals through the year."""

from __future__ import annotations

import datetime as dt
import sys

import click

from opplan import pipeline
from opplan.cli.options import (
    ISO_DATE,
    cycle_dir_argument,
    exit_on_failure,
    format_option,
    node_option,
)
from opplan.model.diagnostics import UserError


@click.command()
@cycle_dir_argument
@node_option()
@click.option(
    "--as-of",
    "as_of",
    type=ISO_DATE,
    metavar="DATE",
    help="Status as of this date, YYYY-MM-DD: later reports are ignored "
    "(default: the cycle's as_of, else today).",
)
@format_option(
    "A tree table, the JSON contract (docs/through-the-year.md), or CSV with one row per goal."
)
def goals(cycle_dir: str, node_id: str | None, as_of: dt.date | None, fmt: str) -> None:
    """Every goal's latest status, trend and date; per manager, counts by colour and the
    red and stale goals.

    Checks the plans first: errors are printed to stderr and exit 1. The first
    line says which date the statuses are as of. A goal is stale when its latest
    report is older than the cycle's goal_stale_days (45 by default).

    \b
    Example:
      opplan goals samples/northwind-op1-2027
      opplan goals samples/northwind-op1-2027 --node payments --as-of 2026-07-01
      opplan goals samples/northwind-op1-2027 --format csv > goals.csv
    """

    try:
        result = pipeline.goal_status(cycle_dir, node=node_id, as_of=as_of)
    except UserError as exc:
        raise click.BadParameter(str(exc), param_hint="--node") from None
    exit_on_failure(result.diagnostics)
    assert result.report is not None, "no errors, so the report was made"
    click.echo(pipeline.goals_output(result.report, fmt), nl=False)


@click.group()
def goal() -> None:
    """Goal status reports: the monthly green, yellow or red of each goal.

    \b
    Example:
      opplan goal update checkout/G1 --color yellow --note "p99 at 640 ms" my-cycle
    """


@goal.command("update")
@click.argument("goal_ref", metavar="GOAL-REF")
@cycle_dir_argument
@click.option(
    "--color",
    type=click.Choice(list(pipeline.GOAL_COLORS)),
    required=True,
    help="The goal's status now.",
)
@click.option("--note", required=True, help="What happened since the last report.")
@click.option(
    "--date",
    "date",
    type=ISO_DATE,
    metavar="DATE",
    help="The report's date, YYYY-MM-DD (default: today).",
)
@click.option(
    "--dry-run", is_flag=True, help="Check the update and say what it would write; write nothing."
)
def update(
    goal_ref: str, cycle_dir: str, color: str, note: str, date: dt.date | None, dry_run: bool
) -> None:
    """Append a status report to GOAL-REF (<node-id>/<goal-id>) in its plan.yaml.

    The new entry goes last in the goal's status list, the file's comments and
    layout kept. The result is checked with the whole cycle before it is
    written; any problem (an unknown node or goal, a date before the goal's
    latest report) writes nothing. Going from green straight to red gives the
    status-jump warning.

    \b
    Example:
      opplan goal update fraud-detection/G1 --color yellow --note "Losses back to 11 bps" \\
        samples/northwind-op1-2027 --date 2026-09-30 --dry-run
    """

    try:
        result = pipeline.goal_update(cycle_dir, goal_ref, color, note, date=date, dry_run=dry_run)
    except UserError as exc:
        click.echo(f"opplan: cannot update {goal_ref}:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        click.echo("Nothing was written.", err=True)
        sys.exit(1)
    verb = "written to" if result.written else "would be written to (dry run)"
    click.echo(f"{result.ref}: {result.color} on {result.date} {verb} {result.plan_path}")
    for caused in result.caused:
        click.echo(caused.format(), err=True)
