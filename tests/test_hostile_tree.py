"""Issue 10, case 8: org trees nested absurdly deep end in one clear error, in bounded time.

Paths of a 990-node chain are longer than the system allows (PATH_MAX), so the
trees are made one directory at a time, relative to an open directory.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from files import CYCLE

from opplan.cli import cli
from opplan.load.orgtree import MAX_TREE_DEPTH

PLAN = "name: N\nowner: O\n"


def nest(base: Path, names: Sequence[str], plans: bool) -> None:
    """Make ``base/names[0]/names[1]/...``; a plan.yaml in each (``plans``) or only the last."""
    base.mkdir(parents=True, exist_ok=True)
    (base / "cycle.yaml").write_text(CYCLE.split("mandates:")[0], encoding="utf-8")
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for i, name in enumerate(names):
            os.mkdir(name, dir_fd=fd)
            below = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = below
            if plans or i == len(names) - 1 or i == 0:
                plan = os.open("plan.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
                os.write(plan, PLAN.encode())
                os.close(plan)
    finally:
        os.close(fd)


def remove_tree(path: Path) -> None:
    """Delete ``path`` and everything below it, at any depth.

    shutil.rmtree (and so pytest's clean-up of old temporary directories) recurses
    once per level and fails on these trees: every subdirectory is first moved up
    beside ``path``, so no path ever gets long.
    """
    todo, n = [path], 0
    while todo:
        here = todo.pop()
        with os.scandir(here) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    n += 1
                    moved = path.parent / f"{path.name}.rm{n}"
                    os.rename(entry.path, moved)
                    todo.append(moved)
                else:
                    os.unlink(entry.path)
        os.rmdir(here)


def run(cycle_dir: Path, *args: str) -> tuple[Result, float]:
    """Run ``opplan <args> <cycle_dir>``; assert it did not crash; return it and its seconds."""
    start = time.monotonic()
    result = CliRunner().invoke(cli, [*args, str(cycle_dir)])
    seconds = time.monotonic() - start
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "internal error" not in result.output
    return result, seconds


def too_deep(names: Sequence[str]) -> str:
    """The one error expected for a tree nested deeper than the limit."""
    rel = "/".join(names[: MAX_TREE_DEPTH + 1])
    return (
        f"{rel}:1:1: error: directories nest more than {MAX_TREE_DEPTH} levels below the "
        "cycle directory; no org tree is this deep (move these directories up) [tree-depth]"
    )


def chain(n: int) -> list[str]:
    """``n`` distinct short node ids."""
    return [f"n{i:x}" for i in range(n)]


@pytest.mark.parametrize(
    ("names", "plans"),
    [(["root"] + ["d"] * 1200, False), (chain(990), True)],
    ids=["1200-nested-directories", "990-node-chain"],
)
def test_case_8_deep_tree_is_one_error_for_every_command(tmp_path, monkeypatch, names, plans):
    """case 8: 1,200 nested directories under a node, or a chain of 990 nodes: one clear
    error at the directory past the limit, exit 1, bounded time, for check, rollup, build."""
    nest(tmp_path / "c", names, plans)
    monkeypatch.chdir(tmp_path / "c")
    try:
        for args in (["check", "--pages", "off"], ["rollup"], ["build", "--out", "../o"]):
            result, seconds = run(Path("."), *args)
            assert seconds < 20, args  # was 20-40 s, then an internal error
            assert result.exit_code == 1, (args, result.output)
            errors = [line for line in result.stderr.splitlines() if ": error: " in line]
            assert errors == [too_deep(names)], args
        assert not (tmp_path / "o").exists()
    finally:
        monkeypatch.chdir(tmp_path)
        remove_tree(tmp_path / "c")


def test_case_8_chain_at_the_limit_checks_and_rolls_up(tmp_path, monkeypatch):
    """case 8: a chain exactly as deep as the limit is a normal tree."""
    names = chain(MAX_TREE_DEPTH)
    nest(tmp_path, names, True)
    monkeypatch.chdir(tmp_path)
    result, _ = run(Path("."), "check", "--pages", "off")
    assert result.exit_code == 0, result.output
    result, _ = run(Path("."), "rollup", "--format", "json")
    assert result.exit_code == 0, result.output
    nodes = json.loads(result.stdout)["nodes"]
    assert len(nodes) == MAX_TREE_DEPTH
