"""The report model is closed: renderers get records only, and the JSON contract and the
jinja context are one projection (issue 11)."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
from pathlib import Path

from opplan import pipeline
from opplan.render.contract import DEPENDENCY_KEYS, MANDATE_KEYS, STACK_KEYS, node_entry, plain
from opplan.report import records
from opplan.report.context import node_context
from opplan.report.records import NodeReport, StackRow, stack_row

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "northwind-op1-2027"
RENDER = Path(__file__).resolve().parent.parent / "opplan" / "render"


def _pick(data: dict, keys) -> dict:
    return {k: data[k] for k in keys}


def test_the_json_contract_and_the_jinja_context_are_one_projection() -> None:
    """For every node of the sample, the context's totals, stack, dependencies and
    mandates, encoded, are the JSON node's (which selects its fields in SPEC 9's order)."""
    report = pipeline.rollup(SAMPLE).report
    assert report is not None
    for node in report.nodes.values():
        ctx = node_context(node, report)
        entry = json.loads(json.dumps(node_entry(node)))
        totals = plain(ctx["totals"])
        assert entry["flat"] == totals["flat"], node.id
        assert entry["incremental"] == totals["incremental"], node.id
        assert plain(ctx["budget"]) == entry["budget"], node.id
        stack = []
        for row in ctx["stack"]:
            picked = _pick(row, STACK_KEYS)
            picked["cumulative"] = _pick(row["cumulative"], ("headcount", "cost"))
            picked["used"] = _pick(row["used"], ("headcount", "cost"))
            stack.append(plain(picked))
        assert stack == entry["stack"], node.id
        line = dict(ctx["line"])
        first = line["first_below"]
        assert first is None or first in ctx["stack"], node.id  # the very row of the stack
        line["first_below"] = None if first is None else first["ask"]
        line["forced"] = _pick(line["forced"], ("headcount", "cost"))
        line["used"] = _pick(line["used"], ("headcount", "cost"))
        assert plain(line) == entry["line"], node.id
        deps = [plain(_pick(d, DEPENDENCY_KEYS)) for d in ctx["dependencies"]]
        assert deps == entry["dependencies"], node.id
        assert [plain(_pick(m, MANDATE_KEYS)) for m in ctx["mandates"]] == entry["mandates"]
        assert ctx["goals_at_risk"] == entry["goals_at_risk"], node.id


def test_stack_row_builder_takes_every_field_of_the_record_required_and_in_order() -> None:
    """A field added to StackRow and not to its fast builder fails here instead of
    silently missing (or defaulting) on the roll-up's hot path."""
    params = inspect.signature(stack_row).parameters
    assert list(params) == [f.name for f in dataclasses.fields(StackRow)]
    assert all(p.default is inspect.Parameter.empty for p in params.values())


def test_stack_row_builder_gives_the_constructors_record() -> None:
    values = [f"v{i}" for i in range(len(dataclasses.fields(StackRow)))]
    built = stack_row(*values)  # type: ignore[arg-type]
    assert built == StackRow(*values)  # type: ignore[arg-type]
    assert vars(built) == vars(StackRow(*values))  # type: ignore[arg-type]


def test_no_report_record_hands_a_plan_to_renderers() -> None:
    hints = " ".join(str(f.type) for f in dataclasses.fields(NodeReport))
    assert "Plan" not in hints.replace("TeamRow", "")
    assert not hasattr(records, "Plan")


def test_no_renderer_imports_plan_or_reads_a_plan() -> None:
    """Renderers lay out report records: none imports the Plan model or reads ``.plan``
    (the page estimate and the template check are checks over the loaded cycle)."""
    skip = {"pagelimit.py", "templatecheck.py"}
    for path in sorted(RENDER.rglob("*.py")):
        if path.name in skip:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert "Plan" not in {a.name for a in node.names}, path
            if isinstance(node, ast.Attribute):
                assert node.attr != "plan", f"{path}:{node.lineno} reads .plan"


def test_no_renderer_sums_report_figures() -> None:
    """No renderer adds up or makes amounts: no ``Amount.total``, no ``Amount(...)``."""
    skip = {"pagelimit.py", "templatecheck.py"}
    for path in sorted(RENDER.rglob("*.py")):
        if path.name in skip:
            continue
        text = path.read_text(encoding="utf-8")
        assert "Amount.total" not in text, path
        assert "Amount(" not in text and "ZERO_AMOUNT" not in text, path


def test_the_engine_fills_every_defaulted_field_of_a_node_report(monkeypatch):
    """NodeReport's fields with defaults are decided by the report side (plan_fields,
    derived_fields) the outcomes (outcome_fields) and the money (money_fields): a field added with a default but forgotten there would silently give
    documents an empty table or a zero total."""
    from opplan.engine import rollup as engine

    produced: set[str] = set()

    def recording(fn):
        def wrapper(*args, **kwargs):
            fields = fn(*args, **kwargs)
            produced.update(fields)
            return fields

        return wrapper

    monkeypatch.setattr(engine, "plan_fields", recording(engine.plan_fields))
    monkeypatch.setattr(engine, "derived_fields", recording(engine.derived_fields))
    monkeypatch.setattr(engine, "money_fields", recording(engine.money_fields))
    monkeypatch.setattr(engine, "outcome_fields", recording(engine.outcome_fields))
    assert pipeline.rollup(SAMPLE).report is not None
    defaulted = {
        f.name
        for f in dataclasses.fields(NodeReport)
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
    }
    assert defaulted and defaulted <= produced, sorted(defaulted - produced)


def test_plain_repr_shows_a_record_as_the_generated_repr_does() -> None:
    """The report's records drop only the cycle guard of their generated ``repr``: the text
    is the one ``dataclasses`` writes; a class without a generated ``repr`` is refused."""
    import pytest

    from opplan.model.costing import Amount
    from opplan.util.plainrepr import plain_repr

    @dataclasses.dataclass(frozen=True)
    class Row:
        name: str
        amount: Amount
        rows: tuple = ()

    row = Row("a'b", Amount(), (Row("c", Amount(cost=1)),))
    guarded = repr(row)
    assert hasattr(Row.__repr__, "__wrapped__")
    plain_repr(Row)
    assert not hasattr(Row.__repr__, "__wrapped__")
    assert repr(row) == guarded
    for record in (StackRow, NodeReport, records.Report, records.Totals, Amount):
        assert not hasattr(record.__repr__, "__wrapped__"), record

    @dataclasses.dataclass(repr=False)
    class Shown:
        def __repr__(self) -> str:
            return "shown"

    with pytest.raises(TypeError, match="no generated __repr__"):
        plain_repr(Shown)
