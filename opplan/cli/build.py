"""``opplan build``: render every node's Word narrative and review workbook."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from opplan import pipeline
from opplan.cli.options import cycle_dir_argument
from opplan.model.diagnostics import UserError, format_text

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
    help="Comma-separated formats to write: docx (Word), xlsx (the review workbook), "
    "pdf (the Word document printed by LibreOffice, which must be installed).",
)
@click.option(
    "--since",
    metavar="OLD",
    default=None,
    help="An older version of the cycle (a directory, REV:path or a git revision of DIR): "
    "every document gets a short "
    "'What changed since' section and its appendix and workbook the full list. A revision "
    "(revises: in cycle.yaml) compares with the cycle it revises by default; "
    "--since none turns that off.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write every document, even those whose inputs did not change since the last build.",
)
def build(
    cycle_dir: str,
    out: str,
    node: str | None,
    jobs: int | None,
    formats: str,
    since: str | None,
    force: bool,
) -> None:
    """Render <id>.docx and <id>.xlsx (or <id>.pdf) for every node (or one subtree).

    Refuses (exit 1) when the plans have errors, and prints them. Every file
    is written atomically. Only documents whose inputs changed since the last
    build into the same --out are written again (--force writes all). A progress
    bar shows on a terminal; the last line says what was written.

    \b
    Example:
      opplan build samples/northwind-op1-2027 --out out --jobs 2
      opplan build samples/northwind-op1-2027 --out out --format pdf
      opplan build northwind-op2-2027 --since samples/northwind-op1-2027
    """
    wanted = tuple(dict.fromkeys(f.strip() for f in formats.split(",") if f.strip()))
    unknown = [f for f in wanted if f not in pipeline.formats()]
    if unknown or not wanted:
        shown = ", ".join(unknown) or "(none)"
        raise click.BadParameter(
            f"unknown format {shown}; choose from {', '.join(pipeline.formats())}",
            param_hint="--format",
        )
    interactive = sys.stderr.isatty()

    def show_node(built: Built | None) -> str | None:
        return built.node if built else None

    def progress(stream: Iterator[Built], total: int) -> Iterator[Built]:
        pipeline.settle()  # the roll-up is built and lives until the process exits
        if not interactive:
            yield from stream
        else:
            with click.progressbar(
                length=total,
                label="Building",
                file=sys.stderr,
                item_show_func=show_node,
            ) as bar:
                for built in stream:
                    bar.update(1, built)
                    yield built
        # so is what rendering kept (caches of texts and templates: 460,000 objects after
        # a rebuild of 10,000 teams), which a full collection would scan for 0.3 s
        pipeline.settle()

    try:
        result = pipeline.build(
            cycle_dir,
            out,
            node=node,
            jobs=jobs or pipeline.default_jobs(),
            formats=wanted,
            progress=progress,
            since=since,
            force=force,
        )
    except UserError as exc:
        if exc.usage:
            raise click.UsageError(str(exc)) from exc
        raise click.ClickException(str(exc)) from exc
    pipeline.settle(result)  # its roll-up is freed by the process's end, not object by object
    if not result.ok:
        click.echo(format_text(result.diagnostics), err=True)
        sys.exit(1)
    found = [d for d in result.diagnostics if d.rule == pipeline.SINCE_RULE]
    if found:  # the revised cycle was not found: say where it was looked for
        click.echo(format_text(found).splitlines()[0], err=True)
    if result.diagnostics:
        n = len(result.diagnostics)
        click.echo(f"{n} warning{'s' if n != 1 else ''} (opplan check shows them)", err=True)
    click.echo(written_summary(result.files, out, len(result.current)), err=True)


_KINDS = {
    ".docx": ("document", "documents"),
    ".xlsx": ("workbook", "workbooks"),
    ".pdf": ("PDF", "PDFs"),
}


def written_summary(files: list[Path], out: str, current: int = 0) -> str:
    """One line: ``Wrote 34 documents and 34 workbooks to out/``, and how many files
    were current (``; 62 files were current``)."""
    line = _written(files, out)
    if current:
        line += f"; {current:,} file{'s were' if current != 1 else ' was'} current"
    return line


def _written(files: list[Path], out: str) -> str:
    counts = Counter(f.suffix for f in files)
    parts = [
        f"{counts[suffix]} {one if counts[suffix] == 1 else many}"
        for suffix, (one, many) in _KINDS.items()
        if counts[suffix]
    ]
    if not parts:
        return f"Wrote nothing to {out}"
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return f"Wrote {listed} to {out.rstrip('/')}/"
