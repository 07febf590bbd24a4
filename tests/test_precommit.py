"""The pre-commit hooks (.pre-commit-hooks.yaml), run as a planning repository runs them.

A temporary planning repository runs the hooks of this working copy (committed as a hook
repository of its own) on its files: a broken plan fails the commit with the diagnostic at its
file, line and column; a clean one passes. ``opplan-check`` (language python) is used through
the three lines of config a planning repository writes: pre-commit installs opplan into a
virtualenv of its own from the package registry (a minute or two, once: both runs share
PRE_COMMIT_HOME). ``pre-commit try-repo`` runs ``opplan-check-system``, which uses the opplan
on PATH (try-repo installs a python hook afresh on every run).

These tests need pre-commit (the test extra) and git: without them they skip with a reason,
except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from files import SHOP, cycle

BROKEN_LINE = (
    "op1-2027/acme/shop/plan.yaml:2:1: error: unknown key 'titel' (did you mean 'state'?) "
    "[unknown-key]"
)


def need_precommit_and_git() -> None:
    """Skip without pre-commit, git or a git checkout of opplan, except in CI, where it fails."""
    missing = []
    if importlib.util.find_spec("pre_commit") is None:
        missing.append("pre-commit is not installed (it is in the test extra)")
    if shutil.which("git") is None:
        missing.append("git is not installed")
    if not (REPO / ".git").exists():
        missing.append("this opplan is not a git checkout, which try-repo needs")
    if not missing:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"the pre-commit hook tests are required in CI: {'; '.join(missing)}")
    pytest.skip(f"the pre-commit hook tests need pre-commit and git: {'; '.join(missing)}")


@pytest.fixture(scope="module")
def precommit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's cache for this module: the hook's virtualenv is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This working copy as one commit of a repository of its own, uncommitted changes
    included: try-repo of it installs the hook once for every run of the module (try-repo
    of a working copy with changes makes a new commit, so a new virtualenv, on every run)."""
    need_precommit_and_git()
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    dest = tmp_path_factory.mktemp("opplan-hooks")
    for rel in filter(None, listed.split("\0")):
        source = REPO / rel
        if source.is_file() and not source.is_symlink():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    git = ["git", "-C", str(dest), "-c", "user.name=opplan", "-c", "user.email=opplan@localhost"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "the working copy"], check=True)
    return dest


def planning_repo(base: Path, *, broken: bool) -> Path:
    """A git repository with a cycle at op1-2027 (a misspelt key in shop's plan when
    ``broken``) and a README that no hook looks at; every file staged."""
    repo = base / ("broken" if broken else "clean")
    shop = SHOP.replace("name: Shop", "name: Shop\ntitel: typo") if broken else SHOP
    cycle(repo / "op1-2027", **{"acme/shop/plan.yaml": shop})
    (repo / "README.md").write_text("# Plans\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    return repo


def try_repo(
    repo: Path, hooks: Path, hook: str, home: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``pre-commit try-repo <hooks> <hook> --all-files`` inside ``repo`` (try-repo keeps its
    hook environments in a store of its own that it deletes: every run installs again)."""
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), hook, "--all-files"],
        cwd=repo,
        env={
            **os.environ,
            "PRE_COMMIT_HOME": str(home),
            "PRE_COMMIT_COLOR": "never",
            **(env or {}),
        },
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )


def run_hooks(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """``pre-commit run --all-files`` inside ``repo``, with pre-commit's cache at ``home``."""
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=repo,
        env={**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"},
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )


def test_the_python_hook_with_three_lines_of_config(
    tmp_path: Path, hook_repo: Path, precommit_home: Path
) -> None:
    """What a planning repository writes: the hook repository, a rev and the hook's id.
    pre-commit installs opplan into its own virtualenv once; the broken plan fails the
    commit with its diagnostic; once fixed, the same environment passes it."""
    repo = planning_repo(tmp_path, broken=True)
    rev = subprocess.run(
        ["git", "-C", str(hook_repo), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n      - id: opplan-check\n",
        encoding="utf-8",
    )
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    broken = run_hooks(repo, precommit_home)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert BROKEN_LINE in broken.stdout.splitlines()
    assert re.search(r"^opplan check\.+Failed$", broken.stdout, re.M)
    (repo / "op1-2027" / "acme" / "shop" / "plan.yaml").write_text(SHOP, encoding="utf-8")
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    clean = run_hooks(repo, precommit_home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert re.search(r"^opplan check\.+Passed$", clean.stdout, re.M)
    assert "Installing environment" not in clean.stderr + clean.stdout


def test_try_repo_fails_a_broken_plan_and_passes_a_clean_one(
    tmp_path: Path, hook_repo: Path, precommit_home: Path
) -> None:
    """``pre-commit try-repo`` with the system hook and the opplan under test on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "opplan"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m opplan "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(REPO)}
    broken = try_repo(
        planning_repo(tmp_path, broken=True), hook_repo, "opplan-check-system", precommit_home, env
    )
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert BROKEN_LINE in broken.stdout.splitlines()
    clean = try_repo(
        planning_repo(tmp_path, broken=False), hook_repo, "opplan-check-system", precommit_home, env
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert re.search(r"^opplan check \(installed opplan\)\.+Passed$", clean.stdout, re.M)


def test_the_hooks_look_at_plans_narratives_settings_and_templates() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["opplan-check", "opplan-check-system"]
    for hook in hooks:
        assert hook["entry"] == "opplan check --files --pages estimate"
        assert hook["require_serial"] is True
        files = re.compile(hook["files"])
        looked_at = [
            p
            for p in (
                "op1/acme/plan.yaml",
                "plan.yaml",
                "op1/acme/narrative.md",
                "op1/cycle.yaml",
                "op1/templates/narrative.md.j2",
                "README.md",
                "op1/acme/plan.yaml.orig",
                "op1/acme/notes.md",
            )
            if files.search(p)
        ]
        assert looked_at == [
            "op1/acme/plan.yaml",
            "plan.yaml",
            "op1/acme/narrative.md",
            "op1/cycle.yaml",
            "op1/templates/narrative.md.j2",
        ]
