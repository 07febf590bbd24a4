"""``renamed_from:``: the id a node had before it was renamed (docs/revisions.md)."""

from __future__ import annotations

from collections.abc import Iterator

from opplan.model import Cycle
from opplan.model.diagnostics import Diagnostic, error


def check_renamed_from(cycle: Cycle) -> Iterator[Diagnostic]:
    """``renamed_from:`` names another id than the node's own, one that is no node of this
    cycle (the old id is gone once renamed), and no two nodes name the same old id."""
    claimed: dict[str, str] = {}
    for node, plan in cycle.plans():
        old = plan.renamed_from
        if old is None:
            continue
        at = plan.source.at("renamed_from")
        if old == node.id:
            yield error(at, f"renamed_from names the node itself ('{old}')", "renamed-from")
        elif old in cycle.nodes:
            yield error(
                at,
                f"renamed_from: '{old}' is still a node of this cycle; a renamed node's old "
                "id is gone",
                "renamed-from",
            )
        elif old in claimed:
            yield error(
                at,
                f"renamed_from: '{old}' is already claimed by '{claimed[old]}'; one node "
                "takes an old id",
                "renamed-from",
            )
        else:
            claimed[old] = node.id
