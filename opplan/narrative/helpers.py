"""Lookups a narrative may call: one ask of the node's stack, one child team, by id.

Registered as globals in the one environment factory
(:func:`opplan.narrative.templating.environment`); docs/templates.md lists them.
They read the render's own context, so they see exactly what the narrative sees:

* ``ask("cart/eu-cart")`` is the row of that ask in the node's stack (a live
  ask) or among its removed asks (cut or deferred), e.g.
  ``{{ ask("cart/eu-cart").cost | money }}``;
* ``child("cart")`` is that child of the node, with its ``totals`` (its own
  view) and ``funded_here`` (``headcount``, ``cost``, ``run_rate``: the child's
  asks above this node's line, the summary's ``here.funded``), e.g. ``{{ child("cart").totals.flat.headcount }}``.

An id that is not there is an error that lists the ids that are.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jinja2 import pass_context
from jinja2.exceptions import FilterArgumentError
from jinja2.runtime import Context


def _rows(context: Mapping[str, Any] | Context, *names: str) -> Iterable[Mapping[str, Any]]:
    for name in names:
        rows = context.get(name)
        if isinstance(rows, list):
            yield from (r for r in rows if isinstance(r, Mapping))


def _not_found(what: str, wanted: object, known: list[str]) -> FilterArgumentError:
    hint = ""
    if isinstance(wanted, str):
        close = difflib.get_close_matches(wanted, known, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
    shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
    listing = f"; it has: {shown}" if known else "; it has none"
    wanted_text = repr(wanted)[:60]
    return FilterArgumentError(f"this node has no {what} {wanted_text}{hint}{listing}")


@pass_context
def ask(context: Context, ref: str) -> Mapping[str, Any]:
    """The stack row (or removed row) of the ask ``node/ask-id`` in this node's view."""
    rows = list(_rows(context, "stack", "removed"))
    for row in rows:
        if row.get("ask") == ref:
            return row
    raise _not_found("ask", ref, [str(r.get("ask")) for r in rows])


def child_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A child's row of the context with ``funded_here``: its asks above this node's line,
    as the report decided them (the child summary's ``here.funded``)."""
    return {**row, "funded_here": row["here"]["funded"]}


@pass_context
def child(context: Context, node_id: str) -> Mapping[str, Any]:
    """The child ``node_id`` of this node (``id``, ``name``, ``totals``, ``funded_here``)."""
    rows = list(_rows(context, "children"))
    for row in rows:
        if row.get("id") == node_id:
            return child_row(row)
    raise _not_found("child", node_id, [str(r.get("id")) for r in rows])


HELPERS: dict[str, Callable[..., Any]] = {"ask": ask, "child": child}
"""The lookups narratives may call, registered in the environment factory only."""

READS: dict[str, tuple[str, ...]] = {"ask": ("stack", "removed"), "child": ("children",)}
"""The keys of the context each lookup reads: a template that calls it is given them
(:mod:`opplan.narrative.names`)."""
