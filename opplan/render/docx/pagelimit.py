"""The page-limit policy (docs/policies.md): the body of every node's document fits ``max`` pages.

The body is everything before the Appendix heading: the title block, the
narrative and the generated data sections. Two ways to count it:

* **exact** (LibreOffice): every node's body is laid out as .docx, all of them
  converted to PDF in one soffice call, and the PDF pages counted; the last
  page counts by how far down its lowest line of text reaches, so a body that
  ends 40% down page 7 is 6.4 pages;
* **estimate** (no LibreOffice): the body's height is summed from its blocks -
  lines of text at the body font's average character width, table rows,
  headings with their spacing - and divided by the page's usable height. It is
  calibrated on the sample cycle against the exact count (docs/documents.md).

``auto`` estimates every body and, when LibreOffice is installed, counts
exactly those whose estimate comes within :data:`AUTO_MARGIN` pages of the
limit (on the sample the estimate is within 0.7 pages of the exact count), so a
large org does not wait for thousands of conversions. ``exact`` converts every
body. The message says which count was used::

    northwind/retail/narrative.md:1:1: error: body is 7.4 pages, limit 6 (LibreOffice) [page-limit]
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from opplan.check.policies import Conf
from opplan.model import Cycle
from opplan.model.costing import number_text
from opplan.model.diagnostics import Diagnostic, Source
from opplan.narrative.markdown import CodeBlock, Heading, ListBlock, Paragraph, Quote, Table, plain
from opplan.render.docx.colwidths import column_widths, grid_texts
from opplan.render.docx.grids import BODY_MAX_ROWS, LINE, MUTED, Grid
from opplan.render.docx.page import PAGE_SIZES, TABLE_FONT_PT
from opplan.render.docx.plan import Chart, DocPlan, Element, Renderer, Title, search_path
from opplan.render.docx.templatecheck import (
    document_plans,
    needs_appendix,
    plain_narratives,
    to_render,
)
from opplan.render.docx.templatecheck import (
    template_diagnostic as template_diagnostic,  # build imports it here
)
from opplan.report.records import CycleInfo, Report
from opplan.util import libreoffice

MODES: tuple[str, ...] = ("auto", "exact", "estimate", "off")
"""How pages are counted: see the module docstring."""
RULE = "page-limit"
EXACT, ESTIMATE = "LibreOffice", "estimate"

CHAR_WIDTH_EM = 0.40  # average character width of Calibri/Carlito prose, in ems
TABLE_CHAR_EM = 0.44  # ... of table text (more digits and short words)
ROW_PAD = 1.5  # cell margins and borders of a table row, in points
LINE_HEIGHT = 1.22  # line height, in font sizes
MARGIN_PT = 72.0
AUTO_MARGIN = Decimal("1.5")
"""``auto`` counts exactly the bodies whose estimate is above ``max - AUTO_MARGIN`` pages."""


@dataclass(frozen=True, slots=True)
class PageCount:
    """How many pages a body takes, to one decimal, and how it was counted."""

    pages: Decimal
    method: str


def _pages(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- exact: LibreOffice ------------------------------------------------------


def exact_pages(bodies: Mapping[str, bytes], *, page_height_pt: float) -> dict[str, PageCount]:
    """Page counts of .docx bodies, converted to PDF in one LibreOffice call."""
    with tempfile.TemporaryDirectory(prefix="opplan-pages-") as tmp:
        files = []
        for i, (_key, data) in enumerate(bodies.items()):
            path = Path(tmp) / f"body-{i}.docx"
            path.write_bytes(data)
            files.append(path)
        pdfs = libreoffice.convert(files, "pdf", Path(tmp) / "pdf") if files else []
        return {
            key: PageCount(_pdf_pages(pdf, page_height_pt), EXACT)
            for key, pdf in zip(bodies, pdfs, strict=False)
        }


def _pdf_pages(pdf: Path, page_height_pt: float) -> Decimal:
    """Full pages before the last, plus how far down the last page the text reaches."""
    from pypdf import PdfReader  # only exact counts read PDFs

    reader = PdfReader(str(pdf))
    n = len(reader.pages)
    lowest = page_height_pt - MARGIN_PT

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        nonlocal lowest
        if not text.strip():
            return
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if MARGIN_PT - 2 <= y < lowest:  # below the bottom margin is the footer
            lowest = y

    reader.pages[-1].extract_text(visitor_text=visit)
    usable = page_height_pt - 2 * MARGIN_PT
    fraction = min(max((page_height_pt - MARGIN_PT - lowest) / usable, 0.05), 1.0)
    return _pages(n - 1 + fraction)


# --- estimate ----------------------------------------------------------------


def estimate_pages(plan: DocPlan, cycle: CycleInfo) -> PageCount:
    """The body's height from its blocks, in pages of the cycle's size (see module doc)."""
    width, height = (v / 12700 for v in PAGE_SIZES.get(cycle.page_size, PAGE_SIZES["letter"]))
    usable_w, usable_h = width - 2 * MARGIN_PT, height - 2 * MARGIN_PT
    size = float(cycle.font_size)
    total = sum(_height(e, size, usable_w, cycle.body_font) for e in plan.body)
    return PageCount(_pages(total / usable_h), ESTIMATE)


def _lines(chars: int, size: float, width: float, em: float | None = None) -> int:
    per_line = max(int(width / ((em or CHAR_WIDTH_EM) * size)), 1)
    return max(math.ceil(chars / per_line), 1)


def _height(e: Element, size: float, width: float, font: str = "Calibri") -> float:
    if isinstance(e, Title):
        return 22 * LINE_HEIGHT + 2 + len(e.lines) * (10 * LINE_HEIGHT + 1) + 9
    if isinstance(e, Paragraph):
        return _lines(len(plain(e.spans)), size, width) * size * LINE_HEIGHT + 6
    if isinstance(e, Heading):
        h = {1: 15.0, 2: 12.5, 3: 11.0}.get(e.level, 11.0)
        return h * LINE_HEIGHT + {1: 12, 2: 10}.get(e.level, 8) + 3
    if isinstance(e, ListBlock):
        return sum(_height(b, size, width - 18, font) - 4 for item in e.items for b in item.blocks)
    if isinstance(e, Quote):
        return sum(_height(b, size, width - 36, font) for b in e.blocks)
    if isinstance(e, CodeBlock):
        return (e.text.count("\n") + 2) * 9 * LINE_HEIGHT
    if isinstance(e, (Table, Grid)):
        return _table_height(e, width, font)
    if isinstance(e, Chart):
        return e.width_in * 72 * 0.6
    return 0.0


def _table_height(e: Table | Grid, width: float, font: str) -> float:
    if isinstance(e, Grid):
        weights = [c.width for c in e.columns]
        rows = [[c.title for c in e.columns]] + [list(r) for r in e.rows]
        texts: Sequence[Sequence[str]] = grid_texts(e)
    else:
        weights = [1.0] * len(e.header)
        rows = [[plain(c) for c in e.header]] + [[plain(c) for c in r] for r in e.rows]
        texts = rows
    widths = column_widths(weights, texts, width, TABLE_FONT_PT, font)
    spans = [False] + [k in (LINE, MUTED) for k in e.kinds] if isinstance(e, Grid) else []
    height = 0.0
    for k, row in enumerate(rows):
        if k < len(spans) and spans[k]:  # one label cell across the whole table
            lines = _lines(len(row[0]), TABLE_FONT_PT, width - 7, TABLE_CHAR_EM)
            height += lines * TABLE_FONT_PT * LINE_HEIGHT + ROW_PAD
            continue
        lines = max(
            (
                _lines(len(text), TABLE_FONT_PT, w - 7, TABLE_CHAR_EM)
                for text, w in zip(row, widths, strict=False)
                if text
            ),
            default=1,
        )
        height += lines * TABLE_FONT_PT * LINE_HEIGHT + ROW_PAD
    return height + 4 + 6


# --- the policy ----------------------------------------------------------------


def count_pages(plans: Mapping[str, DocPlan], cycle: CycleInfo, mode: str) -> dict[str, PageCount]:
    """Body page counts of document plans (body only), exactly or estimated per ``mode``."""
    exact = mode == "exact" or (mode == "auto" and libreoffice.available())
    if not exact:
        return {k: estimate_pages(p, cycle) for k, p in plans.items()}
    from opplan.render.docx.writer import layout  # python-docx: exact counts only

    height = PAGE_SIZES.get(cycle.page_size, PAGE_SIZES["letter"])[1] / 12700
    return exact_pages({k: layout(p, cycle) for k, p in plans.items()}, page_height_pt=height)


def body_plans(
    report: Report, renderer: Renderer, nodes: Iterable[str]
) -> tuple[dict[str, DocPlan], list[Diagnostic]]:
    """Body-only document plans of ``nodes``; a failing narrative or template is a diagnostic."""
    return document_plans(report, renderer, nodes)


_APPENDIX = re.compile(r"^#\s+appendix\s*$", re.IGNORECASE | re.MULTILINE)
BOUND_ROW_PT = 2 * TABLE_FONT_PT * LINE_HEIGHT + ROW_PAD  # a table row of two lines
BOUND_SECTION_PT = 30 + 4 * 12 * LINE_HEIGHT + 10  # heading and a 4-line paragraph


def quick_bounds(cycle: Cycle) -> dict[str, float]:
    """A generous upper bound of every body's pages, from the files alone (no roll-up).

    The narrative counts line by line at the estimate's characters per line,
    every block with heading-sized spacing; each generated section counts as a
    heading, four lines of prose and table rows of two lines each, with every
    dependency touching the subtree and every ask of the subtree (up to the
    body's stack rows) as a row. A body under its bound's limit needs no
    rendering: this keeps ``opplan check`` fast on a large org.
    """
    settings = cycle.settings
    assert settings is not None
    size = float(settings.document.font_size)
    width, height = (
        v / 12700 for v in PAGE_SIZES.get(settings.document.page_size, PAGE_SIZES["letter"])
    )
    usable_w, usable_h = width - 2 * MARGIN_PT, height - 2 * MARGIN_PT
    asks: dict[str, int] = {}
    deps: dict[str, int] = dict.fromkeys(cycle.nodes, 0)
    for nid in reversed(list(cycle.nodes)):
        node = cycle.nodes[nid]
        own = len(node.plan.incremental) if node.plan else 0
        asks[nid] = own + sum(asks[c] for c in node.children)
    for nid, node in cycle.nodes.items():
        for dep in node.plan.dependencies if node.plan else ():
            for end in (nid, dep.on):
                if end in cycle.nodes:
                    for up in (end, *cycle.ancestors(end)):
                        deps[up] += 1
    out: dict[str, float] = {}
    for nid, node in cycle.nodes.items():
        plan = node.plan
        text = node.narrative.text if node.narrative else ""
        cut = _APPENDIX.search(text)
        body = text[: cut.start()] if cut else text
        pt = 60.0 + 4 * BOUND_SECTION_PT
        for block in body.split("\n\n"):
            lines = sum(
                _lines(len(line), size, usable_w) for line in block.splitlines() if line.strip()
            )
            pt += lines * size * LINE_HEIGHT + 30
        rows = 4 + len(settings.mandates) + deps[nid] + min(asks[nid], BODY_MAX_ROWS + 2)
        if plan is not None:
            rows += len(plan.goals) + (
                len(plan.flat) if not node.children else len(node.children) + 2
            )
        out[nid] = (pt + rows * BOUND_ROW_PT) / usable_h
    return out


def page_limit_check(
    mode: str = "auto",
) -> Callable[[Cycle, Conf, Callable[[], Report]], list[Diagnostic]]:
    """The page-limit check for ``pipeline.check(extra=...)``, counting pages per ``mode``.

    In ``auto`` and ``estimate`` modes a body whose :func:`quick_bounds` bound
    is within the limit is not rendered. The rest need the roll-up, so they are
    checked only on a cycle without errors (the other checks report those).
    Whatever build would refuse in a narrative or template is reported here
    too (rule ``template``), in every mode, ``off`` included: narratives with
    jinja markup are always rendered, every document when the cycle overrides
    templates, and narratives without markup are held to the output limit
    (:mod:`opplan.templatecheck`).
    """

    def check(cycle: Cycle, conf: Conf, report_of: Callable[[], Report]) -> list[Diagnostic]:
        if (
            cycle.root is None
            or cycle.settings is None
            or any(n.plan is None for n in cycle.nodes.values())
        ):
            return []
        diags = plain_narratives(cycle)
        limits = {
            nid: limit
            for nid in cycle.nodes
            if mode != "off" and conf(nid).on and (limit := conf(nid).max) is not None
        }
        full = to_render(cycle)
        if mode == "exact":
            full = set(cycle.nodes)
        elif limits:
            bounds = quick_bounds(cycle)
            full |= {nid for nid in limits if bounds[nid] > limits[nid]}
        if not full:  # pipeline.check runs this only on a cycle that validates
            return diags
        report = report_of()  # the pipeline rolls up on first use
        renderer = Renderer(report, search_path(cycle.dir))
        nodes = [n for n in report.nodes if n in full]
        plans, failed = document_plans(report, renderer, nodes, appendix=needs_appendix(cycle))
        diags += failed
        wanted = {
            k: replace(plans[k], appendix=()) for k in report.nodes if k in limits and k in plans
        }
        if mode == "auto" and libreoffice.available():
            # exact counts only where the estimate comes near the limit (one soffice call)
            counts = count_pages(wanted, report.cycle, "estimate")
            near = {k: p for k, p in wanted.items() if counts[k].pages > limits[k] - AUTO_MARGIN}
            counts.update(count_pages(near, report.cycle, "exact"))
        else:
            counts = count_pages(wanted, report.cycle, mode)
        for nid, count in counts.items():
            eff = conf(nid)
            assert eff.max is not None
            if count.pages > eff.max:
                node = cycle.nodes[nid]
                where = node.narrative.path if node.narrative else node.source.path
                diags.append(
                    eff.diag(
                        Source(where, 1, 1),
                        f"body is {count.pages} pages, limit "
                        f"{number_text(eff.max)} ({count.method})",
                        RULE,
                    )
                )
        return diags

    return check
