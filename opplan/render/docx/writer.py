"""The Word document of one node: a :class:`~.docplan.DocPlan` laid out with python-docx.

Real Word styles throughout (Title, Subtitle, Heading 1-3, Normal, List Bullet
and List Number with their nested levels, one table style), fonts and page size
set explicitly from cycle.yaml's ``document:``, a "Page X of Y" footer, core
properties (title, author, dates from ``as_of``, never the clock), then its parts
zipped by :func:`~opplan.render.ooxml.zip_parts` (fixed entry times) so the same inputs
give the same bytes. Raw XML lives in :mod:`.oxml`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Emu, Inches, Pt, RGBColor
from docx.text.run import Run as DocxRun

from opplan.check.xmltext import xml_safe
from opplan.narrative.markdown import (
    Block,
    CodeBlock,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Span,
    Table,
    plain,
)
from opplan.render.docx.colwidths import column_widths, grid_texts
from opplan.render.docx.grids import LINE, MUTED, TOTAL, Grid
from opplan.render.docx.oxml import (
    CellSpec,
    Run,
    add_field,
    add_paragraph_style,
    add_text_run,
    append_table,
    explicit_fonts,
    fill_tables,
    package_parts,
    prune_package,
    restart_numbering,
    set_numbering,
    set_style,
)
from opplan.render.docx.page import PAGE_SIZES, TABLE_FONT_PT
from opplan.render.docx.plan import Chart, DocPlan, Element, Renderer, Title, plan_document
from opplan.render.ooxml import zip_parts
from opplan.report.records import CycleInfo, NodeReport, Report

CODE_FONT = "Courier New"  # metric-compatible free clone: Liberation Mono
TABLE_STYLE = "Table Grid"
HEADER_FILL = "D9E2F3"
TOTAL_FILL = "F2F2F2"
LINE_COLOR = "C00000"
MARGIN = Inches(1)
HEADINGS = ("title", "heading 1", "heading 2", "heading 3", "heading 4")
TABLE_TEXT_ID = "TableText"
STYLE_NAMES = (
    "Title",
    "Subtitle",
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "Heading 4",
    "List Bullet",
    "List Bullet 2",
    "List Bullet 3",
    "List Number",
    "List Number 2",
    "List Number 3",
    "List Continue",
    "No Spacing",
    "Quote",
    TABLE_STYLE,
)
KEEP_TOGETHER_ROWS = 16
"""Tables with at most this many rows are kept on one page."""
AFTER_TABLE = Pt(4)
"""Space between a table and the paragraph after it."""


def render_docx(node: NodeReport, report: Report, templates: Sequence[Path]) -> bytes:
    """The .docx bytes of ``node``'s document, templates looked up in ``templates``."""
    return layout(plan_document(node, Renderer(report, templates)), report.cycle)


def layout(plan: DocPlan, cycle: CycleInfo) -> bytes:
    """Lay a document plan out as .docx bytes (deterministic)."""
    base, ids = _base(cycle)
    document = docx.Document(io.BytesIO(base))
    writer = _Writer(document, ids, cycle.body_font)
    for part in (plan.body, plan.appendix):
        start = len(document.paragraphs)
        for element, following in zip(part, (*part[1:], None), strict=False):
            writer.element(element, keep_next=isinstance(following, (Grid, Table, Chart)))
        if part is plan.appendix and part:
            # the appendix opens a page: its first paragraph starts one (a paragraph holding
            # a page break would leave a blank page when the body fills its last page)
            document.paragraphs[start].paragraph_format.page_break_before = True
    _properties(document, plan, cycle)
    return zip_parts(package_parts(document, fill_tables(document, writer.tables)))


@lru_cache(maxsize=4)
def _base(cycle: CycleInfo) -> tuple[bytes, dict[str, str]]:
    """The empty document of a cycle (page, fonts, styles, footer) and its style ids.

    Built once per process and cycle: every document starts from these bytes.
    """
    document = docx.Document()
    _setup(document, cycle)
    prune_package(document, (*STYLE_NAMES, "Normal", "Header", "Footer", "Table Text"))
    ids = {name: document.styles[name].style_id for name in STYLE_NAMES}
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), ids


