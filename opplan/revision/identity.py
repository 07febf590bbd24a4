"""Which node of the old version is which node of the new one, and the tree changes.

A node's id is its directory name, so a directory moved with ``git mv`` keeps its id:
the same id under another parent is the same node, moved. A new id whose plan.yaml
says ``renamed_from: <old-id>`` is the old node renamed, when the old version has that
id and the new one does not. Everything else on one side only is added or removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from opplan.model import Cycle, NodeId
from opplan.model.diagnostics import Diagnostic, warning
from opplan.report.changes import NodeChange
from opplan.report.records import Report

Side = str  # "same", "added" or "removed"


@dataclass(frozen=True)
class Identity:
    """Old ids to new ids (nodes on both sides), the merged tree, and each node's changes."""

    to_new: dict[NodeId, NodeId]
    to_old: dict[NodeId, NodeId]
    #: Every node of either side, depth-first: the new tree, with each removed node
    #: under its old parent (its new id), children by id. (id, "same"|"added"|"removed")
    order: list[tuple[NodeId, Side]]
    children: dict[NodeId, list[NodeId]]
    depth: dict[NodeId, int]  # in the merged tree
    changes: dict[NodeId, list[NodeChange]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def ref(self, old_ref: str) -> str:
        """An old ask reference in new ids (a removed node's asks keep their old id)."""
        node, _, ask = old_ref.partition("/")
        return f"{self.to_new.get(node, node)}/{ask}"


def identify(old: Cycle, new: Cycle, old_report: Report, new_report: Report) -> Identity:
    """Match the nodes of ``old`` and ``new`` (ids, then ``renamed_from:``)."""
    diags: list[Diagnostic] = []
    to_new: dict[NodeId, NodeId] = {}
    for nid, node in new.nodes.items():
        renamed = node.plan.renamed_from if node.plan is not None else None
        if renamed is None or nid in old.nodes:
            continue  # already renamed in the old version, or no rename
        if renamed in old.nodes and renamed not in new.nodes and renamed not in to_new:
            to_new[renamed] = nid
        elif renamed not in old.nodes:
            assert node.plan is not None
            diags.append(
                warning(
                    node.plan.source.at("renamed_from"),
                    f"renamed_from: '{renamed}' is not a node of the old version; "
                    f"'{nid}' is reported as added",
                    "renamed-from",
                )
            )
    for nid in old.nodes:
        if nid not in to_new and nid in new.nodes:
            to_new[nid] = nid
    to_old = {n: o for o, n in to_new.items()}

    children: dict[NodeId, list[NodeId]] = {nid: list(n.children) for nid, n in new.nodes.items()}
    removed = [nid for nid in old.nodes if nid not in to_new]
    for nid in removed:
        children[nid] = []
    for nid in removed:  # under its old parent, by that parent's new id
        parent = old.nodes[nid].parent
        if parent is not None:
            children[to_new.get(parent, parent)].append(nid)
    for kids in children.values():
        kids.sort()

    changes: dict[NodeId, list[NodeChange]] = {}
    for nid in new.nodes:
        name = new_report.nodes[nid].name
        before = to_old.get(nid)
        if before is None:
            flat = new_report.nodes[nid].own.flat
            changes[nid] = [
                NodeChange(nid, "added", name, new_parent=new.nodes[nid].parent, flat=flat)
            ]
            continue
        found = []
        old_parent = old.nodes[before].parent
        mapped = None if old_parent is None else to_new.get(old_parent, old_parent)
        if mapped != new.nodes[nid].parent:
            found.append(
                NodeChange(nid, "moved", name, old_parent=mapped, new_parent=new.nodes[nid].parent)
            )
        if before != nid:
            found.append(NodeChange(nid, "renamed", name, old_id=before))
        if found:
            changes[nid] = found
    for nid in removed:
        flat = old_report.nodes[nid].own.flat
        parent = old.nodes[nid].parent
        changes[nid] = [
            NodeChange(
                nid,
                "removed",
                old_report.nodes[nid].name,
                old_parent=None if parent is None else to_new.get(parent, parent),
                flat=flat,
            )
        ]

    order: list[tuple[NodeId, Side]] = []
    depth: dict[NodeId, int] = {}
    assert old.root is not None and new.root is not None, "rolled-up cycles have a root"
    stack = [new.root] if new.root in to_old or old.root in to_new else [old.root, new.root]
    while stack:
        nid = stack.pop()
        side = "removed" if nid not in new.nodes else ("same" if nid in to_old else "added")
        order.append((nid, side))
        parent = new.nodes[nid].parent if side != "removed" else old.nodes[nid].parent
        parent = parent if side != "removed" or parent is None else to_new.get(parent, parent)
        depth[nid] = 0 if parent is None else depth[parent] + 1
        stack.extend(reversed(children[nid]))
    return Identity(to_new, to_old, order, children, depth, changes, diags)
