"""``opplan check``: load, validate and apply policies; print diagnostics."""

from __future__ import annotations

import sys

import click

from .. import pipeline
from .options import cycle_dir_argument, report_diagnostics, strict_option


@click.command()
@cycle_dir_argument
@strict_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Diagnostics as text lines on stderr or JSON on stdout.")
def check(cycle_dir: str, strict: bool, fmt: str) -> None:
    """Check the plans of a cycle and print every problem.

    Each diagnostic reads path:line:col: error|warning: message [rule].
    Exits 1 when there are errors (or warnings, with --strict).

    \b
    Example:
      opplan check samples/northwind-op1-2027
    """
    result = pipeline.check(cycle_dir)
    if report_diagnostics(result.diagnostics, fmt, strict):
        sys.exit(1)
