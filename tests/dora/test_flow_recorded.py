"""Pull-request flow over real data: pull requests of apache/incubator-devlake recorded from
GitHub's GraphQL API (tests/fixtures/github_graphql/devlake_pull_requests.json, provenance in
tests/fixtures/README.md), synced through the simulator, then shipped by a release Keel is told
about. Three changes' stages are checked by hand against the recording (commit author dates
carry their own offsets: +08:00, +12:00)."""

from datetime import UTC, datetime

import pytest

from apps.delivery.models import Tag
from apps.delivery.selectors import releases_frame
from apps.dora.flow_metrics import stages_frame
from apps.organization.models import Repo
from tests.ingestion.test_github_recorded_graphql import (  # noqa: F401 (fixtures)
    FULL_NAME,
    devlake,
    devlake_sim,
    synced,
)

RELEASE = datetime(2024, 8, 19, 12, tzinfo=UTC)


@pytest.fixture
def stages(synced):  # noqa: F811
    repo = Repo.objects.get(full_name=FULL_NAME)
    repo.release_source, repo.tag_pattern = "tags", "^v"
    repo.save()
    Tag.objects.create(
        repo=repo, name="v1.0.0", sha="a", committed_at=datetime(2024, 8, 14, tzinfo=UTC)
    )
    Tag.objects.create(repo=repo, name="v1.1.0", sha="b", committed_at=RELEASE)
    return stages_frame(releases_frame()).set_index("number")


def hours(*, d=0, h=0, m=0, s=0) -> float:
    return d * 24 + h + m / 60 + s / 3600


@pytest.mark.parametrize(
    ("number", "lead", "coding", "pickup", "review", "deploy"),
    [
        # #7914: commit 15:42:54+08:00 (07:42:54Z), opened 07:43:43, approved by abeizn
        # 07:56:12, merged 07:56:39; v1.1.0 at 12:00.
        (
            7914,
            hours(h=4, m=17, s=6),
            hours(s=49),
            hours(m=12, s=29),
            hours(s=27),
            hours(h=4, m=3, s=21),
        ),
        # #7904: first of two commits 16 Aug 08:51:30+08:00 (00:51:30Z), opened 01:01:51,
        # approved 01:10:33, merged 01:10:42.
        (
            7904,
            hours(d=3, h=11, m=8, s=30),
            hours(m=10, s=21),
            hours(m=8, s=42),
            hours(s=9),
            hours(d=3, h=10, m=49, s=18),
        ),
        # #7913: commit 19:33:46+12:00 (07:33:46Z), opened 07:35:27, approved by klesh
        # 07:56:40, merged 07:56:53.
        (
            7913,
            hours(h=4, m=26, s=14),
            hours(m=1, s=41),
            hours(m=21, s=13),
            hours(s=13),
            hours(h=4, m=3, s=7),
        ),
    ],
)
def test_recorded_changes_by_hand(stages, number, lead, coding, pickup, review, deploy):
    change = stages.loc[number]
    assert change["release"] == "v1.1.0"
    got = [
        change[c]
        for c in ("lead_time_hours", "coding_hours", "pickup_hours", "review_hours", "deploy_hours")
    ]
    assert got == pytest.approx([lead, coding, pickup, review, deploy], abs=1e-6)


def test_no_negative_stage_over_the_recording(stages):
    shipped = stages[stages["released_at"].notna()]
    assert len(shipped) > 20
    for column in (
        "lead_time_hours",
        "coding_hours",
        "pickup_hours",
        "review_hours",
        "deploy_hours",
    ):
        assert (shipped[column].dropna() >= 0).all(), column
    # Every change's lead time is at least its deploy time (the first commit precedes the merge).
    assert (shipped["lead_time_hours"] >= shipped["deploy_hours"]).all()
