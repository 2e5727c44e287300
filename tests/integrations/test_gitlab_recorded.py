"""Real GitLab payloads (tests/fixtures/gitlab, recorded by Apache DevLake from
gitlab.com/gitlab-data/snowflake_spend) served by the simulator and read with GitLabClient:
the facts listed in tests/fixtures/README.md hold through the whole client path."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from integrations.gitlab import GitLabClient, MergeRequestDetailRecord
from integrations.simulator import Simulator
from integrations.simulator.gitlab import GitLabProvider, load_recorded_gitlab
from tests.fixtures import FIXTURES

REAL = FIXTURES / "gitlab"
PROJECT = "gitlab-data/snowflake_spend"
TOKEN = "glpat-recorded"


def recorded(name: str) -> object:
    return json.loads((REAL / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def client() -> Iterator[GitLabClient]:
    simulator = Simulator()
    simulator.add_provider(GitLabProvider(load_recorded_gitlab(REAL), token=TOKEN))
    with simulator:
        yield GitLabClient(f"{simulator.base_url}/api/v4", TOKEN, per_page=5)


@pytest.fixture(scope="module")
def details(client: GitLabClient) -> list[MergeRequestDetailRecord]:
    return [d for page in client.list_merge_request_details(PROJECT) for d in page.items]


def test_the_files_hold_what_was_recorded() -> None:
    commits = recorded("merge_request_commits.json")
    notes = recorded("merge_request_notes.json")
    assert isinstance(commits, dict) and isinstance(notes, dict)
    assert len(recorded("merge_requests.json")) == 18  # type: ignore[arg-type]
    assert {k: len(v) for k, v in commits.items()} == {
        "1": 5, "2": 9, "3": 1, "4": 1, "5": 18, "6": 1, "7": 2
    }  # fmt: skip
    assert sum(len(v) for v in notes.values()) == 26
    assert len(recorded("issues.json")) == 16  # type: ignore[arg-type]
    assert len(recorded("deployments.json")) == 8  # type: ignore[arg-type]


def test_project(client: GitLabClient) -> None:
    project = client.get_project(PROJECT)
    assert (project.id, project.path, project.default_branch) == (12345678, PROJECT, "master")
    assert client.get_project(12345678) == project


def test_merge_requests(details: list[MergeRequestDetailRecord]) -> None:
    mrs = [d.merge_request for d in details]
    iids = [1, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 21]
    assert sorted(m.iid for m in mrs) == iids
    assert Counter(m.state for m in mrs) == {"merged": 10, "opened": 5, "closed": 3}
    assert sorted(m.iid for m in mrs if m.draft) == [20, 21]
    assert {m.target_branch for m in mrs} == {"master"}
    merged = [m for m in mrs if m.merged_at is not None]
    assert len(merged) == 10 and all(m.state == "merged" for m in merged)
    hours = statistics.median((m.merged_at - m.created_at).total_seconds() / 3600 for m in merged)  # type: ignore[operator]
    assert round(hours, 6) == 2.095557
    closed = sorted((m.iid, m.closed_at) for m in mrs if m.state == "closed")
    assert closed[0] == (13, datetime(2020, 8, 27, 20, 20, 8, 150_000, tzinfo=UTC))
    assert [iid for iid, _ in closed] == [13, 17, 20]
    updated = [m.updated_at for m in mrs]
    assert updated == sorted(updated)  # least recently updated first


def test_commits_of_the_listed_merge_requests(details: list[MergeRequestDetailRecord]) -> None:
    per_iid = {d.merge_request.iid: len(d.commits) for d in details if d.commits}
    assert per_iid == {1: 5, 3: 1, 4: 1, 5: 18, 6: 1}  # !2 and !7 are not in the MR list
    names = Counter(c.author_name for d in details for c in d.commits)
    assert names["emilie"] == 6 and sum(names.values()) == 26


def test_notes_approvals_and_comments(details: list[MergeRequestDetailRecord]) -> None:
    by_iid = {d.merge_request.iid: d for d in details}
    approvals = {
        iid: [(a.author_username, a.state, a.submitted_at.isoformat()) for a in d.approvals]
        for iid, d in by_iid.items()
        if d.approvals
    }
    assert approvals == {
        18: [("liyongfeng", "APPROVED", "2019-01-25T16:46:23.996000+00:00")],
        19: [("liyongfeng", "APPROVED", "2019-01-26T11:41:34.158000+00:00")],
        20: [("hackwaly", "APPROVED", "2019-02-01T11:43:54.686000+00:00")],
        21: [
            ("basicthinker", "DISMISSED", "2019-01-29T00:40:37.158000+00:00"),
            ("basicthinker", "APPROVED", "2019-01-29T00:40:47.455000+00:00"),
        ],
    }
    comments = [(d.merge_request.iid, c.author_username) for d in details for c in d.comments]
    assert comments == [(1, "emilie"), (3, "emilie"), (3, "martinguindon"), (3, "emilie")]


def test_issues(client: GitLabClient) -> None:
    issues = [i for page in client.list_issues(PROJECT) for i in page.items]
    assert len(issues) == 16 and Counter(i.state for i in issues) == {"closed": 12, "opened": 4}
    assert sorted(i.iid for i in issues if i.state == "opened") == [3, 13, 14, 15]
    labels = Counter(label for i in issues for label in i.labels)
    assert labels["Data Team"] == 7 and labels["dbt"] == 6 and labels["workflow::X - blocked"] == 1
    assert sum(1 for i in issues if not i.labels) == 8
    closed = [i for i in issues if i.closed_at is not None]
    hours = statistics.median((i.closed_at - i.created_at).total_seconds() / 3600 for i in closed)  # type: ignore[operator]
    assert len(closed) == 12 and round(hours, 6) == 401.066112


def test_deployments(client: GitLabClient) -> None:
    deployments = [d for page in client.list_deployments(PROJECT) for d in page.items]
    assert Counter(d.environment for d in deployments) == {"staging": 5, "production": 3}
    assert Counter(d.status for d in deployments) == dict.fromkeys(
        (
            "success",
            "completed",
            "failed",
            "canceled",
            "created",
            "running",
            "blocked",
            "undeployed",
        ),
        1,
    )
    no_update = next(d for d in deployments if d.id == 13436915)
    assert no_update.updated_at == no_update.created_at  # recorded without updated_at
    production = [
        d for page in client.list_deployments(PROJECT, environment="production") for d in page.items
    ]
    assert sorted(d.iid for d in production) == [4, 5, 8]


def test_nothing_else_was_recorded(client: GitLabClient) -> None:
    assert [t for page in client.list_tags(PROJECT) for t in page.items] == []
    assert [r for page in client.list_releases(PROJECT) for r in page.items] == []
