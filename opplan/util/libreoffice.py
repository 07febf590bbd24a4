"""LibreOffice, headless: convert documents and recalculate workbooks.

Used to count the pages of a narrative exactly (page-limit policy) and, in the
tests, to check that workbook formulas give the engine's figures. Known traps
handled here:

* soffice exits 0 even when it cannot load a file: we check that every
  expected output exists and is not empty, and report its stderr otherwise;
* two soffice processes sharing a profile directory block each other: every
  call gets its own throw-away profile (``-env:UserInstallation=...``);
* Calc does not recalculate OOXML formulas on load by default: the profile is
  seeded with ``OOXMLRecalcMode`` = always;
* one start costs ~1.5 s, so conversions are batched in one call.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class LibreOfficeError(RuntimeError):
    """LibreOffice is missing, failed, or produced no output for a file."""


def find_soffice() -> str | None:
    """Path of the soffice binary (``$OPPLAN_SOFFICE`` wins), or None."""
    explicit = os.environ.get("OPPLAN_SOFFICE")
    if explicit:
        return explicit if Path(explicit).exists() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    """True when LibreOffice can be run here."""
    return find_soffice() is not None


def convert(
    files: Sequence[Path], target: str, outdir: Path, *, timeout: float = 600.0
) -> list[Path]:
    """Convert ``files`` in one soffice call; return the output paths, in order.

    ``target`` is a ``--convert-to`` argument such as ``pdf`` or
    ``xlsx:Calc MS Excel 2007 XML``. Output names keep the input stems, so
    the inputs must have distinct stems.
    """
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError("LibreOffice (soffice) is not installed")
    files = [Path(f).resolve() for f in files]
    stems = [f.stem for f in files]
    if len(set(stems)) != len(stems):
        raise LibreOfficeError("inputs of one conversion must have distinct names")
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    ext = target.split(":", 1)[0]
    expected = [outdir / f"{stem}.{ext}" for stem in stems]
    for out in expected:
        if out.exists() and out not in files:
            out.unlink()
    with tempfile.TemporaryDirectory(prefix="opplan-lo-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_RECALC_ALWAYS, encoding="utf-8")
        cmd = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            *map(str, files),
        ]
        try:
            proc = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                timeout=timeout,
                env={**os.environ, "HOME": profile},
            )
        except subprocess.TimeoutExpired as exc:
            raise LibreOfficeError(f"LibreOffice timed out after {timeout:.0f} s") from exc
    missing = [
        str(f)
        for f, out in zip(files, expected, strict=False)
        if not out.exists() or out.stat().st_size == 0
    ]
    if missing or proc.returncode != 0:
        raise LibreOfficeError(
            f"LibreOffice failed to convert {', '.join(missing) or 'the files'} to {ext} "
            f"(exit {proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}"
        )
    return expected
