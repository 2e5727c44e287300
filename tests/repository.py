"""The repository's own files, for tests that check what they say (tests/test_self_contained.py,
tests/test_references.py)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED_DIRS = {".git", ".venv", "node_modules", "var", "staticfiles", "__pycache__"}


def repository_files() -> list[Path]:
    """Tracked and not-ignored untracked files (so a new file is checked before it is committed);
    without git, every file outside the usual generated folders."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        return [
            path
            for path in ROOT.rglob("*")
            if path.is_file() and not SKIPPED_DIRS & set(path.relative_to(ROOT).parts)
        ]
    return [ROOT / name for name in listed.split("\0") if name and (ROOT / name).is_file()]


@cache
def texts() -> dict[str, str]:
    """{path relative to the root: text} of every text file (binary files are left out)."""
    found = {}
    for path in repository_files():
        try:
            found[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary (images, parquet): no prose to check
    return found


def offending_lines(
    pattern: re.Pattern[str], allowed: Callable[[str], bool] = lambda line: False
) -> list[str]:
    """`path:line: text` of every line matching `pattern` that `allowed` does not excuse."""
    return [
        f"{name}:{number}: {line.strip()[:120]}"
        for name, text in texts().items()
        for number, line in enumerate(text.splitlines(), start=1)
        if pattern.search(line) and not allowed(line)
    ]
