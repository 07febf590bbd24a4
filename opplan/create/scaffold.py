"""Create cycles and node directories: ``opplan init`` and ``opplan new``.

A new cycle is ``cycle.yaml`` and one root node; ``opplan new`` adds nodes below it. Both write
plan.yaml from ``templates/new/plan.yaml.j2``, per role (a team, or a manager with teams below it),
with commented examples of every section that role fills.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

from opplan.create.render import render
from opplan.load.orgtree import CYCLE_FILE, IGNORED_TOP, NARRATIVE_FILE, PLAN_FILE
from opplan.model import NODE_ID_RE
from opplan.model.diagnostics import UserError
from opplan.model.words import NODE_ID_WORDS
from opplan.util.atomic import write_bytes, write_text
from opplan.util.resources import sample_dir

#: Plan year when neither ``--year`` nor the directory name gives one.
DEFAULT_YEAR = 2027
#: The cycle part of a directory name: ``-op1-2027``, ``_OP2_2028``, ``-2027``, ``-op1``.
_CYCLE_SUFFIX = re.compile(r"[-_ ]*(?:(op[12])[-_ ]*)?(?:fy)?((?:19|20)\d\d)?$", re.IGNORECASE)
ROLES = ("team", "manager")


class ScaffoldError(UserError):
    """A cycle or node cannot be created where asked (the message says why)."""

    usage = True


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


def title_of(node_id: str) -> str:
    """A display name made from a node id: ``sign-in`` -> ``Sign In``."""
    return node_id.replace("-", " ").title()


def cycle_defaults(dir_name: str) -> tuple[str, str | None, int | None]:
    """``(root id, kind, year)`` read from a cycle directory's name: ``identity-op1-2027`` gives
    ``("identity", "OP1", 2027)``; the root id is ``company`` when nothing of the name is left."""
    m = _CYCLE_SUFFIX.search(dir_name)
    stem = dir_name[: m.start()] if m else dir_name
    kind = m.group(1).upper() if m and m.group(1) else None
    year = int(m.group(2)) if m and m.group(2) else None
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:63].rstrip("-")
    return (slug if NODE_ID_RE.match(slug) else "company"), kind, year


def check_node_id(node_id: str, what: str) -> None:
    """Refuse ``node_id`` (named ``what`` in the message) unless it is a valid node id."""
    if not NODE_ID_RE.match(node_id):
        raise ScaffoldError(f"{what} '{node_id}' is not a valid node id: {NODE_ID_WORDS}")


def init_cycle(
    path: Path,
    *,
    sample: bool = False,
    year: int | None = None,
    root: str | None = None,
    name: str | None = None,
) -> list[Path]:
    """Create a new cycle at ``path`` (or a copy of the sample); return the files written.

    The root id is ``root``, else the directory name without its cycle part
    (``identity-op1-2027`` -> ``identity``); the year is ``year``, else the one in the
    directory name, else :data:`DEFAULT_YEAR`; the cycle's name is ``name``, else
    ``<Root> <kind> <year>``. On any failure (a full or read-only disk) nothing is left
    half-written.
    """
    if sample and root is not None:
        raise ScaffoldError(
            "--root cannot be used with --sample: the sample's root is northwind "
            "(its plans refer to it); copy the sample, or start your own cycle without --sample"
        )
    root_id, root_name = (
        (root.partition("=")[0].strip(), root.partition("=")[2].strip()) if (root) else ("", "")
    )
    if root is not None:
        check_node_id(root_id, "--root")
    _require_empty(path)
    with _all_or_nothing(path):
        path.mkdir(parents=True, exist_ok=True)  # a failure names the cycle directory
        if sample:
            return _copy_sample(path, year, name)
        guessed, kind, named_year = cycle_defaults(path.resolve().name)
        root_id = root_id or guessed
        plan_year = year or named_year or DEFAULT_YEAR
        display = root_name or title_of(root_id)
        cycle_text = render(
            "cycle.yaml.j2",
            name=name or f"{display} {kind or 'OP1'} {plan_year}",
            kind=kind or "OP1",
            year=plan_year,
            as_of=f"{plan_year - 1}-09-15",
            root=root_id,
        )
        write_text(path / CYCLE_FILE, cycle_text)
        return [
            path / CYCLE_FILE,
            *_write_node(path / root_id, display, "Your Name", manager=True),
        ]


def _copy_sample(path: Path, year: int | None, name: str | None) -> list[Path]:
    """Copy the sample cycle's files into ``path``, each written atomically; ``year`` and
    ``name`` replace the sample's in cycle.yaml."""
    source = sample_dir()
    written = []
    for file in sorted(source.rglob("*")):
        hidden = any(part.startswith(".") for part in file.relative_to(source).parts)
        if (
            file.is_file()
            and not hidden  # e.g. a check cache (.opplan-cache/) left in the sample
            and "__pycache__" not in file.parts
            and file.name != "__init__.py"
        ):
            target = path / file.relative_to(source)
            data = file.read_bytes()
            if target == path / CYCLE_FILE:
                data = _retitle(data.decode("utf-8"), year, name).encode("utf-8")
            write_bytes(target, data)
            written.append(target)
    return written


