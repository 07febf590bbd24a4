"""A seeded mutation fuzzer over a small cycle's plans, narratives and template.

Each case mutates one file of a small, clean cycle (byte flips, deleted,
duplicated or swapped lines, hostile tokens: control characters, huge numbers,
jinja snippets, YAML anchors, deep brackets, odd unicode), then runs the
pipeline in-process. The invariant: ``check`` (as the CLI runs it, with page
counts estimated) never raises; whatever it
accepts (no errors) rolls up, prints as JSON, CSV and a table, and renders the
mutated node's .docx and .xlsx, with at most a template error at its file and
line; every case ends within a bound. Case ``i`` of seed ``s`` is
``random.Random(f"{s}:{i}")``, so one failing case replays alone
(``FUZZ_SEED=s FUZZ_ONLY=i``).
"""

from __future__ import annotations

import random
import signal
import textwrap
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from opplan import build, pipeline
from opplan.engine.rollup import rollup
from opplan.model.diagnostics import Severity
from opplan.render import contract, tabular
from opplan.render.docx.pagelimit import page_limit_check
from opplan.render.docx.plan import search_path
from opplan.util.resources import templates_dir

CYCLE = """\
name: Fuzz OP1 2027
kind: OP1
year: 2027
currency: USD
as_of: 2026-09-15
root: co
rates:
  default: 200000
  by:
    - {role: SDE, cost: 215000}
    - {role: SDE, location: DUB, cost: 180000}
mandates:
  - id: eu-region
    title: Serve EU customers from the EU
    applies_to: [co]
    due: Q3
policies:
  min-goals: {severity: warning, min: 1}
"""

ROOT = """\
name: Company
owner: Ana Silva
headcount:
  - {role: SDM, level: L8, count: 1}
review:
  budget: {headcount: 2, cost: 400000}
  decisions:
    alpha/fast: {decision: fund, rank: 1, note: "Must have"}
    beta/b1: {decision: partial, headcount: 1}
  note: Keep the line honest.
goals:
  - {id: G1, title: Grow, kind: initiative, due: Q4, owner: Ana Silva}
mandates:
  eu-region: {response: Both teams answer it., funded_by: flat}
"""

ALPHA = """\
name: Alpha
owner: Bo Chen
contributors: [Cy Diaz]
state: submitted
headcount:
  - {role: SDE, level: L5, location: DUB, count: 4}
  - {role: QAE, count: 1.5, note: shared}
spend:
  infrastructure: 280000
  travel: 9000
flat:
  - {id: ktlo, title: Keep the lights on, headcount: 2, goals: [G1]}
incremental:
  - id: fast
    title: A faster cart
    summary: >-
      Make the cart answer in 120 ms at p99.
    headcount:
      - {role: SDE, level: L5, count: 1, start: Q2}
    spend: {infrastructure: 20000}
    goals: [G1]
    mandate: eu-region
    depends_on: [D1]
goals:
  - id: G1
    title: Cart latency at p99
    kind: metric
    metric_class: input
    unit: ms
    baseline: 180
    target: 120
    due: Q2
    owner: Bo Chen
    status:
      - {date: 2026-08-01, color: yellow, note: Migration late}
dependencies:
  - {id: D1, on: beta, what: A namespace in Frankfurt, needed_by: Q1}
mandates:
  eu-region: {response: Cart runs in Frankfurt., funded_by: fast}
"""

BETA = """\
name: Beta
owner: Di Eze
headcount:
  - {role: SDE, count: 3}
incremental:
  - id: b1
    title: Frankfurt cluster
    headcount:
      - {role: SDE, count: 2, start: 4}
  - id: b2
    title: Cheaper storage
    spend: {storage: 50000}
goals:
  - {id: G1, title: Cluster live, kind: initiative, due: 2027-06-30}
commitments:
  - {to: alpha/D1, funded_by: flat, note: In Q1}
mandates:
  eu-region: {response: The cluster is the answer., funded_by: b1}
"""

