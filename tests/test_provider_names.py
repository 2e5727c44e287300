"""Metric families and faces name no source kind: which sources feed what, their labels, links
and identities come from the source registry (apps.organization.sources), so adding a source is
one client package and one adapter (CONTRIBUTING.md, "Adding a source").

What counts as naming a kind: a string literal that is exactly a kind ("github", 'Jira', ...:
what a comparison, a dict key or a filter on a kind is written with), a `Kind.GITHUB`-style
name, and a quoted kind in a template. Prose (docstrings, comments, messages such as "GitHub
releases"), vendor documentation links and identifiers such as `JiraIssue` or the config key
`github_labels` are not comparisons on a kind and are left alone.
"""

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROVIDERS = ("github", "gitlab", "jira", "pagerduty")
KIND_LITERAL = re.compile(rf"^({'|'.join(PROVIDERS)})$", re.IGNORECASE)
KIND_NAMES = {p.upper() for p in PROVIDERS}
TEMPLATE_KIND = re.compile(rf"""["']({"|".join(PROVIDERS)})["']""", re.IGNORECASE)

FAMILIES = ["delivery", "quality", "reliability", "costs", "dora", "economics"]
FACES = ["dashboard", "digests"]

# (file, literal): why it stays. Keep this short; each entry is a kind named on purpose.
ALLOWED = {
    # The Jira issue model is Jira's own (its rows come only from Jira sources): it names its
    # provider once, and quality reads the name from there (`JiraIssue.PROVIDER`).
    ("apps/quality/models.py", '"jira"'),
    # A public API field: GET /api/v1/identities/unmatched/ answers {"identities", "jira"}, the
    # Jira names the config does not map (docs/api.md); renaming it would break clients.
    ("apps/quality/api.py", '"jira"'),
}


def _python_hits(path: Path) -> list[tuple[str, int, str]]:
    hits = []
    for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
        if token.type == tokenize.NAME and token.string in KIND_NAMES:
            hits.append((token.string, token.start[0], token.line.strip()))
        if token.type != tokenize.STRING or token.string[:1] in "fFrRbB":
            continue
        try:
            value = eval(token.string)  # noqa: S307 - a plain string literal
        except (SyntaxError, ValueError):
            continue
        if isinstance(value, str) and KIND_LITERAL.match(value):
            hits.append((token.string, token.start[0], token.line.strip()))
    return hits


def _files() -> list[Path]:
    apps = [ROOT / "apps" / name for name in FAMILIES + FACES]
    return sorted(
        path for app in apps for path in app.rglob("*.py") if "migrations" not in path.parts
    )


def _templates() -> list[Path]:
    roots = [ROOT / "templates", *(ROOT / "apps").glob("*/templates")]
    return sorted(
        path for root in roots for path in root.rglob("*.html") if "vendor" not in path.parts
    )


def test_families_and_faces_name_no_source_kind() -> None:
    found = []
    for path in _files():
        relative = path.relative_to(ROOT).as_posix()
        for literal, line, text in _python_hits(path):
            if (relative, literal) not in ALLOWED:
                found.append(f"{relative}:{line}: {text}")
    for path in _templates():
        relative = path.relative_to(ROOT).as_posix()
        for number, text in enumerate(path.read_text().splitlines(), 1):
            if TEMPLATE_KIND.search(text):
                found.append(f"{relative}:{number}: {text.strip()[:120]}")
    assert found == [], "read the source registry (apps.organization.sources) instead:\n" + (
        "\n".join(found)
    )


def test_every_allowed_entry_is_still_needed() -> None:
    """An allow-list entry whose literal is gone is removed, so the list stays short."""
    present = {
        (path.relative_to(ROOT).as_posix(), literal)
        for path in _files()
        for literal, _, _ in _python_hits(path)
    }
    assert ALLOWED <= present, ALLOWED - present


def test_the_check_sees_a_kind_compared(tmp_path) -> None:
    """The scan finds what it is for: a comparison, a key and a Kind member."""
    source = tmp_path / "sample.py"
    source.write_text(
        "if provider == \"github\":\n    pass\nKINDS = {'PagerDuty': 1}\nx = Kind.JIRA\n"
        '"""GitHub prose is fine."""\n# so is "github" in a comment\n'
    )
    assert [(literal, line) for literal, line, _ in _python_hits(source)] == [
        ('"github"', 1),
        ("'PagerDuty'", 3),
        ("JIRA", 4),
    ]
