"""Validation: the invariants that hold across records, files and nodes.

Stage 2 of the pipeline. Shape (types, required and unknown keys) is checked by
the model when loading; the validators here check what one record cannot see
alone: unique ids, references that must resolve, decisions inside the deciding
node's subtree, partials within their asks, unambiguous cost rates.

Each validator is a small pure function ``check_*(cycle) -> Iterable[Diagnostic]``
whose docstring states its invariant. ``VALIDATORS`` lists them; their order
does not matter, since diagnostics are sorted afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

from opplan.check.decisions import PLAN_FIELDS, partial_problems, rank_problems
from opplan.check.renames import check_renamed_from
from opplan.check.xmltext import check_xml_text
from opplan.model import (
    Ask,
    Cycle,
    Dependency,
    HeadcountLine,
    Plan,
    RateEntry,
    parse_ask_ref,
    parse_dependency_ref,
)
from opplan.model.costing import RateTable, ask_amount
from opplan.model.diagnostics import Diagnostic, error, listing

Validator = Callable[[Cycle], Iterable[Diagnostic]]
T = TypeVar("T")


class _Index(Generic[T]):
    """Items of each node's list by id, built once per node on first use (the first id wins).

    References (decisions to asks, commitments to dependencies) are looked up
    here, so N references into one node cost N lookups, not N scans of its list.
    """

    def __init__(self, items: Callable[[Plan], Iterable[T]], key: Callable[[T], str]):
        self.items, self.key = items, key
        self.by_node: dict[str, dict[str, T]] = {}

    def get(self, node_id: str, plan: Plan, item_id: str) -> T | None:
        index = self.by_node.get(node_id)
        if index is None:
            index = {}
            for item in self.items(plan):
                index.setdefault(self.key(item), item)
            self.by_node[node_id] = index
        return index.get(item_id)


def check_unique_ids(cycle: Cycle) -> Iterator[Diagnostic]:
    """Every list item id is unique within its list and node; mandate ids within the cycle."""
    lists = [
        ("flat", "flat item"),
        ("incremental", "ask"),
        ("goals", "goal"),
        ("dependencies", "dependency"),
    ]
    for node, plan in cycle.plans():
        for attr, what in lists:
            seen: set[str] = set()
            for item in getattr(plan, attr):
                if item.id in seen:
                    yield error(
                        item.source.at("id"),
                        f"duplicate {what} id '{item.id}' in {node.id}",
                        "duplicate-id",
                    )
                seen.add(item.id)
        seen_to: set[str] = set()
        for c in plan.commitments:
            if c.to in seen_to:
                yield error(c.source.at("to"), f"second commitment to '{c.to}'", "duplicate-id")
            seen_to.add(c.to)
    if cycle.settings:
        seen = set()
        for m in cycle.settings.mandates:
            if m.id in seen:
                yield error(m.source.at("id"), f"duplicate mandate id '{m.id}'", "duplicate-id")
            seen.add(m.id)


def check_goal_refs(cycle: Cycle) -> Iterator[Diagnostic]:
    """Goal ids named by flat items and asks are goals of the same node."""
    for node, plan in cycle.plans():
        goals = {g.id for g in plan.goals}
        known = ""  # the node's goals for the message, listed once
        for attr in ("flat", "incremental"):
            for item in getattr(plan, attr):
                for i, gid in enumerate(item.goals):
                    if gid not in goals:
                        known = known or listing(sorted(goals)) or "none"
                        yield error(
                            item.source.at("goals", i),
                            f"unknown goal '{gid}' (goals of {node.id}: {known})",
                            "reference",
                        )


def check_dependency_refs(cycle: Cycle) -> Iterator[Diagnostic]:
    """A dependency names another existing node; an away team names its own funding ask;
    ``depends_on`` names dependencies of the same node."""
    for node, plan in cycle.plans():
        asks = {a.id for a in plan.incremental}
        deps = {d.id for d in plan.dependencies}
        for dep in plan.dependencies:
            if dep.on == node.id:
                yield error(
                    dep.source.at("on"), f"dependency '{dep.id}' is on its own node", "reference"
                )
            elif dep.on not in cycle.nodes:
                yield error(dep.source.at("on"), f"unknown node '{dep.on}'", "reference")
            if dep.away_team and dep.funded_by is None:
                yield error(
                    dep.source.at("away_team"),
                    f"away-team dependency '{dep.id}' needs funded_by: one of {node.id}'s ask ids",
                    "reference",
                )
            if dep.funded_by is not None:
                if not dep.away_team:
                    yield error(
                        dep.source.at("funded_by"),
                        "funded_by on a dependency needs away_team: true "
                        "(otherwise the host funds it in its commitment)",
                        "reference",
                    )
                elif dep.funded_by not in asks:
                    yield error(
                        dep.source.at("funded_by"),
                        f"unknown ask '{dep.funded_by}' in {node.id}",
                        "reference",
                    )
        for ask in plan.incremental:
            for i, did in enumerate(ask.depends_on):
                if did not in deps:
                    yield error(
                        ask.source.at("depends_on", i),
                        f"unknown dependency '{did}' in {node.id}",
                        "reference",
                    )


def check_commitments(cycle: Cycle) -> Iterator[Diagnostic]:
    """A commitment names an existing dependency on this node and is funded by flat or an own ask."""
    deps: _Index[Dependency] = _Index(lambda p: p.dependencies, lambda d: d.id)
    for node, plan in cycle.plans():
        asks = {a.id for a in plan.incremental}
        for c in plan.commitments:
            ref = parse_dependency_ref(c.to)
            requester = cycle.nodes.get(ref[0]) if ref else None
            if ref is None:
                yield error(
                    c.source.at("to"),
                    f"'{c.to}' is not a dependency reference <node-id>/<dependency-id>",
                    "reference",
                )
            elif requester is None:
                yield error(c.source.at("to"), f"unknown node '{ref[0]}'", "reference")
            elif requester.plan is not None:
                dep = deps.get(requester.id, requester.plan, ref[1])
                if dep is None:
                    yield error(
                        c.source.at("to"), f"unknown dependency '{ref[1]}' in {ref[0]}", "reference"
                    )
                elif dep.on != node.id:
                    yield error(
                        c.source.at("to"),
                        f"dependency '{c.to}' is on '{dep.on}', not on {node.id}",
                        "reference",
                    )
            if c.funded_by != "flat" and c.funded_by not in asks:
                yield error(
                    c.source.at("funded_by"),
                    f"funded_by must be 'flat' or one of {node.id}'s ask ids, not '{c.funded_by}'",
                    "reference",
                )


def check_mandate_refs(cycle: Cycle) -> Iterator[Diagnostic]:
    """Mandate ids named by asks and answers exist; scopes name nodes; answers are funded
    by flat or an own ask."""
    if cycle.settings is None:
        return  # cycle.yaml did not load: its own diagnostics say why
    mandates = {m.id for m in cycle.settings.mandates}
    if cycle.settings:
        for m in cycle.settings.mandates:
            for i, nid in enumerate(m.applies_to):
                if nid not in cycle.nodes:
                    yield error(m.source.at("applies_to", i), f"unknown node '{nid}'", "reference")
    for node, plan in cycle.plans():
        asks = {a.id for a in plan.incremental}
        for ask in plan.incremental:
            if ask.mandate is not None and ask.mandate not in mandates:
                yield error(
                    ask.source.at("mandate"), f"unknown mandate '{ask.mandate}'", "reference"
                )
        for mid, answer in plan.mandates.items():
            if mid not in mandates:
                yield error(answer.source, f"unknown mandate '{mid}'", "reference")
            fb = answer.funded_by
            if fb is not None and fb != "flat" and fb not in asks:
                yield error(
                    answer.source.at("funded_by"),
                    f"funded_by must be 'flat' or one of {node.id}'s ask ids, not '{fb}'",
                    "reference",
                )


def check_decisions(cycle: Cycle) -> Iterator[Diagnostic]:
    """A decision names an existing ask inside the deciding node's subtree; a partial gives
    amounts within the ask; amounts appear only on partials; ranks are unique per node
    (the rules of :mod:`opplan.check.decisions`)."""
    rates = RateTable(cycle.settings.rates) if cycle.settings else None
    asks: _Index[Ask] = _Index(lambda p: p.incremental, lambda a: a.id)
    for node, plan in cycle.plans():
        if plan.review is None:
            continue
        ranks = rank_problems(
            {ref: d.rank for ref, d in plan.review.decisions.items() if d.rank is not None}
        )
        for ref, dec in plan.review.decisions.items():
            src = dec.source
            parts = parse_ask_ref(ref)
            target = cycle.nodes.get(parts[0]) if parts else None
            if parts is None:
                yield error(src, f"'{ref}' is not an ask reference <node-id>/<ask-id>", "reference")
                continue
            if target is None:
                yield error(src, f"unknown node '{parts[0]}' in '{ref}'", "reference")
                continue
            if not cycle.in_subtree(target.id, node.id):
                yield error(
                    src,
                    f"'{ref}' is outside {node.id}'s subtree; a manager decides "
                    "only on asks below them",
                    "decision-scope",
                )
                continue
            if target.plan is None:
                continue
            ask = asks.get(target.id, target.plan, parts[1])
            if ask is None:
                yield error(src, f"unknown ask '{parts[1]}' in {target.id}", "reference")
                continue
            problems = partial_problems(
                ref,
                dec.decision,
                dec.headcount,
                dec.cost,
                ask_amount(ask, rates) if rates and dec.decision == "partial" else None,
                PLAN_FIELDS,
            )
            if ref in ranks:
                problems.insert(0, ranks[ref])
            for p in problems:
                yield error(src.at(p.key), p.message, p.rule)


def check_rates(cycle: Cycle) -> Iterator[Diagnostic]:
    """Rate entries name at least one field, are not repeated, and match every headcount
    line unambiguously."""
    if cycle.settings is None:
        return
    seen: set[tuple[str | None, str | None, str | None]] = set()
    for entry in cycle.settings.rates.by:
        key = (entry.role, entry.level, entry.location)
        if key == (None, None, None):
            yield error(
                entry.source,
                "a rate entry must name role, level or location (use 'default' for the rest)",
                "rates",
            )
        elif key in seen:
            yield error(
                entry.source, "the same role, level and location are rated twice", "rate-ambiguous"
            )
        seen.add(key)
    table = RateTable(cycle.settings.rates)
    for _node, plan in cycle.plans():
        lines: list[HeadcountLine] = list(plan.headcount)
        for ask in plan.incremental:
            lines.extend(ask.headcount)
        for line in lines:
            if line.rate is not None:
                continue
            found = table.matches(line)
            if len({(e.role, e.level, e.location) for e in found}) > 1:
                names = " and ".join(_rate_name(e) for e in found)
                yield error(
                    line.source, f"ambiguous cost rate: {names} both match", "rate-ambiguous"
                )


def _rate_name(entry: RateEntry) -> str:
    named = [
        f"{f}={getattr(entry, f)}"
        for f in ("role", "level", "location")
        if getattr(entry, f) is not None
    ]
    return "{" + ", ".join(named) + "}"


VALIDATORS: tuple[Validator, ...] = (
    check_unique_ids,
    check_goal_refs,
    check_dependency_refs,
    check_commitments,
    check_mandate_refs,
    check_decisions,
    check_rates,
    check_xml_text,
    check_renamed_from,
)


def validate(cycle: Cycle) -> list[Diagnostic]:
    """Run every validator over the loaded cycle."""
    out: list[Diagnostic] = []
    for check in VALIDATORS:
        out.extend(check(cycle))
    return out
