"""The ``opplan`` command: a thin click layer over :mod:`opplan.pipeline`.

Each command lives in its own module and only parses options, calls the
library and prints. Exit codes: 0 success, 1 the plans have errors (or
warnings with ``--strict``), 2 usage error.
"""

from __future__ import annotations

import os
import sys

import click

from . import build as _build
from . import check as _check
from . import importtable as _importtable
from . import review as _review
from . import rollup as _rollup
from . import scaffold as _scaffold

COMMANDS = (_check.check, _scaffold.init, _scaffold.new, _importtable.import_group,
            _review.review, _build.build, _rollup.rollup)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="opplan")
def cli() -> None:
    """Annual operating plans as files: validate, roll up, render.

    \b
    Example:
      opplan init my-cycle --sample
      opplan check my-cycle
    """


for _command in COMMANDS:
    cli.add_command(_command)


def main() -> None:
    """Console entry point: run the CLI; a bug never shows users a raw traceback."""
    try:
        cli.main(prog_name="opplan")
    except Exception as exc:  # noqa: BLE001 - last line of defence, see docstring
        if os.environ.get("OPPLAN_DEBUG"):
            raise
        click.echo(f"opplan: internal error: {exc!r}\nThis is a bug in opplan, not in your "
                   "files; please report it with the command you ran "
                   "(OPPLAN_DEBUG=1 shows the traceback).", err=True)
        sys.exit(1)
