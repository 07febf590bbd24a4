"""The model's validation errors in a planner's words, at the offending keys.

pydantic says what Python type it expected ("Input should be a valid dictionary or instance of
Budget", "String should match pattern '^[A-Za-z0-9]...'"). Here each becomes what to write:
the keys a mapping takes, an id rule in words, the plain form of a number (``$640,000``: write
640000). A ',' inside an unquoted ``{ }`` value splits it into a second key with no value; that
fragment is folded back into the first message, which says to quote the value.
"""

from __future__ import annotations

import difflib
import types
import typing
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError

from opplan.load.yamlsrc import SOURCE_KEY, source_of
from opplan.model import Plan
from opplan.model.diagnostics import (
    MAX_PER_FILE_AND_RULE,
    Diagnostic,
    KeyPath,
    Source,
    error,
    warning,
)
from opplan.model.types import CODEOWNER_PATTERN, ITEM_ID_PATTERN
from opplan.model.words import ITEM_ID_WORDS, NUMBER_FORMS, number_form

_NUMBER_ERRORS = {
    "decimal_parsing",
    "decimal_type",
    "int_parsing",
    "int_type",
    "int_from_float",
    "float_parsing",
    "float_type",
}
_MAPPING_ERRORS = {"model_type", "model_attributes_type", "dict_type"}
_LIST_ERRORS = {"tuple_type", "list_type"}
_BOUNDS = {
    "greater_than_equal": "{} or more",
    "greater_than": "more than {}",
    "less_than_equal": "at most {}",
    "less_than": "less than {}",
    "decimal_max_places": "a number with at most {} decimal places",
    "string_too_long": "at most {} characters long",
}
_PLAIN_WORDS = (
    ("Input should be", "expected"),
    ("a valid string", "text"),
    ("a valid boolean", "true or false"),
    ("a valid date", "a date such as 2027-03-31"),
)


def schema_diagnostics(
    exc: ValidationError, path: str, model: type[BaseModel], data: dict[str, Any]
) -> list[Diagnostic]:
    """Turn pydantic's errors into diagnostics at the offending keys.

    Spelling hints are looked for only while a file has at most
    ``MAX_PER_FILE_AND_RULE`` unknown keys: beyond that they are summarised.
    """
    out = []
    unknown = 0
    errors = exc.errors(include_url=False)
    failing = {tuple(err["loc"]) for err in errors}
    order = _Order()
    reported: set[tuple[Any, ...]] = set()
    for err in errors:
        loc = tuple(err["loc"])
        kind = err["type"]
        name = loc[-1] if loc else ""
        parent = _at(data, loc[:-1])
        split = order.split_from(parent, name)
        if split is not None:
            chain = (*loc[:-1], split)
            if chain in failing or chain in reported:
                continue  # the rest of a value that one message already shows whole
            reported.add(chain)
        if kind == "extra_forbidden":
            unknown += 1
            if split is not None:
                rest = order.fragments(parent, split)
                value = _joined(parent[split], rest)
                msg = (
                    f"unknown key '{name}': the ',' before it ended the value of '{split}'; "
                    f'put the value in quotes: {split}: "{value}"'
                )
            else:
                fields = _fields_at(model, loc[:-1]) if unknown <= MAX_PER_FILE_AND_RULE else []
                hint = difflib.get_close_matches(str(name), fields, n=1, cutoff=0.6)
                msg = f"unknown key '{name}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")
            out.append(error(_src(path, loc, data), msg, "unknown-key"))
        elif kind == "missing":
            out.append(
                error(_src(path, loc[:-1], data), f"missing required key '{name}'", "required")
            )
        else:
            label = ".".join(str(k) for k in loc if not isinstance(k, int)) or "value"
            value = err.get("input")
            rest = order.fragments(parent, name)
            if rest:
                value = _joined(value, rest)
            msg = _message(err, model, loc, value)
            if rest:
                msg += f" (a ',' inside {{ }} ends a value: put it in quotes, or write {value})"
                if (form := number_form(value)) is not None:
                    msg = (
                        f"'{value}' is not a number: {form} (inside {{ }} a ',' also ends a value)"
                    )
            out.append(error(_src(path, loc, data), f"{label}: {msg}", "type"))
    return out


_METRIC_ONLY = ("metric_class", "unit", "baseline", "target")


def ignored_keys(plan: Plan) -> list[Diagnostic]:
    """Keys the model accepts but the roll-up would ignore where they stand: each a warning.

    ``start`` on a flat headcount line (flat heads cost a full year) and the metric keys of an
    initiative goal.
    """
    out = []
    for line in plan.headcount:
        if "start" in line.model_fields_set:
            out.append(
                warning(
                    line.source.at("start"),
                    "start is ignored on a flat headcount line: flat heads cost a full year; "
                    "remove it, or move heads that start later to an ask (incremental)",
                    "ignored-key",
                )
            )
    for goal in plan.goals:
        if goal.kind == "initiative":
            for key in _METRIC_ONLY:
                if key in goal.model_fields_set:
                    out.append(
                        warning(
                            goal.source.at(key),
                            f"{key} is ignored on an initiative goal: it is for metric goals; "
                            "remove it, or make the goal kind: metric",
                            "ignored-key",
                        )
                    )
    return out


