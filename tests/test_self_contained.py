"""The repository stands on its own: no file points at anything outside it, and every vendored
test-data file is accounted for (source, provenance, licence) in tests/fixtures/README.md."""

from __future__ import annotations

import re

import pytest

from tests.fixtures import FIXTURES
from tests.repository import offending_lines

# The sibling folder a checkout once had beside it, however a path to it is spelled. Built from
# pieces so that this file does not match itself.
OUTSIDE = re.compile(
    "|".join(
        [
            re.escape("../" + "shared"),
            r'"\.\."\s*/\s*"shared"',  # a pathlib join of the parent and that folder
            "real" + "-data",
        ]
    )
)


def test_no_file_refers_outside_the_repository() -> None:
    """Tests read their data from tests/fixtures/; docs and code cite Keel's own docs/."""
    assert offending_lines(OUTSIDE) == []


@pytest.mark.parametrize(
    "line",
    [
        "see ../" + "shared/spec/PRODU" + "CT.md",
        'REAL = Path(__file__).parents[2] / ".."' + ' / "shared" / "costs"',
        'Path(__file__).parents[4] / "shared" / "real' + '-data" / "github"',
    ],
)
def test_the_pattern_catches_every_spelling(line: str) -> None:
    assert OUTSIDE.search(line)


def test_the_pattern_lets_ordinary_words_through() -> None:
    assert OUTSIDE.search("a cache shared by every worker; shared/ accounts") is None


def fixture_files() -> list[str]:
    return sorted(
        str(path.relative_to(FIXTURES))
        for path in FIXTURES.rglob("*")
        if path.is_file()
        and path.name not in {"README.md", "__init__.py"}
        and "__pycache__" not in path.parts
    )


def listed_files() -> list[str]:
    """The paths in the first column of the README's "## Files" table."""
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Files\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", section, flags=re.MULTILINE)


@pytest.mark.parametrize("name", fixture_files())
def test_every_fixture_file_is_described_in_the_readme(name: str) -> None:
    """Each vendored file has a row in tests/fixtures/README.md (source, licence)."""
    assert name in listed_files(), f"add a row for `{name}` to tests/fixtures/README.md ## Files"


def test_every_file_the_readme_lists_exists() -> None:
    rows = listed_files()
    assert len(rows) >= 12, "tests/fixtures/README.md lists its files as rows: | `path` | ..."
    assert sorted(set(rows)) == sorted(rows), "a file is listed twice"
    assert [row for row in rows if not (FIXTURES / row).is_file()] == []
