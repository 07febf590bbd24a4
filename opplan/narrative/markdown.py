"""narrative.md parsed into sections and blocks, each with its source line (docs/documents.md).

markdown-it-py does the parsing (CommonMark plus its pipe-table rule); this
module only turns its syntax tree into small frozen records that the Word
renderer and the narrative-style policy read: sections split at ``## ``
headings, the body ended by a ``# Appendix`` heading, paragraphs of styled
spans (bold, italic, code), bullet and numbered lists, tables, code blocks.

Lines are 1-based lines of the parsed text. Narratives are jinja templates:
the renderer parses the *rendered* text; the style policy parses the source
(with jinja expressions blanked), so its lines are lines of narrative.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text with one style; ``text == "\\n"`` is a hard line break."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False


Inline = tuple[Span, ...]


def plain(spans: Inline) -> str:
    """The text of some spans without their styles."""
    return "".join(s.text for s in spans)


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph (or the text of a list item or table cell); lines [line, end)."""

    spans: Inline
    line: int
    end: int


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading of level 1-6 other than the section (``##``) and Appendix headings."""

    level: int
    spans: Inline
    line: int

    @property
    def text(self) -> str:
        """The heading's plain text."""
        return plain(self.spans)


@dataclass(frozen=True, slots=True)
class ListItem:
    """One item of a list: its paragraphs and nested lists."""

    blocks: tuple[Block, ...]
    line: int


@dataclass(frozen=True, slots=True)
class ListBlock:
    """A bullet list, or a numbered list starting at ``start``."""

    ordered: bool
    start: int
    items: tuple[ListItem, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Table:
    """A pipe table: header cells, body rows, and each column's alignment."""

    header: tuple[Inline, ...]
    rows: tuple[tuple[Inline, ...], ...]
    align: tuple[str | None, ...]  # "left", "center", "right" or None per column
    line: int


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A fenced or indented code block."""

    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Quote:
    """A block quote."""

    blocks: tuple[Block, ...]
    line: int


Block = Paragraph | Heading | ListBlock | Table | CodeBlock | Quote


@dataclass(frozen=True, slots=True)
class Section:
    """A ``## `` section: its title (None for text before the first one) and blocks."""

    title: Inline | None
    blocks: tuple[Block, ...]
    line: int

    @property
    def name(self) -> str:
        """The section title as plain text ('' before the first heading)."""
        return plain(self.title) if self.title else ""


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed narrative: body sections, then appendix sections after ``# Appendix``."""

    body: tuple[Section, ...]
    appendix: tuple[Section, ...]
    appendix_line: int | None


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """One CommonMark parser with pipe tables (building one costs more than a parse)."""
    return MarkdownIt("commonmark").enable("table")


def parse(text: str) -> Document:
    """Parse Markdown text into sections; ``# Appendix`` (any case) ends the body."""
    tree = SyntaxTreeNode(_parser().parse(text))
    body: list[Section] = []
    appendix: list[Section] = []
    target = body
    appendix_line: int | None = None
    title: Inline | None = None
    line = 1
    blocks: list[Block] = []

    def close() -> None:
        if title is not None or blocks:
            target.append(Section(title, tuple(blocks), line))

    for node in tree.children:
        if node.type == "heading" and node.tag in ("h1", "h2"):
            spans = _inline(node.children[0]) if node.children else ()
            if (
                node.tag == "h1"
                and plain(spans).strip().lower() == "appendix"
                and appendix_line is None
            ):
                close()
                target, appendix_line = appendix, _line(node)
                title, blocks, line = None, [], _line(node)
                continue
            if node.tag == "h2":
                close()
                title, blocks, line = spans, [], _line(node)
                continue
        block = _block(node)
        if block is not None:
            blocks.append(block)
    close()
    return Document(tuple(body), tuple(appendix), appendix_line)


def _line(node: SyntaxTreeNode) -> int:
    return node.map[0] + 1 if node.map else 1


def _block(node: SyntaxTreeNode) -> Block | None:
    kind = node.type
    if kind == "paragraph":
        end = node.map[1] + 1 if node.map else _line(node) + 1
        return Paragraph(_inline(node.children[0]), _line(node), end)
    if kind == "heading":
        return Heading(int(node.tag[1]), _inline(node.children[0]), _line(node))
    if kind in ("bullet_list", "ordered_list"):
        items = tuple(
            ListItem(tuple(b for b in map(_block, item.children) if b is not None), _line(item))
            for item in node.children
        )
        start = int(node.attrs.get("start", 1)) if kind == "ordered_list" else 1
        return ListBlock(kind == "ordered_list", start, items, _line(node))
    if kind == "table":
        return _table(node)
    if kind in ("fence", "code_block"):
        return CodeBlock(node.content.rstrip("\n"), _line(node))
    if kind == "blockquote":
        return Quote(tuple(b for b in map(_block, node.children) if b is not None), _line(node))
    if kind == "html_block":
        return Paragraph((Span(node.content.strip()),), _line(node), _line(node) + 1)
    return None  # hr: nothing to print


def _table(node: SyntaxTreeNode) -> Table:
    header: tuple[Inline, ...] = ()
    align: tuple[str | None, ...] = ()
    rows: list[tuple[Inline, ...]] = []
    for part in node.children:
        for tr in part.children:
            cells = tuple(_inline(c.children[0]) if c.children else () for c in tr.children)
            if part.type == "thead":
                header = cells
                align = tuple(_align(str(c.attrs.get("style", ""))) for c in tr.children)
            else:
                rows.append(cells)
    return Table(header, tuple(rows), align, _line(node))


def _align(style: str) -> str | None:
    return style.split(":", 1)[1] if style.startswith("text-align:") else None


def _inline(node: SyntaxTreeNode, bold: bool = False, italic: bool = False) -> Inline:
    """Flatten an inline tree into styled spans."""
    out: list[Span] = []
    for child in node.children:
        kind = child.type
        if kind == "text":
            out.append(Span(child.content, bold, italic))
        elif kind == "strong":
            out.extend(_inline(child, True, italic))
        elif kind == "em":
            out.extend(_inline(child, bold, True))
        elif kind == "code_inline":
            out.append(Span(child.content, bold, italic, code=True))
        elif kind == "softbreak":
            out.append(Span(" ", bold, italic))
        elif kind == "hardbreak":
            out.append(Span("\n", bold, italic))
        elif kind == "image":
            out.append(Span(child.content or str(child.attrs.get("alt", "")), bold, italic))
        elif kind == "html_inline":
            out.append(Span(child.content, bold, italic))
        else:  # link and anything else: keep the text (documents are read on paper)
            out.extend(_inline(child, bold, italic))
    return _merge(out)


def _merge(spans: list[Span]) -> Inline:
    """Join neighbouring spans of the same style (markdown-it splits text at markup)."""
    merged: list[Span] = []
    for s in spans:
        if not s.text:
            continue
        last = merged[-1] if merged else None
        if (
            last
            and s.text != "\n"
            and last.text != "\n"
            and (last.bold, last.italic, last.code) == (s.bold, s.italic, s.code)
        ):
            merged[-1] = Span(last.text + s.text, s.bold, s.italic, s.code)
        else:
            merged.append(s)
    return tuple(merged)
