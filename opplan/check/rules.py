"""Every rule a diagnostic can name, in one sentence, for tools that list rules (SARIF).

The policies describe themselves (:data:`opplan.check.policies.POLICIES`); the
structural rules, which are always errors (``ignored-key`` a warning), are
described here. docs/policies.md explains both in full: :func:`rule_info` gives
the section of that page where a rule is explained.
"""

from __future__ import annotations

from dataclasses import dataclass

from opplan.check.policies import BY_NAME

#: The structural rules and what each one checks (docs/policies.md, "Structural rules").
STRUCTURAL: dict[str, str] = {
    "yaml": "a YAML file parses",
    "duplicate-key": "a mapping names each key once",
    "unknown-key": "every key, policy and parameter is one the format knows",
    "required": "every required key is there",
    "type": "every value has the type its key takes",
    "encoding": "every file is UTF-8 text",
    "io": "every file of the cycle can be read",
    "tree": "the cycle has one root node and cycle.yaml is where it belongs",
    "tree-gap": "every directory between two nodes is a node",
    "tree-depth": "node directories nest at most 64 levels",
    "bad-id": "a node directory's name is a valid node id",
    "duplicate-node": "every node id is unique in the tree",
    "symlink": "no file or directory of the cycle is a link leaving it",
    "duplicate-id": "ids are unique where they must be (asks, goals, dependencies of a node)",
    "reference": "every reference names something that exists",
    "decision": "a decision is complete and fits its ask",
    "decision-scope": "a manager decides only on asks of their own subtree",
    "duplicate-rank": "two decisions of one manager never share a rank",
    "partial-over-ask": "a partial funds at most what the ask asks for",
    "rates": "every headcount line has a cost rate",
    "rate-ambiguous": "one cost rate matches a headcount line most specifically",
    "xml-text": "text holds no character that Word and Excel files cannot hold",
    "template": "every narrative and template renders",
    "ignored-key": "a key is written only where it has an effect",
    "render": "every node's documents render",
    "build": "the node asked for exists",
}
#: Structural rules that are warnings; every other one is an error.
STRUCTURAL_WARNINGS = frozenset({"ignored-key"})


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """A rule for a listing: its name, one sentence, default severity and docs anchor."""

    name: str
    summary: str
    severity: str
    anchor: str


def rule_info(name: str) -> RuleInfo:
    """What ``name`` checks; a rule nobody described (a later check's) gets its own name."""
    policy = BY_NAME.get(name)
    if policy is not None:
        default = policy.default.severity
        return RuleInfo(name, policy.summary, "warning" if default == "off" else default, "rules")
    summary = STRUCTURAL.get(name, name)
    severity = "warning" if name in STRUCTURAL_WARNINGS else "error"
    return RuleInfo(name, summary, severity, "structural-rules")