ALPHA_NARRATIVE = """\
## Introduction

{{ node.name }} owns the cart. We ask for {{ totals.incremental.requested.headcount \
| plural("head") }} ({{ totals.incremental.requested.cost | money }}).

## Tenets

**The cart never loses an item.** Durability outranks every feature.

- first
- second
  1. nested

| Metric | Today |
|---|---:|
| p99 | 180 ms |

```
code block
```

> A quote with *emphasis* and `code`.
"""

BETA_NARRATIVE = """\
## Introduction

{% for ask in stack %}{{ ask.title }}{% if not loop.last %}, {% endif %}{% endfor %}.
"""

# Hostile tokens in groups; a case picks a group, then a token, so that each kind is
# tried as often as the others.
CHARS = (
    "\x0b",
    "\x00",
    "\x1b",
    "\x0c",
    "\ufffe",
    '"\\v"',
    '"\\x07 bell"',
    '"\\uFFFF"',
    "\u202e",
    "\u200b",
    "😀",
    "\U0010fffd",
    "é",
    "\r",
    "\r\n",
    "\t",
)
NUMBERS = (
    "1e400",
    "-1e400",
    "99999999999999999999999999999",
    "0.0000000000000000000001",
    "-0",
    ".nan",
    ".inf",
    "0x1F",
    "0o17",
    "1_000",
    "2027-13-45",
    "2026-02-29",
    "Q5",
    "Q0",
    "13",
    "yes",
    "on",
    "null",
    "~",
    "[]",
    "{}",
    "''",
)
JINJA = (
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "{{ node.name }}",
    "{{ nosuchname }}",
    "{{ node.name * 100000000 }}",
    "{{ 'x' * 99999999 }}",
    "{% for i in range(10**9) %}x{% endfor %}",
    "{{ ''.__class__.__mro__ }}",
    "{{ 10**10**10 }}",
    "{{ cycle.year | money }}",
    "{% raw %}",
    "{% include 'nope' %}",
    "{% extends 'x' %}",
)
YAML = (
    "&a",
    "*a",
    "<<: *a",
    "&a [*a, *a, *a]",
    "!!python/object/apply:os.system ['true']",
    "!!binary aGk=",
    "? ",
    ": ",
    "- ",
    "---\n",
    "...\n",
    "#",
    "'",
    '"',
    "|",
    ">",
)
SHAPES = (
    "[" * 200,
    "{" * 200,
    "- " * 100,
    "$\\frac$",
    '=HYPERLINK("http://x")',
    "../../etc/passwd",
    "<w:t>",
    "&amp;",
    "]]>",
    "#" * 7 + " heading",
    "| a | b |\n|---|---|\n| 1 |",
    "x" * 30_000,
    "\n" * 50,
)
TOKENS = (CHARS, NUMBERS, JINJA, YAML, SHAPES)

KEYS = (
    "owner",
    "name",
    "title",
    "summary",
    "count",
    "start",
    "rate",
    "decision",
    "rank",
    "headcount",
    "cost",
    "on",
    "to",
    "funded_by",
    "goals",
    "id",
    "due",
    "status",
    "review",
    "budget",
    "policies",
    "mandate",
)


def write_base(base: Path) -> dict[str, str]:
    """Write the clean cycle under ``base``; return its files (relative path -> text)."""
    stack = (templates_dir() / "document" / "stack.md.j2").read_text(encoding="utf-8")
    files = {
        "cycle.yaml": CYCLE,
        "co/plan.yaml": ROOT,
        "co/alpha/plan.yaml": ALPHA,
        "co/alpha/narrative.md": ALPHA_NARRATIVE,
        "co/beta/plan.yaml": BETA,
        "co/beta/narrative.md": BETA_NARRATIVE,
        "templates/document/stack.md.j2": stack,
    }
    for rel, text in files.items():
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_text(text, encoding="utf-8")
    return files


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _flip(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    i = rng.randrange(len(data))
    return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1 :]


def _token(rng: random.Random) -> str:
    return rng.choice(rng.choice(TOKENS))


