"""``plain_repr``: a record's generated ``repr`` without the guard against cycles.

``dataclasses`` wraps the ``__repr__`` it writes in a guard that notes each object on a
set while it is shown, so that a record holding itself prints ``...``. The report's records
are immutable trees (a record never holds itself, directly or not), so the guard only costs
time, and a build shows every record once to hash it: 1 s of the 8 s that the record digests
of a 10,000-team org take (:mod:`opplan.report.fingerprint`). The text is unchanged.
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T", bound=type)


def plain_repr(cls: T) -> T:
    """Give dataclass ``cls`` its generated ``__repr__`` without the cycle guard (put this
    decorator above ``@dataclass``). The class must hold no cycle of records."""
    guarded: Any = cls.__dict__.get("__repr__")
    plain = getattr(guarded, "__wrapped__", None)
    if plain is None:
        raise TypeError(f"{cls.__qualname__} has no generated __repr__ to unwrap")
    cls.__repr__ = plain  # type: ignore[method-assign]
    return cls
