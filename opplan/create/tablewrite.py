"""Write an imported tree as a cycle directory: cycle.yaml, plan.yaml and narrative.md per node.

The files are rendered as text (no YAML library: thousands of small files must
be written fast) with every string double-quoted and escaped, so a name like
``Comm. on Org. of Gov.: "Foreign Policy" #2`` stays one string. The whole cycle
is written into a hidden staging directory beside the target, synced once, and
renamed into place: a crash leaves either the complete cycle or nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from opplan.create.render import one_line, quote
from opplan.create.scaffold import plan_text
from opplan.create.tabletree import TreeNode
from opplan.load.orgtree import CYCLE_FILE, NARRATIVE_FILE, PLAN_FILE
from opplan.model.diagnostics import UserError

OWNER = "Unassigned"
"""The owner written into every imported plan; each team replaces it with a person."""
ASK_ID = {"target": "target", "ask": "ask"}
_JINJA = re.compile(r"[{}%#`]")


class OutDirError(UserError):
    """The out directory cannot be written (it is not empty, or not a directory)."""

    usage = True


@dataclass(frozen=True, slots=True)
class CycleText:
    """What cycle.yaml says, and where the numbers came from (for comments and narratives)."""

    name: str
    year: int
    currency: str
    rate: Decimal
    source: str
    rows: int
    category: str
    flat_col: str | None
    second_col: str | None
    mode: str | None  # "target", "ask" or None


def number(value: Decimal) -> str:
    """A decimal as a plain YAML number, never in exponent form."""
    text = format(value, "f")
    return "0" if text in ("-0", "0", "-0.0") else text


def grouped(value: Decimal) -> str:
    """A decimal with thousands separators, for people: ``-1,234,567``."""
    return f"{value:,f}" if value != value.to_integral_value() else f"{int(value):,}"


def cycle_yaml(c: CycleText, root_id: str) -> str:
    """cycle.yaml of an imported cycle (policies suited to plans nobody has written yet)."""
    return "\n".join(
        [
            f"# Created by `opplan import table` from {one_line(c.source)} ({c.rows:,} rows).",
            f"# Amounts are as given in the table, in {c.currency}; see docs/import.md.",
            f"name: {quote(c.name)}",
            "kind: OP1",
            f"year: {c.year}",
            f"currency: {c.currency}",
            f"as_of: {c.year - 1}-09-15  # as opplan init writes it: September before the plan year",
            f"root: {root_id}",
            "rates:",
            f"  default: {number(c.rate)}  # one head a year; add rates by role, level and location",
            "  by: []",
            "mandates: []",
            "policies:",
            "  # Imported plans have no goals or narratives yet: these rules wait until teams write",
            "  # them. An org with hundreds of children has data tables longer than six pages until",
            "  # it is reshaped, so the page limit warns; make it an error when the narratives exist.",
            "  # Every owner is Unassigned and every narrative the import's: opplan status counts",
            "  # them per manager; turn placeholder on once the teams own their plans.",
            '  min-goals: {severity: "off", min: 3}',
            '  ask-needs-goal: "off"',
            '  placeholder: "off"',
            "  page-limit: {severity: warning, max: 6}",
            "  narrative-style: warning",
            "",
        ]
    )


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:12])
    more = f" and {len(rows) - 12:,} more" if len(rows) > 12 else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


def plan_yaml(node: TreeNode, c: CycleText) -> str:
    """plan.yaml of one node: name, placeholder owner, its own figures, and the scaffold's
    guidance (commented examples of every section; a manager's review and policies)."""
    if node.children:
        below = len(node.rows) - len(node.own_rows)
        where = f"{below:,} rows below" + (
            f" and its own {_rows_text(node.own_rows)}" if node.own_rows else ""
        )
    else:
        where = _rows_text(node.rows)
    header = [f"Imported from {one_line(c.source)}, {where}."]
    if node.other_names:
        header.append("Also named in the table: " + one_line("; ".join(node.other_names)))
    headcount: list[str] = []
    spend = ""
    incremental: list[str] = []
    if not node.children or node.own_rows:
        headcount, spend, incremental = _figures(node, c)
    return plan_text(
        node.name,
        OWNER,
        manager=bool(node.children),
        header=header,
        headcount=headcount,
        spend=spend,
        incremental=incremental,
    )


def _figures(node: TreeNode, c: CycleText) -> tuple[list[str], str, list[str]]:
    """The node's own headcount lines, spend and ask, as YAML lines for the plan template."""
    headcount: list[str] = []
    for (role, level, location), count in sorted(
        node.heads.items(), key=lambda kv: tuple(v or "" for v in kv[0])
    ):
        headcount.append(f"  - role: {quote(role)}")
        headcount += [f"    level: {quote(level)}"] if level is not None else []
        headcount += [f"    location: {quote(location)}"] if location is not None else []
        headcount.append(f"    count: {number(count)}")
    spend = f"{{{quote(c.category)}: {number(node.flat)}}}" if c.flat_col is not None else ""
    incremental: list[str] = []
    ask = node.second - node.flat if c.mode == "target" else node.second
    if c.mode is not None and ask != 0:
        incremental.append(f"  - id: {ASK_ID[c.mode]}")
        if c.mode == "target":
            title = f"Move from {c.flat_col} to {c.second_col}"
            summary = (
                f"{c.flat_col}: {grouped(node.flat)}. {c.second_col}: "
                f"{grouped(node.second)}. Change: {grouped(ask)}."
            )
            incremental += [f"    title: {quote(title)}", f"    summary: {quote(summary)}"]
        else:
            incremental.append(f"    title: {quote(f'{c.second_col} from the table')}")
        incremental.append(f"    spend: {{{quote(c.category)}: {number(ask)}}}")
    return headcount, spend, incremental


def narrative_md(node: TreeNode, c: CycleText) -> str:
    """A short narrative.md saying where the node came from, for its owner to replace."""
    src = _JINJA.sub("_", one_line(c.source))
    where = _rows_text(node.rows) if not node.children else f"{len(node.rows):,} rows"
    return (
        f"## Introduction\n\nImported from `{src}` ({where}). "
        "The owner replaces this text with the plan's narrative.\n"
    )


def check_out_dir(out: Path) -> None:
    """Refuse an out directory that exists and is not empty (or is not a directory)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise OutDirError(
            f"'{out}' exists and is not an empty directory; "
            "choose a new directory for the imported cycle"
        )


def write_cycle(out: Path, root: TreeNode, c: CycleText) -> list[Path]:
    """Write the cycle into ``out`` atomically, depth-first; return the node directories."""
    check_out_dir(out)
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.import-"))
    try:
        written = [_write(stage / CYCLE_FILE, cycle_yaml(c, root.id))]
        dirs: list[Path] = []
        for node in root.walk():
            rel = Path(*[n.id for n in _path(node)])
            os.mkdir(stage / rel)  # depth-first: the parent exists already
            dirs.append(out / rel)
            written.append(_write(stage / rel / PLAN_FILE, plan_yaml(node, c)))
            written.append(_write(stage / rel / NARRATIVE_FILE, narrative_md(node, c)))
        _sync(written)
        os.chmod(stage, 0o755)
        check_out_dir(out)
        os.replace(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return dirs


def _path(node: TreeNode) -> list[TreeNode]:
    chain = []
    n: TreeNode | None = node
    while n is not None:
        chain.append(n)
        n = n.parent
    return chain[::-1]


def _write(path: Path, text: str) -> Path:
    """Create ``path`` with ``text`` in three system calls (thousands of files add up)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        data = memoryview(text.encode("utf-8"))
        while data:
            data = data[os.write(fd, data) :]
    finally:
        os.close(fd)
    return path


def _sync(paths: list[Path]) -> None:
    """Make the staged files durable with one sync(2), not one fsync per file."""
    if hasattr(os, "sync"):
        os.sync()
    else:  # pragma: no cover - platforms without sync(2)
        for path in paths:
            with open(path, "rb+") as fh:
                os.fsync(fh.fileno())
