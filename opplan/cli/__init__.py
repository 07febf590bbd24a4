"""The ``opplan`` command: a thin click layer over :mod:`opplan.pipeline`.

Each command lives in its own module and only parses options, calls the
library and prints. Exit codes: 0 success, 1 the plans have errors (or
warnings with ``--strict``), 2 usage error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from concurrent.futures import BrokenExecutor

import click

from opplan.cli import approved as _approved
from opplan.cli import build as _build
from opplan.cli import check as _check
from opplan.cli import codeowners as _codeowners
from opplan.cli import diff as _diff
from opplan.cli import goals as _goals
from opplan.cli import importtable as _importtable
from opplan.cli import review as _review
from opplan.cli import revise as _revise
from opplan.cli import rollup as _rollup
from opplan.cli import scaffold as _scaffold
from opplan.cli import status as _status
from opplan.cli.options import environment_message
from opplan.util.memtune import keep_freed_memory

COMMANDS = (
    _check.check,
    _scaffold.init,
    _scaffold.new,
    _revise.revise,
    _importtable.import_group,
    _review.review,
    _build.build,
    _rollup.rollup,
    _status.status,
    _goals.goals,
    _goals.goal,
    _approved.approved,
    _codeowners.codeowners,
    _diff.diff,
)


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


WORKER_DIED = (
    "opplan: a worker process ended before it finished (killed by the system, out of "
    "memory, or crashed); every file written is complete and the others were not written. "
    "Run the command again, with fewer --jobs if memory is short; if it happens again with "
    "memory to spare, please report it (OPPLAN_DEBUG=1 shows the traceback)."
)


def run(args: Sequence[str] | None = None) -> int:
    """Run the CLI as the console does and return its exit code (tests call this).

    A problem of the machine rather than the plans (a read-only or full disk,
    a path through a file) is one line naming the path and what to do; a bug
    is one line too, never a raw traceback.
    """
    try:
        code = cli.main(args=args, prog_name="opplan", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except click.Abort:
        click.echo("Aborted!", err=True)
        code = 1
    except BrokenPipeError:  # output piped into `head`: stop quietly
        code = 1
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except OSError as exc:  # the disk or the path, not a bug
        if os.environ.get("OPPLAN_DEBUG"):
            raise
        click.echo(environment_message(exc), err=True)
        code = 1
    except BrokenExecutor:  # a worker was killed (out of memory, say): the machine, not a bug
        if os.environ.get("OPPLAN_DEBUG"):
            raise
        click.echo(WORKER_DIED, err=True)
        code = 1
    except Exception as exc:
        if os.environ.get("OPPLAN_DEBUG"):
            raise
        click.echo(
            f"opplan: internal error: {exc!r}\nThis is a bug in opplan, not in your "
            "files; please report it with the command you ran "
            "(OPPLAN_DEBUG=1 shows the traceback).",
            err=True,
        )
        code = 1
    return code if isinstance(code, int) else 0


def main() -> None:
    """Console entry point: :func:`run` the CLI, flush, and end the process.

    The process keeps the memory it frees for its next stage
    (:func:`~opplan.util.memtune.keep_freed_memory`). It ends with ``os._exit`` once the
    output is flushed: every file has been written (atomically) and closed by then, and
    tearing down the loaded cycle object by object took 4 s of a 16 s check of 10,000 teams.
    """
    keep_freed_memory()
    code = run()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            code = code or 1
    os._exit(code)
