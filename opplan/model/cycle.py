"""The loaded cycle: nodes of the org tree, the one subtree index, and mandate scope.

:class:`Tree` is the only index of the org tree's shape: depth-first positions
and spans (node x is in the subtree of n iff ``start(n) <= pos(x) < end(n)``),
parents and children. Subtree tests, walks and sums (:meth:`Tree.reduce`) all
go through it; :class:`Cycle` builds it once from its nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from opplan.model.diagnostics import Source
from opplan.model.plan import Plan
from opplan.model.settings import CycleSettings, Mandate
from opplan.model.types import NodeId

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Narrative:
    """A node's narrative.md: Markdown prose, a jinja template."""

    path: str
    text: str


@dataclass(frozen=True, slots=True)
class Node:
    """A node of the org tree: a directory holding plan.yaml.

    ``plan`` is None when plan.yaml could not be loaded (its diagnostics say
    why); later stages skip such nodes rather than report knock-on errors.
    """

    id: NodeId
    rel: str
    parent: NodeId | None
    children: tuple[NodeId, ...]
    depth: int
    source: Source
    plan: Plan | None
    narrative: Narrative | None = None


class TreeNode(Protocol):
    """What the index needs of a node (a cycle's :class:`Node`, a report's node)."""

    @property
    def parent(self) -> NodeId | None: ...

    @property
    def children(self) -> tuple[NodeId, ...]: ...


@dataclass(frozen=True, slots=True)
class Tree:
    """The org tree's index: depth-first positions, subtree spans, parents and children."""

    ids: tuple[NodeId, ...]
    pos: Mapping[NodeId, int]
    span: Mapping[NodeId, tuple[int, int]]
    parent: Mapping[NodeId, NodeId | None]
    children: Mapping[NodeId, tuple[NodeId, ...]]

    @staticmethod
    def build(nodes: Mapping[NodeId, TreeNode]) -> Tree:
        """The index of ``nodes``, given depth-first (every node before its descendants,
        each subtree contiguous)."""
        ids = tuple(nodes)
        pos = {nid: i for i, nid in enumerate(ids)}
        span: dict[NodeId, tuple[int, int]] = {}
        for nid in reversed(ids):
            end = max((span[c][1] for c in nodes[nid].children), default=pos[nid] + 1)
            span[nid] = (pos[nid], end)
        return Tree(
            ids,
            pos,
            span,
            {nid: n.parent for nid, n in nodes.items()},
            {nid: n.children for nid, n in nodes.items()},
        )

    @staticmethod
    def of(cycle: Cycle) -> Tree:
        """The index of a cycle's nodes (built once, with the cycle)."""
        return cycle.tree

    def contains(self, top: NodeId, nid: NodeId) -> bool:
        """True when ``nid`` is ``top`` or below it."""
        a, b = self.span[top]
        return a <= self.pos[nid] < b

    def subtree(self, top: NodeId) -> tuple[NodeId, ...]:
        """Ids of ``top`` and every node below it, depth-first, children by id."""
        a, b = self.span[top]
        return self.ids[a:b]

    def is_leaf(self, nid: NodeId) -> bool:
        """True when nothing is below ``nid``."""
        return not self.children[nid]

    def ancestors(self, nid: NodeId) -> list[NodeId]:
        """Ids from ``nid``'s parent up to the root."""
        out = []
        parent = self.parent[nid]
        while parent is not None:
            out.append(parent)
            parent = self.parent[parent]
        return out

    def lowest_common_manager(self, a: NodeId, b: NodeId) -> NodeId:
        """The lowest node whose subtree holds both ``a`` and ``b``."""
        node: NodeId | None = a
        while node is not None and not self.contains(node, b):
            node = self.parent[node]
        assert node is not None, "nodes of one tree share the root"
        return node

    def reduce(self, own: Callable[[NodeId], T], total: Callable[[list[T]], T]) -> dict[NodeId, T]:
        """Every node's value over its subtree: ``total([own(n), *(value of each child)])``,
        bottom-up, each node's own value computed once."""
        out: dict[NodeId, T] = {}
        for nid in reversed(self.ids):
            out[nid] = total([own(nid), *(out[c] for c in self.children[nid])])
        return out

    def in_scope(self, tops: Iterable[NodeId]) -> list[NodeId]:
        """Every node in the subtree of any of ``tops`` (unknown ids ignored), depth-first,
        each once."""
        spans = sorted(self.span[t] for t in tops if t in self.span)
        out: list[NodeId] = []
        end = 0
        for a, b in spans:
            if b > end:
                out.extend(self.ids[max(a, end) : b])
                end = b
        return out


@dataclass(frozen=True)
class Cycle:
    """A loaded planning cycle: settings and the org tree, depth-first."""

    dir: Path
    settings: CycleSettings | None
    nodes: Mapping[NodeId, Node]
    root: NodeId | None
    source: Source
    tree: Tree = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tree", Tree.build(self.nodes))

    def node(self, node_id: NodeId) -> Node:
        """The node with this id."""
        return self.nodes[node_id]

    def in_subtree(self, node_id: NodeId, top: NodeId) -> bool:
        """True when ``node_id`` is ``top`` or below it."""
        return self.tree.contains(top, node_id)

    def subtree(self, top: NodeId) -> Sequence[NodeId]:
        """Ids of ``top`` and every node below it, depth-first, children by id."""
        return self.tree.subtree(top)

    def ancestors(self, node_id: NodeId) -> list[NodeId]:
        """Ids from ``node_id``'s parent up to the root."""
        return self.tree.ancestors(node_id)

    def lowest_common_manager(self, a: NodeId, b: NodeId) -> NodeId:
        """The lowest node whose subtree holds both ``a`` and ``b``."""
        return self.tree.lowest_common_manager(a, b)

    def mandate_scope(self, mandate: Mandate) -> list[NodeId]:
        """Every node in a mandate's scope, depth-first: the subtrees of the nodes its
        ``applies_to`` names, or the whole tree when it names none (docs/plan-format.md). Names of
        unknown nodes are ignored (check reports them), so a scope naming only unknown
        nodes is empty."""
        tops = mandate.applies_to if mandate.applies_to else (self.root,) if self.root else ()
        return self.tree.in_scope(tops)

    def plans(self) -> list[tuple[Node, Plan]]:
        """Every node whose plan loaded, with its plan, depth-first."""
        return [(n, n.plan) for n in self.nodes.values() if n.plan is not None]
