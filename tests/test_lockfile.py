"""The hashed lockfiles (requirements/*.txt) agree with pyproject.toml, and a change to
pyproject.toml that was not locked is caught with a message that names it."""

from __future__ import annotations

import importlib.util
import re
import shutil
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)(?:\s*;\s*([^\\]+?))?\s*\\?$", re.MULTILINE)


def load_lock_inputs(root: Path) -> ModuleType:
    path = ROOT / "scripts" / "lock_inputs.py"
    spec = importlib.util.spec_from_file_location("lock_inputs", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.ROOT = root
    return module


def pins(lock: str) -> dict[str, list[tuple[str, str]]]:
    """{canonical name: [(version, marker), ...]} of requirements/<lock>.txt."""
    found: dict[str, list[tuple[str, str]]] = {}
    text = (ROOT / "requirements" / f"{lock}.txt").read_text(encoding="utf-8")
    for name, version, marker in PIN.findall(text):
        found.setdefault(canonicalize_name(name), []).append((version, marker))
    return found


def declared(lock: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extra = project["optional-dependencies"]["test"] if lock == "test" else []
    return [Requirement(line) for line in [*project["dependencies"], *extra]]


@pytest.mark.parametrize("lock", ["base", "test"])
def test_the_lockfile_was_resolved_from_the_current_pyproject(lock: str) -> None:
    assert load_lock_inputs(ROOT).problems(lock) == []


@pytest.mark.parametrize("lock", ["base", "test"])
def test_every_declared_dependency_is_pinned_within_its_range_with_hashes(lock: str) -> None:
    pinned = pins(lock)
    text = (ROOT / "requirements" / f"{lock}.txt").read_text(encoding="utf-8")
    for requirement in declared(lock):
        versions = pinned.get(canonicalize_name(requirement.name))
        assert versions, f"{requirement.name} is not pinned in requirements/{lock}.txt"
        assert all(requirement.specifier.contains(v, prereleases=True) for v, _ in versions)
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)[1:]  # one block per pinned requirement
    assert len(blocks) == sum(len(v) for v in pinned.values())
    assert [block.split()[0] for block in blocks if "--hash=sha256:" not in block] == []


def test_base_and_test_pin_the_same_versions() -> None:
    base, test = pins("base"), pins("test")
    assert {name: base[name] for name in base} == {name: test[name] for name in base}


def test_an_unlocked_dependency_is_named(tmp_path: Path) -> None:
    (tmp_path / "requirements").mkdir()
    for name in ("pyproject.toml", "requirements/base.txt", "requirements/tools.in"):
        shutil.copy(ROOT / name, tmp_path / name)
    pyproject = tmp_path / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(
        text.replace('  "pandas>=2.2",\n', '  "pandas>=2.3",\n  "graphql-core>=3.2",\n')
    )
    problems = load_lock_inputs(tmp_path).problems("base")
    assert problems == [
        "requirements/base.txt: new or changed since locked: pandas>=2.3",
        "requirements/base.txt: new or changed since locked: graphql-core>=3.2",
        "requirements/base.txt: locked from, no longer asked for: pandas>=2.2",
    ]


def test_a_missing_lockfile_is_named(tmp_path: Path) -> None:
    (tmp_path / "requirements").mkdir()
    for name in ("pyproject.toml", "requirements/tools.in"):
        shutil.copy(ROOT / name, tmp_path / name)
    assert load_lock_inputs(tmp_path).problems("test") == ["requirements/test.txt is missing"]
