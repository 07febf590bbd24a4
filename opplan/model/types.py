"""The model's vocabulary: ids, ask references and the bounded value types of every record.

Every record of cycle.yaml and plan.yaml is built from these: :class:`Record`
(frozen, strict about unknown keys, knows its source) and the annotated types
whose bounds keep every sum of the roll-up exact.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, SkipValidation

from opplan.model.diagnostics import Source

NodeId = str
"""A node's id: its directory name, ``^[a-z0-9][a-z0-9-]{0,62}$``."""
AskRef = str
"""An ask reference: ``<node-id>/<ask-id>``; build one with :func:`ask_ref`, read one with
:func:`parse_ask_ref`."""

NODE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
ITEM_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
QUARTER_RE = re.compile(r"^Q([1-4])$")
#: A code owner as GitHub's CODEOWNERS takes one: a user ``@name``, a team ``@org/team``
#: or an email address.
CODEOWNER_PATTERN = (
    r"^(?:@[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:/[A-Za-z0-9][A-Za-z0-9._-]{0,99})?"
    r"|[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+)$"
)


def _parse_start(value: Any) -> Any:
    """``Q1``..``Q4`` become the first month of the quarter; months stay."""
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a quarter (Q1..Q4) or a month (1..12)")
    if isinstance(value, str):
        m = QUARTER_RE.match(value.strip())
        if m:
            return (int(m.group(1)) - 1) * 3 + 1
        raise ValueError(f"'{value}' is not a quarter (Q1..Q4) or a month (1..12)")
    return value


def _check_due(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a quarter (Q1..Q4), a month (1..12) or a date")
    if isinstance(value, str) and QUARTER_RE.match(value):
        return value
    if isinstance(value, int) and 1 <= value <= 12:
        return value
    if isinstance(value, dt.date):
        return value
    raise ValueError(f"'{value}' is not a quarter (Q1..Q4), a month (1..12) or a date")


def _drop_source(value: Any) -> Any:
    """Mappings keyed by the user (spend, decisions...) carry no source entry."""
    if isinstance(value, dict) and "__source__" in value:
        return {k: v for k, v in value.items() if k != "__source__"}
    return value


# The loader puts a ready Source in every mapping; pydantic passes it through
# without a Python call per record (a large share of load time otherwise).
SourceField = Annotated[Source, SkipValidation]
ItemId = Annotated[str, Field(pattern=ITEM_ID_PATTERN)]
Codeowner = Annotated[str, Field(pattern=CODEOWNER_PATTERN)]
#: Bounds that keep every product and sum of the roll-up exact in 28-digit decimals
#: (a quadrillion in any currency; ten million heads on one line).
MAX_AMOUNT = Decimal(10) ** 15
MAX_HEADS = Decimal(10) ** 7
MAX_RANK = 1_000_000
Money = Annotated[Decimal, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, decimal_places=6)]
Count = Annotated[Decimal, Field(ge=0, le=MAX_HEADS, decimal_places=6)]
Month = Annotated[int, BeforeValidator(_parse_start), Field(ge=1, le=12, strict=True)]
Due = Annotated[str | int | dt.date, PlainValidator(_check_due)]
Text = Annotated[str, Field(max_length=20_000)]
Amounts = Annotated[dict[str, Money], BeforeValidator(_drop_source)]


class Record(BaseModel):
    """Base of every record: frozen, strict about unknown keys, knows its source."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        coerce_numbers_to_str=True,
        populate_by_name=True,
        allow_inf_nan=False,
    )

    source: SourceField = Field(default=Source(""), alias="__source__", exclude=True, repr=False)


# --- references across nodes ------------------------------------------------


def ask_ref(node: NodeId, ask: str) -> AskRef:
    """The reference ``<node-id>/<ask-id>`` of ask ``ask`` of node ``node``."""
    return f"{node}/{ask}"


def parse_ask_ref(text: str) -> tuple[NodeId, str] | None:
    """``(node-id, ask-id)`` of a reference ``<node-id>/<ask-id>``, or None when ``text`` is not
    one (no slash, an empty side, or a second slash)."""
    node, sep, item = text.partition("/")
    return (node, item) if sep and node and item and "/" not in item else None


#: A dependency is referenced across nodes the same way: ``<requester-id>/<dependency-id>``.
dependency_ref = ask_ref
parse_dependency_ref = parse_ask_ref
