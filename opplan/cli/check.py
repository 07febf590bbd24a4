"""``opplan check``: load, validate and apply policies; print diagnostics."""

from __future__ import annotations

import os
import sys

import click

from opplan import pipeline
from opplan.cli.options import format_option, report_diagnostics, strict_option
from opplan.model.diagnostics import failed


@click.command()
@click.argument("paths", metavar="[DIR]", nargs=-1, type=click.Path(exists=False))
@strict_option
@format_option(
    "Diagnostics as text lines on stderr, or on stdout as JSON, GitHub Actions "
    "annotations (github) or a SARIF 2.1.0 log (sarif); see docs/ci.md.",
    choices=["text", "json", *pipeline.CI_FORMATS],
    default="text",
)
@click.option(
    "--pages",
    type=click.Choice(pipeline.PAGE_MODES),
    default="auto",
    show_default=True,
    help="How the page-limit policy counts pages: exact (LibreOffice), estimate, "
    "auto (exact when LibreOffice is installed) or off.",
)
@click.option(
    "--files",
    is_flag=True,
    help="The arguments are changed files, as pre-commit passes them: check every cycle "
    "holding one (the nearest directory above with cycle.yaml); other files are skipped.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Check and parse every file again instead of reusing the result of an unchanged "
    "cycle and the parse of unchanged plan files (kept in .opplan-cache/ in the cycle "
    "directory; OPPLAN_CACHE=off does the same).",
)
def check(
    paths: tuple[str, ...], strict: bool, fmt: str, pages: str, files: bool, no_cache: bool
) -> None:
    """Check the plans of a cycle and print every problem.

    Each diagnostic reads path:line:col: error|warning: message [rule].
    Exits 1 when there are errors (or warnings, with --strict).

    \b
    Example:
      opplan check samples/northwind-op1-2027
      opplan check plans/op1-2027 --format sarif > opplan.sarif
      opplan check --files plans/op1-2027/retail/plan.yaml
    """
    if files:
        cycles = [str(c) for c in pipeline.cycles_of(paths)]
        if not cycles and fmt == "text":
            return  # no plan changed: nothing to say
    else:
        cycles = [_one_cycle_dir(paths)]
    diags = []
    for cycle_dir in cycles:
        diags.extend(pipeline.check_diagnostics(cycle_dir, pages, cache=not no_cache))
    pipeline.settle()
    if fmt in pipeline.CI_FORMATS:
        text = pipeline.ci_output(diags, fmt, cycles[0] if cycles else ".")
        if text:
            click.echo(text)
        if failed(diags, strict):
            sys.exit(1)
    elif report_diagnostics(diags, fmt, strict):
        sys.exit(1)


def _one_cycle_dir(paths: tuple[str, ...]) -> str:
    """The cycle directory of a plain ``opplan check [DIR]``: one existing directory."""
    if len(paths) > 1:
        raise click.UsageError(
            "give one cycle directory (or --files with the changed files, as pre-commit does)"
        )
    path = paths[0] if paths else "."
    if not os.path.exists(path):
        raise click.BadParameter(f"Directory '{path}' does not exist.", param_hint="'[DIR]'")
    if not os.path.isdir(path):
        raise click.BadParameter(f"Directory '{path}' is a file.", param_hint="'[DIR]'")
    return path
