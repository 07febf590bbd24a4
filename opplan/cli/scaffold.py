"""``opplan init`` and ``opplan new``: create a cycle or a node directory."""

from __future__ import annotations

from pathlib import Path

import click

from opplan import pipeline
from opplan.cli.revise import run_revise
from opplan.model.diagnostics import UserError


@click.command()
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--root",
    metavar="ID[=NAME]",
    help="The root node's id (its directory), and optionally its display name "
    "(default: DIR's name without its cycle part: identity-op1-2027 gives identity).",
)
@click.option(
    "--name",
    metavar="NAME",
    help="The cycle's name (default: '<Root> OP1 <year>', e.g. 'Identity OP1 2027').",
)
@click.option(
    "--year",
    type=click.IntRange(1900, 2999),
    default=None,
    help="The plan year (default: the year in DIR's name, else 2027).",
)
@click.option(
    "--sample", is_flag=True, help="Copy the Northwind sample cycle (--year and --name apply)."
)
@click.option(
    "--from",
    "revised",
    metavar="OP1DIR",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Create DIR as the revision (OP2) of the cycle OP1DIR: the same as "
    "opplan revise OP1DIR DIR (--name applies).",
)
def init(
    directory: Path,
    root: str | None,
    name: str | None,
    year: int | None,
    sample: bool,
    revised: Path | None,
) -> None:
    """Create a new planning cycle in DIR (which must be empty or absent).

    Writes DIR/cycle.yaml and the root node DIR/<root>/ (a manager's plan.yaml
    and narrative.md, with commented examples).

    \b
    Example:
      opplan init identity-op1-2027 --root identity --name "Identity OP1 2027"
      opplan init northwind-op1-2027 --sample
      opplan init --from northwind-op1-2027 northwind-op2-2027
    """
    if revised is not None:
        if sample or root is not None or year is not None:
            raise click.UsageError("--from cannot be used with --sample, --root or --year")
        run_revise(revised, directory, name)
        return
    try:
        written = pipeline.init_cycle(directory, sample=sample, year=year, root=root, name=name)
    except UserError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"Created {len(written)} files in {directory}. Next: opplan check {directory}")


@click.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="Display name (default: from the directory name).")
@click.option(
    "--owner", default="Your Name", show_default=True, help="The single accountable owner."
)
@click.option(
    "--role",
    type=click.Choice(pipeline.NODE_ROLES),
    default="team",
    show_default=True,
    help="team, or manager (a node with teams below it: adds review and policy examples).",
)
def new(path: Path, name: str | None, owner: str, role: str) -> None:
    """Scaffold a node directory PATH with a commented plan.yaml and narrative.md.

    The directory name is the node id; its parent must be a node (or the cycle
    directory, for the root: a cycle has one).

    \b
    Example:
      opplan new northwind-op1-2027/northwind/retail/wishlist --owner "Ana Silva"
      opplan new identity-op1-2027/identity/platform --role manager --owner "Bo Chen"
    """
    try:
        written = pipeline.new_node(path, name=name, owner=owner, role=role)
    except UserError as exc:
        raise click.UsageError(str(exc)) from exc
    for file in written:
        click.echo(f"created {file}")
