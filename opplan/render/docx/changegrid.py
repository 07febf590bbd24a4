"""The "What changed" of a document (docs/revisions.md): the body's heading and paragraph,
and the appendix's full list as a grid. The words come from the report
(:mod:`opplan.report.changetext`); this module lays them out."""

from __future__ import annotations

from decimal import Decimal

from opplan.narrative.markdown import Heading, Paragraph, Span
from opplan.narrative.templating import headcount, plural
from opplan.render.docx.grids import MUTED, Builder, Column, Grid, money
from opplan.report.changetext import NodeChanges
from opplan.report.records import NodeReport, Report


def changes_of(node: NodeReport, report: Report) -> NodeChanges | None:
    """The node's changes, when the build compares with an older version."""
    return report.changes.nodes.get(node.id) if report.changes is not None else None


def body_section(node: NodeReport, report: Report) -> list[Heading | Paragraph]:
    """The body's section: its heading and one paragraph (nothing without ``--since``)."""
    changes = changes_of(node, report)
    if changes is None:
        return []
    return [
        Heading(2, (Span(changes.heading),), 0),
        Paragraph((Span(changes.summary),), 0, 0),
    ]


def _signed(value: Decimal | None, shown: str) -> str:
    if value is None or value == 0:
        return ""
    return f"+{shown}" if value > 0 else f"-{shown}"


#: What the HC and Cost columns hold: the rows are changes of different things.
CHANGE_LEGEND = (
    "HC and Cost: for a move across a line, the change in what that line funds; for an ask "
    "added, removed or changed, in what the ask requests; for a budget, in the envelope."
)


def appendix_section(node: NodeReport, report: Report) -> list[Heading | Paragraph | Grid]:
    """The appendix's section: every change of the subtree, one row each."""
    changes = changes_of(node, report)
    if changes is None or not changes.lines:
        return []
    currency = report.cycle.currency
    title = changes.heading.replace("What changed since", "Changes since", 1)
    b = Builder(
        [
            Column("Where", "left", 1.0),
            Column("Change", "left", 1.0),
            Column("Ask, goal or team", "left", 1.9),
            Column("What", "left", 2.6),
            Column("HC", "right", 0.45),
            Column("Cost", "right", 0.9),
        ]
    )
    for line in changes.lines:
        b.add(
            [
                line.where,
                line.kind,
                f"{line.title} ({line.item})" if line.title else line.item,
                line.change,
                _signed(line.heads, headcount(abs(line.heads)) if line.heads else ""),
                _signed(line.cost, money(abs(line.cost), currency) if line.cost else ""),
            ]
        )
    if changes.more:
        b.add(
            [f"{plural(changes.more, 'more change')}: see the teams' documents, or opplan diff"],
            MUTED,
        )
    b.add([CHANGE_LEGEND], MUTED)
    return [Heading(2, (Span(title),), 0), b.grid()]
