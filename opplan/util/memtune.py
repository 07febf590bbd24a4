"""The C allocator of the command-line process, told to keep the memory it frees.

glibc's ``malloc`` gives each block over 128 KB (up to 32 MB as it adapts) its own ``mmap``,
and hands it back to the system when freed; it also trims the top of its heap. Loading a
10,000-team cycle reads 256 cache shards of megabytes each, and writing its root's document
builds a 165 MB ``document.xml`` through several strings of that size: each such block is new
memory, every page of which faults on first touch (over a million faults in a rebuild; 1.1 s
of the load's 3.7 s went to the system). :func:`keep_freed_memory` makes every block come
from the heap (``M_MMAP_MAX`` 0), never trims it (``M_TRIM_THRESHOLD``) and grows it 64 MB at
a time (``M_TOP_PAD``), so what one stage frees the next reuses without faulting: the load
takes 0.5 s less at 10,000 teams. The price is that the process does not give memory back
to the system before it ends; only the command-line process, which ends after one command,
makes this choice (a program that calls opplan as a library keeps its allocator as it was).

Nothing is changed off glibc, or when the user tuned the allocator through the environment
(``MALLOC_*`` or ``GLIBC_TUNABLES``); a failure to change it is no error.
"""

from __future__ import annotations

import ctypes
import os

#: ``mallopt`` parameters (glibc's malloc.h).
M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_MAX = -4

#: The settings: no ``mmap`` of its own for any block, no trim, the heap grown 64 MB at a time.
SETTINGS = ((M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, 2**31 - 1), (M_TOP_PAD, 64 * 1024 * 1024))


def user_tuned_name(name: str) -> bool:
    """True for an environment variable that tunes glibc's allocator."""
    return name.startswith("MALLOC_") or name == "GLIBC_TUNABLES"


def user_tuned() -> bool:
    """True when the environment tunes glibc's allocator already (it is then left alone)."""
    return any(user_tuned_name(k) for k in os.environ)


def glibc() -> bool:
    """True when this process runs on glibc (which ``mallopt`` these settings are for)."""
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc ")
    except (ValueError, OSError, AttributeError):  # not a name this system knows
        return False


def keep_freed_memory() -> bool:
    """Tell glibc's ``malloc`` to keep and reuse the memory it frees; True when it took the
    settings. The command-line process calls it once, at its start."""
    if not glibc() or user_tuned():
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    took = [mallopt(param, value) == 1 for param, value in SETTINGS]  # each one, whatever
    return all(took)
