"""The org tree of an imported table: one node per distinct path, with valid, unique ids.

``opplan import table`` reads rows; this module turns their level values into
a tree and gives every node a node id (docs/plan-format.md: ``^[a-z0-9][a-z0-9-]{0,62}$``,
unique in the whole tree). The rules, in docs/import.md:

* A node is keyed by its id cell. A blank id cell falls back to the name cell;
  when both are blank the row goes to a node named ``(no <level>)``, so no row
  is ever lost.
* The id is the key made into a slug (lowercase ASCII letters, digits, ``-``,
  at most 63 characters).
* When the same slug stands for nodes under different parents (OMB's bureau
  code ``00`` exists in every agency), or an upper level already took it,
  every such node is qualified by its parent's id: ``001-00``.
* Slugs that still collide (``R&D`` and ``R D`` under one parent) get ``-2``,
  ``-3``... in the order of their keys.

Ids depend on the set of paths only, never on row order, so re-importing a
sorted or shuffled export gives the same directories.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

MAX_ID = 63
_NON_ID = re.compile(r"[^a-z0-9]+")
_LABEL_SUFFIX = re.compile(r"[\s_-]*(code|id|name|number|no)$", re.IGNORECASE)

Key = tuple[str, str]
"""How a node is told apart from its siblings: ``("id", code)``, ``("name", name)`` or
``("blank", "")``."""
LineKey = tuple[str, str | None, str | None]
"""A headcount line's role, level and location."""


@dataclass(frozen=True, slots=True)
class Level:
    """One level of the org path: the column giving ids and the one giving display names."""

    id_col: str
    name_col: str | None = None

    @property
    def label(self) -> str:
        """What one node of this level is called, for blank values: ``Bureau Code`` -> bureau."""
        base = self.name_col or self.id_col
        return _LABEL_SUFFIX.sub("", base).strip().lower() or base.strip().lower()


@dataclass(eq=False)
class TreeNode:
    """A node of the imported tree, built up while rows are read."""

    key: Key
    name: str
    depth: int
    parent: TreeNode | None = None
    children: dict[Key, TreeNode] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)
    own_rows: list[int] = field(default_factory=list)  # rows whose lower levels are blank
    other_names: list[str] = field(default_factory=list)
    spellings: list[str] = field(default_factory=list)  # the cells that gave this key
    flat: Decimal = Decimal(0)
    second: Decimal = Decimal(0)
    heads: dict[LineKey, Decimal] = field(default_factory=dict)
    id: str = ""

    def walk(self) -> Iterator[TreeNode]:
        """This node and every node below it, depth-first, children by id."""
        yield self
        for child in sorted(self.children.values(), key=lambda c: c.id):
            yield from child.walk()

    def child(self, key: Key, name: str, cell: str = "") -> TreeNode:
        """The child with ``key``, created on first use; later differing names are kept aside,
        and so are the cells (``cell``) that differ from the first only in case or spacing."""
        node = self.children.get(key)
        if node is None:
            node = self.children[key] = TreeNode(key, name, self.depth + 1, self)
        elif name != node.name and name not in node.other_names:
            node.other_names.append(name)
        if cell and cell not in node.spellings:
            node.spellings.append(cell)
        return node


def slugify(text: str) -> str:
    """``text`` as a node id: ASCII lowercase letters, digits and ``-``, at most 63 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NON_ID.sub("-", ascii_text.lower()).strip("-")
    return slug[:MAX_ID].rstrip("-")


def same_key(text: str) -> str:
    """What tells nodes apart: case and runs of spaces do not (``Audit  Log`` = ``audit log``)."""
    return " ".join(text.split()).casefold()


def node_key(level: Level, code: str, name: str) -> tuple[Key, str]:
    """The key and display name of a row's node at ``level``, from its stripped cells."""
    if code:
        return ("id", same_key(code)), name or code
    if name:
        return ("name", same_key(name)), name
    return ("blank", ""), f"(no {level.label})"


Cells = tuple[Level, list[str], list[str] | None]
"""One level's id cells and name cells (None without a name column), a cell per row."""


def single_top(paths: list[Cells]) -> tuple[Key, str, list[str]] | None:
    """The one value every row has at the first level, when it has one and more levels follow:
    ``(key, display name, spellings)``. Such a level is the root itself (the org the table is
    of), not a level below a root."""
    if len(paths) < 2:
        return None
    level, ids, names = paths[0]
    found: tuple[Key, str] | None = None
    spellings: list[str] = []
    for i, code in enumerate(ids):
        key, name = node_key(level, code, names[i] if names else "")
        if key[0] == "blank" or (found is not None and key != found[0]):
            return None
        found = found or (key, name)
        cell = code or (names[i] if names else "")
        if cell not in spellings:
            spellings.append(cell)
    return (found[0], found[1], spellings) if found else None


def place_rows(root: TreeNode, paths: list[Cells], first_row: int) -> list[TreeNode]:
    """Build the tree below ``root`` from the level cells; return each row's node.

    A row belongs to the node at its last non-blank level: blank lower levels (a division's
    own staff, with no team) put it in that node's own figures. A blank level above a
    non-blank one is a ``(no <level>)`` node, so no row is lost.
    """
    placed = []
    for i in range(len(paths[0][1]) if paths else 0):
        row = i + first_row
        cells = [(lv, ids[i], names[i] if names else "") for lv, ids, names in paths]
        last = max((j for j, (_, code, name) in enumerate(cells) if code or name), default=-1)
        node = root
        node.rows.append(row)
        for level, code, name in cells[: last + 1]:
            key, display = node_key(level, code, name)
            node = node.child(key, display, code or name)
            node.rows.append(row)
        node.own_rows.append(row)
        placed.append(node)
    return placed


def spelling_warnings(root: TreeNode, levels: tuple[Level, ...]) -> list[str]:
    """One warning per node whose cells differ only in case or spacing (they are one node)."""
    out = []
    for node in root.walk():
        if len(node.spellings) > 1 and node.depth > 0:
            label = levels[node.depth - 1].label if node.depth <= len(levels) else "node"
            shown = ", ".join(f"'{s}'" for s in node.spellings)
            out.append(
                f"{label} {shown} differ only in case or spacing: read as one, {node.id} "
                f"('{node.name}'); correct the table if they are different {label}s"
            )
    return out


def _base(node: TreeNode, level: Level) -> str:
    kind, value = node.key
    slug = slugify(value) if kind != "blank" else slugify(f"no {level.label}")
    return slug or "node"


def _fit(text: str, suffix: str = "") -> str:
    return text[: MAX_ID - len(suffix)].rstrip("-") + suffix


def assign_ids(root: TreeNode, root_id: str, levels: tuple[Level, ...]) -> None:
    """Give every node below ``root`` a valid id, unique in the whole tree (rules above)."""
    root.id = root_id
    taken = {root_id}
    layer = [root]
    for level in levels:
        layer = [c for parent in layer for c in parent.children.values()]
        base = {id(n): _base(n, level) for n in layer}
        parents: dict[str, set[int]] = {}
        for n in layer:
            parents.setdefault(base[id(n)], set()).add(id(n.parent))
        wanted = {}
        for n in layer:
            b = base[id(n)]
            spread = len(parents[b]) > 1 or b in taken
            wanted[id(n)] = _fit(f"{n.parent.id}-{b}") if spread and n.parent else b
        for n in sorted(layer, key=lambda n: (wanted[id(n)], n.key)):
            candidate, i = wanted[id(n)], 1
            while candidate in taken:
                i += 1
                candidate = _fit(wanted[id(n)], f"-{i}")
            n.id = candidate
            taken.add(candidate)
