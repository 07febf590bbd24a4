"""Samples are tests: the shipped sample checks clean, with only its two explained warnings."""

from __future__ import annotations

from click.testing import CliRunner
from conftest import REPO

from opplan.cli import cli

SAMPLE = REPO / "samples" / "northwind-op1-2027"


def test_sample_checks_clean_with_its_two_intended_warnings(monkeypatch):
    monkeypatch.chdir(SAMPLE)
    result = CliRunner().invoke(cli, ["check", ".", "--pages", "estimate"])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "northwind/plan.yaml:56:12: warning: the budgets of northwind's children add up to "
        "35 heads (payments 10, platform 9, retail 16), more than its own 34 heads "
        "[over-budget]",
        "northwind/retail/buying/promotions/plan.yaml:69:5: warning: dependency "
        "'promotions/D1' on search has no commitment from search [dependency-ack]",
        "0 errors, 2 warnings",
    ]
    # the README of the sample explains both warnings
    readme = (SAMPLE / "README.md").read_text()
    assert "promotions/D1" in readme and "over-budget" in readme


def test_sample_shape():
    """At least 4 levels and 20 teams, as the sample promises."""
    from opplan.load.loader import load

    cycle, diags = load(SAMPLE)
    leaves = [n for n in cycle.nodes.values() if not n.children]
    assert diags == [] and len(leaves) >= 20
    assert max(n.depth for n in cycle.nodes.values()) >= 3
    assert all(n.narrative is not None for n in cycle.nodes.values())


def test_init_sample_copies_the_sample(tmp_path):
    target = tmp_path / "copy"
    result = CliRunner().invoke(cli, ["init", str(target), "--sample"])
    assert result.exit_code == 0, result.output
    assert (target / "cycle.yaml").read_bytes() == (SAMPLE / "cycle.yaml").read_bytes()
    check = CliRunner().invoke(cli, ["check", str(target), "--pages", "estimate"])
    assert check.exit_code == 0 and "0 errors, 2 warnings" in check.stderr
