"""What a user installs: the wheel's contents and the lock that `make test` installs from."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import zipfile

from conftest import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PIP = [sys.executable, "-m", "pip", "-qq", "--disable-pip-version-check"]


def test_the_wheel_ships_every_module_the_templates_and_the_sample(tmp_path):
    """`pip install opplan` gets every module, the default templates and the sample cycle,
    and opplan.resources finds them inside the installed package (not in a checkout)."""
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    subprocess.run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", "-w", wheels, REPO], check=True
    )
    (wheel,) = wheels.glob("opplan-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(REPO).as_posix() for p in (REPO / "opplan").rglob("*.py")}
    assert modules <= names, f"missing from the wheel: {sorted(modules - names)}"
    assert {"opplan/sample_cycle/cycle.yaml", "opplan/sample_cycle/northwind/plan.yaml"} <= names
    templates = {
        "opplan/default_templates/" + p.relative_to(REPO / "templates").as_posix()
        for p in (REPO / "templates").rglob("*")
        if p.is_file()
    }
    assert templates and templates <= names
    subprocess.run([*PIP, "install", "--no-deps", "--target", site, wheel], check=True)
    code = "from opplan.util import resources as r; print(r.templates_dir()); print(r.sample_dir())"
    found = subprocess.run(
        [sys.executable, "-S", "-c", code],  # -S: no site-packages, so no editable install
        env={**os.environ, "PYTHONPATH": str(site)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert found == [str(site / "opplan/default_templates"), str(site / "opplan/sample_cycle")]


def _direct_requirements() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return [
        Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]
    ]


def _lock() -> dict[str, list[tuple[str, set[str]]]]:
    """The lock as name -> [(pinned version, what it is there for)]; a name may be pinned
    twice under exclusive environment markers (e.g. one pin per Python version)."""
    pins: dict[str, list[tuple[str, set[str]]]] = {}
    current: set[str] = set()
    for line in (REPO / "requirements.lock").read_text().splitlines():
        pinned = re.match(r"([A-Za-z0-9_.\-\[\]]+)==([^ ;]+)", line)
        if pinned:
            current = set()
            name = canonicalize_name(pinned[1].split("[")[0])
            pins.setdefault(name, []).append((pinned[2], current))
            continue
        via = re.match(r"\s+#\s+(?:via\s+)?(\S.*)$", line)
        if via and via[1] != "via":
            current.add(via[1].strip())
    return pins


def test_the_lock_pins_every_requirement_within_its_range():
    """pyproject.toml and requirements.lock agree: `make lock` was run after the last change."""
    pins = _lock()
    for req in _direct_requirements():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is in pyproject.toml but not in the lock: make lock"
        for version, _ in pins[name]:
            assert req.specifier.contains(version, prereleases=True), (
                f"the lock pins {req.name}=={version}, outside {req.specifier}: make lock"
            )


def test_the_lock_holds_nothing_pyproject_no_longer_asks_for():
    direct = {canonicalize_name(r.name) for r in _direct_requirements()}
    asked_by_us = {
        name
        for name, entries in _lock().items()
        if any("opplan (pyproject.toml)" in why for _, whys in entries for why in whys)
    }
    assert asked_by_us == direct, (
        f"the lock and pyproject.toml disagree on {sorted(asked_by_us ^ direct)}: make lock"
    )


def test_every_pin_is_exact():
    text = (REPO / "requirements.lock").read_text()
    loose = [
        line
        for line in text.splitlines()
        if line and not line.startswith(("#", " ")) and "==" not in line
    ]
    assert loose == []
