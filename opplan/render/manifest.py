"""What each built file was made from: ``out/.opplan-build.json``, for incremental builds.

``opplan build`` records, for every file it writes, the node, the digest of that node's
inputs (:mod:`opplan.report.fingerprint`, with the templates, the opplan version and the
versions of the libraries that write the files) and the SHA-256 of the bytes written. The
next build renders only the nodes with a file whose inputs changed, that is missing, or that
is not the file it wrote (another size, time or hash); every other file is current and left
alone, so the output is the same as a full build's. A node that left the cycle has its
files removed, but only those the manifest lists and that still hold the bytes written.

The manifest lives in the output directory, which whoever can write it can fill with any
document anyway; it is read as plain JSON of a fixed shape, and any entry that does not
have that shape is dropped (its file is rebuilt).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from opplan.model import NodeId
from opplan.render.docx.plan import search_path
from opplan.report.fingerprint import node_digests, record_digests, shared_digest
from opplan.report.records import Report
from opplan.report.reviewkeys import opplan_version
from opplan.util.atomic import write_text
from opplan.util.treedigest import code_digest, file_sha, tree_digest

MANIFEST = ".opplan-build.json"
#: The manifest's layout; a change rebuilds everything once.
MANIFEST_FORMAT = 1
#: Largest manifest read (a 10,000-team org's is a few MB).
MAX_MANIFEST_BYTES = 256 * 1024 * 1024
#: Libraries whose version can change the bytes of a document or workbook.
LIBRARIES = ("python-docx", "openpyxl", "matplotlib", "pillow", "jinja2", "markdown-it-py")

Entry = dict[str, Any]


def _versions() -> list[str]:
    found = [f"opplan={opplan_version()}", code_digest(), f"python={sys.version_info[:2]}"]
    for name in LIBRARIES:
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=none")
    return found


def build_inputs(cycle_dir: Path | None) -> list[Any]:
    """What every document of a build depends on beyond the report: the manifest format,
    the versions (opplan's, its source files', Python's and the libraries'), and every
    template directory's files."""
    templates = [(str(p), tree_digest(p)) for p in search_path(cycle_dir)]
    return [MANIFEST_FORMAT, _versions(), templates]


def _valid(name: str, entry: object) -> bool:
    """An entry as a build writes it, for a file directly in the output directory."""
    return (
        type(entry) is dict
        and type(entry.get("node")) is str
        and type(entry.get("inputs")) is str
        and type(entry.get("sha256")) is str
        and type(entry.get("size")) is int
        and type(entry.get("mtime_ns")) is int
        and name != ""
        and not name.startswith(".")
        and "/" not in name
        and os.sep not in name
        and "\0" not in name  # no file can have it: os.stat refuses it
        and (name.isascii() or _encodable(name))
    )


def _encodable(name: str) -> bool:
    """Whether ``name`` can name a file here (a lone surrogate from JSON cannot)."""
    try:
        os.fsencode(name)
    except UnicodeError:
        return False
    return True


def read_manifest(out: Path) -> dict[str, Entry]:
    """The entries of ``out``'s manifest by file name; empty when there is none or it is
    not one (a build then writes everything)."""
    try:
        with (out / MANIFEST).open("rb") as f:
            data = json.loads(f.read(MAX_MANIFEST_BYTES + 1))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return {}
    files = data.get("files")
    if not isinstance(files, dict):
        return {}
    return {name: entry for name, entry in files.items() if _valid(name, entry)}


def _same(path: str, entry: Entry) -> bool:
    """True when ``path`` still holds the bytes the manifest says were written."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    if st.st_size != entry["size"]:
        return False
    if st.st_mtime_ns == entry["mtime_ns"]:
        return True
    return bool(file_sha(Path(path)) == entry["sha256"])


@dataclass
class Plan:
    """What a build renders: the nodes with a stale file, and the files that are current."""

    digests: dict[NodeId, str]
    stale: list[NodeId]
    current: list[Path]
    entries: dict[str, Entry]
    gone: list[str] = field(default_factory=list)


def plan_build(
    report: Report,
    cycle_dir: Path | None,
    out: Path,
    nodes: Sequence[NodeId],
    formats: Sequence[str],
    *,
    force: bool = False,
    records: Callable[[Sequence[NodeId]], list[str]] | None = None,
) -> Plan:
    """Which of ``nodes`` to render into ``out`` (all with ``force``) and which files are
    current; manifest entries of nodes no longer in the report are listed in ``gone``.
    ``records`` computes :func:`~opplan.report.fingerprint.record_digests` of the given
    nodes (in worker processes, say); by default here."""
    shared = shared_digest(report, build_inputs(cycle_dir))
    top = nodes[0] if nodes else report.root
    ids = [n.id for n in report.subtree(top)]
    own = records(ids) if records is not None else record_digests(report, ids)
    digests = node_digests(report, top, shared, dict(zip(ids, own, strict=True)))
    entries = {} if force else read_manifest(out)
    stale: list[NodeId] = []
    current: list[str] = []
    where = os.fspath(out)  # paths as text: pathlib took a tenth of a second for 23,636 files
    for nid in nodes:
        names = [f"{nid}.{fmt}" for fmt in formats]
        inputs = digests[nid]
        if all(
            (e := entries.get(name)) is not None
            and e["node"] == nid
            and e["inputs"] == inputs
            and _same(os.path.join(where, name), e)
            for name in names
        ):
            current.extend(names)
        else:
            stale.append(nid)
    gone = [name for name, e in entries.items() if e["node"] not in report.nodes]
    return Plan(digests, stale, [out / name for name in current], entries, gone)


def record(
    out: Path,
    plan: Plan,
    written: Sequence[tuple[NodeId, Path, str]],
    failed: Sequence[NodeId],
) -> list[Path]:
    """Write ``out``'s manifest after a build: ``written`` (node, file, SHA-256) are the
    files just written, ``failed`` the nodes whose documents were refused. The files of
    nodes that left the cycle are removed when they hold the bytes we wrote; those are
    returned."""
    entries = dict(plan.entries)
    removed: list[Path] = []
    for name in plan.gone:
        path = out / name
        if _same(str(path), entries[name]) and file_sha(path) == entries[name]["sha256"]:
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
        del entries[name]
    for nid in failed:
        for name in [n for n, e in entries.items() if e["node"] == nid]:
            del entries[name]
    for nid, path, sha in written:
        with contextlib.suppress(OSError):
            st = path.stat()
            entries[path.name] = {
                "node": nid,
                "inputs": plan.digests[nid],
                "sha256": sha,
                "size": st.st_size,
                "mtime_ns": st.st_mtime_ns,
            }
    if not entries and not plan.entries:
        return removed  # nothing written and nothing recorded before: leave ``out`` as it is
    data = {"format": MANIFEST_FORMAT, "files": dict(sorted(entries.items()))}
    # compact, so that json's C encoder writes it (an indented manifest of 23,636 files took
    # 0.4 s of a rebuild in the pure-Python encoder, 0.04 s so)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    with contextlib.suppress(OSError):  # no manifest: the next build writes everything
        write_text(out / MANIFEST, text + "\n")
    return removed
