"""The org tree is the directory tree: find the node directories of a cycle.

A directory is a node if and only if it holds ``plan.yaml``. The root is the
one node directory directly under the cycle directory (``root:`` in
cycle.yaml may name it). Hidden directories and the cycle's ``templates/`` are
ignored. A directory without ``plan.yaml`` that has nodes below it is a gap in
the tree; its nodes are attached to the nearest node above so that checking
goes on. Symlinks that leave the cycle directory are refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, Source, error
from .model import NODE_ID_RE

#: A node directory (path relative to the cycle) with the node directories below it.
DirTree = tuple[str, list["DirTree"]]

PLAN_FILE = "plan.yaml"
NARRATIVE_FILE = "narrative.md"
CYCLE_FILE = "cycle.yaml"
IGNORED_TOP = {"templates"}


@dataclass(frozen=True, slots=True)
class NodeDir:
    """A node directory found on disk, before its files are read."""

    id: str
    rel: str  # posix path relative to the cycle directory
    parent: str | None
    depth: int
    children: tuple[str, ...]


def display_path(base: str, rel: str) -> str:
    """The path of ``rel`` as the user will see it, relative to how they named the cycle."""
    return str(Path(base) / rel) if rel else str(Path(base))


def inside(path: Path, top: Path) -> bool:
    """True when ``path``, symlinks resolved, is ``top`` or below it (``top`` resolved)."""
    try:
        path.resolve().relative_to(top)
        return True
    except (ValueError, OSError, RuntimeError):
        return False


class _Walker:
    def __init__(self, cycle_dir: Path, display: str):
        self.top = cycle_dir.resolve()
        self.display = display
        self.diagnostics: list[Diagnostic] = []
        self.seen_real: set[Path] = set()

    def src(self, rel: str) -> Source:
        return Source(display_path(self.display, rel))

    def walk(self, rel: str, depth: int) -> list[DirTree]:
        """Node directories at or below ``rel`` as (rel, [children...]) trees."""
        path = self.top / rel if rel else self.top
        real = path.resolve()
        if real in self.seen_real:
            return []
        self.seen_real.add(real)
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as exc:
            self.diagnostics.append(
                error(self.src(rel), f"cannot read directory: {exc.strerror}", "io")
            )
            return []
        has_plan = False
        below: list[DirTree] = []
        for entry in entries:
            child_rel = f"{rel}/{entry.name}" if rel else entry.name
            if entry.name.startswith("."):
                continue
            if entry.is_symlink() and not inside(Path(entry.path), self.top):
                self.diagnostics.append(
                    error(
                        self.src(child_rel),
                        f"symlink leaves the cycle directory (points to {os.readlink(entry.path)})",
                        "symlink",
                    )
                )
                continue
            if entry.name == PLAN_FILE:
                if entry.is_file():
                    has_plan = True
                else:
                    self.diagnostics.append(
                        error(self.src(child_rel), f"{PLAN_FILE} is not a file", "io")
                    )
            elif entry.is_dir() and not (depth == 0 and entry.name in IGNORED_TOP):
                below.extend(self.walk(child_rel, depth + 1))
        if has_plan and rel:
            return [(rel, below)]
        if below and rel:
            self.diagnostics.append(
                error(
                    self.src(rel),
                    f"directory '{rel}' has no {PLAN_FILE} but holds nodes below it "
                    "(a gap in the tree)",
                    "tree-gap",
                )
            )
        return below


def discover(
    cycle_dir: Path, display: str, root_hint: str | None
) -> tuple[list[NodeDir], str | None, list[Diagnostic]]:
    """Find the node directories of a cycle, depth-first with children by id.

    Returns ``(nodes, root_id, diagnostics)``.
    """
    walker = _Walker(cycle_dir, display)
    tops = walker.walk("", 0)
    diags = walker.diagnostics
    if not tops:
        diags.append(
            error(
                Source(display_path(display, CYCLE_FILE)),
                f"no node directory (a directory holding {PLAN_FILE}) under the cycle directory",
                "tree",
            )
        )
        return [], None, diags
    names = [Path(rel).name for rel, _ in tops]
    if root_hint is not None:
        if root_hint not in names:
            diags.append(
                error(
                    Source(display_path(display, CYCLE_FILE)),
                    f"root '{root_hint}' is not a node directory under the cycle "
                    f"directory (found: {', '.join(names)})",
                    "tree",
                )
            )
            return [], None, diags
        root_idx = names.index(root_hint)
    elif len(tops) > 1:
        diags.append(
            error(
                Source(display_path(display, CYCLE_FILE)),
                f"{len(tops)} node directories under the cycle directory "
                f"({', '.join(names)}); name the root with 'root:'",
                "tree",
            )
        )
        root_idx = 0
    else:
        root_idx = 0
    for i, (rel, _) in enumerate(tops):
        if i != root_idx and root_hint is not None:
            diags.append(
                error(
                    Source(display_path(display, f"{rel}/{PLAN_FILE}")),
                    f"node directory '{rel}' is outside the root '{names[root_idx]}'",
                    "tree",
                )
            )

    nodes: list[NodeDir] = []
    used: dict[str, str] = {}

    def add(rel: str, below: list[DirTree], parent: str | None, depth: int) -> str | None:
        node_id = Path(rel).name
        plan_src = Source(display_path(display, f"{rel}/{PLAN_FILE}"))
        if not NODE_ID_RE.match(node_id):
            diags.append(
                error(
                    plan_src,
                    f"node id '{node_id}' (the directory name) must match {NODE_ID_RE.pattern}",
                    "bad-id",
                )
            )
            return None
        if node_id in used:
            diags.append(
                error(
                    plan_src,
                    f"node id '{node_id}' is used twice (also at {used[node_id]})",
                    "duplicate-node",
                )
            )
            return None
        used[node_id] = rel
        index = len(nodes)
        nodes.append(NodeDir(node_id, rel, parent, depth, ()))
        kids = [
            k
            for k in (
                add(r, b, node_id, depth + 1)
                for r, b in sorted(below, key=lambda t: Path(t[0]).name)
            )
            if k is not None
        ]
        nodes[index] = NodeDir(node_id, rel, parent, depth, tuple(kids))
        return node_id

    root_rel, root_below = tops[root_idx]
    root_id = add(root_rel, root_below, None, 0)
    return nodes, root_id, diags
