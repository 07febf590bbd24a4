"""Deterministic OOXML packages (.docx, .xlsx).

python-docx and openpyxl stamp every zip entry with the current time, so two
builds of the same plans differ by their bytes. :func:`normalize_zip` rewrites a
package with fixed entry times and attributes, keeping the entry order, so the
same plans give byte-identical documents.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping

FIXED_TIME = (1980, 1, 1, 0, 0, 0)

#: The children of a SpreadsheetML ``<font>`` in the order the schema's sequence gives them.
#: openpyxl writes ``name`` first, which the Open XML SDK's validator (and strict readers)
#: refuse.
FONT_CHILD_ORDER = (
    b"b",
    b"i",
    b"strike",
    b"condense",
    b"extend",
    b"outline",
    b"shadow",
    b"u",
    b"vertAlign",
    b"sz",
    b"color",
    b"name",
    b"family",
    b"charset",
    b"scheme",
)
_RANK = {name: k for k, name in enumerate(FONT_CHILD_ORDER)}
_FONT = re.compile(rb"<font>((?:<[A-Za-z]+(?: [^<>]*)?/>)*)</font>")
_CHILD = re.compile(rb"<([A-Za-z]+)(?: [^<>]*)?/>")


def schema_ordered_fonts(styles: bytes) -> bytes:
    """``xl/styles.xml`` with the children of every ``<font>`` in the schema's order."""

    def reorder(m: re.Match[bytes]) -> bytes:
        children = sorted(
            _CHILD.finditer(m.group(1)), key=lambda c: _RANK.get(c.group(1), len(_RANK))
        )
        return b"<font>" + b"".join(c.group(0) for c in children) + b"</font>"

    return _FONT.sub(reorder, styles)


def zip_parts(parts: Iterable[tuple[str, bytes]]) -> bytes:
    """A package of ``parts`` (name, bytes), in their order, with fixed timestamps,
    permissions and compression."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name, part in parts:
            fixed = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 0
            dst.writestr(fixed, part)
    return out.getvalue()


def normalize_zip(
    data: bytes, rewrite: Mapping[str, Callable[[bytes], bytes]] | None = None
) -> bytes:
    """The same package with fixed timestamps, permissions and compression (:func:`zip_parts`);
    a part named in ``rewrite`` is passed through its function."""
    rewrite = rewrite or {}

    def parts(src: zipfile.ZipFile) -> Iterator[tuple[str, bytes]]:
        for info in src.infolist():
            part = src.read(info.filename)
            fn = rewrite.get(info.filename)
            yield info.filename, fn(part) if fn else part

    with zipfile.ZipFile(io.BytesIO(data)) as src:
        return zip_parts(parts(src))
