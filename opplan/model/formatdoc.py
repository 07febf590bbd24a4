"""Generate docs/plan-format.md from the model, so the reference cannot drift.

``python -m opplan.model.formatdoc > docs/plan-format.md`` rewrites it;
tests/test_docs_sync.py fails when the committed file differs.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from opplan import model

INTRO = """\
# The plan format: every key of cycle.yaml and plan.yaml

Generated from `opplan/model/` by `python -m opplan.model.formatdoc`; do not edit by hand
(a test fails when this file and the model disagree). [README](../README.md) and [the roll-up](rollup.md) explain the
files; this page lists every key with its type and default. Unknown keys are errors.

Conventions:

- YAML follows the 1.2 core schema: `on`, `no`, `yes` are strings; numbers with a fraction
  are exact decimals (amounts never go through binary floats); `2027-03-31` is a date.
- *quarter-or-month*: `Q1`..`Q4` or a month number `1`..`12`. *due*: a quarter, a month or a date.
- Amounts are in the cycle currency, written as digits: `640000`, not `$640,000` or `640k`.
  Headcount may be fractional and is never negative.
- Ids of asks, goals, flat lines and dependencies are 1 to 64 letters, digits, `.`, `_` or `-`,
  starting with a letter or a digit (`G1`, `fraud-model`). Node ids are directory names: 1 to
  63 lowercase letters, digits and `-`.
- Free text with a `,`, `: ` or ` #` in it is either quoted (`title: "Search, and more"`) or
  written in block style, on the lines after `title: >-`. Inside `{ }` a `,` ends a value.
- A key that is allowed but would be ignored where it stands is a warning (`ignored-key`):
  `start` on a flat headcount line (flat heads cost a full year), and `metric_class`, `unit`,
  `baseline` or `target` on an initiative goal.
- Policies accept a bare severity (`narrative-style: off`) or a mapping
  (`min-goals: {severity: warning, min: 3}`); see docs/policies.md.
"""

SECTIONS: list[tuple[str, type[BaseModel], str]] = [
    ("cycle.yaml", model.CycleSettings, "One per planning directory."),
    ("cycle.yaml `rates`", model.Rates, ""),
    (
        "cycle.yaml `rates.by[]`",
        model.RateEntry,
        "The match naming the most fields wins; two "
        "winners naming the same number of fields is an error.",
    ),
    ("cycle.yaml `mandates[]`", model.Mandate, ""),
    ("cycle.yaml `document`", model.DocumentSettings, ""),
    (
        "cycle.yaml `revises`",
        model.Revises,
        "`commit`, `repo_path` and `dirty` are set when the revised cycle is in a git repository.",
    ),
    (
        "`policies` (cycle.yaml and plan.yaml)",
        model.PolicySetting,
        "Keyed by policy name; the nearest setting to a node wins, key by key.",
    ),
    ("plan.yaml", model.Plan, "One per node directory."),
    ("plan.yaml `headcount[]` and `incremental[].headcount[]`", model.HeadcountLine, ""),
    ("plan.yaml `flat[]`", model.FlatItem, ""),
    ("plan.yaml `incremental[]`", model.Ask, "Rank = list order, first = most important."),
    (
        "plan.yaml `incremental[].deferred_in`",
        model.Deferral,
        "Documents show it in the ask's note (Deferred in OP1 by Risk).",
    ),
    ("plan.yaml `goals[]`", model.Goal, ""),
    ("plan.yaml `goals[].status[]`", model.StatusEntry, ""),
    ("plan.yaml `dependencies[]`", model.Dependency, ""),
    ("plan.yaml `commitments[]`", model.Commitment, ""),
    ("plan.yaml `mandates.<mandate-id>`", model.MandateAnswer, ""),
    ("plan.yaml `review`", model.Review, ""),
    ("plan.yaml `review.budget`", model.Budget, ""),
    ("plan.yaml `review.decisions.<node-id>/<ask-id>`", model.Decision, ""),
]


_VALIDATED_NAMES = {
    "_parse_start": "quarter-or-month",
    "_check_due": "due",
    "_policy_shorthand": "mapping of policy name to setting",
}


def type_name(tp: Any, metadata: Sequence[Any] = ()) -> str:
    """A reader's name for a field type (``metadata``: pydantic's field metadata)."""
    for meta in metadata:
        name = getattr(getattr(meta, "func", None), "__name__", "")
        if name in _VALIDATED_NAMES:
            return _VALIDATED_NAMES[name]
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return type_name(args[0], list(args[1:]))
    if origin in (typing.Union, types.UnionType):
        parts = [type_name(a) for a in args if a is not type(None)]
        return " or ".join(parts)
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin is tuple:
        return f"list of {type_name(args[0])}"
    if origin is dict:
        return f"mapping of {type_name(args[0])} to {type_name(args[1])}"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "mapping"
    names = {
        "str": "text",
        "int": "integer",
        "Decimal": "number",
        "bool": "true/false",
        "date": "date",
    }
    return names.get(getattr(tp, "__name__", str(tp)), getattr(tp, "__name__", str(tp)))


def _default(field: Any) -> str:
    if field.is_required():
        return "**required**"
    if field.default_factory is not None:
        value = field.default_factory()
        if isinstance(value, BaseModel):
            return "see below"
        return "`{}`" if isinstance(value, dict) else f"`{value}`"
    value = field.default
    if value is PydanticUndefined or value is None:
        return "none"
    if value == ():
        return "`[]`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def render() -> str:
    """The whole Markdown reference."""
    lines = [INTRO]
    for title, cls, note in SECTIONS:
        lines.append(f"## {title}\n")
        lines.append(f"{(cls.__doc__ or '').strip()} {note}".strip() + "\n")
        lines.append("| key | type | default | meaning |")
        lines.append("| --- | --- | --- | --- |")
        for name, field in cls.model_fields.items():
            if name == "source":
                continue
            lines.append(
                f"| `{name}` | {type_name(field.annotation, field.metadata)} | {_default(field)} "
                f"| {field.description or ''} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
