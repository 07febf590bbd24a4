"""Create cycles and node directories: ``opplan init`` and ``opplan new``."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import jinja2

from opplan.load.orgtree import CYCLE_FILE, NARRATIVE_FILE, PLAN_FILE
from opplan.model import NODE_ID_RE
from opplan.model.diagnostics import UserError
from opplan.util.atomic import write_bytes, write_text
from opplan.util.resources import sample_dir, templates_dir


class ScaffoldError(UserError):
    """A cycle or node cannot be created where asked (the message says why)."""

    usage = True


def _render(template: str, **values: object) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir() / "new"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    return env.get_template(template).render(**values)


def _require_empty(path: Path) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise ScaffoldError(f"'{path}' exists and is not an empty directory")


@contextlib.contextmanager
def _all_or_nothing(path: Path) -> Iterator[None]:
    """Create ``path`` (an absent or empty directory) fully or not at all.

    A disk that fills up or turns read-only half-way removes what was created,
    so a failed ``init`` or ``new`` leaves no half-written cycle or node behind.
    """
    existed = path.is_dir()
    try:
        yield
    except BaseException:
        if existed:
            for child in list(path.iterdir()) if path.is_dir() else ():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        else:
            shutil.rmtree(path, ignore_errors=True)
        raise


def init_cycle(path: Path, sample: bool = False, year: int = 2027) -> list[Path]:
    """Create a new cycle at ``path`` (or a copy of the sample); return the files written.

    On any failure (a full or read-only disk) nothing is left half-written.
    """
    _require_empty(path)
    with _all_or_nothing(path):
        path.mkdir(parents=True, exist_ok=True)  # a failure names the cycle directory
        return _init_cycle(path, sample, year)


def _init_cycle(path: Path, sample: bool, year: int) -> list[Path]:
    if sample:
        return _copy_sample(path)
    root_id = "".join(c if c.isalnum() else "-" for c in path.resolve().name.lower()).strip("-")
    root_id = root_id if NODE_ID_RE.match(root_id) else "company"
    written = [path / CYCLE_FILE]
    write_text(
        path / CYCLE_FILE,
        _render(
            "cycle.yaml.j2", name=f"{path.name} OP1 {year}", year=year, as_of=f"{year - 1}-09-15"
        ),
    )
    written += new_node(path / root_id, name=root_id.replace("-", " ").title(), owner="Your Name")
    return written


def _copy_sample(path: Path) -> list[Path]:
    """Copy the sample cycle's files into ``path``, each written atomically."""
    source = sample_dir()
    written = []
    for file in sorted(source.rglob("*")):
        if file.is_file() and "__pycache__" not in file.parts and file.name != "__init__.py":
            target = path / file.relative_to(source)
            write_bytes(target, file.read_bytes())
            written.append(target)
    return written


def find_cycle_dir(path: Path) -> Path | None:
    """The nearest directory at or above ``path`` that holds cycle.yaml."""
    for candidate in [path, *path.parents]:
        if (candidate / CYCLE_FILE).is_file():
            return candidate
    return None


def new_node(path: Path, name: str | None = None, owner: str = "Your Name") -> list[Path]:
    """Scaffold a node directory with a commented plan.yaml and narrative.md."""
    node_id = path.name
    if not NODE_ID_RE.match(node_id):
        raise ScaffoldError(
            f"'{node_id}' is not a valid node id "
            f"(lowercase letters, digits and '-', {NODE_ID_RE.pattern})"
        )
    _require_empty(path)
    parent = path.resolve().parent
    cycle = find_cycle_dir(parent)
    if cycle is None:
        raise ScaffoldError(f"'{path}' is not inside a cycle (no {CYCLE_FILE} above it)")
    if parent != cycle and not (parent / PLAN_FILE).is_file():
        raise ScaffoldError(
            f"the parent directory '{parent.name}' is not a node "
            f"(it has no {PLAN_FILE}); create it first"
        )
    display = name or node_id.replace("-", " ").title()
    with _all_or_nothing(path):
        path.mkdir(parents=True, exist_ok=True)
        write_text(path / PLAN_FILE, _render("plan.yaml.j2", name=display, owner=owner))
        write_text(path / NARRATIVE_FILE, _render("narrative.md.j2", name=display))
    return [path / PLAN_FILE, path / NARRATIVE_FILE]