def _setup(document: Any, cycle: CycleInfo) -> None:
    """Page size, margins, fonts, styles and the footer."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    width, height = PAGE_SIZES.get(cycle.page_size, PAGE_SIZES["letter"])
    section.page_width, section.page_height = Emu(width), Emu(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    section.header_distance = section.footer_distance = Inches(0.5)
    explicit_fonts(document, cycle.body_font, cycle.heading_font, HEADINGS)
    styles = document.styles
    normal = styles["Normal"]
    normal.font.size = Pt(float(cycle.font_size))
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.0
    for name, size, before in (
        ("Heading 1", 15, 12),
        ("Heading 2", 12.5, 10),
        ("Heading 3", 11, 8),
    ):
        style = styles[name]
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0x1F, 0x38, 0x64)
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(3)
    title = styles["Title"]
    title.font.size = Pt(22)
    title.font.color.rgb = RGBColor(0x1F, 0x38, 0x64)
    title.paragraph_format.space_after = Pt(2)
    subtitle = styles["Subtitle"]
    subtitle.font.italic = False
    subtitle.font.size = Pt(10)
    subtitle.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    subtitle.paragraph_format.space_after = Pt(10)
    for name in ("List Bullet", "List Bullet 2", "List Number", "List Number 2"):
        styles[name].paragraph_format.space_after = Pt(2)
    add_paragraph_style(document, TABLE_TEXT_ID, "Table Text", TABLE_FONT_PT)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.style = styles["Footer"]
    footer.add_run("Page ")
    add_field(footer, "PAGE")
    footer.add_run(" of ")
    add_field(footer, "NUMPAGES")
    for run in footer.runs:
        run.font.size = Pt(8)


def _properties(document: Any, plan: DocPlan, cycle: CycleInfo) -> None:
    """Core properties; dates come from ``as_of`` (else 1 January of the plan year)."""
    day = cycle.as_of or dt.date(cycle.year, 1, 1)
    stamp = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    props = document.core_properties
    props.title = xml_safe(plan.title)
    props.author = xml_safe(plan.author)
    props.subject = xml_safe(plan.subject)
    props.last_modified_by = xml_safe(plan.author)
    props.comments = "Generated by opplan from the plan files; edit those, not this document."
    props.keywords = f"{cycle.kind} {cycle.year}"
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1


class _Writer:
    """Appends plan elements to a python-docx document (styles by id: lookups by name are slow)."""

    def __init__(self, document: Any, ids: dict[str, str], font: str) -> None:
        self.doc = document
        self.ids = ids
        self.font = font
        section = document.sections[0]
        self.usable = section.page_width - section.left_margin - section.right_margin
        self.after_table = False
        self.tables: list[str] = []  # XML of the tables to put in place (append_table)

    def para(self, style: str | None = None) -> Any:
        """A new paragraph of a style (None: Normal).

        The first paragraph after a table gets a little space before it (a heading has
        its own). No empty paragraph separates them: LibreOffice then fails to keep a
        heading after that paragraph with the text below it.
        """
        p = self.doc.add_paragraph()
        if style is not None:
            set_style(p, self.ids[style])
        if self.after_table and not (style or "").startswith("Heading"):
            p.paragraph_format.space_before = AFTER_TABLE
        self.after_table = False
        return p

    def element(self, element: Element, keep_next: bool = False) -> None:
        """Lay out one element; ``keep_next`` keeps a paragraph with the table after it."""
        if isinstance(element, Title):
            add_text_run(self.para("Title"), element.text)
            for i, line in enumerate(element.lines, start=1):
                p = self.spans(self.para("Subtitle"), line.spans)
                if i < len(element.lines):
                    p.paragraph_format.space_after = Pt(1)
        elif isinstance(element, Grid):
            self.grid(element)
        elif isinstance(element, Chart):
            run = self.para().add_run()
            run.add_picture(io.BytesIO(element.png), width=Inches(element.width_in))
        else:
            self.block(element, keep_next=keep_next)

    def block(self, block: Block, level: int = 1, keep_next: bool = False) -> None:
        """Lay out one narrative block (paragraph, heading, list, table, code, quote)."""
        if isinstance(block, Paragraph):
            p = self.spans(self.para(), block.spans)
            if keep_next:
                p.paragraph_format.keep_with_next = True
        elif isinstance(block, Heading):
            self.spans(self.para(f"Heading {min(max(block.level, 1), 4)}"), block.spans)
        elif isinstance(block, ListBlock):
            self.list_block(block, level)
        elif isinstance(block, Table):
            self.markdown_table(block)
        elif isinstance(block, CodeBlock):
            for line in block.text.split("\n"):
                run = self.para("No Spacing").add_run(xml_safe(line))
                run.font.name = CODE_FONT
                run.font.size = Pt(9)
            self.para("No Spacing")
        elif isinstance(block, Quote):
            for inner in block.blocks:
                if isinstance(inner, Paragraph):
                    self.spans(self.para("Quote"), inner.spans)
                else:
                    self.block(inner, level)

    def list_block(self, block: ListBlock, level: int) -> None:
        """A bullet or numbered list; nested lists use the level-2/3 list styles."""
        kind = "List Number" if block.ordered else "List Bullet"
        style = kind if level == 1 else f"{kind} {min(level, 3)}"
        num_id = restart_numbering(self.doc, style, block.start) if block.ordered else None
        for item in block.items:
            first = True
            for inner in item.blocks:
                if isinstance(inner, Paragraph) and first:
                    p = self.spans(self.para(style), inner.spans)
                    if num_id is not None:
                        set_numbering(p, num_id)
                    first = False
                elif isinstance(inner, Paragraph):
                    self.spans(self.para("List Continue"), inner.spans)
                else:
                    self.block(inner, level + 1)

    def spans(self, paragraph: Any, spans: Sequence[Span]) -> Any:
        """Add styled runs to a paragraph; return it."""
        for s in spans:
            if s.text == "\n":
                (paragraph.runs[-1] if paragraph.runs else paragraph.add_run()).add_break()
                continue
            run = DocxRun(add_text_run(paragraph, s.text), paragraph)
            if s.bold:
                run.bold = True
            if s.italic:
                run.italic = True
            if s.code:
                run.font.name = CODE_FONT
        return paragraph

    def _widths(self, weights: Sequence[float], texts: Sequence[Sequence[str]]) -> list[int]:
        """Column widths in twips: the weights, widened so that no word breaks."""
        twips = self.usable // 635  # EMU to twentieths of a point
        points = column_widths(weights, texts, twips / 20, TABLE_FONT_PT, self.font)
        widths = [int(w * 20) for w in points]
        widths[widths.index(max(widths))] += twips - sum(widths)  # rounding
        return widths

    def _append(self, widths: Sequence[int], rows: list[list[CellSpec]]) -> None:
        if self.after_table:  # two tables that touch would merge into one
            self.para("No Spacing")
        append_table(
            self.doc,
            widths,
            rows,
            table_style=self.ids[TABLE_STYLE],
            para_style=TABLE_TEXT_ID,
            mono_font=CODE_FONT,
            keep_together=len(rows) <= KEEP_TOGETHER_ROWS,
            pending=self.tables,
        )
        self.after_table = True

    def markdown_table(self, table: Table) -> None:
        """A pipe table from the narrative, in the document's table style."""
        aligns = [a or "left" for a in table.align]
        rows = [
            [
                CellSpec(_runs(c, bold=True), a, HEADER_FILL)
                for c, a in zip(table.header, aligns, strict=False)
            ]
        ]
        rows += [
            [CellSpec(_runs(c), a) for c, a in zip(row, aligns, strict=False)] for row in table.rows
        ]
        texts = [[plain(c) for c in table.header], *([plain(c) for c in r] for r in table.rows)]
        self._append(self._widths([1.0] * len(aligns), texts), rows)

    def grid(self, grid: Grid) -> None:
        """A generated table: header row, rows by kind, the line drawn across."""
        n = len(grid.columns)
        made: dict[tuple[int, str, bool], CellSpec] = {}  # by column, text and total
        rows = [
            [CellSpec(((c.title, True, False, False),), c.align, HEADER_FILL) for c in grid.columns]
        ]
        for cells, kind in zip(grid.rows, grid.kinds, strict=False):
            if kind == LINE:
                rows.append(
                    [
                        CellSpec(
                            ((cells[0], True, False, False),),
                            "center",
                            span=n,
                            line_color=LINE_COLOR,
                            color=LINE_COLOR,
                        )
                    ]
                )
            elif kind == MUTED:
                rows.append([CellSpec(((cells[0], False, True, False),), span=n)])
            else:
                total = kind == TOTAL
                row = []
                for i, (text, col) in enumerate(zip(cells, grid.columns, strict=False)):
                    cell = made.get((i, text, total))
                    if cell is None:  # one cell for a text repeated down its column
                        fill = TOTAL_FILL if total else None
                        cell = made[i, text, total] = CellSpec(
                            ((text, total, False, False),), col.align, fill
                        )
                    row.append(cell)
                rows.append(row)
        self._append(self._widths([c.width for c in grid.columns], grid_texts(grid)), rows)


def _runs(spans: Sequence[Span], bold: bool = False) -> tuple[Run, ...]:
    return tuple((s.text, bold or s.bold, s.italic, s.code) for s in spans if s.text != "\n")
