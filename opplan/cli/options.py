"""Options shared by several commands."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from ..diagnostics import Diagnostic, failed, format_json, format_text

cycle_dir_argument = click.argument(
    "cycle_dir",
    metavar="[DIR]",
    default=".",
    type=click.Path(exists=True, file_okay=False, dir_okay=True),
)

strict_option = click.option(
    "--strict", is_flag=True, help="Treat warnings as errors (exit 1 when there are any)."
)


def report_diagnostics(
    diags: Sequence[Diagnostic], fmt: str, strict: bool, quiet_ok: bool = False
) -> bool:
    """Print diagnostics to stderr (or JSON to stdout); return True when they fail the run.

    ``quiet_ok``: print nothing as text when there is nothing to report.
    """
    if fmt == "json":
        click.echo(format_json(diags))
    elif diags or not quiet_ok:
        click.echo(format_text(diags), err=True)
    return failed(diags, strict)


def exit_on_failure(diags: Sequence[Diagnostic], strict: bool = False) -> None:
    """Print diagnostics (nothing when there are none) and exit 1 when they fail the run."""
    if report_diagnostics(diags, "text", strict, quiet_ok=True):
        sys.exit(1)
