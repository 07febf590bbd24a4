"""Options shared by several commands."""

from __future__ import annotations

import datetime as dt
import errno
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from opplan.model.diagnostics import Diagnostic, failed, format_json, format_text

F = TypeVar("F", bound=Callable[..., Any])

cycle_dir_argument = click.argument(
    "cycle_dir",
    metavar="[DIR]",
    default=".",
    type=click.Path(exists=True, file_okay=False, dir_okay=True),
)


if TYPE_CHECKING:  # generic in the click we type-check with; not in every click we accept
    _DateType = click.ParamType[dt.date, object]
else:
    _DateType = click.ParamType


class IsoDate(_DateType):
    """A date option written YYYY-MM-DD, as a ``datetime.date``; anything else is a usage
    error that shows the form (every command's date options take it)."""

    name = "date"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"'{value}' is not a date: write YYYY-MM-DD, e.g. 2026-09-30", param, ctx)


ISO_DATE = IsoDate()


def node_option(
    help: str = "Show only this node and its subtree (default: the root).",
) -> Callable[[F], F]:
    """``--node ID`` (into ``node_id``): the commands that show or export a subtree."""
    return click.option("--node", "node_id", metavar="ID", help=help)


def format_option(
    help: str, choices: Sequence[str] = ("table", "json", "csv"), default: str = "table"
) -> Callable[[F], F]:
    """``--format`` (into ``fmt``): one of ``choices``, ``default`` shown in the help."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help=help,
    )


strict_option = click.option(
    "--strict", is_flag=True, help="Treat warnings as errors (exit 1 when there are any)."
)


def report_diagnostics(
    diags: Sequence[Diagnostic], fmt: str, strict: bool, quiet_ok: bool = False
) -> bool:
    """Print diagnostics to stderr (or JSON to stdout); return True when they fail the run.

    ``quiet_ok``: print nothing as text when there is nothing to report.
    """
    if fmt == "json":
        click.echo(format_json(diags))
    elif diags or not quiet_ok:
        click.echo(format_text(diags), err=True)
    return failed(diags, strict)


def exit_on_failure(diags: Sequence[Diagnostic], strict: bool = False) -> None:
    """Print diagnostics (nothing when there are none) and exit 1 when they fail the run."""
    if report_diagnostics(diags, "text", strict, quiet_ok=True):
        sys.exit(1)


_CHECK_DIR = "check the directory's permissions, or choose another directory"
_REASONS: dict[int, tuple[str, str]] = {
    errno.EACCES: ("permission denied", _CHECK_DIR),
    errno.EPERM: ("permission denied", _CHECK_DIR),
    errno.EROFS: ("the disk is read-only", "choose a directory on a writable disk"),
    errno.ENOSPC: (
        "the disk is full",
        "free some space and run again; files already there were left as they were",
    ),
    errno.EDQUOT: ("your disk quota is used up", "free some space and run again"),
    errno.EFBIG: ("the file is too large for this disk", "choose another disk"),
    errno.ENOENT: (
        "a directory on the way does not exist",
        "check the spelling, or create the directory first",
    ),
    errno.ENOTDIR: (
        "part of the path is a file, not a directory",
        "choose a path whose parents are directories",
    ),
    errno.EISDIR: ("a directory stands there", "choose another name, or move the directory"),
    errno.EEXIST: ("something already stands there", "choose another name"),
    errno.ENAMETOOLONG: ("the name is too long", "choose a shorter path"),
    errno.ELOOP: ("too many symbolic links on the way", "check the links in the path"),
    errno.EMFILE: ("too many files are open", "close some programs and run again"),
    errno.ENFILE: ("too many files are open", "close some programs and run again"),
    errno.EIO: ("the disk reported a read or write error", "check the disk and run again"),
    errno.EBUSY: ("the file is in use", "close the program using it and run again"),
}


def environment_message(exc: OSError) -> str:
    """A file-system failure as one line for planners: what, where, and what to do.

    ``opplan: cannot write out/retail.docx: the disk is full (free some space ...)``.
    """
    path = exc.filename
    reason, todo = _REASONS.get(
        exc.errno or 0, ((exc.strerror or str(exc) or "the system refused").lower(), "")
    )
    where = f" {path}" if path is not None else ""
    return f"opplan: cannot write{where}: {reason}" + (f" ({todo})" if todo else "")
