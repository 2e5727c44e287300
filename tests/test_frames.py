"""apps.core.frames: querysets as typed DataFrames (COPY + Arrow on PostgreSQL, values_list
elsewhere: the same frame either way) and the per-recompute cache."""

from datetime import UTC, datetime

import pandas as pd
import pytest

from apps.core.frames import compute_cache, queryset_frame, run_cached
from apps.organization.models import JiraProject, Source
from apps.quality.models import JiraIssue

COLUMNS = {
    "key": "str",
    "summary": "str",
    "labels": "json",
    "created_at": "datetime",
    "resolution_date": "datetime",
    "story_points": "float",
    "subtask": "bool",
}


@pytest.fixture
def issues(db):
    source = Source.objects.create(name="jira", kind="jira", base_url="https://x.test", token="t")
    project = JiraProject.objects.create(source=source, key="API")
    common = dict(
        source=source,
        project=project,
        issue_type="Bug",
        created_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        updated_at=datetime(2026, 1, 3, tzinfo=UTC),
    )
    JiraIssue.objects.create(
        key="API-1",
        jira_id=1,
        summary='a "quoted", comma\nline',
        labels=["x", "y, z"],
        story_points=3.5,
        **common,
    )
    JiraIssue.objects.create(
        key="API-2",
        jira_id=2,
        summary="",
        labels=[],
        subtask=True,
        resolution_date=datetime(2026, 2, 1, tzinfo=UTC),
        **common,
    )
    JiraIssue.objects.bulk_create(
        [
            JiraIssue(
                key=f"API-{n}", jira_id=n, summary="line one\nline two, " + "x" * 3000, **common
            )
            for n in range(10, 400)
        ]
    )
    return JiraIssue.objects.order_by("jira_id")


def test_queryset_frame_types_and_values(issues):
    frame = queryset_frame(issues, COLUMNS)
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == 392 and frame["key"].tolist()[:3] == ["API-1", "API-2", "API-10"]
    assert frame["summary"][391] == "line one\nline two, " + "x" * 3000
    assert frame["summary"].tolist()[:2] == ['a "quoted", comma\nline', ""]  # "" is not NULL
    assert frame["labels"].tolist()[:2] == [["x", "y, z"], []]
    assert str(frame["created_at"].dtype) == "datetime64[us, UTC]"
    assert frame["created_at"][0] == pd.Timestamp("2026-01-02T03:04:05.678901Z")
    assert pd.isna(frame["resolution_date"][0])
    assert frame["resolution_date"][1] == pd.Timestamp("2026-02-01T00:00:00Z")
    assert frame["story_points"][0] == 3.5 and pd.isna(frame["story_points"][1])
    assert frame["subtask"].tolist()[:3] == [False, True, False]


def test_queryset_frame_of_nothing(issues):
    empty = queryset_frame(issues.filter(key__in=[]), COLUMNS)
    assert list(empty.columns) == list(COLUMNS) and empty.empty


def test_run_cached_only_inside_a_compute():
    calls = []

    @run_cached
    def read(x):
        calls.append(x)
        return x * 2

    assert read(2) == 4 and read(2) == 4 and calls == [2, 2]  # outside: always read
    with compute_cache():
        assert read(3) == 6 and read(3) == 6 and read(4) == 8
    assert calls == [2, 2, 3, 4]
