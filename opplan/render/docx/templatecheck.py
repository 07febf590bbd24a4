"""What ``opplan build`` would refuse in a narrative or template, found by ``opplan check``.

Everything check accepts, build renders. Build renders every narrative and
every section template of every node; check cannot afford that on a large org,
so it renders exactly what can fail:

* a narrative with jinja markup (``{{``, ``{%``, ``{#``) is rendered, with the
  same sandbox, budget and context as build;
* a narrative without markup renders as itself, so only its length can fail:
  it is held to the same output limit (:func:`opplan.templating.output_limit`)
  without rendering;
* the default templates ship with opplan and are tested; a cycle that
  overrides any of them (``<cycle>/templates/document/*.md.j2``) has every
  node's document rendered, the appendix too when an appendix template is
  overridden (charts are then drawn, as build draws them).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from opplan.model import Cycle
from opplan.model.diagnostics import Diagnostic, Source, error
from opplan.narrative.templating import TemplateError, is_template, output_limit
from opplan.render.docx.plan import TEMPLATE_DIR, DocPlan, Renderer, plan_document
from opplan.report.records import Report

RULE = "template"
APPENDIX_TEMPLATES = ("appendix_", "child.")
"""Name prefixes of the templates build renders only in the appendix."""


def template_diagnostic(exc: TemplateError) -> Diagnostic:
    """A narrative or template failure as an error at its file and line."""
    return error(Source(exc.path, exc.line, 1), exc.message, RULE)


def overridden(cycle_dir: Path | None) -> frozenset[str]:
    """File names of the document templates a cycle overrides (``stack.md.j2``...)."""
    if cycle_dir is None:
        return frozenset()
    folder = cycle_dir / "templates" / TEMPLATE_DIR
    if not folder.is_dir():
        return frozenset()
    return frozenset(p.name for p in folder.iterdir() if p.name.endswith(".md.j2"))


def needs_appendix(cycle: Cycle) -> bool:
    """Whether check must render appendices too: the cycle overrides an appendix template."""
    return any(name.startswith(APPENDIX_TEMPLATES) for name in overridden(cycle.dir))


def to_render(cycle: Cycle) -> set[str]:
    """The nodes whose documents check renders: templated narratives, or all on overrides."""
    if overridden(cycle.dir):
        return set(cycle.nodes)
    return {
        nid
        for nid, node in cycle.nodes.items()
        if node.narrative is not None and is_template(node.narrative.text)
    }


def plain_narratives(cycle: Cycle) -> list[Diagnostic]:
    """Narratives without markup that are longer than a template may write."""
    diags = []
    for node in cycle.nodes.values():
        narrative = node.narrative
        if narrative is None or is_template(narrative.text):
            continue
        problem = output_limit(len(narrative.text), narrative.path)
        if problem is not None:
            diags.append(template_diagnostic(problem))
    return diags


def document_plans(
    report: Report, renderer: Renderer, nodes: Iterable[str], *, appendix: bool = False
) -> tuple[dict[str, DocPlan], list[Diagnostic]]:
    """Document plans of ``nodes`` (the appendix only if asked); a failure is a diagnostic."""
    plans: dict[str, DocPlan] = {}
    diags: list[Diagnostic] = []
    for nid in nodes:
        try:
            plans[nid] = plan_document(report.nodes[nid], renderer, appendix=appendix)
        except TemplateError as exc:
            diags.append(template_diagnostic(exc))
    return plans, diags
