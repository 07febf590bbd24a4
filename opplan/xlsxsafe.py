"""Hostile-file checks for workbooks, run before any XML parser sees them.

A reviewed workbook comes back from someone's laptop or mail, so it is
untrusted input. :func:`check_package` looks only at the zip directory and
streams the XML parts, and refuses, with a message a user can act on:

* a file that is not an .xlsx package at all (a CSV or an old .xls renamed,
  a password-protected workbook, which is an OLE2 container, a damaged zip);
* a zip bomb: too many entries, a part or a whole package whose *declared*
  uncompressed size is too large, or a part compressed beyond any ratio that
  real spreadsheets reach. Python's zipfile never inflates past an entry's
  declared size (it fails the CRC check), so checking declared sizes bounds
  the work of every later reader;
* XML with a document type declaration: OOXML never has one, and it is what
  entity attacks ("billion laughs", external entities) need. openpyxl parses
  with defusedxml as a second line of defence; this check does not rely on it.

Sheets with too many rows are refused while reading (see
:mod:`opplan.reviewsheet`), since rows can only be counted by parsing.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

#: Largest workbook file we open at all.
MAX_FILE_BYTES = 100 * 1024 * 1024
#: Most entries in the package (a workbook has a few dozen).
MAX_ENTRIES = 10_000
#: Largest declared uncompressed size of one part, and of all parts.
MAX_PART_BYTES = 256 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
#: Largest compression ratio of a part bigger than RATIO_FLOOR bytes.
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_CHUNK = 1024 * 1024


class UnsafeWorkbook(ValueError):
    """The file is not a workbook we will open; the message says why."""


def check_package(path: Path) -> None:
    """Raise :class:`UnsafeWorkbook` unless ``path`` is a sane .xlsx package."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise UnsafeWorkbook(f"{name}: cannot read the file: {exc.strerror}") from exc
    if size > MAX_FILE_BYTES:
        raise UnsafeWorkbook(
            f"{name}: the file is {size} bytes, more than the "
            f"{MAX_FILE_BYTES} opplan reads in a workbook"
        )
    if head.startswith(_OLE2):
        raise UnsafeWorkbook(
            f"{name}: not an .xlsx workbook: it is password-protected or in "
            "the old .xls format; save it as an Excel workbook (.xlsx) "
            "without a password"
        )
    if not head.startswith(b"PK\x03\x04"):
        raise UnsafeWorkbook(
            f"{name}: not an .xlsx workbook (it is not a zip package; a renamed CSV or text file?)"
        )
    try:
        with zipfile.ZipFile(path) as zf:
            _check_directory(zf, name)
            _check_xml(zf, name)
    except zipfile.BadZipFile as exc:
        raise UnsafeWorkbook(f"{name}: not an .xlsx workbook (damaged zip: {exc})") from exc
    except (OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise UnsafeWorkbook(f"{name}: cannot read the workbook package: {exc}") from exc


def _check_directory(zf: zipfile.ZipFile, name: str) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise UnsafeWorkbook(
            f"{name}: the package has {len(infos)} entries, more than "
            f"{MAX_ENTRIES}: refused as a possible zip bomb"
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise UnsafeWorkbook(f"{name}: part '{info.filename}' is encrypted")
        if info.file_size > MAX_PART_BYTES:
            raise UnsafeWorkbook(
                f"{name}: part '{info.filename}' unpacks to "
                f"{info.file_size} bytes, more than {MAX_PART_BYTES}: "
                "refused as a possible zip bomb"
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnsafeWorkbook(
                f"{name}: part '{info.filename}' is compressed "
                f"{info.file_size // max(info.compress_size, 1)} to 1: "
                "refused as a possible zip bomb"
            )
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise UnsafeWorkbook(
            f"{name}: the package unpacks to {total} bytes, more than "
            f"{MAX_TOTAL_BYTES}: refused as a possible zip bomb"
        )
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UnsafeWorkbook(
            f"{name}: not an .xlsx workbook (no workbook part; a .docx, .ods or other zip file?)"
        )


def _check_xml(zf: zipfile.ZipFile, name: str) -> None:
    """Refuse XML parts with a DTD (entity attacks) or in an encoding other than UTF-8."""
    for info in zf.infolist():
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        with zf.open(info) as part:
            tail = b""
            first = True
            while True:
                chunk = part.read(_CHUNK)
                if not chunk:
                    break
                if first and chunk[:2] in (b"\xff\xfe", b"\xfe\xff"):
                    raise UnsafeWorkbook(
                        f"{name}: part '{info.filename}' is UTF-16 XML; an .xlsx workbook is UTF-8"
                    )
                first = False
                if _DTD.search(tail + chunk):
                    raise UnsafeWorkbook(
                        f"{name}: part '{info.filename}' declares a DTD or XML entities, "
                        "which workbooks never need: refused as an XML entity attack"
                    )
                tail = chunk[-16:]
