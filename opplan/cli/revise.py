"""``opplan revise``: OP2 from OP1 (also ``opplan init --from``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from opplan import pipeline
from opplan.cli.options import report_diagnostics
from opplan.model.diagnostics import UserError

_PATH = click.Path(file_okay=False, path_type=Path)


def run_revise(op1: Path, op2: Path, name: str | None) -> None:
    """Make the revision and print what it did (shared by ``revise`` and ``init --from``)."""
    try:
        result = pipeline.revise(op1, op2, name=name)
    except UserError as exc:
        raise click.UsageError(str(exc)) from exc
    report_diagnostics(result.diagnostics, "text", strict=False, quiet_ok=True)
    if result.revision is None:  # the old cycle has errors
        click.echo(f"{op1} has errors; nothing was written.", err=True)
        sys.exit(1)
    rev = result.revision
    at = str(rev.revises.get("commit", ""))[:7]
    where = f" at {at}" if at else ""
    if rev.revises.get("dirty"):
        where += " (with uncommitted changes)"
    click.echo(f"Created {rev.name} ({rev.kind}) in {op2}, revising {rev.revises['name']}{where}.")
    for item in rev.deferred:
        click.echo(f"  back in the stack: {item.ask} (deferred by {item.by})")
    click.echo(f"Next: opplan check {op2}")


@click.command()
@click.argument("op1", metavar="OP1DIR", type=click.Path(exists=True, file_okay=False))
@click.argument("op2", metavar="OP2DIR", type=_PATH)
@click.option(
    "--name",
    metavar="NAME",
    help="The revision's name (default: the old name with OP1 made OP2).",
)
def revise(op1: str, op2: Path, name: str | None) -> None:
    """Create OP2DIR, the revision (OP2) of the cycle OP1DIR.

    Copies every file of OP1DIR byte for byte, then sets kind: OP2 and the
    name in cycle.yaml and adds revises: (the old cycle's name, its path
    from OP2DIR, and its git commit when it is in a repository). Deferred
    asks come back live, their deferral noted on the ask (deferred_in:);
    every other decision is kept. OP2DIR must be absent or empty; nothing
    is written when OP1DIR has errors.

    \b
    Example:
      opplan revise northwind-op1-2027 northwind-op2-2027
      opplan build northwind-op2-2027 --out out   (shows what changed since OP1)
    """
    run_revise(Path(op1), op2, name)
