"""`manage.py apply_config PATH [--prune]`: counts on stdout; `error: <path>: <message>` on
stderr and exit status 1 when the file is invalid, with nothing applied."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from apps.organization.management.commands.apply_config import Command
from apps.organization.models import Customer, Team
from tests.organization.conftest import SPEC_YAML, db_counts

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("apply_config", *args, stdout=out)
    return out.getvalue()


def test_prints_the_counts_then_no_changes(write_config):
    path = write_config(SPEC_YAML)

    first = run(path)
    second = run(path)

    assert "  organization.Team: 1 created, 0 updated, 0 deleted\n" in first
    assert first.endswith(f"applied {path}: 17 created, 0 updated, 0 deleted\n")
    assert second == f"applied {path}: no changes\n"


def test_prune_flag(write_config):
    run(write_config(SPEC_YAML))
    Team.objects.create(slug="legacy", name="Legacy")

    without = run(write_config(SPEC_YAML))
    assert Team.objects.count() == 2
    assert without.endswith("no changes\n")

    pruned = run(write_config(SPEC_YAML), "--prune")
    assert list(Team.objects.values_list("slug", flat=True)) == ["platform"]
    assert "organization.Team: 0 created, 0 updated, 1 deleted" in pruned


def test_invalid_config_exits_1_with_the_key_path_on_stderr(write_config, capsys, monkeypatch):
    # run_from_argv closes every connection when it ends; the test's transaction needs its own.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    path = write_config(
        SPEC_YAML.replace(
            "{key: globex, name: Globex, team: platform",
            "{key: globex, name: Globex, team: platfrom",
        )
    )

    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "apply_config", path])

    captured = capsys.readouterr()
    assert exit_info.value.code == 1
    assert captured.err == "error: customers[0].team: unknown team 'platfrom'\n"
    assert captured.out == ""
    assert Customer.objects.count() == 0
    assert sum(db_counts().values()) == 0


def test_call_command_raises_command_error(write_config):
    with pytest.raises(CommandError) as info:
        run(write_config("organization: {name: Acme, colour: red}\n"))

    assert str(info.value) == "organization.colour: unknown key 'colour'"
    assert info.value.returncode == 1


def test_missing_file(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "apply_config", str(tmp_path / "nope.yaml")])

    assert exit_info.value.code == 1
    assert capsys.readouterr().err == f"error: config file not found: {tmp_path / 'nope.yaml'}\n"
