"""``opplan rollup``: the roll-up as a tree table, the JSON contract or CSV."""

from __future__ import annotations

import click

from opplan import pipeline
from opplan.cli.options import cycle_dir_argument, exit_on_failure, format_option, node_option


@click.command()
@cycle_dir_argument
@node_option()
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    metavar="N",
    help="Show only N levels below the node (0: the node alone).",
)
@format_option("A tree table, the JSON contract (docs/rollup.md), or CSV with one row per node.")
def rollup(cycle_dir: str, node_id: str | None, depth: int | None, fmt: str) -> None:
    """Roll the plans up the org tree and print every node's totals.

    Checks the plans first: errors are printed to stderr and exit 1; warnings
    are printed to stderr and the roll-up still prints. The table shows flat,
    requested, funded and unfunded headcount and cost per node, and flags
    nodes where the asks funded by decision alone exceed the budget. JSON is
    the machine contract (docs/rollup.md); CSV has one row per node.

    \b
    Example:
      opplan rollup samples/northwind-op1-2027
      opplan rollup samples/northwind-op1-2027 --node payments --depth 1
      opplan rollup samples/northwind-op1-2027 --format json > rollup.json
    """
    result = pipeline.rollup(cycle_dir)
    pipeline.settle(result)  # the plans and the report stay alive to the end
    exit_on_failure(result.diagnostics)
    report = result.report
    assert report is not None, "no errors, so the roll-up ran"
    top = node_id or report.root
    if top not in report.nodes:
        raise click.BadParameter(f"no node '{top}' in this cycle", param_hint="--node")
    nodes = report.subtree(top)
    if depth is not None:
        nodes = [n for n in nodes if n.depth - report.nodes[top].depth <= depth]
    for chunk in pipeline.rollup_output(report, nodes, fmt):
        click.echo(chunk, nl=False)
