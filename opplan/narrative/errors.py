"""Template failures in a planner's words: the missing key's neighbours, the unset value.

jinja speaks Python (``'dict object' has no attribute 'costs'``); a narrative's
author thinks in the names of docs/templates.md. Two failures get their own
words, completed with the expression written on the failing line:

* a key that a mapping of the context does not have names the keys it has:
  ``budget has no key 'costs' (keys: headcount, cost)``
  (:class:`MissingKey`, raised when the sandbox's lookup result is used);
* a filter given a value that is not set (``None``) says so, and which
  expression was empty: ``the headcount filter got no value: budget.headcount
  is not set for this node (it has no budget; test has_budget first)``
  (:class:`NoValue`, raised by opplan's filters).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jinja2.exceptions import FilterArgumentError, UndefinedError

MAX_KEYS = 12


class MissingKey(UndefinedError):
    """A key that a mapping does not have; the message lists the keys it has."""


class NoValue(FilterArgumentError):
    """A filter given a value that is not set (``None``)."""

    def __init__(self, filter_name: str) -> None:
        self.filter_name = filter_name
        super().__init__(f"the {filter_name} filter got no value: it is not set for this node")


def missing_key_hint(obj: Mapping[Any, Any], key: str) -> str:
    """What ``obj.key`` says when ``obj`` has no such key: the keys it has."""
    keys = [str(k) for k in obj]
    shown = ", ".join(keys[:MAX_KEYS]) + (", ..." if len(keys) > MAX_KEYS else "")
    return f"has no key '{key[:60]}' (keys: {shown or 'none'})"


_NAME = r"([A-Za-z_][\w.]*(?:\[[^\]\n]{0,80}\][\w.]*)?)"


def in_words(exc: BaseException, line_text: str) -> str | None:
    """The message of a :class:`MissingKey` or :class:`NoValue` with the expression named.

    ``line_text`` is the template line that failed; None for other failures.
    """
    if isinstance(exc, MissingKey):
        detail = str(exc)
        key = re.escape(detail[len("has no key '") :].split("'", 1)[0])
        found = re.search(_NAME + r"(?:\.|\[\s*[\"'])" + key + r"\b", line_text[:2000])
        return f"{found.group(1) if found else 'this mapping'} {detail}"
    if isinstance(exc, NoValue):
        name = re.escape(exc.filter_name)
        found = re.search(_NAME + r"\s*\|\s*" + name + r"\b", line_text[:2000])
        if found is None:
            return str(exc)
        expr = found.group(1)
        why = " (it has no budget; test has_budget first)" if expr.startswith("budget.") else ""
        return f"the {exc.filter_name} filter got no value: {expr} is not set for this node{why}"
    return None
