"""Policies: company rules with a severity, set in cycle.yaml and per subtree (docs/policies.md).

A policy is a named check with a default severity (``error``, ``warning`` or
``off``) and parameters. cycle.yaml's ``policies:`` sets them for the company;
any node's ``policies:`` overrides them for its subtree, the nearest setting
winning key by key. Each check is a small function
``check_*(cycle, conf) -> Iterable[Diagnostic]`` that asks ``conf(node_id)``
for the setting in force at a node and builds its diagnostics with it; those of what plans
say are in :mod:`opplan.check.planrules`.

The page-limit check needs the rendered document: it lives with the document
code (:mod:`opplan.pagelimit`) and is passed in as an ``extra`` check. So are the
over-budget check (:mod:`opplan.check.budgets`), which applies the roll-up's rules
for decisions, and the typed-figure check (:mod:`opplan.check.figures`), which needs
the roll-up: the renderers import this module, and no engine module. The
narrative-style check is pure text (:mod:`opplan.check.style`).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial

from opplan.check.codeowners import check_codeowners_stale
from opplan.check.placeholder import check_placeholder
from opplan.check.planrules import (
    check_ask_needs_goal,
    check_dependency_ack,
    check_goal_measurable,
    check_mandate_answer,
    check_max_growth,
    check_min_goals,
    check_status_jump,
)
from opplan.check.style import check_narrative_style
from opplan.model import Cycle, PolicySetting
from opplan.model.diagnostics import MAX_PER_FILE_AND_RULE, Diagnostic, Severity, Source, error

Conf = Callable[[str], "Effective"]


@dataclass(frozen=True, slots=True)
class Effective:
    """The setting of one policy in force at one node."""

    severity: str
    min: int | None = None
    max: Decimal | None = None
    words: tuple[str, ...] | None = None
    acronyms: tuple[str, ...] | None = None

    @property
    def on(self) -> bool:
        """True unless the policy is off here."""
        return self.severity != "off"

    def diag(self, source: Source, message: str, rule: str) -> Diagnostic:
        """A diagnostic of this setting's severity."""
        return Diagnostic(source, Severity(self.severity), message, rule)


@dataclass(frozen=True, slots=True)
class Policy:
    """A named rule: default setting, the parameters it takes, and its check."""

    name: str
    default: Effective
    params: frozenset[str]
    check: Callable[[Cycle, Conf], Iterable[Diagnostic]] | None
    summary: str


POLICIES: tuple[Policy, ...] = (
    Policy(
        "page-limit",
        Effective("error", max=Decimal(6)),
        frozenset({"max"}),
        None,
        "the narrative body (before # Appendix) fits in max pages",
    ),
    Policy(
        "min-goals",
        Effective("warning", min=3),
        frozenset({"min"}),
        check_min_goals,
        "a team has at least min goals",
    ),
    Policy(
        "goal-measurable",
        Effective("error"),
        frozenset(),
        check_goal_measurable,
        "a metric goal has unit, baseline, target, due; an initiative goal has due",
    ),
    Policy(
        "ask-needs-goal",
        Effective("warning"),
        frozenset(),
        check_ask_needs_goal,
        "every ask names at least one goal",
    ),
    Policy(
        "mandate-answer",
        Effective("error"),
        frozenset(),
        check_mandate_answer,
        "every leaf in scope answers every mandate",
    ),
    Policy(
        "dependency-ack",
        Effective("warning"),
        frozenset(),
        check_dependency_ack,
        "every dependency has a commitment from its host",
    ),
    Policy(
        "max-growth",
        Effective("warning", max=Decimal(25)),
        frozenset({"max"}),
        check_max_growth,
        "requested incremental HC / flat HC of a subtree, in percent",
    ),
    Policy(
        "narrative-style",
        Effective("warning"),
        frozenset({"words", "acronyms"}),
        check_narrative_style,
        "no bullets outside Goals, sentences of at most 30 words, no weasel words, "
        "acronyms defined before use",
    ),
    Policy(
        "typed-figure",
        Effective("warning"),
        frozenset(),
        None,
        "a narrative writes a figure the roll-up knows as an expression, not typed by hand",
    ),
    Policy(
        "status-jump",
        Effective("warning"),
        frozenset(),
        check_status_jump,
        "a goal's status never goes green to red with no yellow between",
    ),
    Policy(
        "over-budget",
        Effective("warning"),
        frozenset(),
        None,
        "asks funded by decision fit the budget; children's budgets add up to at most it",
    ),
    Policy(
        "placeholder",
        Effective("warning"),
        frozenset(),
        check_placeholder,
        "owners name a person and narratives are written, not what a scaffold left",
    ),
    Policy(
        "codeowners-stale",
        Effective("warning"),
        frozenset(),
        check_codeowners_stale,
        "the repository's CODEOWNERS holds the section opplan codeowners writes for the cycle",
    ),
)
BY_NAME = {p.name: p for p in POLICIES}


