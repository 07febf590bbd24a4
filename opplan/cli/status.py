"""``opplan status``: who has submitted, as a tree table, the JSON contract or CSV."""

from __future__ import annotations

import datetime as dt
import sys

import click

from opplan import pipeline
from opplan.cli.options import (
    ISO_DATE,
    cycle_dir_argument,
    format_option,
    node_option,
    report_diagnostics,
)


@click.command()
@cycle_dir_argument
@node_option()
@click.option(
    "--as-of",
    "as_of",
    type=ISO_DATE,
    metavar="DATE",
    help="Judge lateness on this date, YYYY-MM-DD (default: today).",
)
@format_option(
    "A tree table, the JSON contract (docs/through-the-year.md), or CSV with one row per node.",
    choices=pipeline.STATUS_FORMATS,
)
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 unless every node shown is submitted.",
)
def status(
    cycle_dir: str, node_id: str | None, as_of: dt.date | None, fmt: str, strict: bool
) -> None:
    """Show who has submitted: every node's state, narrative, owner and review.

    Per node: draft or submitted, the narrative written or still the scaffold,
    the owner a person or a placeholder, and for a manager whether it has
    reviewed the asks below it, with counts of the nodes below each manager.
    With `due:` in cycle.yaml, a node not submitted after that date is late
    (judged as of --as-of, by default today; the output names the date).
    Exits 0 however many are late: it is a report. Exits 1 when plans could
    not be read (the status still prints), or with --strict when a node
    shown is not submitted.

    \b
    Example:
      opplan status samples/northwind-op1-2027
      opplan status samples/northwind-op1-2027 --node retail --as-of 2026-10-01
      opplan status samples/northwind-op1-2027 --format csv > status.csv
    """
    day = as_of if as_of is not None else dt.date.today()  # the clock: lateness only
    result = pipeline.status(cycle_dir, day)
    failed = report_diagnostics(result.diagnostics, "text", False, quiet_ok=True)
    report = result.report
    if report is None:
        sys.exit(1)
    top = node_id or report.root
    if top not in report.nodes:
        raise click.BadParameter(f"no node '{top}' in this cycle", param_hint="--node")
    nodes = report.subtree(top)
    click.echo(pipeline.status_output(report, nodes, fmt), nl=False)
    if failed or (strict and any(s.state != "submitted" for s in nodes)):
        sys.exit(1)
