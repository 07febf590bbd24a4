"""Text that XML 1.0 can hold: one rule for the validator and for every renderer.

Word and Excel files are XML 1.0, which allows tab, newline and carriage return
but no other C0 control character, no lone surrogate and neither U+FFFE nor
U+FFFF. A YAML escape (``"\\v"``, ``"\\uFFFE"``) or a pasted control character
would otherwise pass ``check`` and stop ``build`` deep inside python-docx or
openpyxl.

* :func:`check_xml_text` (a registered validator) refuses such characters in
  every text field of cycle.yaml and plan.yaml, and in narrative.md, at the
  exact key or line and column, naming the character.
* :func:`xml_safe` is the one sanitiser every renderer applies to text bound
  for XML, so that nothing a template produces can crash a build either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from opplan.model import Cycle, Record
from opplan.model.diagnostics import Diagnostic, Source, error

#: Every character XML 1.0 does not allow.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: The replacement a renderer shows instead of an illegal character.
REPLACEMENT = "\ufffd"
#: Illegal characters reported per narrative file, at most (the rest are counted).
MAX_PER_FILE = 20

_NAMES = {
    0x00: "null",
    0x07: "bell",
    0x08: "backspace",
    0x0B: "vertical tab",
    0x0C: "form feed",
    0x1B: "escape",
    0xFFFE: "not a character",
    0xFFFF: "not a character",
}


def char_name(char: str) -> str:
    """A character as planners can find it: ``U+000B (vertical tab)``."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        name = "lone surrogate"
    else:
        name = _NAMES.get(code, "control character")
    return f"U+{code:04X} ({name})"


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold replaced by U+FFFD."""
    return XML_ILLEGAL.sub(REPLACEMENT, text)


def _message(char: str, where: str) -> str:
    return (
        f"{where} holds the character {char_name(char)}, which Word and Excel files "
        "cannot hold; delete it (it is often invisible: retype the text around it)"
    )


def _walk(value: Any, source: Source, keys: tuple[str | int, ...]) -> Iterator[Diagnostic]:
    """Diagnostics for every bad character in ``value``, a field at ``keys`` below ``source``."""
    if isinstance(value, str):
        bad = XML_ILLEGAL.search(value)
        if bad:
            field = next((k for k in reversed(keys) if isinstance(k, str)), "this text")
            yield error(source.at(*keys), _message(bad.group(), f"'{field}'"), "xml-text")
    elif isinstance(value, BaseModel):
        yield from _record(value)
    elif isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            yield from _walk(item, source, (*keys, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            bad_key = XML_ILLEGAL.search(key) if isinstance(key, str) else None
            if bad_key:
                where, what = source.at(*keys, key), f"a key of '{keys[-1]}'"
                yield error(where, _message(bad_key.group(), what), "xml-text")
            yield from _walk(item, source, (*keys, key))


def _record(record: BaseModel) -> Iterator[Diagnostic]:
    source = record.source if isinstance(record, Record) else Source("")
    for name in type(record).model_fields:
        if name != "source":
            yield from _walk(getattr(record, name), source, (name,))


def _narrative(path: str, text: str) -> Iterator[Diagnostic]:
    if not XML_ILLEGAL.search(text):
        return
    found = 0
    # split on newlines only: str.splitlines() would also break at a vertical tab
    for line_no, line in enumerate(text.split("\n"), start=1):
        for bad in XML_ILLEGAL.finditer(line):
            found += 1
            if found <= MAX_PER_FILE:
                yield error(
                    Source(path, line_no, bad.start() + 1),
                    _message(bad.group(), "this line"),
                    "xml-text",
                )
    if found > MAX_PER_FILE:
        yield error(
            Source(path),
            f"{found - MAX_PER_FILE} more characters that Word and Excel files cannot hold",
            "xml-text",
        )


def _may_hold_one(record: Record) -> bool:
    """False when the record's file cannot hold a bad character: a fast test before the walk.

    The YAML reader refuses these characters written as they are, so only an
    escape in a double-quoted scalar (``"\\v"``) can bring one in: a file
    without a backslash needs no walk (which would cost a second per thousand
    teams).
    """
    try:
        with open(record.source.path, "rb") as fh:  # plain open: pathlib costs a third more
            return b"\\" in fh.read()
    except OSError:
        return True


def check_xml_text(cycle: Cycle) -> Iterator[Diagnostic]:
    """Every text of cycle.yaml, plan.yaml and narrative.md holds only characters XML 1.0 allows."""
    if cycle.settings is not None and _may_hold_one(cycle.settings):
        yield from _record(cycle.settings)
    for node in cycle.nodes.values():
        if node.plan is not None and _may_hold_one(node.plan):
            yield from _record(node.plan)
        if node.narrative is not None:
            yield from _narrative(node.narrative.path, node.narrative.text)
