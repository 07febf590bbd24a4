"""The ``placeholder`` policy: owners and narratives a scaffold wrote that nobody replaced.

What counts as a placeholder owner or a scaffold narrative is decided in
:mod:`opplan.report.placeholders`, the rule ``opplan status`` reports by too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from opplan.model import Cycle
from opplan.model.diagnostics import Diagnostic, Source
from opplan.report.placeholders import is_placeholder_owner, leftover_lines, narrative_state

if TYPE_CHECKING:
    from opplan.check.policies import Conf

RULE = "placeholder"


def check_placeholder(cycle: Cycle, conf: Conf) -> Iterator[Diagnostic]:
    """Every owner names a person, and every narrative is written, not the scaffold."""
    for node, plan in cycle.plans():
        eff = conf(node.id)
        if not eff.on:
            continue
        if is_placeholder_owner(plan.owner):
            yield eff.diag(
                plan.source.at("owner"),
                f"owner '{plan.owner}' of {node.id} is a placeholder: name the single "
                "accountable owner",
                RULE,
            )
        narrative = node.narrative
        if narrative is None:
            continue
        if narrative_state(narrative.text) == "scaffold":
            yield eff.diag(
                Source(narrative.path),
                f"the narrative of {node.id} is still the scaffold: write the plan's narrative",
                RULE,
            )
            continue
        for line in leftover_lines(narrative.text):
            yield eff.diag(
                Source(narrative.path, line),
                "a paragraph of the scaffold is still here: replace it with your own",
                RULE,
            )
