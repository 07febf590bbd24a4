"""The scaffold templates (``templates/new/``) and the YAML text they write.

One jinja environment for the files ``init``, ``new`` and ``import table`` write, compiled once
per process: an import writes thousands of plans.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

import jinja2

from opplan.util.resources import templates_dir

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")
_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]+")
#: Text that YAML reads as a plain string, the same as it is written.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ._()'/&+-]*")
_NOT_STRINGS = re.compile(r"(?i)(true|false|null|yes|no|on|off|y|n|~)")


def quote(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (JSON escapes, which YAML also reads)."""
    out = json.dumps(text, ensure_ascii=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def yaml_text(text: str) -> str:
    """``text`` as a YAML scalar: plain when YAML reads it back as the same string, else quoted."""
    plain = _PLAIN.fullmatch(text) and not _NOT_STRINGS.fullmatch(text) and text == text.strip()
    return text if plain else quote(text)


def one_line(text: str) -> str:
    """``text`` safe inside a YAML comment or a Markdown line: control characters become spaces."""
    return _LINE.sub(" ", text)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir() / "new"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["yaml"] = yaml_text
    env.filters["one_line"] = one_line
    env.filters["pad"] = lambda text, width: str(text).ljust(width - 1) + " "
    return env


def render(template: str, **values: object) -> str:
    """Render ``templates/new/<template>`` with ``values``."""
    return _environment().get_template(template).render(**values)
