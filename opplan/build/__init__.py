"""``opplan build``: render every node's documents into an output directory.

Given a roll-up (:func:`opplan.pipeline.build` checks and rolls up first), render
``<id>.<format>`` for every node of the subtree with each renderer of
:data:`RENDERERS`, in ``jobs`` processes, writing every file atomically.

* :mod:`opplan.build.files`: one node's files (the renderers, the atomic writes, the
  error that refuses a node's documents);
* :mod:`opplan.build.share`: the work shared between this process and its workers;
* :mod:`opplan.render.manifest`: what each file was built from, so that only the
  documents whose inputs changed are written again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from opplan.build import files, share
from opplan.build.files import (
    RENDERERS,
    BuildContext,
    Built,
    Renderer,
    build_docx,
    build_xlsx,
    render_failure,
    render_node,
    render_one,
    write_node,
)
from opplan.build.share import PARALLEL_DIGESTS, Helpers, pooled, record_digests
from opplan.model import Cycle, NodeId
from opplan.model.diagnostics import Diagnostic, failed, sort_diagnostics
from opplan.render.docx.plan import search_path
from opplan.report.records import Report
from opplan.util.gcpause import paused_gc

__all__ = [
    "PARALLEL_DIGESTS",
    "RENDERERS",
    "BuildContext",
    "BuildResult",
    "Built",
    "Helpers",
    "Renderer",
    "build_docx",
    "build_xlsx",
    "files",
    "record_digests",
    "render_all",
    "render_failure",
    "render_node",
    "render_one",
    "render_report",
    "share",
]


@dataclass(frozen=True)
class BuildResult:
    """Every diagnostic (plan problems, template errors) and every file written; in an
    incremental build, the files that were current (not written) and those removed."""

    diagnostics: list[Diagnostic]
    files: list[Path]
    current: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    #: The roll-up the documents show (None when nothing was rendered: errors, no such node).
    report: Report | None = field(default=None, repr=False, compare=False)
    #: The loaded plans (``pipeline.build``; None from a bare ``render_report``).
    cycle: Cycle | None = field(default=None, repr=False, compare=False)
    #: What the build made and kept to its end (this process's render caches, the
    #: manifest's plan), held as long as the result is: a process that ends with
    #: ``os._exit`` (the command line) never frees them object by object, which took 0.3 s
    #: at the end of a rebuild of 10,000 teams.
    made: tuple[object, ...] = field(default=(), repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True when nothing stopped a document from being written."""
        return not failed(self.diagnostics)


def render_all(
    ctx: BuildContext,
    nodes: Sequence[NodeId],
    out: Path,
    formats: Sequence[str],
    jobs: int = 1,
    helpers: Helpers | None = None,
) -> Iterator[Built]:
    """Render ``nodes`` (in ``jobs`` processes); yield each node's outcome as it finishes.

    A few nodes (fewer than four per process: an incremental build, a small subtree) are
    rendered one file per task, shared with the ``helpers`` (:func:`~opplan.build.share.share`;
    ``jobs - 1`` workers forked now when none are given), so that the top node's document
    and workbook, the largest of all, are rendered at once; their outcomes come when all are
    rendered, and the files of a node are still written only when all rendered.
    """
    if jobs > 1 and len(formats) > 1 and 1 <= len(nodes) < 4 * jobs:
        tasks = [(nid, fmt) for nid in nodes for fmt in formats]
        with Helpers((ctx, out, tuple(formats)), jobs - 1) as fresh:
            slots = (helpers or fresh).slots()
            rendered = share.share(tasks, lambda t: render_one(ctx, *t), share.work_file, slots)
        done: list[tuple[str, bytes | Diagnostic]] = []
        for (nid, fmt), result in zip(tasks, rendered, strict=True):
            done.append((fmt, result))
            if len(done) == len(formats):
                yield write_node(nid, out, done)
                done = []
        return
    if helpers is not None:  # many nodes: a pool of ``jobs`` workers is forked for them
        helpers.close()
    if jobs <= 1 or len(nodes) <= 1:
        for nid in nodes:
            yield render_node(ctx, nid, out, formats)
        return
    yield from pooled(
        ctx, out, formats, jobs, share.work_node, nodes, max(1, min(32, len(nodes) // (jobs * 8)))
    )


def render_report(
    report: Report,
    cycle_dir: Path,
    out: Path,
    *,
    node: NodeId | None = None,
    jobs: int = 1,
    formats: Sequence[str] = tuple(RENDERERS),
    progress: Callable[[Iterator[Built], int], Iterator[Built]] | None = None,
    diagnostics: Sequence[Diagnostic] = (),
    incremental: bool = False,
    force: bool = False,
) -> BuildResult:
    """Render every node of the (sub)tree of ``node`` (default: all) into ``out``.

    ``report`` is the roll-up of the cycle in ``cycle_dir`` (whose templates
    override the defaults); ``diagnostics`` are those of its check, returned
    with the build's own. ``progress`` wraps the stream of finished nodes.
    ``incremental`` renders only the nodes whose files are not current by the
    manifest of ``out`` (:mod:`opplan.render.manifest`; all of them with ``force``)
    and records what it wrote there. With ``jobs`` above one, ``jobs - 1`` workers forked
    from this process once (:class:`~opplan.build.share.Helpers`) share the record digests
    of a large org and the files of a few nodes with it.
    """
    ctx = BuildContext(report, tuple(search_path(cycle_dir)))
    nodes = [n.id for n in report.subtree(node or report.root)]
    plan = None
    diags = list(diagnostics)
    files: list[Path] = []
    written: list[tuple[NodeId, Path, str]] = []
    failed: list[NodeId] = []
    with Helpers((ctx, out, tuple(formats)), max(1, jobs) - 1) as helpers:
        if incremental:
            from opplan.render.manifest import plan_build

            def records(ids: Sequence[NodeId]) -> list[str]:
                return record_digests(ctx, ids, helpers)

            with paused_gc():  # hashing the report makes no cycles, only short-lived text
                plan = plan_build(
                    report, cycle_dir, out, nodes, formats, force=force, records=records
                )
            nodes = plan.stale
        stream = render_all(ctx, nodes, out, formats, max(1, jobs), helpers)
        if progress is not None:
            stream = progress(stream, len(nodes))
        for built in stream:
            files.extend(built.files)
            written.extend(
                (built.node, f, sha) for f, sha in zip(built.files, built.sha256, strict=True)
            )
            if built.problem is not None:
                diags.append(built.problem)
                failed.append(built.node)
    made = (ctx, plan)
    if plan is None:
        return BuildResult(sort_diagnostics(diags), files, report=report, made=made)
    from opplan.render.manifest import record

    removed = record(out, plan, written, failed)
    return BuildResult(sort_diagnostics(diags), files, plan.current, removed, report, made=made)
