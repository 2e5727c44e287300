"""Hand-computed DORA metrics (docs/metrics.md#dora-metrics): change_failure_rate,
failed_deployment_recovery_hours and deployment_rework_rate, and the records behind them."""

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from apps.delivery.models import PullRequest, Tag
from apps.dora.metrics import dora_compute, dora_records, dora_window
from apps.metrics.frames import frame_normalize, frame_since
from apps.metrics.registry import ComputeContext, RecordsQuery, WindowQuery
from apps.organization.models import Organization, PagerDutyService, Repo, Source, Team
from apps.reliability.models import Incident

NOW = datetime(2026, 4, 15, tzinfo=UTC)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def pull(repo: Repo, number: int, title: str, merged_at: datetime, labels=(), body="") -> None:
    PullRequest.objects.create(
        repo=repo,
        external_id=repo.pk * 1000 + number,
        number=number,
        title=title,
        body=body,
        labels=list(labels),
        state="closed",
        user_login="bob-gh",
        created_at=at(2026, 2, 1),
        updated_at=merged_at,
        merged_at=merged_at,
        closed_at=merged_at,
        additions=5,
        deletions=1,
    )


def outage(service: PagerDutyService, pd_id: str, start: datetime, end: datetime | None) -> None:
    Incident.objects.create(
        pd_id=pd_id,
        service=service,
        title=f"{pd_id} down",
        status="resolved" if end else "triggered",
        urgency="high",
        created_at=start,
        resolved_at=end,
    )


@pytest.fixture
def world(db):
    Organization.objects.create(name="Acme", timezone="UTC")
    team = Team.objects.create(slug="platform", name="Platform")
    other = Team.objects.create(slug="web", name="Web")
    gh = Source.objects.create(name="gh", kind="github", base_url="https://api.github.com")
    api = Repo.objects.create(
        source=gh, full_name="acme/api", team=team, release_source="tags", tag_pattern="^v"
    )
    web = Repo.objects.create(
        source=gh, full_name="acme/web", team=other, release_source="tags", tag_pattern="^v"
    )
    pd = Source.objects.create(name="pd", kind="pagerduty", base_url="https://api.pagerduty.com")
    mapped = PagerDutyService.objects.create(source=pd, service_id="PSVC1", team=team)
    mapped.repos.set([api])
    nowhere = PagerDutyService.objects.create(source=pd, service_id="PSVC9")
    # Releases of acme/api: v1 Mon 2 Mar 10:00, v2 Wed 4 Mar 10:00, v3 Tue 10 Mar 10:00,
    # v4 Wed 11 Mar 10:00, v5 Thu 12 Mar 10:00, v6 Fri 13 Mar 10:00 (ships no change).
    for name, day in [("v1", 2), ("v2", 4), ("v3", 10), ("v4", 11), ("v5", 12), ("v6", 13)]:
        Tag.objects.create(repo=api, name=name, sha=name, committed_at=at(2026, 3, day, 10))
    pull(api, 1, "Add login", at(2026, 3, 1))  # → v1
    pull(api, 2, "Tweak", at(2026, 3, 3))  # → v2
    pull(api, 3, 'Revert "Add login"', at(2026, 3, 5))  # → v3: fails v1, v3 is rework
    pull(api, 4, "Fix crash", at(2026, 3, 11, 9), labels=["hotfix"])  # → v4: rework
    pull(api, 5, "Feature X", at(2026, 3, 12, 1))  # → v5
    # Reverted before any release shipped it: v5 ships both, fails nothing, is rework.
    pull(api, 6, 'Revert "Feature X"', at(2026, 3, 12, 2))
    # A revert in acme/web of a title only acme/api has: fails no release.
    pull(web, 1, 'Revert "Tweak"', at(2026, 3, 6))
    # Two outages 2 h and 3 h after v2 (a duplicate page): v2 fails once, recovered at 16:00.
    outage(mapped, "Q1", at(2026, 3, 4, 12), at(2026, 3, 4, 15))
    outage(mapped, "Q2", at(2026, 3, 4, 13), at(2026, 3, 4, 16))
    outage(mapped, "Q3", at(2026, 3, 20), at(2026, 3, 20, 1))  # 7 days after v6: > 72 h
    outage(nowhere, "Q9", at(2026, 3, 5), at(2026, 3, 5, 1))  # a service mapped to no repo
    return api