def _message(err: Any, model: type[BaseModel], loc: KeyPath, value: Any) -> str:
    """One validation error as what to write instead."""
    kind = err["type"]
    msg: str = err["msg"]
    if msg.startswith("Value error, "):
        return msg[len("Value error, ") :]
    if kind in _NUMBER_ERRORS:
        if value is None:
            return "expected a number, got nothing"
        form = number_form(value)
        return f"'{value}' is not a number: " + (form or NUMBER_FORMS)
    if kind == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == ITEM_ID_PATTERN:
        return f"'{value}' is not a valid id: {ITEM_ID_WORDS}"
    if kind == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == CODEOWNER_PATTERN:
        return (
            f"'{value}' is not a code owner: write a GitHub user (@name), "
            "a team (@org/team) or an email address"
        )
    if kind in _MAPPING_ERRORS:
        fields = _fields_at(model, loc)
        if not fields:
            return f"expected keys under it, got {_show(value)}"
        msg = f"expected keys under it ({', '.join(fields)}), got {_show(value)}"
        if not isinstance(value, dict | list) and loc and isinstance(loc[-1], str):
            msg += f", e.g. {loc[-1]}: {{{fields[0]}: {value}}}"
        return msg
    bound = _BOUNDS.get(kind)
    if bound is not None:
        limit = next(iter(err.get("ctx", {}).values()), "")
        return f"must be {bound.format(limit)}, got {_show(value)}"
    if kind in _LIST_ERRORS:
        hint = ""
        if isinstance(value, str) and value.startswith("-"):
            hint = " (put a space after '-' to start a list item)"
        elif isinstance(value, dict) and any(str(k).startswith("-") for k in value):
            hint = " (put a space after each '-' to start a list item)"
        return f"expected a list, got {_show(value)}{hint}"
    for jargon, plain in _PLAIN_WORDS:
        msg = msg.replace(jargon, plain)
    return f"{msg[0].lower()}{msg[1:]}, got {_show(value)}"


def _at(data: Any, loc: KeyPath) -> Any:
    node = data
    for key in loc:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node


class _Order:
    """Key order of the mappings that errors point into, each listed once (a file may have
    40,000 unknown keys in one mapping)."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple[Any, list[str], dict[str, int]]] = {}

    def of(self, mapping: Any) -> tuple[list[str], dict[str, int]]:
        """The keys of ``mapping`` in file order, and each key's position among them."""
        if not isinstance(mapping, dict):
            return [], {}
        hit = self._seen.get(id(mapping))
        if hit is None or hit[0] is not mapping:
            keys = [k for k in mapping if k != SOURCE_KEY]
            hit = (mapping, keys, {k: i for i, k in enumerate(keys)})
            self._seen[id(mapping)] = hit
        return hit[1], hit[2]

    def split_from(self, mapping: Any, name: Any) -> str | None:
        """The key whose value a ',' split, when ``name`` (a key with no value) is part of its
        rest: the nearest key above it with a value, over keys with none."""
        keys, index = self.of(mapping)
        i = index.get(name) if isinstance(name, str) else None
        if not i or mapping[name] is not None:
            return None
        while i > 0 and mapping[keys[i - 1]] is None:
            i -= 1
        if i == 0:
            return None
        before = mapping[keys[i - 1]]
        return keys[i - 1] if isinstance(before, str | int | Decimal) else None

    def fragments(self, mapping: Any, name: Any) -> list[str]:
        """The keys with no value after ``name``: the rest of its value, split by ','."""
        keys, index = self.of(mapping)
        i = index.get(name) if isinstance(name, str) else None
        if i is None or mapping[name] is None:
            return []
        out = []
        for key in keys[i + 1 :]:
            if mapping[key] is not None:
                break
            out.append(key)
        return out


def _joined(value: Any, rest: list[str]) -> str:
    """A value and the fragments a ',' split from it, as the user most likely wrote them."""
    text = str(value)
    for part in rest:
        text += f",{part}" if part[:1].isdigit() else f", {part}"
    return text


def _src(path: str, loc: KeyPath, data: dict[str, Any]) -> Source:
    """Source of the value at ``loc``: exact when its record knows the key."""
    node: Any = data
    record = source_of(data, path)
    depth = 0
    for i, key in enumerate(loc):
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and SOURCE_KEY in node:
            record, depth = source_of(node, path), i + 1
    return record.at(*loc[depth:])


def _strip(tp: Any) -> Any:
    """``tp`` without Annotated and Optional wrappers."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _model_at(model: Any, loc: KeyPath) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``loc``, if any."""
    tp = model
    for key in loc:
        tp = _strip(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(key, str):
            field = tp.model_fields.get(key)
            tp = field.annotation if field else None
        elif origin is tuple and isinstance(key, int):
            tp = typing.get_args(tp)[0]
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    tp = _strip(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _fields_at(model: type[BaseModel], loc: KeyPath) -> list[str]:
    found = _model_at(model, loc)
    if found is None:
        return []
    return [n for n in found.model_fields if n != "source"]


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = str(value)
    if isinstance(value, str):
        try:
            Decimal(value)
        except ArithmeticError:
            text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
