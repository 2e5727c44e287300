#!/usr/bin/env python3
"""Keep requirements/*.txt (the hashed lockfiles) in step with pyproject.toml.

Each lockfile records, as comment lines, the inputs it was resolved from: `requires-python`,
`[project] dependencies` (and, for test.txt, the `test` extra), `[build-system] requires`, and
requirements/tools.in. `check` compares them with the current files and names every difference;
`record` writes them into a freshly compiled lockfile (scripts/lock does that).

    python3 scripts/lock_inputs.py check base test    # exit 1, with what changed, if stale
    python3 scripts/lock_inputs.py record test        # after `uv pip compile` wrote test.txt

Standard library only (it runs before the virtualenv has anything installed).
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {"base": (), "test": ("test",)}  # lockfile name -> the extras it adds to the dependencies
MARK = "#   input: "


def lock_path(name: str) -> Path:
    return ROOT / "requirements" / f"{name}.txt"


def current_inputs(name: str) -> list[str]:
    """What the lockfile `name` must be resolved from, one requirement string per entry."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    meta = project["project"]
    lines = [f"requires-python {meta['requires-python']}"]
    lines += [f"build-system {req}" for req in project["build-system"]["requires"]]
    lines += list(meta.get("dependencies", []))
    for extra in LOCKS[name]:
        lines += [f"[{extra}] {req}" for req in meta["optional-dependencies"][extra]]
    tools = (ROOT / "requirements" / "tools.in").read_text(encoding="utf-8").splitlines()
    lines += [f"tools.in {line.strip()}" for line in tools if line.strip() and line[0] != "#"]
    return lines


def recorded_inputs(name: str) -> list[str] | None:
    path = lock_path(name)
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    return [line[len(MARK) :] for line in text.splitlines() if line.startswith(MARK)]


def record(name: str) -> None:
    """Insert the input lines after the compiler's header comment of a fresh lockfile."""
    path = lock_path(name)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = 0
    while header < len(lines) and lines[header].startswith("#"):
        header += 1
    block = [
        "# Resolved from these inputs (pyproject.toml, requirements/tools.in). scripts/test stops",
        "# when they change until `scripts/lock` has been run again:",
        *(MARK + line for line in current_inputs(name)),
    ]
    path.write_text("\n".join(lines[:header] + block + lines[header:]) + "\n", encoding="utf-8")


def problems(name: str) -> list[str]:
    recorded = recorded_inputs(name)
    relative = lock_path(name).relative_to(ROOT)
    if recorded is None:
        return [f"{relative} is missing"]
    now = current_inputs(name)
    added = [line for line in now if line not in recorded]
    removed = [line for line in recorded if line not in now]
    return [f"{relative}: new or changed since locked: {line}" for line in added] + [
        f"{relative}: locked from, no longer asked for: {line}" for line in removed
    ]


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in {"check", "record"} or set(argv[1:]) - set(LOCKS):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "record":
        for name in argv[1:]:
            record(name)
        return 0
    found = [problem for name in argv[1:] for problem in problems(name)]
    if found:
        print("pyproject.toml and the lockfiles disagree:", file=sys.stderr)
        for problem in found:
            print(f"  {problem}", file=sys.stderr)
        print("Run scripts/lock, then commit pyproject.toml and requirements/.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
