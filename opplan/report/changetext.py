"""The "What changed" of the documents: each node's body paragraph and change list.

Built by :mod:`opplan.revision.doctext` from the diff (:mod:`opplan.report.changes`) for
``opplan build --since`` (docs/revisions.md); the Word documents print the heading and
paragraph in the body and the lines in the appendix, the workbooks the lines in a
``Changes`` sheet. Every word and figure is decided here; renderers only lay them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from opplan.model import NodeId


@dataclass(frozen=True)
class ChangeLine:
    """One change as the appendix list and the Changes sheet print it."""

    where: str  # the name of the node where it happened (a move: the view it crossed)
    kind: str  # "Ask added", "Below the line", "Decision", "Budget", ... (CHANGE_KINDS)
    item: str  # the ask reference, goal id or node id
    title: str  # the ask's, goal's or node's title
    change: str  # the change in words, with its figures and, for a move, why
    heads: Decimal | None = None  # the signed change in heads (funded, for a move)
    cost: Decimal | None = None  # the signed change in in-year cost


#: The kinds of line, in the order the lists print them.
CHANGE_KINDS = (
    "Team",
    "Budget",
    "Below the line",
    "Above the line",
    "Ask added",
    "Ask removed",
    "Ask changed",
    "Decision",
    "Goal",
)


@dataclass(frozen=True)
class NodeChanges:
    """One node's section: the heading, the body paragraph (counts and the largest moves),
    and the full list of its subtree's changes (at most ``LIST_LIMIT``, then ``more``)."""

    heading: str  # "What changed since Northwind OP1 2027 (a1b2c3d)"
    summary: str
    lines: tuple[ChangeLine, ...] = ()
    more: int = 0  # changes left out of ``lines`` (see each team's document or opplan diff)


@dataclass(frozen=True)
class DocumentChanges:
    """The changes every document of a build shows, by node id."""

    label: str  # the old version: "Northwind OP1 2027 (a1b2c3d)"
    nodes: Mapping[NodeId, NodeChanges] = field(default_factory=dict)
