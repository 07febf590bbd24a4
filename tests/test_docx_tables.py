"""Tables are spliced into the document's XML as text, never parsed back (oxml.fill_tables).

The bytes must be those python-docx writes when the same XML is parsed into the
document and saved: the package every build wrote before, and what Word reads.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.oxml import parse_xml

from opplan.render.docx.oxml import CellSpec, append_table, fill_tables, package_parts
from opplan.render.ooxml import normalize_zip, zip_parts

HOSTILE = [
    "",
    " ",
    "  two leading, two trailing  ",
    "a & b < c > d ]]> e",
    "quote \" and apostrophe '",
    "line\nbreak\ttab",
    "carriage\rreturn and\r\nwindows line end\r",
    "\r\n",
    "\x0b vertical tab and \ud800 a lone surrogate",
    "non-BMP \U0001f600 and accents é ü — ≥",
    '<w:tbl opplan-pending-table="0"/>',
    "&amp; already escaped",
]


def _document() -> tuple[docx.document.Document, list[str]]:
    document = docx.Document()
    document.add_paragraph("Before the tables")
    pending: list[str] = []
    first = [((text, k % 2 == 0, k % 3 == 0, k % 5 == 0),) for k, text in enumerate(HOSTILE)]
    rows = [
        [
            CellSpec(runs, align=align, color="C00000"),
            CellSpec(
                ((runs[0][0], False, False, False), ("second run", True, False, False)), span=2
            ),
        ]
        for runs in first
        for align in ("left", "right")
    ]
    rows.append([CellSpec((), fill="D9D9D9", line_color="000000"), CellSpec((), span=2)])
    for keep in (False, True):
        append_table(
            document,
            [1000, 2000, 3000],
            rows,
            table_style="TableGrid",
            para_style="Normal",
            mono_font="Consolas",
            keep_together=keep,
            pending=pending,
        )
        document.add_paragraph("Between & after")
    return document, pending


def test_spliced_tables_give_the_bytes_of_parsed_and_saved_tables() -> None:
    document, pending = _document()
    spliced = zip_parts(package_parts(document, fill_tables(document, pending)))

    document, pending = _document()
    document.part._element = parse_xml(fill_tables(document, pending))
    out = io.BytesIO()
    document.save(out)
    parsed = normalize_zip(out.getvalue())

    assert spliced == parsed
    body = zipfile.ZipFile(io.BytesIO(spliced)).read("word/document.xml").decode()
    assert "\r" not in body and '<w:t xml:space="preserve"/>' in body
    assert "opplan-pending-table" not in body.replace("&lt;w:tbl opplan-pending-table", "")


def test_a_document_without_tables_is_saved_as_python_docx_saves_it() -> None:
    document = docx.Document()
    document.add_paragraph("Only text")
    out = io.BytesIO()
    document.save(out)
    assert zip_parts(package_parts(document, fill_tables(document, []))) == normalize_zip(
        out.getvalue()
    )


def test_a_repeated_cell_keeps_its_own_width_and_its_rows_keep_with_next() -> None:
    """The same cell in every row and column (made once per width and place): each copy has
    its column's width, and keeps with the next row in all rows but the last."""
    cell = CellSpec((("same", True, False, False),), align="right", fill="D9D9D9")
    other = CellSpec((("same", True, False, False),), align="left", fill="D9D9D9")
    pending: list[str] = []
    append_table(
        docx.Document(),
        [1000, 2000, 3000],
        [[cell, cell, other]] * 3,
        table_style="TableGrid",
        para_style="Normal",
        mono_font="Consolas",
        keep_together=True,
        pending=pending,
    )
    rows = pending[0].split("<w:tr>")[1:]
    assert len(rows) == 3
    for r, row in enumerate(rows):
        cells = row.split("<w:tc>")[1:]
        widths = [c.split('w:w="')[1].split('"')[0] for c in cells]
        assert widths == ["1000", "2000", "3000"]
        assert [c.count("<w:keepNext/>") for c in cells] == [int(r < 2)] * 3
        assert ['<w:jc w:val="right"/>' in c for c in cells] == [True, True, False]


def test_a_grid_shares_a_cell_only_down_its_column_and_within_its_kind() -> None:
    """A grid makes one cell for a text repeated down a column: the same text in another
    column keeps that column's alignment, and in a total row its bold and fill."""
    from conftest import REPO

    from opplan import pipeline
    from opplan.render.docx import writer
    from opplan.render.docx.grids import TOTAL, Builder, Column

    report = pipeline.rollup(REPO / "samples" / "northwind-op1-2027").report
    assert report is not None
    base, ids = writer._base(report.cycle)
    out = writer._Writer(docx.Document(io.BytesIO(base)), ids, report.cycle.body_font)
    rows = Builder([Column("Name"), Column("Amount", align="right")])
    for _ in range(3):
        rows.add(["5", "5"])
    rows.add(["5", "5"], TOTAL)
    out.grid(rows.grid())
    table = out.tables[0].split("<w:tr>")[2:]  # the rows below the header
    cells = [row.split("<w:tc>")[1:] for row in table]
    assert [['<w:jc w:val="right"/>' in c for c in row] for row in cells] == [[False, True]] * 4
    assert [["<w:b/>" in c for c in row] for row in cells] == [[False, False]] * 3 + [[True, True]]
    assert [len({c.split("</w:tcPr>")[1] for c in row}) for row in cells] == [2, 2, 2, 2]
