"""The version line's digest: a short hash of what a document prints.

The same content gives the same digest, so two printouts can be told apart without a
timestamp: source line numbers are left out (moving a paragraph down by a blank line changes
nothing printed), and a chart counts by its PNG bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import fields, is_dataclass
from typing import Any, cast

DIGEST_CHARS = 10
"""Hex digits of the content digest printed in the version line."""
_LINES = ("line", "end")


def content_digest(elements: Sequence[Any]) -> str:
    """A short digest of what the elements print: the same content gives the same digest.

    Source line numbers are left out (moving a paragraph down by a blank line changes
    nothing printed); a chart counts by its PNG bytes.
    """
    return hashlib.sha256(repr(_printed(tuple(elements))).encode()).hexdigest()[:DIGEST_CHARS]


_PRINTED_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _printed(value: object) -> object:
    kind = type(value)
    if kind is str:
        return value
    if kind not in _PRINTED_FIELDS:  # each element class once: its fields, lines left out
        printed = is_dataclass(kind)
        _PRINTED_FIELDS[kind] = (
            tuple(f.name for f in fields(cast(Any, kind)) if f.name not in _LINES)
            if printed
            else None
        )
    names = _PRINTED_FIELDS[kind]
    if names is not None:
        return (kind.__name__, tuple([_printed(getattr(value, n)) for n in names]))
    if isinstance(value, (tuple, list)):
        if all(type(v) is str for v in value):  # a table's row: its texts as they are
            return tuple(value)
        return tuple([_printed(v) for v in value])
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    return value
