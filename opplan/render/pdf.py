"""PDF: the Word documents printed by LibreOffice, for people who print and mail them.

opplan writes ``<id>.docx`` itself; a PDF is that document converted by LibreOffice
(``soffice --headless``), so it paginates exactly as the page-limit check counts (which uses
the same converter). Conversions are batched (one soffice start costs about 1.5 s) and each
batch runs with its own throw-away profile directory (:mod:`opplan.util.libreoffice`), so two
builds at once do not block each other. soffice exits 0 even when it cannot load a file:
every expected PDF is checked to exist and not be empty. Each PDF is moved into place
atomically.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from opplan.util import libreoffice

#: Documents converted by one soffice start.
BATCH = 40
NOT_INSTALLED = (
    "PDF output needs LibreOffice, which is not installed here: install it (the package "
    "'libreoffice' on Linux, or from libreoffice.org; set OPPLAN_SOFFICE to the soffice "
    "program if it is not on the PATH), or build --format docx and print to PDF from Word"
)


class PdfError(RuntimeError):
    """LibreOffice is missing, or could not convert a document (the message says which)."""


def available() -> bool:
    """True when PDFs can be written here."""
    return libreoffice.available()


def write_pdfs(documents: Sequence[Path], out: Path) -> list[Path]:
    """Convert ``documents`` (``<id>.docx``) to ``out/<id>.pdf``; return the PDFs written."""
    if not documents:
        return []
    if not available():
        raise PdfError(NOT_INSTALLED)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(dir=out, prefix=".opplan-pdf-") as staging:
        for start in range(0, len(documents), BATCH):
            batch = documents[start : start + BATCH]
            try:
                pdfs = libreoffice.convert(batch, "pdf", Path(staging))
            except libreoffice.LibreOfficeError as exc:
                raise PdfError(f"cannot write PDFs: {exc}") from exc
            for pdf in pdfs:
                target = out / pdf.name
                os.replace(pdf, target)
                written.append(target)
    return written