def _merge(eff: Effective, setting: PolicySetting) -> Effective:
    changes = {
        k: getattr(setting, k)
        for k in ("severity", "min", "max", "words", "acronyms")
        if getattr(setting, k) is not None
    }
    return replace(eff, **changes) if changes else eff


def configuration(cycle: Cycle) -> Callable[[str, str], Effective]:
    """``conf(rule, node_id)``: the setting in force at a node, nearest override winning."""
    top = cycle.settings.policies if cycle.settings else {}
    cache: dict[tuple[str, str], Effective] = {}

    def conf(rule: str, node_id: str) -> Effective:
        key = (rule, node_id)
        if key in cache:
            return cache[key]
        # up to the nearest node already known (or the root), then down again: no recursion
        path: list[str] = []
        at: str | None = node_id
        while at is not None and (rule, at) not in cache:
            path.append(at)
            at = cycle.nodes[at].parent
        if at is not None:
            result = cache[(rule, at)]
        else:
            result = (
                _merge(BY_NAME[rule].default, top[rule]) if rule in top else BY_NAME[rule].default
            )
        for nid in reversed(path):
            plan = cycle.nodes[nid].plan
            own = plan.policies.get(rule) if plan else None
            cache[(rule, nid)] = result = _merge(result, own) if own is not None else result
        return result

    return conf


def check_settings(cycle: Cycle) -> Iterator[Diagnostic]:
    """Policy settings name known policies and only the parameters each one takes."""
    tables = [(cycle.settings.source, cycle.settings.policies)] if cycle.settings else []
    tables += [(p.source, p.policies) for _, p in cycle.plans()]
    for owner, table in tables:
        unknown = 0  # spelling hints only for as many as are shown (see cap_per_file)
        for name, setting in table.items():
            policy = BY_NAME.get(name)
            if policy is None:
                unknown += 1
                known = list(BY_NAME) if unknown <= MAX_PER_FILE_AND_RULE else []
                hint = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
                yield error(
                    owner.at("policies", name),
                    f"unknown policy '{name}'" + (f" (did you mean '{hint[0]}'?)" if hint else ""),
                    "unknown-key",
                )
                continue
            for param in ("min", "max", "words", "acronyms"):
                if getattr(setting, param) is not None and param not in policy.params:
                    yield error(
                        owner.at("policies", name, param),
                        f"policy '{name}' takes no '{param}'",
                        "unknown-key",
                    )


def plain_policies(cycle: Cycle) -> list[Diagnostic]:
    """The policy settings' own problems, and every built-in policy check with its settings
    (not those the caller supplies: :func:`apply_policies`' ``extra``)."""
    out = list(check_settings(cycle))
    if cycle.root is None:
        return out
    conf = configuration(cycle)
    for policy in POLICIES:
        if policy.check is not None:
            out.extend(policy.check(cycle, partial(conf, policy.name)))
    return out


def run_policy(
    cycle: Cycle, name: str, check: Callable[[Cycle, Conf], Iterable[Diagnostic]]
) -> list[Diagnostic]:
    """One check the caller supplies, with the settings of the policy ``name``: what
    :func:`apply_policies` gives for it as one of its ``extra`` checks."""
    if cycle.root is None:
        return []
    return list(check(cycle, partial(configuration(cycle), name)))


def apply_policies(
    cycle: Cycle,
    extra: dict[str, Callable[[Cycle, Conf], Iterable[Diagnostic]]] | None = None,
    *,
    plain: Sequence[Diagnostic] | None = None,
) -> list[Diagnostic]:
    """Run every policy check (plus ``extra`` ones, by the name of a policy that has no
    check of its own) with its settings; ``plain``: :func:`plain_policies`, when the caller
    has it already (computed in another process)."""
    out = list(plain) if plain is not None else plain_policies(cycle)
    if cycle.root is None or not extra:
        return out
    conf = configuration(cycle)
    for name, check in extra.items():
        out.extend(check(cycle, partial(conf, name)))
    return out