def _text_mutation(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    n = len(lines)
    kind = rng.choice((0, 1, 2, 3, 3, 4, 4, 4, 5, 5, 6, 7))  # hostile tokens half the time
    i, j = rng.randrange(n), rng.randrange(n)
    if kind == 0:
        del lines[i]
    elif kind == 1:
        lines.insert(i, lines[j])
    elif kind == 2:
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == 3:  # a hostile token anywhere
        pos = rng.randrange(len(text) + 1)
        return text[:pos] + _token(rng) + text[pos:]
    elif kind == 4:  # a hostile value for a key
        head, sep, _ = lines[i].partition(": ")
        lines[i] = f"{head}{sep or ': '}{_token(rng)}"
    elif kind == 5:  # a known key with a hostile value, indented like its neighbour
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        lines.insert(i, f"{indent}{rng.choice(KEYS)}: {_token(rng)}")
    elif kind == 6:
        return text[: rng.randrange(len(text) + 1)]
    else:  # re-indent a line
        lines[i] = " " * rng.randrange(7) + lines[i].lstrip()
    return "\n".join(lines)


def mutate(rng: random.Random, data: bytes) -> bytes:
    """One to three mutations of a file's bytes."""
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.15:
            data = _flip(rng, data)
        else:
            text = data.decode("utf-8", "surrogateescape")
            data = _text_mutation(rng, text).encode("utf-8", "surrogateescape")
    return data


class CaseTimeout(Exception):
    """A case ran past its bound."""


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Raise :class:`CaseTimeout` in the main thread after ``seconds``."""

    def expired(signum: int, frame: object) -> None:
        raise CaseTimeout(f"case ran past {seconds} s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@dataclass
class Tally:
    """What a fuzz run did."""

    cases: int = 0
    accepted: int = 0
    rendered: int = 0
    slowest: float = 0.0
    failures: list[str] = field(default_factory=list)


#: What ``opplan check`` adds to the pipeline's checks (page counts estimated, no LibreOffice).
CHECK_EXTRA = {"page-limit": page_limit_check("estimate")}


def _node_of(rel: str) -> str:
    parts = Path(rel).parts
    return parts[-2] if rel.startswith("co/") else "co"


def run_case(base: Path, out: Path, files: dict[str, str], seed: str, i: int, tally: Tally) -> None:
    """Mutate one file, run the pipeline, restore the file; record a failure with a reproducer."""
    rng = random.Random(f"{seed}:{i}")
    rel = rng.choice(sorted(files))
    original = files[rel].encode("utf-8")
    mutated = mutate(rng, original)
    (base / rel).write_bytes(mutated)
    started = time.monotonic()
    stage = "check"
    try:
        with time_bound(60):
            checked = pipeline.check(base, extra=CHECK_EXTRA)
            if not any(d.severity is Severity.ERROR for d in checked.diagnostics):
                tally.accepted += 1
                stage = "rollup"
                report = rollup(checked.cycle)
                nodes = list(report.nodes.values())
                "".join(contract.json_text(report, nodes))
                tabular.table_text(report, nodes)
                tabular.csv_text(nodes)
                stage = "build"
                node = _node_of(rel) if _node_of(rel) in report.nodes else report.root
                ctx = build.BuildContext(report, tuple(search_path(checked.cycle.dir)))
                fmt = ("docx", "xlsx")[i % 2]
                built = build.render_node(ctx, node, out, (fmt,))
                if built.problem is not None:
                    raise AssertionError(f"check accepted what build refused: {built.problem}")
                tally.rendered += 1
    except Exception:
        tally.failures.append(
            f"FUZZ_SEED={seed} FUZZ_ONLY={i}: {stage} of {rel} mutated to\n"
            f"{textwrap.indent(repr(mutated[:3000]), '    ')}\n{traceback.format_exc(limit=-6)}"
        )
    finally:
        tally.cases += 1
        tally.slowest = max(tally.slowest, time.monotonic() - started)
        (base / rel).write_bytes(original)


def run_fuzz(
    base: Path, seed: str, cases: range, on_case: Callable[[int], None] | None = None
) -> Tally:
    """Run ``cases`` of ``seed`` over a fresh cycle under ``base``."""
    files = write_base(base / "cycle")
    out = base / "out"
    tally = Tally()
    for i in cases:
        run_case(base / "cycle", out, files, seed, i, tally)
        if on_case is not None:
            on_case(i)
    return tally
