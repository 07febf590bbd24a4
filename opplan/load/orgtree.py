"""The org tree is the directory tree: find the node directories of a cycle.

A directory is a node if and only if it holds ``plan.yaml``. The root is the
one node directory directly under the cycle directory (``root:`` in
cycle.yaml may name it). Hidden directories and the cycle's ``templates/`` are
ignored. A directory without ``plan.yaml`` that has nodes below it is a gap in
the tree; its nodes are attached to the nearest node above so that checking
goes on. Symlinks that leave the cycle directory are refused. Directories
more than ``MAX_TREE_DEPTH`` levels below the cycle are one error, not read;
the walk is iterative, so no depth can exhaust the stack.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

from opplan.model import NODE_ID_RE
from opplan.model.diagnostics import Diagnostic, Source, error, listing
from opplan.model.words import NODE_ID_WORDS

#: A node directory (path relative to the cycle) with the node directories below it.
DirTree = tuple[str, list["DirTree"]]

PLAN_FILE = "plan.yaml"
NARRATIVE_FILE = "narrative.md"
CYCLE_FILE = "cycle.yaml"
IGNORED_TOP = {"templates"}
#: How many directory levels below the cycle directory are read (the root's directory is
#: level 1). Real org trees are about a dozen levels deep; deeper than this is a mistake,
#: reported once at the first directory past it instead of walking thousands of levels.
MAX_TREE_DEPTH = 64


@dataclass(frozen=True, slots=True)
class NodeDir:
    """A node directory found on disk, before its files are read."""

    id: str
    rel: str  # posix path relative to the cycle directory
    parent: str | None
    depth: int
    children: tuple[str, ...]
    #: It holds a narrative.md file (a symlink only when it stays inside the cycle).
    narrative: bool = False


def display_path(base: str, rel: str) -> str:
    """The path of ``rel`` as the user will see it, relative to how they named the cycle:
    ``str(Path(base) / rel)``, without building a path for each of a large cycle's files."""
    prefix = _normal(base)
    if not rel:
        return prefix
    if rel.startswith(("/", "./")) or rel.endswith(("/", "/.")) or "//" in rel or "/./" in rel:
        return str(Path(prefix) / rel)  # not a plain relative path: let pathlib normalize it
    if rel == ".":
        return prefix
    if prefix == ".":
        return rel
    return prefix + rel if prefix.endswith("/") else f"{prefix}/{rel}"


@functools.lru_cache(maxsize=64)
def _normal(base: str) -> str:
    return str(Path(base))


def inside(path: Path, top: Path) -> bool:
    """True when ``path``, symlinks resolved, is ``top`` or below it (``top`` resolved)."""
    try:
        path.resolve().relative_to(top)
        return True
    except (ValueError, OSError, RuntimeError):
        return False


@dataclass(slots=True)
class _Frame:
    """A directory being walked: what is left to walk below it and what was found."""

    rel: str
    has_plan: bool
    todo: list[tuple[str, Path]]  # subdirectories (rel, real path), the next one last
    below: list[DirTree] = field(default_factory=list)


