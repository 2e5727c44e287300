"""`manage.py sync` recomputes the metrics from the first day the run's changes can affect, as
the Celery task does (docs/operations.md#syncs-and-failures), not everything."""

from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command

import apps.metrics.services as metric_services


@pytest.fixture
def computes(monkeypatch) -> list[dict]:
    calls: list[dict] = []

    def fake(**kwargs):
        calls.append(kwargs)
        return {"release_frequency": 3}

    monkeypatch.setattr(metric_services, "metrics_compute", fake)
    return calls


def test_first_sync_recomputes_from_the_earliest_change(source, world, computes) -> None:
    out = StringIO()
    call_command("sync", stdout=out)
    earliest = min(p["created_at"] for r in world.repos for p in r.pulls)
    assert len(computes) == 1 and computes[0]["since"] <= date.fromisoformat(earliest[:10])
    assert "metrics recomputed from" in out.getvalue()


def test_a_change_recomputes_from_its_day_only(source, world, computes) -> None:
    call_command("sync", stdout=StringIO())
    repo = world.repos[0]
    pull = repo.add_pull("Late fix", author="carol", created_at=datetime(2026, 6, 5, tzinfo=UTC))
    repo.merge_pull(pull["number"], at=datetime(2026, 6, 6, tzinfo=UTC))
    computes.clear()
    out = StringIO()
    call_command("sync", stdout=out)
    assert computes == [{"since": date(2026, 6, 5)}]  # the PR's first timestamp (UTC day)
    assert "metrics recomputed from 2026-06-05" in out.getvalue()


def test_nothing_changed_recomputes_nothing_and_full_recomputes_all(source, computes) -> None:
    call_command("sync", stdout=StringIO())
    computes.clear()
    call_command("sync", stdout=StringIO())
    assert computes == []
    call_command("sync", "--full", stdout=StringIO())
    assert computes == [{}]