def _retitle(text: str, year: int | None, name: str | None) -> str:
    """The sample's cycle.yaml with another ``year`` (and ``as_of``) and ``name``."""
    from opplan.create.render import yaml_text

    if year is not None:
        text = re.sub(r"(?m)^year: \d+", f"year: {year}", text, count=1)
        text = re.sub(r"(?m)^as_of: \d{4}", f"as_of: {year - 1}", text, count=1)
        if name is None:
            text = re.sub(
                r"(?m)^name: (.*) \d{4}$", lambda m: f"name: {m.group(1)} {year}", text, count=1
            )
    if name is not None:
        text = re.sub(r"(?m)^name: .*$", lambda _: f"name: {yaml_text(name)}", text, count=1)
    return text


def find_cycle_dir(path: Path) -> Path | None:
    """The nearest directory at or above ``path`` that holds cycle.yaml."""
    for candidate in [path, *path.parents]:
        if (candidate / CYCLE_FILE).is_file():
            return candidate
    return None


def existing_roots(cycle: Path) -> list[str]:
    """The node directories directly under the cycle directory ``cycle``, by name."""
    return sorted(
        child.name
        for child in cycle.iterdir()
        if child.is_dir()
        and not child.name.startswith(".")
        and child.name not in IGNORED_TOP
        and (child / PLAN_FILE).is_file()
    )


def new_node(
    path: Path, name: str | None = None, owner: str = "Your Name", role: str = "team"
) -> list[Path]:
    """Scaffold a node directory with a commented plan.yaml and narrative.md.

    ``role`` is ``team`` or ``manager`` (a manager's plan.yaml has review and policy examples).
    A second node directly under the cycle directory is refused: a cycle has one root.
    """
    node_id = path.name
    check_node_id(node_id, "the directory name")
    _require_empty(path)
    parent = path.resolve().parent
    cycle = find_cycle_dir(parent)
    if cycle is None:
        raise ScaffoldError(
            f"'{path}' is not inside a cycle (no {CYCLE_FILE} above it); "
            "create one first with: opplan init DIR --root ID"
        )
    if parent == cycle:
        roots = [r for r in existing_roots(cycle) if r != node_id]
        if roots:
            shown = Path(path).parent
            raise ScaffoldError(
                f"the cycle already has a root node, '{roots[0]}' (a cycle has exactly one): "
                f"create teams below it (opplan new {shown / roots[0] / node_id}); "
                f"to rename the root, rename its directory ({shown / roots[0]} to "
                f"{shown / node_id}) and the root: line of {shown / CYCLE_FILE}"
            )
    elif not (parent / PLAN_FILE).is_file():
        raise ScaffoldError(
            f"the parent directory '{parent.name}' is not a node "
            f"(it has no {PLAN_FILE}); create it first"
        )
    if role not in ROLES:
        raise ScaffoldError(f"role '{role}': choose team or manager")
    return _write_node(path, name or title_of(node_id), owner, manager=role == "manager")


def _write_node(path: Path, display: str, owner: str, *, manager: bool) -> list[Path]:
    with _all_or_nothing(path):
        path.mkdir(parents=True, exist_ok=True)
        write_text(path / PLAN_FILE, plan_text(display, owner, manager=manager))
        write_text(path / NARRATIVE_FILE, render("narrative.md.j2", name=display))
    return [path / PLAN_FILE, path / NARRATIVE_FILE]


def plan_text(
    name: str,
    owner: str,
    *,
    manager: bool,
    examples: bool = True,
    header: Sequence[str] = (),
    headcount: Sequence[str] = (),
    spend: str = "",
    incremental: Sequence[str] = (),
) -> str:
    """A new plan.yaml: ``name``, ``owner`` and commented examples of every section a team
    (or a manager) fills; ``examples=False`` writes the examples as live YAML (for tests).

    An import passes the node's own figures as YAML lines (``headcount``, ``incremental``)
    and a flow mapping (``spend``), and ``header`` comment lines; those sections then hold
    the figures instead of examples.
    """
    return render(
        "plan.yaml.j2",
        name=name,
        owner=owner,
        manager=manager,
        c="# " if examples else "",
        header=list(header),
        headcount=list(headcount),
        spend=spend,
        incremental=list(incremental),
    )
