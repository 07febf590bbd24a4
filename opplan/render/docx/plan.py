"""What a node's document holds, in order, before any Word layout (docs/documents.md).

:func:`plan_document` turns a :class:`~opplan.report.NodeReport` into a
:class:`DocPlan`: the title block, the body (the narrative's sections with the
generated data sections merged in) and the appendix. Elements are the
narrative's blocks (:mod:`opplan.narrative`), :class:`~.docgrids.Grid` tables,
:class:`Chart` images and a :class:`Title`. The Word renderer lays a plan out;
the page estimate measures it. Prose of the data sections comes from the
templates in ``templates/document/`` (a cycle's ``templates/document/``
overrides them), rendered with :func:`opplan.doccontext.node_context`.

Placement of a generated section: if the narrative has a section whose title
starts with one of the section's names (e.g. "Dependencies and risks"), the
prose and table are appended to it; otherwise the section is inserted before
the first narrative section named in its ``before`` list (Goals goes right after
the first section), or at the end of the body.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opplan.narrative.markdown import (
    Block,
    Document,
    Heading,
    Paragraph,
    Section,
    Span,
    parse,
    plain,
)
from opplan.narrative.names import context_names
from opplan.narrative.templating import (
    BoundedSandbox,
    TemplateError,
    compile_text,
    environment,
    get_template,
    possessive,
    render,
)
from opplan.render.docx import charts
from opplan.render.docx.changegrid import appendix_section, body_section
from opplan.render.docx.digest import content_digest
from opplan.render.docx.goalgrids import (
    child_goals_grid,
    child_goals_summary_grid,
    goals_grid,
    goals_year_grid,
)
from opplan.render.docx.grids import (
    Grid,
    dependency_grid,
    flat_grid,
    headcount_grid,
    mandate_grid,
)
from opplan.render.docx.moneygrids import (
    bridge_grid,
    envelope_grid,
    hires_grid,
    resources_grid,
)
from opplan.render.docx.stackgrid import removed_grid, stack_grid
from opplan.report.context import NodeContext
from opplan.report.records import NodeReport, Report
from opplan.report.reviewkeys import opplan_version
from opplan.util.resources import templates_dir

if TYPE_CHECKING:
    from jinja2 import Template

TEMPLATE_DIR = "document"


@dataclass(frozen=True, slots=True)
class Title:
    """The title block: the node's name, then the lines of ``title.md.j2`` (one paragraph
    each: cycle, org path and owner; contributors and state; the version line)."""

    text: str
    lines: tuple[Paragraph, ...] = ()


@dataclass(frozen=True, slots=True)
class Chart:
    """A PNG image and its width in inches."""

    png: bytes
    width_in: float
    alt: str


Element = Block | Grid | Chart | Title


@dataclass(frozen=True)
class DocPlan:
    """A node's document: metadata, body elements, appendix elements."""

    title: str
    author: str
    subject: str
    body: tuple[Element, ...]
    appendix: tuple[Element, ...]


@dataclass
class _Part:
    """A body section being assembled: heading, narrative blocks, generated elements."""

    title: tuple[Span, ...] | None
    line: int
    elements: list[Element] = field(default_factory=list)
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Slot:
    template: str
    names: tuple[str, ...]  # narrative section titles it joins (prefixes, lower case)
    before: tuple[str, ...]  # ...or is inserted before


_END = ("dependencies", "risks", "frequently asked", "faq")
SLOTS = (
    _Slot("goals", ("goals",), ()),
    _Slot("flat", ("flat plan", "resources"), _END),
    _Slot("resources", ("flat plan", "resources"), _END),
    _Slot("envelopes", ("flat plan", "resources"), _END),
    _Slot("stack", ("incremental",), _END),
    _Slot("dependencies", ("dependencies",), ("frequently asked", "faq")),
)


def search_path(cycle_dir: Path | None) -> list[Path]:
    """Template directories, most specific first: the cycle's ``templates/``, then the defaults."""
    paths = [cycle_dir / "templates"] if cycle_dir is not None else []
    return [p for p in paths if p.is_dir()] + [templates_dir()]


