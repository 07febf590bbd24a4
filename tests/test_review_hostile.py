"""Hostile workbooks: each is a clear error, never a hang, a traceback or a write."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from test_xlsx_render import report

from opplan.cli import cli
from opplan.render.xlsx.workbook import render_xlsx
from opplan.review import sheet as reviewsheet
from opplan.review.importer import ReviewError, import_review
from opplan.util import xlsxsafe

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""
STACK_PART = "xl/worksheets/sheet2.xml"


@pytest.fixture
def good() -> bytes:
    """A real workbook built by opplan (from a hand-built report)."""
    return render_xlsx(report(), "team")


def replace_part(data: bytes, name: str, content: bytes) -> bytes:
    """The package ``data`` with one part's bytes replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, content if info.filename == name else src.read(info))
    return out.getvalue()


def refused(tmp_path: Path, name: str, data: bytes) -> str:
    """The refusal message of importing ``data`` saved as ``name`` (via the CLI too)."""
    path = tmp_path / name
    path.write_bytes(data)
    start = time.monotonic()
    with pytest.raises(ReviewError) as info:
        import_review(path, tmp_path)
    out = CliRunner().invoke(cli, ["review", "import", str(path), str(tmp_path)])
    assert out.exit_code == 1 and "Traceback" not in out.output
    assert out.output.rstrip().endswith("Nothing was written.")
    assert time.monotonic() - start < 20
    return str(info.value)


def test_a_renamed_csv(tmp_path):
    assert (
        "not an .xlsx workbook (it is not a zip package; a renamed CSV or text file?)"
        in refused(tmp_path, "plan.xlsx", b"Ask,Decision\nalpha/a1,fund\n")
    )


def test_an_old_xls_or_password_protected_workbook(tmp_path):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512
    assert "password-protected or in the old .xls format" in refused(tmp_path, "old.xlsx", ole2)


def test_a_zip_that_is_not_a_workbook(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")
    assert "no workbook part; a .docx, .ods or other zip file?" in refused(
        tmp_path, "doc.xlsx", out.getvalue()
    )


def test_a_damaged_zip(tmp_path, good):
    assert "not an .xlsx workbook (damaged zip" in refused(
        tmp_path, "cut.xlsx", good[: len(good) // 2]
    )


def test_a_zip_bomb_part(tmp_path, good):
    bomb = replace_part(good, STACK_PART, b" " * (64 * 1024 * 1024))
    assert len(bomb) < 1024 * 1024
    message = refused(tmp_path, "bomb.xlsx", bomb)
    assert f"part '{STACK_PART}' is compressed" in message
    assert "refused as a possible zip bomb" in message


def test_a_package_too_big_when_unpacked(tmp_path, good, monkeypatch):
    monkeypatch.setattr(xlsxsafe, "MAX_TOTAL_BYTES", 10_000)
    assert "the package unpacks to" in refused(tmp_path, "big.xlsx", good)


def test_a_part_declaring_a_huge_size(tmp_path, good, monkeypatch):
    monkeypatch.setattr(xlsxsafe, "MAX_PART_BYTES", 2_000)
    assert "unpacks to" in refused(tmp_path, "part.xlsx", good)


def test_an_xml_entity_attack(tmp_path, good):
    attack = replace_part(good, STACK_PART, BILLION_LAUGHS)
    assert f"part '{STACK_PART}' declares a DTD or XML entities" in refused(
        tmp_path, "lol.xlsx", attack
    )


def test_openpyxl_itself_parses_with_defusedxml(tmp_path, good):
    """The second line of defence, should a DTD ever get past our check."""
    assert openpyxl.DEFUSEDXML is True
    path = tmp_path / "lol.xlsx"
    path.write_bytes(replace_part(good, STACK_PART, BILLION_LAUGHS))
    with pytest.raises(ValueError) as info:
        openpyxl.load_workbook(path)
    chain, exc = [], info.value
    while exc is not None:
        chain.append(type(exc).__module__)
        exc = exc.__cause__ or exc.__context__
    assert any(m.startswith("defusedxml") for m in chain), chain


def test_a_huge_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr(reviewsheet, "MAX_ROWS", 100)
    data = render_xlsx(report(), "team")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Stack"]
    for r in range(5, 300):
        ws.cell(r, 2).value = f"team/x{r}"
    ws.cell(1_048_576, 2).value = "team/far"  # a sparse row at Excel's last row
    buf = io.BytesIO()
    wb.save(buf)
    assert "the Stack sheet has more than 100 rows; refused as too large" in refused(
        tmp_path, "huge.xlsx", buf.getvalue()
    )


def test_a_sparse_sheet_reaching_the_last_row_is_bounded(tmp_path):
    """Rows far apart make openpyxl yield every empty row between them: we stop early."""
    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(report(), "team")))
    wb["Stack"].cell(1_048_576, 15).value = "fund"
    path = tmp_path / "sparse.xlsx"
    wb.save(path)
    start = time.monotonic()
    with pytest.raises(ReviewError) as info:
        reviewsheet.read_review_book(path)
    assert "more than 200,000 rows" in str(info.value)
    assert time.monotonic() - start < 20
