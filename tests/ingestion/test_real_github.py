"""The recorded GitHub payloads of panjf2000/ants (tests/fixtures/github/, facts in
tests/fixtures/README.md) served by the simulator and synced with the real client, as a `tags`
repo."""

from collections import Counter
from datetime import UTC, datetime

import pytest

from apps.delivery.computations import changes_shipped
from apps.delivery.metrics import delivery_compute
from apps.delivery.models import PullRequest, Tag
from apps.delivery.selectors import merged_pulls_frame, releases_frame
from apps.ingestion.services import source_sync
from apps.metrics.registry import ComputeContext
from apps.quality.models import Issue
from integrations.simulator import Simulator, load_recorded_github
from tests.fixtures import FIXTURES
from tests.ingestion.conftest import TOKEN

REAL = FIXTURES / "github"
STABLE = r"^v[0-9]+\.[0-9]+\.[0-9]+$"


@pytest.fixture
def ants(db):
    from apps.organization.models import Repo, Source

    world = load_recorded_github(REAL, full_name="panjf2000/ants")
    with Simulator(github=world, token=TOKEN) as sim:
        source = Source.objects.create(name="gh", kind="github", base_url=sim.base_url, token=TOKEN)
        Repo.objects.create(
            source=source, full_name="panjf2000/ants", release_source="tags", tag_pattern=STABLE
        )
        run = source_sync(source=source)
        assert run.status == "succeeded", run.error
        yield run


def test_counts_stored(ants) -> None:
    assert PullRequest.objects.count() == 49
    assert PullRequest.objects.filter(merged_at__isnull=False).count() == 26
    assert Issue.objects.count() == 26  # 41 items in /issues, 15 of them PRs
    assert Tag.objects.count() == 48
    v1 = Tag.objects.get(name="v1.0.0")
    assert v1.committed_at == datetime(2019, 4, 14, 3, 30, 19, tzinfo=UTC)


def test_release_frequency_by_year(ants) -> None:
    frame = delivery_compute(ComputeContext(tz="UTC", now=datetime(2026, 11, 22, tzinfo=UTC)))
    monthly = frame.query(
        "metric == 'release_frequency' and scope == 'org' and granularity == 'month'"
    )
    by_year = monthly.groupby(monthly.period_start.map(lambda d: d.year))["value"].sum()
    # tests/fixtures/README.md: 12 stable tags in 2019, but v1.2.0 and v1.2.1 tag one commit:
    # one release.
    assert {y: int(v) for y, v in by_year.items() if v} == {
        2019: 11,
        2020: 6,
        2021: 4,
        2022: 6,
        2023: 8,
        2024: 2,
        2025: 5,
    }
    # 43 stable tags on 42 commits; v2.0.0-alpha and -rc.N do not match
    assert monthly["value"].sum() == 42


def test_prs_each_release_ships(ants) -> None:
    shipped = changes_shipped(releases_frame(), merged_pulls_frame())
    assert dict(Counter(shipped["release"])) == {
        "v1.0.0": 6,
        "v1.0.1": 2,
        "v1.1.0": 1,
        "v1.2.0, v1.2.1": 1,
        "v2.0.0": 2,
        "v2.2.0": 1,
        "v2.4.0": 2,
        "v2.4.2": 1,
        "v2.4.3": 1,
        "v2.4.4": 1,
        "v2.4.7": 6,
        "v2.4.8": 2,
    }
    assert len(shipped) == 26  # every merged PR is shipped; none after the last stable tag
