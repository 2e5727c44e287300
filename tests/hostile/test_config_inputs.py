"""Hostile config files (docs/operations.md#malformed-input-what-keel-says): each malformed file is
refused with an error naming the key path (or the line), by `config_load` and by `manage.py
apply_config` (exit status 1), and the organisation applied before is left exactly as it was."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.management.base import CommandError
from django.db import connections

from apps.core.errors import ConfigError
from apps.organization.management.commands.apply_config import Command
from apps.organization.models import Organization, Repo, Source, Team
from apps.organization.services import config_apply_file, config_load
from tests.organization.conftest import SPEC_YAML, db_counts

pytestmark = pytest.mark.django_db

HUGE = 200_000  # characters, built in memory (PyYAML reads 5 MB in seconds, not ms)
TOKEN = "ghp_PlainTextTokenDoNotEcho0123456789ab"  # noqa: S105 - a fake token


def spec(old: str, new: str) -> bytes:
    assert old in SPEC_YAML, old
    return SPEC_YAML.replace(old, new, 1).encode("utf-8")


@dataclass(frozen=True)
class Case:
    """A config file's bytes, and the error expected: `path` (key path, "" for the whole
    file) and `message` (exact, or its start when `prefix`)."""

    data: bytes
    path: str
    message: str
    prefix: bool = False


CASES: dict[str, Case] = {
    "yaml-syntax-unclosed-flow-mapping": Case(
        b"organization: {name: Acme\nteams: []\n",
        "",
        "invalid YAML at line 2, column 6: expected ',' or '}', but got ':'",
    ),
    "yaml-duplicate-key": Case(
        b"organization: {name: Acme}\norganization: {name: Initech}\n",
        "",
        "invalid YAML at line 2, column 1: found duplicate key 'organization'",
    ),
    "yaml-nul-character": Case(
        b"organization: {name: Ac\x00me}\n",
        "",
        "invalid YAML: unacceptable character #x0000: special characters are not allowed",
        prefix=True,
    ),
    "empty-file": Case(b"# nothing but a comment\n", "", "the config file is empty"),
    "top-level-list": Case(
        b"- organization\n- teams\n",
        "",
        "the config must be a mapping of sections (organization, teams, ...)",
    ),
    "missing-organization": Case(b"teams: []\n", "organization", "required key missing"),
    "missing-team-name": Case(
        spec("{slug: platform, name: Platform, managers", "{slug: platform, managers"),
        "teams[0].name",
        "required key missing",
    ),
    "wrong-type-list-expected": Case(
        b"organization: {name: Acme}\nteams: {slug: platform}\n",
        "teams",
        "expected a list",
    ),
    "wrong-type-mapping-expected": Case(
        b"organization: Acme\n",
        "organization",
        "expected a mapping of keys",
    ),
    "wrong-type-integer": Case(
        spec("window_days: 90", "window_days: ninety"),
        "churn.window_days",
        "Input should be a valid integer, unable to parse string as an integer",
    ),
    "wrong-type-number": Case(
        spec("slo: 0.999", "slo: [0.999]"),
        "sources[2].services[0].slo",
        "Input should be a valid number",
    ),
    "unknown-key-typo": Case(
        spec("    repos:\n", "    repo:\n"),
        "sources[0].repo",
        "unknown key 'repo'",
    ),
    "huge-organization-name": Case(
        spec("{name: Acme,", "{name: " + "A" * HUGE + ","),
        "organization.name",
        "String should have at most 200 characters",
    ),
    "huge-regex": Case(
        spec('tag_pattern: "^v[0-9]"', 'tag_pattern: "' + "v" * HUGE + '"'),
        "sources[0].repos[0].tag_pattern",
        "String should have at most 300 characters",
    ),
    "long-export-path": Case(
        spec("path: /data/exports/focus/", "path: /" + "d" * 1500),
        "costs.exports[0].path",
        "String should have at most 1000 characters",
    ),
    "bad-regex": Case(
        spec('production_environment: "^production$"', 'production_environment: "(prod"'),
        "sources[0].repos[0].production_environment",
        "invalid regex: missing ), unterminated subpattern at position 0 in '(prod'",
    ),
    "bad-timezone": Case(
        spec("timezone: UTC", "timezone: Europe/Atlantis"),
        "organization.timezone",
        "unknown time zone 'Europe/Atlantis' (use an IANA name such as 'Europe/Paris')",
    ),
    "bad-date": Case(
        spec("onboarding_start: 2026-01-05", "onboarding_start: 2026-02-30"),
        "customers[0].onboarding_start",
        "invalid date '2026-02-30': expected YYYY-MM-DD",
    ),
    "bad-email": Case(
        spec("managers: [alice@acme.test]", "managers: [alice-at-acme]"),
        "teams[0].managers[0]",
        "invalid e-mail address 'alice-at-acme'",
    ),
    "unknown-team-reference": Case(
        spec("projects: [{key: API, team: platform}]", "projects: [{key: API, team: core}]"),
        "sources[1].projects[0].team",
        "unknown team 'core'",
    ),
    "secret-in-plain-text": Case(
        spec("token_env: GITHUB_TOKEN", f"token: {TOKEN}"),
        "sources[0].token",
        "secrets never live in the config file: remove 'token' and name an environment "
        "variable with token_env, or enter the secret in the admin (stored encrypted)",
    ),
    "token-where-env-name-expected": Case(
        spec("token_env: GITHUB_TOKEN", f"token_env: {TOKEN}"),
        "sources[0].token_env",
        "expected the name of an environment variable (letters, digits, '_'; e.g. "
        "GITHUB_TOKEN), not a token: put the secret in that variable or in the admin",
    ),
}

# Bytes no YAML parser should see: the file is refused before parsing, naming line and byte.
ENCODING_CASES: dict[str, tuple[bytes, str]] = {
    "latin-1-bytes": (
        SPEC_YAML.replace("name: Bob", "name: Jos\u00e9").encode("latin-1"),
        "is not UTF-8 text (invalid continuation byte at line 5, byte 200); save it as UTF-8",
    ),
    "utf-16-file": (
        SPEC_YAML.encode("utf-16"),
        "is not UTF-8 text (invalid start byte at line 1, byte 0); save it as UTF-8",
    ),
}


@pytest.fixture
def applied(tmp_path) -> Callable[[], dict]:
    """Apply the example organisation (tests/organization/spec_example.yaml), then return a snapshot
    function of what it stored."""
    good = tmp_path / "good.yaml"
    good.write_text(SPEC_YAML, encoding="utf-8")
    config_apply_file(path=good)

    def snapshot() -> dict:
        return {
            "counts": db_counts(),
            "org": list(Organization.objects.values_list("name", "timezone", "churn_settings")),
            "teams": list(Team.objects.values_list("slug", "name")),
            "sources": list(Source.objects.order_by("name").values_list("name", "token_env")),
            "repos": list(Repo.objects.values_list("full_name", "tag_pattern")),
        }

    return snapshot


def run_cli(path: str, capsys, monkeypatch) -> tuple[int, str]:
    """`manage.py apply_config PATH` as the shell runs it: (exit status, stderr)."""
    monkeypatch.setattr(connections, "close_all", lambda: None)  # keep the test's connection
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "apply_config", path])
    captured = capsys.readouterr()
    assert captured.out == ""
    return exit_info.value.code, captured.err


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_malformed_config_names_the_key_and_applies_nothing(
    case, applied, tmp_path, capsys, monkeypatch
):
    before = applied()
    with pytest.raises(ConfigError) as info:
        config_load(text=case.data.decode("utf-8"))
    error = info.value
    assert error.path == case.path
    if case.prefix:
        assert error.message.startswith(case.message)
    else:
        assert error.message == case.message
    assert TOKEN not in str(error) and len(str(error)) < 500  # never echoes a huge value

    path = tmp_path / "bad.yaml"
    path.write_bytes(case.data)
    status, stderr = run_cli(str(path), capsys, monkeypatch)
    assert (status, stderr) == (1, f"error: {error}\n")
    assert applied() == before


@pytest.mark.parametrize(("data", "message"), ENCODING_CASES.values(), ids=ENCODING_CASES.keys())
def test_config_file_that_is_not_utf8_is_refused(
    data, message, applied, tmp_path, capsys, monkeypatch
):
    before = applied()
    path = tmp_path / "bad.yaml"
    path.write_bytes(data)
    with pytest.raises(ConfigError) as info:
        config_apply_file(path=path)
    assert (info.value.path, info.value.message) == ("", f"config file {path} {message}")

    status, stderr = run_cli(str(path), capsys, monkeypatch)
    assert (status, stderr) == (1, f"error: config file {path} {message}\n")
    assert applied() == before


def test_call_command_raises_command_error_with_status_1(applied, tmp_path):
    from django.core.management import call_command

    before = applied()
    path = tmp_path / "bad.yaml"
    path.write_bytes(CASES["huge-organization-name"].data)
    with pytest.raises(CommandError) as info:
        call_command("apply_config", str(path))
    assert str(info.value) == "organization.name: String should have at most 200 characters"
    assert info.value.returncode == 1
    assert applied() == before
