"""Run ``opplan check`` and ``opplan build`` in a child process with a memory ceiling.

A hostile template that gets past the sandbox's limits would eat the machine;
in a child process limited by ``RLIMIT_AS`` it fails the test instead. Each
command's exit code, output and wall-clock seconds come back as JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MEMORY_LIMIT = 3 * 2**30
"""Address space of the child process: far above a normal build, far below a bomb."""

_CHILD = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from click.testing import CliRunner
from opplan.cli import cli
out = []
for args in json.loads(sys.argv[1]):
    start = time.monotonic()
    result = CliRunner().invoke(cli, args)
    out.append({{"code": result.exit_code, "output": result.output,
                "seconds": time.monotonic() - start}})
print(json.dumps(out))
"""


@dataclass(frozen=True)
class Ran:
    """One command's outcome in the child process."""

    code: int
    output: str
    seconds: float


def run_limited(*commands: list[str], timeout: float = 120) -> list[Ran]:
    """Run opplan commands (argument lists) in one memory-limited child process."""
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD.format(limit=MEMORY_LIMIT), json.dumps(commands)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [Ran(**r) for r in json.loads(proc.stdout)]


def check_and_build(cycle: Path, out: Path) -> tuple[Ran, Ran]:
    """``opplan check`` then ``opplan build --format docx`` of a cycle, memory-limited."""
    check, build = run_limited(
        ["check", "--pages", "estimate", str(cycle)],
        ["build", str(cycle), "--out", str(out), "--format", "docx", "--jobs", "1"],
    )
    return check, build
