"""narrative.md parsing: sections, body/appendix split, every Markdown construct, source lines."""

from __future__ import annotations

from opplan.narrative.markdown import (
    CodeBlock,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Span,
    Table,
    parse,
    plain,
)

TEXT = """\
Opening paragraph with **bold**, *italic* and `code`
on two lines.

## Goals

- First goal
  - nested detail
- Second goal

## Tenets

3. Start at three.
4. Then four.

### A subheading

| Team | HC |
|:-----|---:|
| Cart | 4 |

```
raw text
```

> quoted

# Appendix

## Details

Appendix text.
"""


def test_sections_and_appendix_split() -> None:
    doc = parse(TEXT)
    assert [s.name for s in doc.body] == ["", "Goals", "Tenets"]
    assert [s.line for s in doc.body] == [1, 4, 10]
    assert doc.appendix_line == 27
    assert [s.name for s in doc.appendix] == ["Details"]
    assert doc.appendix[0].blocks == (Paragraph((Span("Appendix text."),), 31, 32),)


def test_inline_styles_and_soft_break() -> None:
    par = parse(TEXT).body[0].blocks[0]
    assert par == Paragraph(
        (
            Span("Opening paragraph with "),
            Span("bold", bold=True),
            Span(", "),
            Span("italic", italic=True),
            Span(" and "),
            Span("code", code=True),
            Span(" on two lines."),
        ),
        1,
        3,
    )


def test_lists_nest_and_keep_their_start() -> None:
    goals, tenets = parse(TEXT).body[1], parse(TEXT).body[2]
    bullets = goals.blocks[0]
    assert isinstance(bullets, ListBlock) and not bullets.ordered and bullets.line == 6
    assert [plain(i.blocks[0].spans) for i in bullets.items] == ["First goal", "Second goal"]
    nested = bullets.items[0].blocks[1]
    assert (
        isinstance(nested, ListBlock) and plain(nested.items[0].blocks[0].spans) == "nested detail"
    )
    numbered = tenets.blocks[0]
    assert isinstance(numbered, ListBlock) and numbered.ordered and numbered.start == 3


def test_table_code_quote_and_subheading() -> None:
    blocks = parse(TEXT).body[2].blocks
    kinds = [type(b) for b in blocks]
    assert kinds == [ListBlock, Heading, Table, CodeBlock, Quote]
    heading, table, code, quote = blocks[1:]
    assert heading.level == 3 and heading.text == "A subheading" and heading.line == 15
    assert [plain(c) for c in table.header] == ["Team", "HC"]
    assert [[plain(c) for c in r] for r in table.rows] == [["Cart", "4"]]
    assert table.align == ("left", "right") and table.line == 17
    assert code.text == "raw text"
    assert plain(quote.blocks[0].spans) == "quoted"


def test_no_appendix() -> None:
    doc = parse("Just text.\n")
    assert doc.appendix == () and doc.appendix_line is None
    assert len(doc.body) == 1


def test_links_keep_their_text_and_hard_breaks_are_spans() -> None:
    par = parse("See [the plan](http://x) now  \nnext\n").body[0].blocks[0]
    assert par.spans == (Span("See the plan now"), Span("\n"), Span("next"))