def rows(frame: pd.DataFrame, metric: str, granularity: str, scope="org", key="") -> dict:
    sel = frame[
        (frame["metric"] == metric)
        & (frame["scope"] == scope)
        & (frame["scope_key"] == key)
        & (frame["granularity"] == granularity)
    ]
    return {r.period_start: (r.value, r.sample_size, r.note) for r in sel.itertuples()}


def test_failure_rework_and_recovery(world):
    frame = dora_compute(ComputeContext(tz="UTC", now=NOW))
    month = rows(frame, "change_failure_rate", "month")
    assert month[date(2026, 3, 1)][:2] == (pytest.approx(2 / 6), 6)
    weeks = rows(frame, "change_failure_rate", "week")
    # v1 (reverted) and v2 (outages) failed: never above 100%, v2 counted once.
    assert weeks[date(2026, 3, 2)][:2] == (1.0, 2)
    note = weeks[date(2026, 3, 2)][2]
    assert "1 outage on services mapped to no repo (PSVC9) blame no release" in note
    assert "1 revert matches no earlier change of its repo (acme/web#1): fails no release" in note
    assert weeks[date(2026, 3, 9)] == (0.0, 4, "1 release shipped no change (counted)")
    value, size, note = weeks[date(2026, 3, 16)]
    assert pd.isna(value) and size == 0 and note == "no releases in period"
    rework = rows(frame, "deployment_rework_rate", "week")
    assert rework[date(2026, 3, 2)][:2] == (0.0, 2)
    assert rework[date(2026, 3, 9)][:2] == (0.75, 4)  # v3 revert, v4 hotfix, v5 revert
    recovery = rows(frame, "failed_deployment_recovery_hours", "week")
    # v1: the revert ships with v3 (8 days = 192 h); v2: last outage resolved 6 h after it.
    assert recovery[date(2026, 3, 2)][:2] == (99.0, 2)
    assert recovery[date(2026, 3, 9)][2] == "no failed release in period"
    team = rows(frame, "change_failure_rate", "month", "team", "platform")
    assert team[date(2026, 3, 1)][:2] == (pytest.approx(2 / 6), 6)
    assert rows(frame, "change_failure_rate", "month", "team", "web") == {}


def test_records_show_numerator_and_denominator(world):
    query = RecordsQuery(
        metric="change_failure_rate",
        scope="org",
        scope_key="",
        granularity="week",
        period_start=date(2026, 3, 2),
        period_end=date(2026, 3, 9),
        tz="UTC",
        start_at=at(2026, 3, 2),
        end_at=at(2026, 3, 9),
    )
    records = {r["release"]: r for r in dora_records(query)}
    assert set(records) == {"v1", "v2"}
    v1, v2 = records["v1"], records["v2"]
    assert v1["failed"] and [e["rule"] for e in v1["failed_by"]] == ["revert"]
    assert v1["failed_by"][0]["revert"] == "acme/api#3"
    assert v1["failed_by"][0]["released_in"] == "v3"
    assert v1["recovery_hours"] == 192.0
    assert [e["incident"] for e in v2["failed_by"]] == ["Q1", "Q2"]
    assert v2["failed_by"][0]["hours_after_release"] == 2.0
    assert v2["recovered_at"] == "2026-03-04T16:00:00+00:00"


def test_open_outage_leaves_recovery_out(world):
    service = PagerDutyService.objects.get(service_id="PSVC1")
    outage(service, "Q4", at(2026, 3, 13, 11), None)  # an hour after v6, still open
    frame = dora_compute(ComputeContext(tz="UTC", now=NOW))
    week = rows(frame, "change_failure_rate", "week")[date(2026, 3, 9)]
    assert week[:2] == (0.25, 4)
    recovery = rows(frame, "failed_deployment_recovery_hours", "week")[date(2026, 3, 9)]
    assert pd.isna(recovery[0]) and recovery[2] == "1 failed release not recovered yet (left out)"


