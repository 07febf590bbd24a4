"""A template's context is made of the keys it may read (opplan/narrative/names.py,
opplan/report/context.py): the same text as with the whole context, less to make (a root's
stack of 53,000 rows, for a child's narrative that names none of it)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import SAMPLE

from opplan import pipeline
from opplan.model.cycle import Narrative
from opplan.narrative import filters, helpers
from opplan.narrative.names import context_names, names_read
from opplan.narrative.templating import compile_text, environment, render
from opplan.render.docx.plan import Renderer, search_path
from opplan.report.context import KEYS, NodeContext, node_context
from opplan.report.records import Report


@pytest.fixture(scope="module")
def report() -> Report:
    report = pipeline.rollup(SAMPLE).report
    assert report is not None
    return report


def test_a_context_made_key_by_key_is_the_context_made_whole(report: Report) -> None:
    for node in report.nodes.values():
        whole = node_context(node, report)
        assert list(whole) == list(KEYS)
        made = NodeContext(node, report)
        for key in reversed(KEYS):  # each key alone, the derived ones (below, line) first
            assert made.get({key}) == {key: whole[key]}, (node.id, key)
            assert NodeContext(node, report).get([key]) == {key: whole[key]}, (node.id, key)
        assert made.get() == whole
        assert list(made.get({"stack", "cycle", "line"})) == ["cycle", "stack", "line"]
        first = made.get()["line"]["first_below"]
        assert first is None or any(first is row for row in made.get()["stack"])


def test_counts_are_the_lengths_of_the_lists(report: Report) -> None:
    forced_somewhere = False
    for node in report.nodes.values():
        whole = node_context(node, report)
        lists = ("stack", "above", "below", "unlined", "forced", "removed")
        assert whole["counts"] == {k: len(whole[k]) for k in lists}, node.id
        forced_somewhere |= whole["counts"]["forced"] > 0
    assert forced_somewhere


@pytest.mark.parametrize(
    "source, named",
    [
        ("Plain text, no markup.", set()),
        ("{{ totals.flat.cost | money }}", {"totals"}),
        ("{% for r in below %}{{ r.title }}{% endfor %}", {"below", "r"}),
        ("{% set stack = [] %}{{ stack }}", {"stack"}),  # set, not read: made all the same
        ('{{ ask("a/b").cost }}', {"ask", "stack", "removed"}),
        ('{{ child("a").name }}', {"child", "children"}),
        ("{% macro m() %}{{ hiring.people }}{% endmacro %}{{ m() }}", {"m", "hiring"}),
    ],
)
def test_a_template_reads_what_it_names_and_what_its_lookups_read(
    source: str, named: set[str]
) -> None:
    env = environment()
    assert names_read(env.parse(source)) == frozenset(named | set(filters.READS))
    assert context_names(compile_text(env, source, "n.md")) == frozenset(named | {"cycle"})


@pytest.mark.parametrize(
    "source",
    [
        '{% include "document/stack.md.j2" %}',
        '{% import "macros.j2" as m %}',
        '{% from "macros.j2" import m %}',
        '{% extends "base.j2" %}',
    ],
)
def test_a_template_that_reads_another_gets_every_key(source: str) -> None:
    assert names_read(environment().parse(source)) is None


def test_every_lookup_and_filter_that_reads_the_context_is_known() -> None:
    """A new lookup, filter or test that reads the context must say what it reads (its
    READS): else a template calling it would miss a key it was not given. jinja's own
    filters that take the context pass it on to the filters and tests they call by name."""

    def readers(found: dict[str, object]) -> set[str]:
        passes = {n: getattr(f, "jinja_pass_arg", None) for n, f in found.items()}
        return {n for n, arg in passes.items() if getattr(arg, "name", None) == "context"}

    env = environment()
    assert readers(env.globals) == set(helpers.READS)
    assert readers(env.filters) == {"money"} | _JINJA_PASSING_ON
    assert readers(env.tests) == set()
    assert filters.READS == ("cycle",)  # money reads the cycle's currency, nothing else


#: jinja's filters that take the context only to call a filter or test by its name.
_JINJA_PASSING_ON = {"map", "select", "reject", "selectattr", "rejectattr", "random"}


def _whole(renderer: Renderer, text: str, node_id: str, report: Report) -> str:
    template = compile_text(renderer.env, text, "n.md")
    return render(template, node_context(report.nodes[node_id], report))


def test_narratives_render_as_with_the_whole_context(report: Report, tmp_path: Path) -> None:
    """The sample's narratives (which call ask() and money), and narratives that name
    derived keys, call child(), or include a template of the cycle that names the stack."""
    mine = tmp_path / "templates" / "document"
    mine.mkdir(parents=True)
    (mine / "mine.md.j2").write_text("{{ stack | length }} {{ below | length }} {{ line.used }}")
    (mine / "macros.md.j2").write_text("{% macro n() %}{{ stack | length }}{% endmacro %}")
    renderer = Renderer(report, search_path(tmp_path))
    texts = [
        '{% include "document/mine.md.j2" %}',
        '{% import "document/macros.md.j2" as m with context %}{{ m.n() }}',
        '{% from "document/macros.md.j2" import n with context %}{{ n() }}',
        "{{ line.first_below.title if line.first_below else '-' }} {{ forced | length }}",
        "{% for c in children %}{{ child(c.id).funded_here.headcount }} {% endfor %}",
        "{{ (above | first).title if above else '' }} {{ removed | length }}",
    ]
    seen = 0
    for node in report.nodes.values():
        if node.narrative is not None:
            own = renderer.rendered(node)
            assert own == _whole(renderer, node.narrative.text, node.id, report), node.id
            seen += 1
        for text in texts:
            written = Narrative(f"{node.id}/narrative.md", text)
            other = dataclasses.replace(node, narrative=written)
            got = Renderer(report, search_path(tmp_path)).rendered(other)
            assert got == _whole(renderer, text, node.id, report), (node.id, text)
    assert seen > 20
    root = report.nodes[report.root]
    assert renderer.rendered(dataclasses.replace(root, narrative=Narrative("n", texts[0])))


def test_money_in_a_narrative_is_in_the_cycle_currency(report: Report) -> None:
    """``money`` reads the cycle from the context: a narrative that names nothing else is
    still given it."""
    euro = dataclasses.replace(report, cycle=dataclasses.replace(report.cycle, currency="EUR"))
    root = euro.nodes[euro.root]
    text = "{{ 2500000 | money }} {{ [1000] | map('money') | join }}"
    written = dataclasses.replace(root, narrative=Narrative("n.md", text))
    assert Renderer(euro, search_path(None)).rendered(written) == "€2.5M €1K"
