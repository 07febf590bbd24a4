"""``opplan build``: render every node's Word narrative and review workbook."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from opplan import pipeline
from opplan.cli.options import cycle_dir_argument
from opplan.model.diagnostics import format_text

if TYPE_CHECKING:
    from opplan.build import Built


@click.command()
@cycle_dir_argument
@click.option(
    "--out",
    "out",
    default="out",
    show_default=True,
    type=click.Path(file_okay=False, dir_okay=True),
    help="Directory to write <id>.docx and <id>.xlsx into.",
)
@click.option("--node", default=None, metavar="ID", help="Build only this node's subtree.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: the number of CPUs).",
)
@click.option(
    "--format",
    "formats",
    default=",".join(pipeline.renderers()),
    show_default=True,
    help="Comma-separated formats to write.",
)
def build(cycle_dir: str, out: str, node: str | None, jobs: int | None, formats: str) -> None:
    """Render <id>.docx and <id>.xlsx for every node (or one subtree).

    Refuses (exit 1) when the plans have errors, and prints them. Every file
    is written atomically. A progress bar shows on a terminal.

    \b
    Example:
      opplan build samples/northwind-op1-2027 --out out --jobs 2
    """
    wanted = tuple(f.strip() for f in formats.split(",") if f.strip())
    unknown = [f for f in wanted if f not in pipeline.renderers()]
    if unknown or not wanted:
        shown = ", ".join(unknown) or "(none)"
        raise click.BadParameter(
            f"unknown format {shown}; choose from {', '.join(pipeline.renderers())}",
            param_hint="--format",
        )
    interactive = sys.stderr.isatty()

    def show_node(built: Built | None) -> str | None:
        return built.node if built else None

    def progress(stream: Iterator[Built], total: int) -> Iterator[Built]:
        pipeline.settle()  # the roll-up is built and lives until the process exits
        if not interactive:
            yield from stream
            return
        with click.progressbar(
            length=total,
            label="Building",
            file=sys.stderr,
            item_show_func=show_node,
        ) as bar:
            for built in stream:
                bar.update(1, built)
                yield built

    result = pipeline.build(
        cycle_dir,
        out,
        node=node,
        jobs=jobs or pipeline.default_jobs(),
        formats=wanted,
        progress=progress,
    )
    if not result.ok:
        click.echo(format_text(result.diagnostics), err=True)
        sys.exit(1)
    if result.diagnostics:
        n = len(result.diagnostics)
        click.echo(f"{n} warning{'s' if n != 1 else ''} (opplan check shows them)", err=True)
    if interactive:
        click.echo(f"Wrote {len(result.files)} files to {out}", err=True)
