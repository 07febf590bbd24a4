"""The plan model: immutable records for cycle.yaml, plan.yaml and the org tree.

Records are frozen pydantic models. pydantic checks types, required keys and
unknown keys (``extra="forbid"``) and reports every problem of a file at once;
the loader turns its errors into diagnostics at the exact YAML key. Every
record keeps its :class:`~opplan.diagnostics.Source` (file, line, column, key
path), so later stages can point at it too.

The field names *are* the file format: docs/plan-format.md is generated from
these classes (``python -m opplan.model.formatdoc``) and a test keeps it in sync.

The rooms: :mod:`~opplan.model.types` (ids, ask references, bounded types),
:mod:`~opplan.model.settings` (cycle.yaml), :mod:`~opplan.model.plan`
(plan.yaml), :mod:`~opplan.model.cycle` (the loaded cycle and its subtree
index). Everything public is re-exported here.
"""

from opplan.model.cycle import Cycle, Narrative, Node, Tree, TreeNode
from opplan.model.plan import (
    Ask,
    Budget,
    Commitment,
    Decision,
    Deferral,
    Dependency,
    FlatItem,
    Goal,
    HeadcountLine,
    MandateAnswer,
    Plan,
    Review,
    StatusEntry,
)
from opplan.model.settings import (
    CycleSettings,
    DocumentSettings,
    Mandate,
    Policies,
    PolicySetting,
    RateEntry,
    Rates,
    Revises,
)
from opplan.model.types import (
    ITEM_ID_PATTERN,
    MAX_AMOUNT,
    MAX_HEADS,
    MAX_RANK,
    NODE_ID_RE,
    QUARTER_RE,
    Amounts,
    AskRef,
    Count,
    Due,
    ItemId,
    Money,
    Month,
    NodeId,
    Record,
    SourceField,
    Text,
    ask_ref,
    dependency_ref,
    parse_ask_ref,
    parse_dependency_ref,
)

__all__ = [
    "ITEM_ID_PATTERN",
    "MAX_AMOUNT",
    "MAX_HEADS",
    "MAX_RANK",
    "NODE_ID_RE",
    "QUARTER_RE",
    "Amounts",
    "Ask",
    "AskRef",
    "Budget",
    "Commitment",
    "Count",
    "Cycle",
    "CycleSettings",
    "Decision",
    "Deferral",
    "Dependency",
    "DocumentSettings",
    "Due",
    "FlatItem",
    "Goal",
    "HeadcountLine",
    "ItemId",
    "Mandate",
    "MandateAnswer",
    "Money",
    "Month",
    "Narrative",
    "Node",
    "NodeId",
    "Plan",
    "Policies",
    "PolicySetting",
    "RateEntry",
    "Rates",
    "Record",
    "Review",
    "Revises",
    "SourceField",
    "StatusEntry",
    "Text",
    "Tree",
    "TreeNode",
    "ask_ref",
    "dependency_ref",
    "parse_ask_ref",
    "parse_dependency_ref",
]
