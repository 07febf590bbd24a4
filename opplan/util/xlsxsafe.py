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
  with defusedxml as a second line of defence; this check does not rely on it;
* XML that makes the parser slow: comments, processing instructions and any
  single tag or reference longer than :data:`MAX_TOKEN` bytes. Python's
  bundled expat (2.5.0) re-scans a token that spans its 16 KiB reads from the
  token's start on every read, so one large token is quadratic (a 32 MB
  comment took 80 s). Character data is not affected and is not bounded here;
* more shared strings, rows or cells than a review workbook can hold
  (:data:`MAX_SHARED_STRINGS`, :data:`MAX_SHEET_ROWS`, :data:`MAX_SHEET_CELLS`):
  openpyxl reads every shared string up front, about 20 µs each.

The scan is linear: each XML part is streamed from the zip in 1 MiB chunks and
searched with regular expressions, never parsed. A :class:`Deadline` bounds the
time of the whole read. Sheets with too many rows are also refused while
reading (see :mod:`opplan.reviewsheet`).
"""

from __future__ import annotations

import re
import time
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

#: Longest single tag (``<c r="A1" s="3">``) or entity reference: real ones are far shorter.
MAX_TOKEN = 64 * 1024
#: Most shared strings in a workbook (a Stack row has about three unique strings).
MAX_SHARED_STRINGS = 1_000_000
#: Most rows and cells in one sheet part (the Stack sheet holds at most 200,000 rows).
MAX_SHEET_ROWS = 250_000
MAX_SHEET_CELLS = 5_000_000
#: Longest time reading a workbook may take, checks and parsing together.
MAX_SECONDS = 120.0

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 1024 * 1024
_MAX_REF = 64
# What the scan stops at: markup declarations (<!...), processing instructions
# (<?...), an over-long entity reference, and a gap of MAX_TOKEN bytes without
# a '<' (a long tag, or long text, which the tag check tells apart).
_EVENT = re.compile(rb"<[!?]|&[^;<&]{%d}|<[^<]{%d}" % (_MAX_REF, MAX_TOKEN))
# A tag up to its closing '>', quoted attribute values may hold '>'.
_TAG = re.compile(rb"<[^<>\"']*(?:(?:\"[^\"<]*\"|'[^'<]*')[^<>\"']*)*>")
_NAME = rb"<(?:[A-Za-z_][\w.-]*:)?"
_SI = re.compile(_NAME + rb"si[\s/>]")
_ROW = re.compile(_NAME + rb"row[\s/>]")
_CELL = re.compile(_NAME + rb"c[\s/>]")


class UnsafeWorkbook(ValueError):
    """The file is not a workbook we will open; the message says why."""


class Deadline:
    """A time bound on reading one workbook: :meth:`check` refuses once it has passed."""

    def __init__(self, name: str, seconds: float | None = None):
        self.name = name
        self.seconds = MAX_SECONDS if seconds is None else seconds
        self.end = time.monotonic() + self.seconds

    def check(self) -> None:
        """Raise :class:`UnsafeWorkbook` when the time is up."""
        if time.monotonic() > self.end:
            raise UnsafeWorkbook(
                f"{self.name}: reading the workbook took more than {self.seconds:.0f} s; "
                "refused as too large or damaged (a review workbook reads in seconds)"
            )


def check_package(path: Path, deadline: Deadline | None = None) -> None:
    """Raise :class:`UnsafeWorkbook` unless ``path`` is a sane .xlsx package."""
    path = Path(path)
    deadline = deadline or Deadline(path.name)
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
            _check_xml(zf, name, deadline)
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


def _check_xml(zf: zipfile.ZipFile, name: str, deadline: Deadline) -> None:
    """Scan every XML part (see the module docstring); refuse the first problem found."""
    strings = 0
    for info in zf.infolist():
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        part = info.filename
        counted: tuple[tuple[re.Pattern[bytes], int, str], ...]
        if part.startswith("xl/worksheets/"):
            counted = ((_ROW, MAX_SHEET_ROWS, "rows"), (_CELL, MAX_SHEET_CELLS, "cells"))
        elif part.startswith("xl/sharedStrings"):
            counted = ((_SI, MAX_SHARED_STRINGS - strings, "shared strings"),)
        else:
            counted = ()
        counts = _scan_part(zf, info, name, counted, deadline)
        if part.startswith("xl/sharedStrings"):
            strings += counts[0]


def _scan_part(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    name: str,
    counted: tuple[tuple[re.Pattern[bytes], int, str], ...],
    deadline: Deadline,
) -> list[int]:
    """Stream one XML part and refuse what makes it unsafe or slow; return the counts.

    The buffer scanned is the rest of the previous chunk from its last '<' (a tag
    not seen whole yet, shorter than MAX_TOKEN) followed by the next chunk, so
    every tag is looked at once and at most MAX_TOKEN bytes are carried over.
    """
    part = info.filename

    def refuse(what: str) -> UnsafeWorkbook:
        return UnsafeWorkbook(
            f"{name}: part '{part}' {what}, which a spreadsheet never writes: "
            "refused as a damaged or hostile workbook"
        )

    counts = [0] * len(counted)
    carry = b""
    offset = 0  # where the buffer starts in the part
    in_cdata = False
    with zf.open(info) as stream:
        while True:
            deadline.check()
            chunk = stream.read(_CHUNK)
            last = not chunk
            if offset == 0 and (carry + chunk)[:2] in (b"\xff\xfe", b"\xfe\xff"):
                raise UnsafeWorkbook(
                    f"{name}: part '{part}' is UTF-16 XML; an .xlsx workbook is UTF-8"
                )
            buf, carry = carry + chunk, b""
            pos = 3 if offset == 0 and buf.startswith(b"\xef\xbb\xbf") else 0
            if in_cdata:  # a CDATA section (plain text) runs on from the last chunk
                end = buf.find(b"]]>", pos)
                if end < 0:
                    if last:
                        break
                    carry = buf[-2:]
                    offset += len(buf) - len(carry)
                    continue
                in_cdata, pos = False, end + 3
            stop = None  # where this buffer stops being scanned, if before its end
            while stop is None and (m := _EVENT.search(buf, pos)) is not None:
                start, token = m.start(), m.group()
                if token[:1] == b"&":
                    raise refuse(f"holds an entity reference longer than {_MAX_REF} bytes")
                if token in (b"<!", b"<?") and not last and len(buf) - start < 16:
                    stop = start  # too few bytes to tell what it is: look again with more
                elif token == b"<!" and buf.startswith(b"<![CDATA[", start):
                    end = buf.find(b"]]>", start + 9)
                    if end < 0:
                        in_cdata, stop = True, start
                    pos = end + 3
                elif token == b"<!":
                    if buf.startswith(b"<!--", start):
                        raise refuse("holds an XML comment")
                    raise UnsafeWorkbook(
                        f"{name}: part '{part}' declares a DTD or XML entities, "
                        "which workbooks never need: refused as an XML entity attack"
                    )
                elif token == b"<?":
                    end = buf.find(b"?>", start, start + 1024)
                    declaration = offset + start in (0, 3) and buf.startswith(b"<?xml", start)
                    if declaration and end < 0 and not last and len(buf) - start < 1024:
                        stop = start  # the declaration goes on in the next chunk
                    elif not declaration or end < 0:
                        raise refuse("holds an XML processing instruction")
                    else:
                        pos = end + 2
                else:  # MAX_TOKEN bytes without a '<': a long tag, or long text after a tag
                    tag = _TAG.match(buf, start, start + MAX_TOKEN)
                    if tag is None:
                        raise refuse(f"holds a tag longer than {MAX_TOKEN:,} bytes")
                    pos = tag.end()
            if last:
                cut = len(buf)
            elif in_cdata:
                cut = stop if stop is not None else len(buf)
                carry = buf[-2:]
            elif stop is not None:
                cut, carry = stop, buf[stop:]
            else:
                lt = buf.rfind(b"<", pos)
                if lt >= 0 and len(buf) - lt <= MAX_TOKEN:
                    cut = lt  # a tag that may go on in the next chunk
                else:
                    # text (any tag before it was checked): keep what a reference split
                    # here needs; the bytes carried hold no '<'
                    cut = max(len(buf) - _MAX_REF, pos)
                carry = buf[cut:]
            for i, (pattern, limit, what) in enumerate(counted):
                counts[i] += len(pattern.findall(buf, 0, cut))
                if counts[i] > limit:
                    raise UnsafeWorkbook(
                        f"{name}: part '{part}' has more than {limit:,} {what}, more than "
                        "a review workbook holds: refused as too large"
                    )
            if last:
                break
            offset += len(buf) - len(carry)
    return counts
