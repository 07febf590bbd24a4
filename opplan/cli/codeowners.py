"""``opplan codeowners``: the CODEOWNERS section that gives each node to its owners."""

from __future__ import annotations

import sys

import click

from opplan import pipeline
from opplan.cli.options import cycle_dir_argument, exit_on_failure
from opplan.model.diagnostics import UserError


@click.command()
@cycle_dir_argument
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="The CODEOWNERS file to write the cycle's section into (other lines are kept). "
    "Without it the section is printed.",
)
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False),
    help="The directory CODEOWNERS paths start from (default: the git repository's root, "
    "else the cycle directory's parent).",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing: exit 1 with a diff when the file (--out, or the CODEOWNERS GitHub "
    "reads) does not hold the section as it would be written now.",
)
def codeowners(cycle_dir: str, out: str | None, root: str | None, check_only: bool) -> None:
    """Write CODEOWNERS lines that give each node directory to its codeowners.

    A node's directory goes to the owners its plan.yaml names in codeowners:
    (@user, @org/team or an email); a node without them keeps its manager's.
    Lines are ordered managers first, so each team's line overrides its
    manager's for the team's directory while the manager keeps their own
    plan.yaml and narrative.md.

    \b
    Example:
      opplan codeowners plans/op1-2027 --out .github/CODEOWNERS
      opplan codeowners plans/op1-2027 --check
    """
    try:
        result = pipeline.codeowners(cycle_dir, out=out, root=root)
    except UserError as exc:
        if exc.usage:
            raise click.UsageError(str(exc)) from exc
        raise click.ClickException(str(exc)) from exc
    exit_on_failure(result.diagnostics)
    if not result.owned:
        click.echo(
            "opplan: no plan.yaml of this cycle names codeowners:, so the section gives no "
            "directory an owner (see docs/ci.md)",
            err=True,
        )
    if check_only:
        if result.old is None:
            click.echo(f"opplan: {result.file} does not exist; write it with --out", err=True)
            sys.exit(1)
        if result.stale:
            click.echo(result.diff(), nl=False)
            click.echo(
                f"{result.file} is out of date: run `opplan codeowners` with --out", err=True
            )
            sys.exit(1)
        click.echo(f"{result.file} is up to date", err=True)
    elif out is None:
        click.echo(result.section, nl=False)
    elif pipeline.write_codeowners(result):
        click.echo(f"wrote {result.file}", err=True)
    else:
        click.echo(f"{result.file} is up to date", err=True)