def test_window_matches_periods(world):
    query = WindowQuery(
        scope="team",
        scope_key="platform",
        windows=((at(2026, 3, 2), at(2026, 3, 9)), (at(2026, 3, 9), at(2026, 3, 16))),
        tz="UTC",
        now=NOW,
    )
    first, second = dora_window(query)
    assert first["change_failure_rate"].value == 1.0
    assert first["failed_deployment_recovery_hours"].value == 99.0
    assert second["deployment_rework_rate"].value == 0.75


def test_no_releases_no_rows(db):
    Organization.objects.create(name="Acme", timezone="UTC")
    assert dora_compute(ComputeContext(tz="UTC", now=NOW)).empty


def test_since_recompute_equals_full(world):
    """A since-recompute reads only the PRs recent releases ship; a revert among them of an
    older change still finds it (no stray-revert note), and its rows equal a full compute's."""
    pull(world, 7, 'Revert "Tweak"', at(2026, 4, 2))
    Tag.objects.create(repo=world, name="v7", sha="v7", committed_at=at(2026, 4, 3))
    since = date(2026, 4, 6)
    full = frame_since(frame_normalize(dora_compute(ComputeContext(tz="UTC", now=NOW))), since)
    part = frame_since(
        frame_normalize(dora_compute(ComputeContext(tz="UTC", now=NOW, since=since))), since
    )
    pd.testing.assert_frame_equal(full, part)
    april = rows(full, "deployment_rework_rate", "month")[date(2026, 4, 1)]
    assert april == (1.0, 1, "")
    assert rows(full, "change_failure_rate", "month")[date(2026, 4, 1)] == (0.0, 1, "")


def test_reverts_found_by_full_and_short_shas(world):
    """A revert naming a commit of an earlier change by its full sha (as `git revert` writes)
    or by a short prefix of its merge commit fails the release that shipped it; found alike by
    a full recompute and a since-recompute (apps.dora.selectors.sha_q)."""
    from apps.delivery.models import PullRequestCommit
    from apps.dora.selectors import commits_citing

    full_sha, merge_sha = "ab" * 20, "cd" * 20
    pull(world, 10, "Build cache", at(2026, 3, 24))
    pull(world, 11, "Speed up search", at(2026, 3, 24, 1))
    PullRequest.objects.filter(repo=world, number=11).update(merge_commit_sha=merge_sha)
    PullRequestCommit.objects.create(
        pull=PullRequest.objects.get(repo=world, number=10),
        position=0,
        sha=full_sha,
        message="Build cache",
        author_login="bob-gh",
        authored_at=at(2026, 3, 23),
        committed_at=at(2026, 3, 23),
    )
    Tag.objects.create(repo=world, name="v8", sha="v8", committed_at=at(2026, 3, 26))
    pull(world, 12, "Undo cache", at(2026, 4, 2), body=f"This reverts commit {full_sha}.")
    pull(world, 13, "Undo search", at(2026, 4, 2, 1), body=f"This reverts commit {merge_sha[:10]}.")
    Tag.objects.create(repo=world, name="v7", sha="v7", committed_at=at(2026, 4, 3))
    cited = commits_citing({full_sha, merge_sha[:10], "ef" * 20})
    assert cited.to_dict("records") == [{"repo_id": world.pk, "number": 10, "sha": full_sha}]
    full = frame_normalize(dora_compute(ComputeContext(tz="UTC", now=NOW)))
    assert rows(full, "change_failure_rate", "week")[date(2026, 3, 23)][:2] == (1.0, 1)
    assert rows(full, "deployment_rework_rate", "week")[date(2026, 3, 30)][:2] == (1.0, 1)
    for since in (date(2026, 3, 23), date(2026, 3, 30)):  # the latter reads no cited change
        part = frame_normalize(dora_compute(ComputeContext(tz="UTC", now=NOW, since=since)))
        pd.testing.assert_frame_equal(frame_since(full, since), frame_since(part, since))
