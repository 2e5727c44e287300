"""Every reference in the repository can be opened by its reader: no section of a product
specification, no tracker issue number, no house-style file kept elsewhere (refer to Keel's own
docs/ instead), and every `docs/….md#anchor` names a heading that exists."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from apps.metrics.registry import all_definitions
from tests.repository import ROOT, offending_lines, texts

# Built from pieces so that this file does not match itself.
SECTION = "\u00a7"
UNOPENABLE = re.compile(
    "|".join(
        [
            r"\bspec(ification)?\s*" + SECTION,  # a section of the product specification
            r"\bPRODUCT\.md\b",
            r"\bCONVENTIONS\b",  # the house-style file: CONTRIBUTING.md holds what applies
            r"\bissue [0-9]+\b",  # a tracker issue; GitHub numbers in data (#123) are fine
            # ... also as "(issue #N", "Keel issue #N", "the report of issue #N"; an issue of
            # the data ("open bug issue #2", "malformed issue #0") is fine
            r"\(issue #[0-9]+|\bKeel issue #?[0-9]+|\breport of issue #?[0-9]+",
            SECTION + r"\s*[0-9]",  # a bare section number
        ]
    ),
    flags=re.IGNORECASE,
)


def cites_a_public_standard(line: str) -> bool:
    """`RFC 8259 §8.1` and the like: sections of public standards can be opened."""
    return re.search(r"\b(RFC|ISO|ECMA)[ -]?[0-9]+", line) is not None


def recorded_data(found: str) -> bool:
    """A line of a recorded payload in tests/fixtures (third-party data kept byte for byte,
    e.g. a merge request titled after the issue it closes), not Keel's own prose."""
    path = found.split(":", 1)[0]
    return path.startswith("tests/fixtures/") and not path.endswith(".md")


def test_no_reference_a_reader_cannot_open() -> None:
    found = offending_lines(UNOPENABLE, cites_a_public_standard)
    assert [line for line in found if not recorded_data(line)] == []


@pytest.mark.parametrize(
    "line",
    [
        "Pure cost computations (spec " + SECTION + "5.6, " + SECTION + "7).",
        "# Spec " + SECTION + "4: exactly these keys",
        "The example of PRODU" + "CT.md " + SECTION + "2",
        "Errors are mapped once (CONVEN" + "TIONS " + SECTION + "6)",
        "Re-measured for iss" + "ue 8 (SQLite)",
        "Hostile config files (iss" + "ue #8, Faults)",
        "measure it (Keel iss" + "ue #8).",
        "per page (see the report of iss" + "ue #8), which",
        "the currency rule (" + SECTION + "1)",
    ],
)
def test_the_pattern_catches(line: str) -> None:
    assert UNOPENABLE.search(line) and not cites_a_public_standard(line)


def test_the_pattern_lets_through_data_and_public_standards() -> None:
    assert UNOPENABLE.search("closes #123; the issue tracker; issues 4–44") is None
    assert UNOPENABLE.search("open bug issue #2; Jira: malformed issue #0 ('API-3')") is None
    assert cites_a_public_standard("JSON is UTF-8 (RFC 8259 " + SECTION + "8.1)")


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to `-`."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@cache
def anchors(document: str) -> set[str]:
    found: set[str] = set()
    for heading in re.findall(r"^#+ (.+)$", texts()[document], flags=re.MULTILINE):
        base = slug(heading)
        name, n = base, 0
        while name in found:  # GitHub numbers repeated headings: -1, -2, ...
            n += 1
            name = f"{base}-{n}"
        found.add(name)
    # Explicit anchors for a term inside a paragraph: <a id="bots"></a>
    return found | set(re.findall(r'<a (?:id|name)="([^"]+)"', texts()[document]))


LINK = re.compile(r"(\]\()?((?:\.\./|\./)?(?:[\w-]+/)*[\w-]+\.md)?#([\w-]+)")


def broken_links() -> list[str]:
    """`file: target` for each Markdown link or `docs/x.md#anchor` mention that names a missing
    file or heading. Tests are left out: their fake metrics point at fake anchors."""
    broken = []
    for name, text in texts().items():
        if name.startswith("tests/") or not name.endswith((".md", ".py", ".html", ".txt")):
            continue
        for link, target, anchor in LINK.findall(text):
            if not target and not (link and name.endswith(".md")):
                continue  # a bare `#anchor` is only a link inside Markdown
            base = Path(name).parent if link else Path()
            document = str((ROOT / base / target).resolve().relative_to(ROOT)) if target else name
            if document not in texts() or anchor not in anchors(document):
                broken.append(f"{name}: {target}#{anchor}")
    return broken


def test_every_doc_link_names_an_existing_heading() -> None:
    assert broken_links() == []


def test_every_metric_links_to_its_definition() -> None:
    missing = [m.name for m in all_definitions() if m.doc_anchor not in anchors("docs/metrics.md")]
    assert missing == []


def test_the_slugs_are_githubs() -> None:
    assert slug("Records behind a number — `GET /api/v1/metrics/{metric}/records/`") == (
        "records-behind-a-number--get-apiv1metricsmetricrecords"
    )
    assert slug("Bug-fix load per engineer") == "bug-fix-load-per-engineer"
    assert slug("cost_compute, cost_storage, cost_network, cost_other") == (
        "cost_compute-cost_storage-cost_network-cost_other"
    )


def missing_link_targets() -> list[str]:
    """`file: target` for each relative Markdown link whose file or folder does not exist."""
    missing = []
    for name, text in texts().items():
        if not name.endswith(".md"):
            continue
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if re.match(r"^[a-z]+:", target):
                continue  # https:, mailto:
            if not (ROOT / Path(name).parent / target).exists():
                missing.append(f"{name}: {target}")
    return missing


def test_every_relative_link_opens() -> None:
    assert missing_link_targets() == []
