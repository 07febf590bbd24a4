"""The cyclic garbage collector while large acyclic structures are built.

Loading a 10,000-team cycle and rolling it up allocate millions of small
records that never form cycles; with the collector running, its repeated full
scans over them took half the load time and two thirds of the roll-up.

Library calls pause the collector and leave it exactly as they found it
(:func:`paused_gc`). Only the command-line process, which keeps the loaded
cycle until it exits, moves it out of the collector's reach for good
(:func:`settle`); a program that calls opplan as a library keeps a collector
that still reclaims its own cyclic garbage.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic collector for the block, then restore its state.

    Reference counting still frees memory meanwhile. On the way out what the
    block allocated moves straight to the oldest generation (``gc.freeze`` then
    ``gc.unfreeze``), as a survivor of the young scans would: without that,
    the first allocation after the block would scan millions of young objects
    at once. Nothing stays frozen, so cyclic garbage made in the block is still
    collected by the next full collection. When the caller has frozen objects
    of its own, that move is skipped (unfreezing would release theirs too).
    """
    enabled = gc.isenabled()
    frozen = gc.get_freeze_count()
    gc.disable()
    try:
        yield
    finally:
        if frozen == 0:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


@contextmanager
def paused_for_garbage() -> Iterator[None]:
    """Pause the cyclic collector for a block that makes short-lived garbage (one rendered file).

    Rendering the root's workbook or document of a 2,000-team org allocates millions of
    objects; the collector scanned them again and again while they were built, a third of
    the time. Unlike :func:`paused_gc`, nothing moves to the oldest generation on the way
    out: an openpyxl workbook is a web of cycles that is garbage once its bytes are out, and
    the first young collection after the block frees it, so memory stays bounded file after
    file.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def frozen_for_fork() -> Iterator[None]:
    """Freeze every object now alive for the block (forking worker processes), then unfreeze.

    Frozen objects are never scanned, so neither the parent nor a forked child
    writes to their pages: the children share the parent's memory instead of
    copying it page by page. When the caller has frozen objects already (the
    command-line process has settled its heap), nothing is done: unfreezing
    would release theirs too.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


#: What the command-line process keeps alive to its end (:func:`settle`).
_KEPT: list[object] = []


def settle(*keep: object) -> None:
    """For the command-line process only: keep what is alive now out of the collector's scans,
    and ``keep`` (a command's result) alive to the end.

    The loaded cycle and its roll-up live until the process exits; rescanning
    millions of them at every full collection afterwards cost 2 s of a
    10,000-team check and a fifth of a roll-up. The process ends with ``os._exit``
    (:func:`opplan.cli.main`), so what it keeps is never torn down object by object:
    freeing the roll-up of 10,000 teams when the command returned took 0.9 s of a rebuild.
    """
    if keep:  # one command per process: what an earlier one kept (in tests) is let go
        _KEPT[:] = keep
    gc.freeze()
