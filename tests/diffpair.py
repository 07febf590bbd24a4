"""A hand-built OP1/OP2 pair with every kind of change ``opplan diff`` reports.

Conftest-free (``from diffpair import write_pair``). OP1 is ``old``, OP2 ``new``:

* org: budget 4 -> 3 heads; a rank for alpha/a4 (new) at org
* alpha: a1 retitled and starting in Q3; a2 grows from 1 to 2 heads; a3 removed;
  a4 added (ranked first at org); goal G1's target, due date and status change, G2
  removed, G3 added; its flat plan grows by a head
* beta: a cut of gamma/g1 added; its note on gamma/g2 changed
* delta: moved from beta to org (``git mv`` keeps the directory name)
* epsilon renamed zeta (``renamed_from: epsilon``); its ask's dependencies change
* old-team removed; new-team added
* side/psi: p1 grows from 1 head to 2, so p2 falls below psi's line (2 heads)
* side/rho: the fund decision on r2 is removed: r2 falls below rho's line (1 head), r1
  comes above it
* side/sigma: s1 grows from 1 head to 2, over sigma's budget of 1: below its line
* side/tau: t1 shrinks from 2 heads to 1, so t2 comes above tau's line (2 heads)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cyclefactory import ask, heads, plan, write_cycle


def _goal(gid: str, target: int, due: str, color: str) -> dict[str, Any]:
    return {
        "id": gid,
        "title": f"Goal {gid}",
        "kind": "metric",
        "unit": "%",
        "baseline": 5,
        "target": target,
        "due": due,
        "owner": "A. Owner",
        "status": [{"date": "2026-09-01", "color": color}],
    }


def old_plans() -> dict[str, Any]:
    """OP1."""
    return {
        "org": plan("Org", hc=2, budget={"headcount": 4}),
        "org/alpha": plan(
            "Alpha",
            ask("a1", 1),
            ask("a2", 1),
            ask("a3", 1, goals=["G1"]),
            hc=5,
            goals=[_goal("G1", 10, "Q4", "green"), _goal("G2", 7, "Q4", "green")],
        ),
        "org/beta": plan(
            "Beta",
            hc=1,
            budget={"headcount": 2},
            decisions={"gamma/g2": {"rank": 1, "note": "First"}},
        ),
        "org/beta/gamma": plan("Gamma", ask("g1", 1), ask("g2", 1), hc=3),
        "org/beta/delta": plan("Delta", ask("d1", 1), hc=2),
        "org/epsilon": plan(
            "Epsilon",
            ask("e1", 1),
            hc=2,
            dependencies=[{"id": "D1", "on": "alpha", "what": "An API"}],
        ),
        "org/old-team": plan("Old team", ask("o1", 1), hc=1),
        "org/side": plan("Side", hc=1),
        "org/side/psi": plan("Psi", ask("p1", 1), ask("p2", 1), hc=4, budget={"headcount": 2}),
        "org/side/rho": plan(
            "Rho",
            ask("r1", 1),
            ask("r2", 1),
            hc=4,
            budget={"headcount": 1},
            decisions={"rho/r2": {"decision": "fund"}},
        ),
        "org/side/sigma": plan("Sigma", ask("s1", 1), hc=4, budget={"headcount": 1}),
        "org/side/tau": plan("Tau", ask("t1", 2), ask("t2", 1), hc=4, budget={"headcount": 2}),
    }


def new_plans() -> dict[str, Any]:
    """OP2."""
    return {
        "org": plan("Org", hc=2, budget={"headcount": 3}, decisions={"alpha/a4": {"rank": 1}}),
        "org/alpha": plan(
            "Alpha",
            ask("a1", headcount=[heads(1, start="Q3")], title="A1 renamed"),
            ask("a2", 2),
            ask("a4", 1, goals=["G3"]),
            hc=6,
            goals=[_goal("G1", 12, "Q3", "red"), _goal("G3", 3, "Q2", "yellow")],
        ),
        "org/beta": plan(
            "Beta",
            hc=1,
            budget={"headcount": 2},
            decisions={"gamma/g1": {"decision": "cut"}, "gamma/g2": {"rank": 1, "note": "Top"}},
        ),
        "org/beta/gamma": plan("Gamma", ask("g1", 1), ask("g2", 1), hc=3),
        "org/delta": plan("Delta", ask("d1", 1), hc=2),
        "org/zeta": plan(
            "Zeta",
            ask("e1", 1, depends_on=["D1"]),
            hc=2,
            renamed_from="epsilon",
            dependencies=[{"id": "D1", "on": "alpha", "what": "An API"}],
        ),
        "org/new-team": plan("New team", ask("n1", 1), hc=1),
        "org/side": plan("Side", hc=1),
        "org/side/psi": plan("Psi", ask("p1", 2), ask("p2", 1), hc=4, budget={"headcount": 2}),
        "org/side/rho": plan("Rho", ask("r1", 1), ask("r2", 1), hc=4, budget={"headcount": 1}),
        "org/side/sigma": plan("Sigma", ask("s1", 2), hc=4, budget={"headcount": 1}),
        "org/side/tau": plan("Tau", ask("t1", 1), ask("t2", 1), hc=4, budget={"headcount": 2}),
    }


def write_pair(base: Path) -> tuple[Path, Path]:
    """Write OP1 to ``base/old`` and OP2 to ``base/new``."""
    return write_cycle(base / "old", old_plans()), write_cycle(base / "new", new_plans())
