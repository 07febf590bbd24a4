"""Read a .docx back as text: one line per paragraph with its style, tables as rows.

Runs show their formatting as Markdown does: **bold**, *italic*, `code` (a run
in the monospace font). A page break is ``[page break]``, a picture ``[picture]``.
"""

from __future__ import annotations

import io

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

MONO = "Courier New"


def _run_text(run) -> str:
    text = run.text
    if not text.strip():
        return text
    if run.font.name == MONO:
        text = f"`{text}`"
    if run.italic:
        text = f"*{text}*"
    if run.bold:
        text = f"**{text}**"
    return text


def paragraph_line(p: Paragraph) -> str:
    """``[Style] text`` with run markers."""
    el = p._p
    extras = []
    if el.xpath(".//w:br[@w:type='page']"):
        extras.append("[page break]")
    if el.xpath(".//w:drawing"):
        extras.append("[picture]")
    text = "".join(_run_text(r) for r in p.runs)
    num = el.xpath("./w:pPr/w:numPr/w:numId/@w:val")
    style = p.style.name + (f" #{num[0]}" if num else "")
    return " ".join([f"[{style}]", text, *extras]).rstrip()


def table_lines(t: Table) -> list[str]:
    """``[table Style]`` then one ``| a | b |`` line per row (merged cells once)."""
    out = [f"[table {t.style.name}]"]
    for tr in t._tbl.tr_lst:
        cells = []
        for tc in tr.tc_lst:
            text = "".join(_run_text(r) for p in tc.p_lst for r in Paragraph(p, t).runs)
            cells.append(text)
        out.append("| " + " | ".join(cells) + " |")
    return out


def read_back(data: bytes) -> list[str]:
    """Every paragraph and table of the document body, in order."""
    document = docx.Document(io.BytesIO(data))
    out: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            out.append(paragraph_line(item))
        else:
            out.extend(table_lines(item))
    return out
