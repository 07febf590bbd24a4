"""``opplan init`` and ``opplan new``: create a cycle or a node directory."""

from __future__ import annotations

from pathlib import Path

import click

from opplan import pipeline
from opplan.model.diagnostics import UserError


@click.command()
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--sample", is_flag=True, help="Copy the Northwind sample cycle instead.")
@click.option("--year", type=int, default=2027, show_default=True, help="The plan year.")
def init(directory: Path, sample: bool, year: int) -> None:
    """Create a new planning cycle in DIR (which must be empty or absent).

    \b
    Example:
      opplan init northwind-op1-2027 --sample
    """
    try:
        written = pipeline.init_cycle(directory, sample=sample, year=year)
    except UserError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"Created {len(written)} files in {directory}. Next: opplan check {directory}")


@click.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="Display name (default: from the directory name).")
@click.option(
    "--owner", default="Your Name", show_default=True, help="The single accountable owner."
)
def new(path: Path, name: str | None, owner: str) -> None:
    """Scaffold a node directory PATH with a commented plan.yaml and narrative.md.

    The directory name is the node id; its parent must be a node (or the cycle
    directory, for the root).

    \b
    Example:
      opplan new northwind-op1-2027/northwind/retail/wishlist --owner "Ana Silva"
    """
    try:
        written = pipeline.new_node(path, name=name, owner=owner)
    except UserError as exc:
        raise click.UsageError(str(exc)) from exc
    for file in written:
        click.echo(f"created {file}")
