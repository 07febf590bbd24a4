"""``opplan diff``: what changed between two versions of a cycle (docs/revisions.md)."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from opplan import pipeline
from opplan.cli.options import format_option, node_option
from opplan.model.diagnostics import UserError, format_text


@click.command()
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option(
    "--old-rev",
    metavar="REV",
    help="Compare NEW (a directory, default: the current one) with itself at git revision REV.",
)
@node_option("Show only this node and its subtree (default: the whole tree).")
@format_option(
    "Text per node, the JSON contract (docs/revisions.md), or CSV with one row per change."
)
def diff(
    old: str | None, new: str | None, old_rev: str | None, node_id: str | None, fmt: str
) -> None:
    """Show what changed between two versions of a cycle, node by node.

    OLD and NEW are cycle directories, or REV:PATH for a directory as it was at a git
    revision (read without touching the working tree). With --old-rev, the one
    argument is NEW and the old version is that directory at REV. Lists asks
    added, removed and changed, asks that crossed a line and why, decisions,
    budgets, goals, nodes added, removed, moved or renamed, and each node's money
    bridge. Either side with errors: its diagnostics, exit 1; a bad revision or
    path: exit 2.

    \b
    Example:
      opplan diff op1/ op2/
      opplan diff --old-rev op1-final samples/northwind-op1-2027
      opplan diff --old-rev HEAD~1 . --format json > changes.json
      opplan diff op1-final:plans/2027 plans/2027 --node payments
    """
    if old_rev is not None and new is not None:
        _usage("with --old-rev give one directory (NEW), not two")
    if old_rev is None and new is None:
        _usage("give OLD and NEW, or --old-rev REV [DIR]")
    try:
        if old_rev is not None:
            result = pipeline.diff(None, old or ".", old_rev=old_rev)
        else:
            result = pipeline.diff(old, new or ".")
    except UserError as exc:
        _usage(str(exc))
    pipeline.settle()
    side = result.failed_side
    if side is not None:
        diags = result.old_diagnostics if side == "old" else result.new_diagnostics
        label = (f"{old_rev}:{old or '.'}" if old_rev else old) if side == "old" else (new or old)
        click.echo(format_text(diags), err=True)
        click.echo(
            f"opplan diff: the {side} version ({label}) has errors; nothing compared", err=True
        )
        sys.exit(1)
    for d in result.diagnostics:
        click.echo(d.format(), err=True)
    assert result.diff is not None, "neither side has errors"
    if node_id is not None and result.diff.node(node_id) is None:
        _usage(f"--node: no node '{node_id}' in either version")
    for chunk in pipeline.diff_output(result.diff, fmt, node_id):
        click.echo(chunk, nl=False)


def _usage(message: str) -> NoReturn:
    """A usage problem: one line on stderr, exit 2."""
    click.echo(f"opplan diff: {message}", err=True)
    sys.exit(2)
