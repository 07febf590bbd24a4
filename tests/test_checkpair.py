"""A large cycle is validated (in a worker) beside its roll-up: the outcome is a sequential check's
and roll-up's (the same diagnostics; the same report, and none for plans with errors).

``PARALLEL_CHECKS`` is lowered so that the sample and the invalid samples take the
two-process path; the same check with it raised takes the sequential one.
"""

from __future__ import annotations

import pytest
from conftest import REPO, SAMPLE

from opplan import pipeline
from opplan.pipeline import checkpair
from opplan.render.contract import json_text

INVALID = sorted((REPO / "samples" / "invalid").iterdir())


def _check(cycle, monkeypatch, parallel: bool):
    monkeypatch.setattr(checkpair, "PARALLEL_CHECKS", 1 if parallel else 10**9)
    monkeypatch.setattr(checkpair.workers, "usable_cpus", lambda: 2)  # as on CI, on any machine
    calls = []
    real = checkpair.workers.started

    def counted(shared, fn, arg):
        calls.append(fn.__name__)
        return real(shared, fn, arg)

    monkeypatch.setattr(checkpair.workers, "started", counted)
    checked = pipeline.rollup(cycle)
    taken = parallel and len(checked.cycle.nodes) > 0  # no node loaded: nothing to share
    assert calls == (["_validate_and_apply"] if taken else []), "the path was not taken"
    return checked


def test_the_sample_checks_and_rolls_up_the_same_in_two_processes(monkeypatch) -> None:
    one = _check(SAMPLE, monkeypatch, parallel=False)
    two = _check(SAMPLE, monkeypatch, parallel=True)
    assert [d.format() for d in two.diagnostics] == [d.format() for d in one.diagnostics]
    assert one.diagnostics, "the sample has warnings: the comparison compares something"
    assert one.report is not None and two.report is not None
    nodes = list(one.report.nodes.values())
    assert "".join(json_text(two.report, list(two.report.nodes.values()))) == "".join(
        json_text(one.report, nodes)
    )


@pytest.mark.parametrize("case", [p for p in INVALID if p.is_dir()], ids=lambda p: p.name)
def test_invalid_plans_give_the_same_diagnostics_and_no_roll_up(case, monkeypatch) -> None:
    one = _check(case, monkeypatch, parallel=False)
    two = _check(case, monkeypatch, parallel=True)
    assert [d.format() for d in two.diagnostics] == [d.format() for d in one.diagnostics]
    assert (two.report is None) == (one.report is None)


def test_a_roll_up_that_fails_on_sound_plans_is_raised(monkeypatch) -> None:
    def broken(cycle):
        raise RuntimeError("engine bug")

    monkeypatch.setattr(checkpair, "roll_up", broken)
    monkeypatch.setattr(pipeline, "roll_up", broken)
    with pytest.raises(RuntimeError, match="engine bug"):
        _check(SAMPLE, monkeypatch, parallel=True)


def test_a_roll_up_that_fails_on_unsound_plans_is_dropped(monkeypatch) -> None:
    def broken(cycle):
        raise KeyError("an unknown ask")

    monkeypatch.setattr(checkpair, "roll_up", broken)
    checked = _check(REPO / "samples" / "invalid" / "dangling-dependency", monkeypatch, True)
    assert checked.report is None
    assert any(d.severity.name == "ERROR" for d in checked.diagnostics)


def test_the_roll_up_made_beside_validation_is_the_one_check_returns(monkeypatch) -> None:
    made = []
    real = checkpair.roll_up

    def counted(cycle):
        made.append(real(cycle))
        return made[-1]

    monkeypatch.setattr(checkpair, "roll_up", counted)
    monkeypatch.setattr(pipeline, "roll_up", counted)
    checked = _check(SAMPLE, monkeypatch, parallel=True)
    assert len(made) == 1 and checked.report is not None
    # the same records, with the asks' JSON the worker made beside them
    assert checked.report.nodes is made[0].nodes and checked.report.ask_json


def test_check_alone_does_not_roll_up_beside_validation(monkeypatch) -> None:
    """``opplan check`` rolls a cycle up only when a check needs it (plans without errors, a
    typed figure): it starts no worker to roll it up before validation has spoken."""
    monkeypatch.setattr(checkpair, "PARALLEL_CHECKS", 1)
    monkeypatch.setattr(checkpair.workers, "usable_cpus", lambda: 2)
    started = []
    monkeypatch.setattr(checkpair.workers, "started", lambda *a: started.append(a))
    invalid = REPO / "samples" / "invalid" / "dangling-dependency"
    checked = pipeline.check(invalid)
    assert started == [] and checked.report is None
    assert any(d.severity.name == "ERROR" for d in checked.diagnostics)


def test_the_worker_finds_the_narratives_that_may_type_a_figure(monkeypatch) -> None:
    """The typed-figure check's first pass runs in the worker; the check then looks only at
    the nodes it found (so an empty set there means no diagnostic here)."""
    from opplan.check.figures import check_typed_figures, typing_nodes
    from opplan.check.policies import configuration
    from opplan.load.loader import load

    case = REPO / "samples" / "invalid" / "typed-figure"
    cycle, _ = load(case)
    monkeypatch.setattr(checkpair, "PARALLEL_CHECKS", 1)
    monkeypatch.setattr(checkpair.workers, "usable_cpus", lambda: 2)
    checks = checkpair.validate_and_roll_up(cycle)
    assert checks.typing == typing_nodes(cycle) and checks.typing
    assert checks.report is not None

    def conf(nid):
        return configuration(cycle)("typed-figure", nid)

    found = check_typed_figures(cycle, conf, lambda: checks.report, typing=checks.typing)
    assert found and found == check_typed_figures(cycle, conf, lambda: checks.report)
    assert check_typed_figures(cycle, conf, lambda: checks.report, typing=frozenset()) == []
    two = _check(case, monkeypatch, parallel=True)
    assert [d.format() for d in two.diagnostics if d.rule == "typed-figure"]


def test_the_over_budget_policy_is_applied_beside_the_roll_up(tmp_path, monkeypatch) -> None:
    """Once validation found no error, the worker applies the over-budget policy too: this
    process does not, and the diagnostics are a sequential check's."""
    from cyclefactory import ask, plan, write_cycle

    plans = {
        "org": plan("Org", budget={"headcount": 1}, decisions={"team/t": {"decision": "fund"}}),
        "org/team": plan("Team", ask("t", 3)),
    }
    base = write_cycle(tmp_path, plans)
    here = []
    real = pipeline.check_over_budget

    def counted(cycle, conf):
        here.append(1)
        return real(cycle, conf)

    monkeypatch.setattr(pipeline, "check_over_budget", counted)
    one = _check(base, monkeypatch, parallel=False)
    assert here == [1]
    two = _check(base, monkeypatch, parallel=True)
    assert here == [1]  # not again here: the worker did it
    assert [d.format() for d in two.diagnostics] == [d.format() for d in one.diagnostics]
    assert any(d.rule == "over-budget" for d in two.diagnostics)