class Renderer:
    """Renders narratives and section templates of one cycle (one environment, cached templates)."""

    def __init__(self, report: Report, paths: Sequence[Path]) -> None:
        self.report = report
        self.env: BoundedSandbox = environment(paths)
        self._contexts: dict[str, NodeContext] = {}

    def context(self, node_id: str, keys: Collection[str] | None = None) -> dict[str, Any]:
        """The template context of a node, or only its ``keys`` (each key made once)."""
        made = self._contexts.get(node_id)
        if made is None:
            made = self._contexts[node_id] = NodeContext(self.report.nodes[node_id], self.report)
        return made.get(keys)

    def _render(self, template: Template, node: NodeReport, **extra: Any) -> str:
        """``template`` rendered with the keys of the node's context that it may read."""
        return render(template, {**self.context(node.id, context_names(template)), **extra})

    def rendered(self, node: NodeReport) -> str | None:
        """The node's narrative text rendered with its figures; None without one."""
        if node.narrative is None:
            return None
        template = compile_text(self.env, node.narrative.text, node.narrative.path)
        return self._render(template, node)

    def narrative(self, node: NodeReport) -> Document | None:
        """The node's narrative, rendered and parsed; None without one."""
        text = self.rendered(node)
        return None if text is None else parse(text)

    def section(self, name: str, node: NodeReport, **extra: Any) -> list[Section]:
        """A section template rendered for a node, parsed into sections."""
        template = get_template(self.env, f"{TEMPLATE_DIR}/{name}.md.j2")
        text = self._render(template, node, **extra)
        return list(parse(text).body)


def _blocks(sections: Sequence[Section], level: int | None) -> list[Element]:
    """Template sections' blocks, their ``##`` headings at ``level`` (None: dropped)."""
    out: list[Element] = []
    for s in sections:
        if level is not None and s.title:
            out.append(Heading(level, s.title, s.line))
        out.extend(s.blocks)
    return out


def _generated(r: Renderer, node: NodeReport, slot: str) -> tuple[list[Section], list[Element]]:
    """The prose sections and tables of one generated body section."""
    report = r.report
    if slot == "goals":
        grids = [goals_grid(node, report)]
    elif slot == "flat":
        grids = [flat_grid(node, report, full=False)]
    elif slot == "resources":
        grids = [resources_grid(node, report, full=False)]
    elif slot == "envelopes":
        if not node.envelopes.rows:
            return [], []
        grids = [envelope_grid(node, report)]
    elif slot == "stack":
        grids = [stack_grid(node, report, full=False)] if node.stack else []
    else:
        grids = [g for g in (dependency_grid(node, report), mandate_grid(node, report)) if g.rows]
        if not grids:
            return [], []
    return r.section(slot, node), [g for g in grids if g.rows]


def _find(parts: Sequence[_Part], prefixes: Sequence[str]) -> int | None:
    for i, part in enumerate(parts):
        name = plain(part.title).strip().lower() if part.title else ""
        if name and any(name.startswith(p) for p in prefixes):
            return i
    return None


def _body(r: Renderer, node: NodeReport, doc: Document | None) -> list[Element]:
    parts = [_Part(s.title, s.line, list(s.blocks)) for s in (doc.body if doc else ())]
    for slot in SLOTS:
        sections, grids = _generated(r, node, slot.template)
        if not sections and not grids:
            continue
        at = _find(parts, slot.names)
        if at is not None:
            parts[at].elements.extend(_blocks(sections, None) + grids)
            continue
        title = sections[0].title if sections else None
        new = _Part(title, 0, _blocks(sections, None) + grids)
        if slot.template == "goals":
            where = 1 if parts and parts[0].title else min(len(parts), 1)
        else:
            found = _find(parts, slot.before)
            where = found if found is not None else len(parts)
        parts.insert(where, new)
    out: list[Element] = []
    for part in parts:
        if part.title:
            out.append(Heading(2, part.title, part.line))
        out.extend(part.elements)
    return out


def _introduction(r: Renderer, child: NodeReport) -> str | None:
    """The first paragraph of a child's Introduction (or of its narrative), as plain text."""
    text = r.rendered(child)
    if text is None:
        return None
    for section in parse(_first_section(text)).body:
        for b in section.blocks:
            if isinstance(b, Paragraph):
                return plain(b.spans)
    return None


def _first_section(text: str) -> str:
    """The Introduction section's text (else the text before the second heading).

    A cut before parsing: a manager's appendix needs only this paragraph of
    each child, and parsing whole narratives would dominate the build time.
    """
    lines = text.splitlines(keepends=True)
    heads = [i for i, line in enumerate(lines) if line.startswith(("# ", "## "))]
    intro = [i for i in heads if lines[i].lstrip("# ").lower().startswith("intro")]
    start = intro[0] if intro else 0
    end = next((i for i in heads if i > start), len(lines))
    return "".join(lines[start:end])