class _Walker:
    """Finds the node directories under a cycle, iteratively (no recursion, any depth)."""

    def __init__(self, cycle_dir: Path, display: str):
        self.top = cycle_dir.resolve()
        self.display = display
        self.diagnostics: list[Diagnostic] = []
        self.seen_real: set[Path] = set()
        self.narratives: set[str] = set()  # the directories (rel) holding a narrative.md

    def src(self, rel: str) -> Source:
        return Source(display_path(self.display, rel))

    def walk(self) -> list[DirTree]:
        """Node directories under the cycle directory as (rel, [children...]) trees.

        Depth-first with an explicit stack: each directory is listed once (by its
        resolved path, so symlink loops are cut), its subdirectories are walked
        in name order, and what it holds is handed to its parent when they are
        all done.
        """
        first = self._open("", self.top, 0)
        if first is None:
            return []
        stack = [first]
        while True:
            frame = stack[-1]
            if frame.todo:
                rel, real = frame.todo.pop()
                child = self._open(rel, real, len(stack))
                if child is not None:
                    stack.append(child)
                continue
            stack.pop()
            found = self._close(frame)
            if not stack:
                return found
            stack[-1].below.extend(found)

    def _open(self, rel: str, real: Path, depth: int) -> _Frame | None:
        """List one directory ``depth`` levels below the cycle; None when it is not walked."""
        if real in self.seen_real:
            return None
        self.seen_real.add(real)
        if depth > MAX_TREE_DEPTH:
            self.diagnostics.append(
                error(
                    self.src(rel),
                    f"directories nest more than {MAX_TREE_DEPTH} levels below the cycle "
                    "directory; no org tree is this deep (move these directories up)",
                    "tree-depth",
                )
            )
            return None
        try:
            entries = sorted(os.scandir(real), key=lambda e: e.name)
        except OSError as exc:
            self.diagnostics.append(
                error(self.src(rel), f"cannot read directory: {exc.strerror}", "io")
            )
            return None
        frame = _Frame(rel, False, [])
        for entry in entries:
            child_rel = f"{rel}/{entry.name}" if rel else entry.name
            if entry.name.startswith("."):
                continue
            link = entry.is_symlink()
            if link and not inside(Path(entry.path), self.top):
                self.diagnostics.append(
                    error(
                        self.src(child_rel),
                        f"symlink leaves the cycle directory (points to {os.readlink(entry.path)})",
                        "symlink",
                    )
                )
                continue
            if entry.name == NARRATIVE_FILE and entry.is_file():
                self.narratives.add(rel)
            if entry.name == PLAN_FILE:
                if entry.is_file():
                    frame.has_plan = True
                else:
                    self.diagnostics.append(
                        error(self.src(child_rel), f"{PLAN_FILE} is not a file", "io")
                    )
            elif entry.is_dir() and not (depth == 0 and entry.name in IGNORED_TOP):
                # a directory's real path extends its parent's; only links need resolving
                # (resolving every path anew costs time in proportion to its depth)
                child_real = Path(entry.path).resolve() if link else real / entry.name
                frame.todo.append((child_rel, child_real))
        frame.todo.reverse()
        return frame

    def _close(self, frame: _Frame) -> list[DirTree]:
        """The node trees a walked directory hands to its parent: itself, or what it holds."""
        if frame.has_plan and frame.rel:
            return [(frame.rel, frame.below)]
        if frame.below and frame.rel:
            self.diagnostics.append(
                error(
                    self.src(frame.rel),
                    f"directory '{frame.rel}' has no {PLAN_FILE} but holds nodes below it "
                    "(a gap in the tree)",
                    "tree-gap",
                )
            )
        return frame.below


def discover(
    cycle_dir: Path, display: str, root_hint: str | None
) -> tuple[list[NodeDir], str | None, list[Diagnostic]]:
    """Find the node directories of a cycle, depth-first with children by id.

    Returns ``(nodes, root_id, diagnostics)``.
    """
    walker = _Walker(cycle_dir, display)
    tops = walker.walk()
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
                    f"directory (found: {listing(names)})",
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
                f"({listing(names)}); name the root with 'root:'",
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

    root_rel, root_below = tops[root_idx]
    nodes = _number(root_rel, root_below, display, diags, walker.narratives)
    return nodes, nodes[0].id if nodes else None, diags


def _number(
    root_rel: str,
    root_below: list[DirTree],
    display: str,
    diags: list[Diagnostic],
    narratives: set[str],
) -> list[NodeDir]:
    """The node directories of the root's tree, depth-first with children by name.

    A directory whose name is not a valid node id, or repeats one, is an error
    and is left out with everything below it. Iterative: any depth.
    """
    order: list[tuple[str, str, str | None, int]] = []  # (id, rel, parent, depth)
    used: dict[str, str] = {}
    todo: list[tuple[str, list[DirTree], str | None, int]] = [(root_rel, root_below, None, 0)]
    while todo:
        rel, below, parent, depth = todo.pop()
        node_id = Path(rel).name
        plan_src = Source(display_path(display, f"{rel}/{PLAN_FILE}"))
        if not NODE_ID_RE.match(node_id):
            diags.append(
                error(
                    plan_src,
                    f"'{node_id}' is not a valid node id (the directory name): {NODE_ID_WORDS}; "
                    "rename the directory",
                    "bad-id",
                )
            )
            continue
        if node_id in used:
            diags.append(
                error(
                    plan_src,
                    f"node id '{node_id}' is used twice (also at {used[node_id]})",
                    "duplicate-node",
                )
            )
            continue
        used[node_id] = rel
        order.append((node_id, rel, parent, depth))
        kids = sorted(below, key=lambda t: Path(t[0]).name, reverse=True)
        todo.extend((r, b, node_id, depth + 1) for r, b in kids)
    children: dict[str, list[str]] = {node_id: [] for node_id, *_ in order}
    for node_id, _rel, parent, _depth in order:
        if parent is not None:
            children[parent].append(node_id)
    return [
        NodeDir(node_id, rel, parent, depth, tuple(children[node_id]), rel in narratives)
        for node_id, rel, parent, depth in order
    ]
