"""Build small cycles for roll-up tests: on disk from inline YAML, or in memory.

Conftest-free so that any test module can ``from cyclefactory import ...``.

* :func:`write_cycle` writes ``{"d/a": "<plan.yaml text>", ...}`` (node paths,
  without ``plan.yaml``) under a directory with a cycle.yaml, and
  :func:`load_clean` loads and checks it, failing the test on any error.
* :func:`plan`, :func:`ask` and :func:`heads` build plan mappings tersely,
  and :func:`make_cycle` turns ``{path: mapping}`` into a
  :class:`~opplan.model.Cycle` in memory (no files; used by property tests).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from opplan import pipeline
from opplan.check.validate import validate
from opplan.engine.rollup import rollup
from opplan.model import Cycle, CycleSettings, Node, Plan
from opplan.model.diagnostics import Severity, Source
from opplan.report.records import Report

CYCLE_YAML = """\
name: Rollup Test OP1 2027
kind: OP1
year: 2027
currency: USD
as_of: 2026-09-15
rates:
  default: 120000
"""


def write_cycle(
    base: Path, plans: Mapping[str, str | Mapping[str, Any]], cycle_yaml: str = CYCLE_YAML
) -> Path:
    """Write cycle.yaml and one ``<path>/plan.yaml`` per entry; return ``base``."""
    base.mkdir(parents=True, exist_ok=True)
    (base / "cycle.yaml").write_text(textwrap.dedent(cycle_yaml), encoding="utf-8")
    for path, content in plans.items():
        text = (
            content
            if isinstance(content, str)
            else yaml.safe_dump(_plain(content), sort_keys=False)
        )
        node_dir = base / path
        node_dir.mkdir(parents=True, exist_ok=True)
        (node_dir / "plan.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return base


def load_clean(cycle_dir: Path) -> Cycle:
    """Load and check a cycle; fail with the diagnostics if it has errors."""
    checked = pipeline.check(cycle_dir)
    errors = [d.format() for d in checked.diagnostics if d.severity is Severity.ERROR]
    assert not errors, "\n".join(errors)
    return checked.cycle


def rolled(
    base: Path, plans: Mapping[str, str | Mapping[str, Any]], cycle_yaml: str = CYCLE_YAML
) -> Report:
    """Write, check and roll up a cycle in one step."""
    return rollup(load_clean(write_cycle(base, plans, cycle_yaml)))


def heads(
    count: float | int | str = 1, role: str = "SDE", start: str | int | None = None, **extra: Any
) -> dict[str, Any]:
    """One headcount line."""
    line: dict[str, Any] = {"role": role, "count": count, **extra}
    if start is not None:
        line["start"] = start
    return line


def ask(ask_id: str, hc: float | int | str | None = 1, **fields: Any) -> dict[str, Any]:
    """One ask; ``hc`` heads of SDE from Q1 unless ``headcount`` is given."""
    out: dict[str, Any] = {"id": ask_id, "title": ask_id.replace("-", " ").capitalize()}
    if "headcount" not in fields and hc is not None:
        out["headcount"] = [heads(hc)]
    out.update(fields)
    return out


def plan(
    name: str,
    *asks: Mapping[str, Any],
    hc: float | int | None = None,
    budget: Mapping[str, Any] | None = None,
    decisions: Mapping[str, Mapping[str, Any]] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A plan mapping: owner derived from the name, optional flat heads, asks and review."""
    out: dict[str, Any] = {"name": name, "owner": f"{name} Owner"}
    if hc is not None:
        out["headcount"] = [heads(hc)]
    if asks:
        out["incremental"] = list(asks)
    if budget is not None or decisions:
        review: dict[str, Any] = {}
        if budget is not None:
            review["budget"] = dict(budget)
        if decisions:
            review["decisions"] = {k: dict(v) for k, v in decisions.items()}
        out["review"] = review
    out.update(fields)
    return out


def make_cycle(
    plans: Mapping[str, Mapping[str, Any]], settings: Mapping[str, Any] | None = None
) -> Cycle:
    """A cycle in memory from ``{"root/child": plan mapping}`` (parents before children
    or not: the tree is sorted depth-first, children by id)."""
    cycle_settings = CycleSettings.model_validate(dict(settings or yaml.safe_load(CYCLE_YAML)))
    paths = sorted(plans, key=lambda p: p.split("/"))
    children: dict[str, list[str]] = {p: [] for p in paths}
    for p in paths:
        parent = p.rpartition("/")[0]
        if parent:
            children[parent].append(p)
    roots = [p for p in paths if "/" not in p]
    assert len(roots) == 1, f"one root expected, got {roots}"
    nodes: dict[str, Node] = {}

    def add(path: str, depth: int) -> None:
        nid = path.rsplit("/", 1)[-1]
        parent = path.rpartition("/")[0].rsplit("/", 1)[-1] or None
        kids = sorted(children[path], key=lambda p: p.rsplit("/", 1)[-1])
        nodes[nid] = Node(
            nid,
            path,
            parent,
            tuple(k.rsplit("/", 1)[-1] for k in kids),
            depth,
            Source(f"{path}/plan.yaml"),
            Plan.model_validate(_plain(plans[path])),
        )
        for k in kids:
            add(k, depth + 1)

    add(roots[0], 0)
    root = roots[0]
    return Cycle(Path("."), cycle_settings, nodes, root, Source("cycle.yaml"))


def errors_of(cycle: Cycle) -> list[str]:
    """The validation errors of an in-memory cycle."""
    return [d.format() for d in validate(cycle) if d.severity is Severity.ERROR]


def _plain(value: Any) -> Any:
    """Decimals as strings, so YAML and pydantic read them back exactly."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
