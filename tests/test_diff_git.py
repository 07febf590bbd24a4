"""``opplan diff`` with git revisions: read without touching the working tree."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE

from opplan.cli import cli

ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["diff", *args])
    return result.exit_code, result.stdout, result.stderr


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def snapshot(repo: Path) -> tuple[str, dict[str, str]]:
    """``git status --porcelain`` and a hash of every file, .git's index and refs included."""
    hashes = {
        str(p.relative_to(repo)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and "objects" not in p.parts and "logs" not in p.parts
    }
    return git(repo, "status", "--porcelain", "--untracked-files=all"), hashes


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with two commits of the sample in ``cycle/`` (the second with edits),
    an uncommitted edit on top, and a copy of the first commit's cycle in ``../op1``."""
    repo = tmp_path / "repo"
    shutil.copytree(SAMPLE, repo / "cycle")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "OP1")
    shutil.copytree(repo / "cycle", tmp_path / "op1")
    payments = repo / "cycle" / "northwind" / "payments" / "plan.yaml"
    edit(
        payments, "budget: {headcount: 10, cost: 1900000}", "budget: {headcount: 8, cost: 1500000}"
    )
    edit(
        payments, "title: Second compliance program manager", "title: A second PCI program manager"
    )
    git(repo, "commit", "-q", "-am", "OP2 draft")
    monkeypatch.chdir(repo)
    return repo


def test_old_rev_gives_the_diff_of_two_directories_and_touches_nothing(repo: Path) -> None:
    before = snapshot(repo)
    code, from_git, err = run("--old-rev", "HEAD~1", "cycle", "--format", "json")
    assert (code, err) == (0, "")
    after = snapshot(repo)
    assert after == before
    code, from_dirs, _ = run(str(repo.parent / "op1"), "cycle", "--format", "json")
    assert code == 0
    git_doc, dir_doc = json.loads(from_git), json.loads(from_dirs)
    assert git_doc["diff"]["old"] == "HEAD~1:cycle"
    assert dir_doc["diff"]["old"] == str(repo.parent / "op1")
    assert git_doc["nodes"] == dir_doc["nodes"]
    assert [n["id"] for n in git_doc["nodes"]] == ["northwind", "payments"]
    assert [a["fields"] for a in git_doc["nodes"][1]["asks"]] == [
        [
            {
                "field": "title",
                "old": "Second compliance program manager",
                "new": "A second PCI program manager",
            }
        ]
    ]


def test_old_rev_reads_the_revision_not_the_working_tree(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    edit(repo / "cycle" / "northwind" / "plan.yaml", "name: Northwind", "name: Northwind Co")
    before = snapshot(repo)
    code, out, _ = run("--old-rev", "HEAD", "cycle", "--format", "json")
    assert code == 0
    assert snapshot(repo) == before  # the uncommitted edit is still there, nothing else moved
    assert [n["id"] for n in json.loads(out)["nodes"]] == []  # a name alone is no change
    code, out, _ = run("HEAD~1:cycle", "HEAD:cycle")
    assert code == 0 and out.splitlines()[0] == "opplan diff: HEAD~1:cycle -> HEAD:cycle"
    assert list(scratch.iterdir()) == []  # each revision's temporary directory is removed


def test_a_node_moved_with_git_mv_is_moved(repo: Path) -> None:
    git(repo, "mv", "cycle/northwind/payments/risk/kyc", "cycle/northwind/retail/kyc")
    git(repo, "commit", "-q", "-m", "KYC moves to retail")
    code, out, err = run("--old-rev", "HEAD~1", "cycle", "--format", "json")
    assert (code, err) == (0, "")
    changes = [(n["id"], c) for n in json.loads(out)["nodes"] for c in n["nodes"]]
    assert [(nid, c["change"], c["old_parent"], c["new_parent"]) for nid, c in changes] == [
        ("kyc", "moved", "risk", "retail")
    ]
    asks = [a for n in json.loads(out)["nodes"] for a in n["asks"]]
    assert asks == []  # its asks are the same asks, not removed and added


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--old-rev", "no-such-tag", "cycle"),
            "'no-such-tag' is not a revision of the repository at {repo}",
        ),
        (("--old-rev", "--upload-pack=x", "cycle"), "'--upload-pack=x' is not a revision"),
        (("HEAD~1:elsewhere", "cycle"), "revision 'HEAD~1' has no directory 'elsewhere'"),
        (
            ("--old-rev", "HEAD~1", "cycle", "cycle"),
            "with --old-rev give one directory (NEW), not two",
        ),
    ],
)
def test_a_bad_revision_or_path_is_one_line_and_exit_2(
    repo: Path, args: tuple[str, ...], message: str
) -> None:
    assert run(*args) == (2, "", f"opplan diff: {message.format(repo=repo)}\n")


def test_outside_a_repository_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(SAMPLE, tmp_path / "plain")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code, out, err = run("--old-rev", "HEAD", "plain")
    assert (code, out) == (2, "")
    assert err.startswith("opplan diff: plain: not in a git repository (") and err.count("\n") == 1


def test_without_git_is_one_line_and_exit_2(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "no-bin"))
    assert run("--old-rev", "HEAD~1", "cycle") == (
        2,
        "",
        "opplan diff: git is not installed (or not on PATH): it is needed to read a revision\n",
    )


def test_a_revision_larger_than_the_caps_is_refused(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opplan.util import gitrev

    monkeypatch.setattr(gitrev, "MAX_FILES", 10)
    code, out, err = run("--old-rev", "HEAD~1", "cycle")
    assert (code, out) == (2, "")
    files = [p for p in (repo.parent / "op1").rglob("*") if p.is_file()]
    assert err == (
        f"opplan diff: revision 'HEAD~1' of 'cycle' holds {len(files)} files, "
        f"{sum(p.stat().st_size for p in files)} bytes: "
        "more than opplan reads (10 files, 2147483648 bytes)\n"
    )