def _chart(node: NodeReport, report: Report) -> Chart | None:
    """Funded and below-the-line heads by child (managers only: a team has no children)."""
    if not node.stack or not node.children:
        return None
    groups = node.by_child
    labels = [report.nodes[g.child].name if g.child else f"{node.name} (own)" for g in groups]
    funded = [g.funded.headcount for g in groups]
    below = [g.unfunded.headcount for g in groups]
    if not any(funded) and not any(below):
        return None
    has_line = node.line_at is not None and node.line_at < len(node.stack)
    png = charts.stacked_bars(
        labels,
        funded,
        below,
        xlabel="Heads",
        below_label="Below the line" if has_line else "Not funded",
    )
    return Chart(png, 6.0, f"Funded and unfunded heads by team at {node.name}")


def _appendix(r: Renderer, node: NodeReport, doc: Document | None) -> list[Element]:
    report = r.report
    out: list[Element] = [Heading(1, (Span("Appendix"),), 0)]
    out += _blocks(r.section("appendix_glance", node), 2)
    for s in doc.appendix if doc else ():
        if s.title:
            out.append(Heading(2, s.title, s.line))
        out.extend(s.blocks)
    out += _blocks(r.section("appendix_resources", node), 2)
    out.append(resources_grid(node, report, full=True))
    out += _blocks(r.section("appendix_headcount", node), 2)
    out.append(headcount_grid(node, report))
    out += _blocks(r.section("appendix_hiring", node), 2)
    out.append(bridge_grid(node.hiring, report, "approved plan"))
    if node.hiring_differs and node.children:
        out.append(bridge_grid(node.hiring_here, report, f"{possessive(node.name)} view"))
    if node.hiring.rows:
        out.append(hires_grid(node, report))
    if node.stack:
        out += _blocks(r.section("appendix_stack", node), 2)
        out.append(stack_grid(node, report, full=True))
    if node.removed:
        out += _blocks(r.section("appendix_removed", node), 2)
        out.append(removed_grid(node, report))
    out += appendix_section(node, report)
    chart = _chart(node, report)
    if chart is not None:
        out += _blocks(r.section("appendix_chart", node), 2)
        out.append(chart)
    if node.child_goals:
        out += _blocks(r.section("appendix_goals", node), 2)
        out += [child_goals_summary_grid(node), child_goals_grid(node, report)]
    if node.goals_this_year:
        stale_days = report.cycle.goal_stale_days
        out += _blocks(r.section("appendix_goals_year", node, stale_days=stale_days), 2)
        out.append(goals_year_grid(node, report))
    if node.children:
        out += _blocks(r.section("appendix_teams", node), 2)
        for cid in node.children:
            child = report.nodes[cid]
            ctx = r.context(node.id, ("children",))
            summary = next(c for c in ctx["children"] if c["id"] == cid)
            out += _blocks(
                r.section("child", node, child=summary, introduction=_introduction(r, child)), 3
            )
    return out


def plan_document(node: NodeReport, r: Renderer, *, appendix: bool = True) -> DocPlan:
    """The document of ``node``: title, body and (unless ``appendix=False``) appendix.

    Raises :class:`~opplan.templating.TemplateError` when the narrative or a
    template fails; the error names the file and line.
    """
    cycle = r.report.cycle
    doc = r.narrative(node)
    # the outcome first, before any detail
    body = (
        *_blocks(r.section("approved", node), None),
        *body_section(node, r.report),
        *_body(r, node, doc),
    )
    rest = tuple(_appendix(r, node, doc)) if appendix else ()
    version = {"opplan": opplan_version(), "digest": content_digest((*body, *rest))}
    lines = tuple(
        b
        for s in r.section("title", node, version=version)
        for b in s.blocks
        if isinstance(b, Paragraph)
    )
    return DocPlan(
        title=f"{node.name}: {cycle.name}",
        author=node.owner,
        subject=cycle.name,
        body=(Title(node.name, lines), *body),
        appendix=rest,
    )


__all__ = [
    "Chart",
    "DocPlan",
    "Element",
    "Renderer",
    "TemplateError",
    "Title",
    "plan_document",
    "search_path",
]
