"""Raw WordprocessingML the python-docx API does not reach, kept in this one module.

Each function takes a python-docx object and edits its XML: explicit fonts
instead of theme fonts, "Page X of Y" fields, cell shading and borders (the
drawn line of a stack table), repeated header rows, numbered lists that
restart, keep-with-next. Nothing else in opplan writes OOXML by hand.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from docx.opc.oxml import serialize_part_xml
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn

from opplan.check.xmltext import xml_safe

_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _set_fonts(rpr: Any, font: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in _THEME_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), font)


def explicit_fonts(
    document: Any, body_font: str, heading_font: str, heading_styles: tuple[str, ...]
) -> None:
    """Replace theme fonts everywhere: ``body_font`` by default, ``heading_font`` for headings.

    Word gives a theme font attribute precedence over an explicit font name,
    so python-docx's ``style.font.name`` alone would not change the headings.
    """
    styles = document.styles.element
    for fonts in list(styles.iter(qn("w:rFonts"))):
        _set_fonts(fonts.getparent(), body_font)
    for style in styles.findall(qn("w:style")):
        name = style.find(qn("w:name"))
        style_name = name.get(qn("w:val")).lower() if name is not None else ""
        if style_name in heading_styles or style_name == "normal":
            style_rpr = style.find(qn("w:rPr"))
            if style_rpr is None:
                style_rpr = OxmlElement("w:rPr")
                style.append(style_rpr)
            _set_fonts(style_rpr, heading_font if style_name != "normal" else body_font)


def add_field(paragraph: Any, instruction: str, placeholder: str = "1") -> None:
    """Append a complex field (e.g. ``PAGE``, ``NUMPAGES``) to a paragraph."""
    for kind, text in (
        ("begin", None),
        ("instr", instruction),
        ("separate", None),
        ("text", placeholder),
        ("end", None),
    ):
        run = paragraph.add_run()._r
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run.append(el)


def restart_numbering(document: Any, style_name: str, start: int) -> int:
    """A new list instance of a numbered style starting at ``start``; returns its numId."""
    numbering = document.part.numbering_part.element
    style = document.styles[style_name].element
    style_num = style.pPr.numPr.numId.val
    abstract = None
    for num in numbering.findall(qn("w:num")):
        if num.get(qn("w:numId")) == str(style_num):
            abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    num_id = max(int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))) + 1
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(num_id))
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), str(abstract))
    num.append(ref)
    override = OxmlElement("w:lvlOverride")
    override.set(qn("w:ilvl"), "0")
    start_el = OxmlElement("w:startOverride")
    start_el.set(qn("w:val"), str(start))
    override.append(start_el)
    num.append(override)
    numbering.append(num)
    return num_id


def set_numbering(paragraph: Any, num_id: int) -> None:
    """Attach a paragraph to list instance ``num_id`` at level 0."""
    ppr = paragraph._p.get_or_add_pPr()
    numpr = ppr.get_or_add_numPr()
    numpr.get_or_add_ilvl().val = 0
    numpr.get_or_add_numId().val = num_id


_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
Run = tuple[str, bool, bool, bool]
"""A run of cell text: (text, bold, italic, monospace)."""


@dataclass(frozen=True, slots=True)
class CellSpec:
    """One table cell: its runs, alignment, fill, and the borders drawn on it."""

    runs: tuple[Run, ...]
    align: str = "left"
    fill: str | None = None
    span: int = 1
    line_color: str | None = None  # thick top and bottom border (the drawn line)
    color: str | None = None  # text colour


def _run_xml(run: Run, mono_font: str, color: str | None) -> str:
    text, bold, italic, mono = run
    props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    if mono:
        props = (
            f'<w:rFonts w:ascii="{mono_font}" w:hAnsi="{mono_font}" w:cs="{mono_font}"/>' + props
        )
    if color:
        props += f'<w:color w:val="{color}"/>'
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    if "\r" in text:  # as an XML parser reads it (the table is never parsed: fill_tables)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text:
        return f'<w:r>{rpr}<w:t xml:space="preserve"/></w:r>'
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(xml_safe(text))}</w:t></w:r>'


def _cell_xml(cell: CellSpec, width: int, para_style: str, mono_font: str) -> str:
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if cell.span > 1:
        props += f'<w:gridSpan w:val="{cell.span}"/>'
    if cell.line_color:
        edge = f'w:val="single" w:sz="18" w:space="0" w:color="{cell.line_color}"'
        props += f"<w:tcBorders><w:top {edge}/><w:bottom {edge}/></w:tcBorders>"
    if cell.fill:
        props += f'<w:shd w:val="clear" w:color="auto" w:fill="{cell.fill}"/>'
    jc = {"right": "right", "center": "center"}.get(cell.align)
    ppr = f'<w:pStyle w:val="{para_style}"/>' + (f'<w:jc w:val="{jc}"/>' if jc else "")
    runs = "".join(_run_xml(r, mono_font, cell.color) for r in cell.runs)
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p></w:tc>"


def append_table(
    document: Any,
    widths: Sequence[int],
    rows: Sequence[Sequence[CellSpec]],
    *,
    table_style: str,
    para_style: str,
    mono_font: str,
    keep_together: bool,
    pending: list[str],
) -> Any:
    """Append a table built as XML in one go (python-docx's cell API is slow for big tables).

    ``widths`` are column widths in twentieths of a point; the first row is
    the header, repeated on every page; no row splits across pages; with
    ``keep_together`` the whole table stays on one page.

    The body gets an empty placeholder and ``pending`` the table's XML:
    :func:`fill_tables` puts every table in its place in the body's XML text
    (moving a parsed table into the document cost lxml as much again as parsing
    it three times over, 2.6 s for the root's stack table of a 2,000-team org).
    """
    total = sum(widths)
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    out = [
        f'<w:tbl {_NS}><w:tblPr><w:tblStyle w:val="{table_style}"/>'
        f'<w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>'
        '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:top w:w="20" w:type="dxa"/>'
        '<w:left w:w="70" w:type="dxa"/><w:bottom w:w="20" w:type="dxa"/>'
        '<w:right w:w="70" w:type="dxa"/></w:tblCellMar>'
        f'<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
        f'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
    ]
    keep = f'<w:pStyle w:val="{para_style}"/><w:keepNext/>'
    # the same cell at the same width is the same XML: a big table repeats most of its
    # cells (names, statuses, amounts; 166,000 distinct of the root's 900,000 at 10,000 teams)
    made: dict[tuple[object, ...], str] = {}  # by the cell's fields (tuples compare in C)
    # and by the cell object itself (a grid shares one for a text repeated down a column;
    # ``rows`` keeps every cell alive meanwhile, so an ``id`` names one cell)
    seen: dict[tuple[int, int, bool], str] = {}
    ncols = len(widths)
    for r, row in enumerate(rows):
        trpr = "<w:cantSplit/>" + ("<w:tblHeader/>" if r == 0 else "")
        kept = keep_together and r < len(rows) - 1
        cells, col = [], 0
        for cell in row:
            span = cell.span
            width = widths[col] if span == 1 and col < ncols else sum(widths[col : col + span])
            xml = seen.get((id(cell), width, kept))
            if xml is None:
                key = (cell.runs, cell.align, cell.fill, span, cell.line_color, cell.color)
                xml = made.get((key, width, kept))
                if xml is None:
                    xml = _cell_xml(cell, width, para_style, mono_font)
                    if kept:
                        xml = xml.replace(f'<w:pStyle w:val="{para_style}"/>', keep, 1)
                    made[key, width, kept] = xml
                seen[id(cell), width, kept] = xml
            cells.append(xml)
            col += span
        out.append(f"<w:tr><w:trPr>{trpr}</w:trPr>{''.join(cells)}</w:tr>")
    out.append("</w:tbl>")
    placeholder = OxmlElement("w:tbl")
    placeholder.set(_PENDING, str(len(pending)))
    pending.append("".join(out)[len(f"<w:tbl {_NS}>") :])
    document.element.body._insert_tbl(placeholder)
    return placeholder


_PENDING = "opplan-pending-table"
_PLACEHOLDER = re.compile(f'<w:tbl {_PENDING}="([0-9]+)"/>'.encode())


def fill_tables(document: Any, pending: Sequence[str]) -> bytes:
    """The document part's XML with the tables :func:`append_table` left pending in their
    places, for :func:`package_parts`.

    The document's XML is serialized with its placeholders and each is replaced by its
    table's XML (whose ``w`` prefix the document declares). The result is not parsed back:
    a table's XML is written as lxml writes the tree it parses to (no empty ``w:t`` element
    has an end tag, line ends are ``\\n``), so the bytes are those of a parsed and
    reserialized document. Parsing the root's tables of a 10,000-team org (900,000 cells)
    and writing them again took 4 of its document's 12 s.
    """
    xml = serialize_part_xml(document.part.element)
    if not pending:
        return xml
    tables = [table.encode("utf-8") for table in pending]
    xml, count = _PLACEHOLDER.subn(lambda m: b"<w:tbl>" + tables[int(m[1])], xml)
    assert count == len(pending), "a placeholder of a pending table went missing"
    return xml


class _Parts:
    """Stands in for python-docx's zip writer: keeps each part's name and bytes, in order."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, bytes]] = []

    def write(self, uri: Any, blob: bytes) -> None:
        self.parts.append((uri.membername, blob))


def package_parts(document: Any, main: bytes) -> list[tuple[str, bytes]]:
    """What ``document.save`` writes, part by part in its order, with ``main`` as the main
    document part (:func:`fill_tables`); the package is zipped once, by
    :func:`opplan.render.ooxml.zip_parts`, instead of saved, read and zipped again."""
    package = document.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    sink = _Parts()
    writer: Any = PackageWriter  # its steps, without the zip file it would write them to
    writer._write_content_types_stream(sink, parts)
    writer._write_pkg_rels(sink, package.rels)
    for part in parts:
        sink.write(part.partname, main if part is document.part else part.blob)
        if len(part.rels):
            sink.write(part.partname.rels_uri, part.rels.xml)
    return sink.parts


def add_paragraph_style(document: Any, style_id: str, name: str, size_pt: float) -> None:
    """A paragraph style for table text: based on Normal, no spacing, ``size_pt``."""
    half_points = round(size_pt * 2)
    document.styles.element.append(
        parse_xml(
            f'<w:style {_NS} w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
            f'<w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:qFormat/>'
            '<w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
            f'<w:rPr><w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>'
            "</w:style>"
        )
    )


_DROP_RELS = ("/stylesWithEffects", "/customXml", "/metadata/thumbnail")


def prune_package(document: Any, keep_styles: Sequence[str]) -> None:
    """Drop what the default template carries and opplan never uses.

    The Word 2010 ``stylesWithEffects`` copy, the custom XML item and the
    template's thumbnail picture go; styles.xml keeps only ``keep_styles``
    (names), the defaults, and the styles they are based on or linked to. The
    package shrinks from about 880 KB to 30 KB of XML, which is most of the
    time spent compressing it.
    """
    for rels in (document.part.rels, document.part.package.rels):
        for rid, rel in list(rels.items()):
            if rel.reltype.endswith(_DROP_RELS):
                rels.pop(rid)
    styles = document.styles.element
    by_id = {el.get(qn("w:styleId")): el for el in styles.findall(qn("w:style"))}
    names = {el.find(qn("w:name")).get(qn("w:val")).lower(): sid for sid, el in by_id.items()}
    todo = [names[n.lower()] for n in keep_styles if n.lower() in names]
    todo += [sid for sid, el in by_id.items() if el.get(qn("w:default")) == "1"]
    keep: set[str] = set()
    while todo:
        sid = todo.pop()
        if sid in keep or sid not in by_id:
            continue
        keep.add(sid)
        for tag in ("w:basedOn", "w:link", "w:next"):
            ref = by_id[sid].find(qn(tag))
            if ref is not None:
                todo.append(ref.get(qn("w:val")))
    for sid, el in by_id.items():
        if sid not in keep:
            styles.remove(el)
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)


def add_text_run(paragraph: Any, text: str) -> Any:
    """Append a run holding ``text``; returns the ``w:r`` element.

    python-docx's ``add_run(text)`` inspects the text one character at a time;
    a span never holds a tab or line break, so one ``w:t`` does. Characters
    XML cannot hold become U+FFFD (:func:`~opplan.xmltext.xml_safe`).
    """
    r = paragraph._p.add_r()
    r.add_t(xml_safe(text))
    return r


def set_style(paragraph: Any, style_id: str) -> None:
    """Give a paragraph a style by id (python-docx's lookup by name is slow)."""
    paragraph._p.get_or_add_pPr().style = style_id
