"""Write small cycles for tests: a mapping of relative path -> file text."""

from __future__ import annotations

import textwrap
from pathlib import Path

CYCLE = """\
name: Test OP1 2027
kind: OP1
year: 2027
currency: USD
as_of: 2026-09-15
rates:
  default: 200000
  by:
    - {role: SDE, cost: 210000}
    - {role: SDE, location: DUB, cost: 165000}
mandates:
  - {id: eu-region, title: Launch in Frankfurt, applies_to: [shop], due: Q3}
"""

ROOT = """\
name: Acme
owner: Ada Root
headcount:
  - {role: SDM, level: L8, count: 1}
review:
  budget: {headcount: 3}
  decisions:
    cart/fast-cart: {decision: fund, rank: 1}
"""

SHOP = """\
name: Shop
owner: Sam Shop
headcount:
  - {role: SDE, level: L5, location: SEA, count: 4}
incremental:
  - id: fast-cart
    title: Faster cart
    headcount: [{role: SDE, count: 1, start: Q2}]
    goals: [G1]
goals:
  - {id: G1, title: Cart p99 under 300 ms, kind: metric, unit: ms, baseline: 800, target: 300, due: Q3, owner: Sam}
  - {id: G2, title: Ship saved carts, kind: initiative, due: Q4, owner: Sam}
  - {id: G3, title: Zero sev-1 incidents, kind: metric, unit: incidents, baseline: 4, target: 0, due: 2027-12-31, owner: Sam}
"""

CART = """\
name: Cart
owner: Cy Cart
headcount:
  - {role: SDE, level: L5, location: DUB, count: 6}
spend: {infrastructure: 120000}
incremental:
  - id: fast-cart
    title: Faster cart
    summary: Cut cart latency in half.
    headcount: [{role: SDE, level: L5, count: 1, start: Q2}]
    goals: [G1]
    depends_on: [D1]
goals:
  - {id: G1, title: Cart p99 under 300 ms, kind: metric, unit: ms, baseline: 800, target: 300, due: Q3, owner: Cy}
  - {id: G2, title: Ship saved carts, kind: initiative, due: Q4, owner: Cy}
  - {id: G3, title: Zero sev-1 incidents, kind: metric, unit: incidents, baseline: 4, target: 0, due: Q4, owner: Cy}
dependencies:
  - {id: D1, on: search, what: Product lookup API, needed_by: Q2}
mandates:
  eu-region: {response: We launch the cart in Frankfurt in Q3., funded_by: flat}
"""

SEARCH = """\
name: Search
owner: Sue Search
headcount:
  - {role: SDE, level: L6, location: SEA, count: 5}
goals:
  - {id: G1, title: Search p99 under 200 ms, kind: metric, unit: ms, baseline: 400, target: 200, due: Q2, owner: Sue}
  - {id: G2, title: Ship typo tolerance, kind: initiative, due: Q3, owner: Sue}
  - {id: G3, title: Index freshness under 5 min, kind: metric, unit: min, baseline: 30, target: 5, due: Q4, owner: Sue}
commitments:
  - {to: cart/D1, funded_by: flat}
"""

#: A small valid cycle: acme -> shop -> cart, and acme -> search.
VALID = {
    "cycle.yaml": CYCLE,
    "acme/plan.yaml": ROOT,
    "acme/shop/plan.yaml": SHOP,
    "acme/shop/cart/plan.yaml": CART,
    "acme/search/plan.yaml": SEARCH,
}


def write_tree(base: Path, files: dict[str, str | bytes | None]) -> Path:
    """Write ``files`` under ``base`` (None deletes a file); return ``base``."""
    for rel, content in files.items():
        path = base / rel
        if content is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return base


def cycle(base: Path, **overrides: str | bytes | None) -> Path:
    """The valid cycle with some files replaced: ``cycle(tmp, **{"acme/plan.yaml": ...})``."""
    files: dict[str, str | bytes | None] = dict(VALID)
    files.update(overrides)
    return write_tree(base, files)
