"""``opplan check``: load, validate and apply policies; print diagnostics."""

from __future__ import annotations

import sys

import click

from opplan import pipeline
from opplan.cli.options import cycle_dir_argument, report_diagnostics, strict_option


@click.command()
@cycle_dir_argument
@strict_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Diagnostics as text lines on stderr or JSON on stdout.",
)
@click.option(
    "--pages",
    type=click.Choice(pipeline.PAGE_MODES),
    default="auto",
    show_default=True,
    help="How the page-limit policy counts pages: exact (LibreOffice), estimate, "
    "auto (exact when LibreOffice is installed) or off.",
)
def check(cycle_dir: str, strict: bool, fmt: str, pages: str) -> None:
    """Check the plans of a cycle and print every problem.

    Each diagnostic reads path:line:col: error|warning: message [rule].
    Exits 1 when there are errors (or warnings, with --strict).

    \b
    Example:
      opplan check samples/northwind-op1-2027
    """
    result = pipeline.check(cycle_dir, extra=pipeline.document_checks(pages))
    pipeline.settle()
    if report_diagnostics(result.diagnostics, fmt, strict):
        sys.exit(1)
