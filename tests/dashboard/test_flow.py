"""The flow page (docs/dashboard.md#flow-page): where a pull request waits, from pull requests
with known instants through the real flow computation to the page; the empty state, bad
queries and the links that lead to it.

Changes of the fixture (repo acme/api of team Platform, releases are tags `v*`), in hours:

| PR | shipped by | coding | pickup | review | deploy | lead |
| -- | ---------- | ------ | ------ | ------ | ------ | ---- |
| #1 | v1 20 Feb 12:00 | 10 | 4 | 10 | 228 | 252 |
| #2 | v2 20 Mar 00:00 | 6 | 2 | 16 | 432 | 456 |
| #3 | v2 | 2 | 10 | 12 | 216 | 240 |
| #4 | v2 (no review) | 40 | — | — | 96 | 136 |
| #5 | v3 10 Apr 00:00 (running month) | 1 | 2 | 2 | 211 | 216 |

March: coding 6, pickup 6, review 14, deploy 216, lead 240 (the stages sum to 242: medians do
not add). A median of two days or more reads in days, a shorter one in hours; the chart's axis
is in days (its longest median reaches two days).
"""

import html as html_lib
import json
import re
from datetime import UTC, date, datetime
from itertools import count

import pytest
from django.test import Client

from apps.dashboard import selectors
from apps.dashboard.flow import Cell, FlowPeriod, flow_unit, longest_stage_sentence
from apps.delivery.models import PullRequest, PullRequestCommit, PullRequestReview, Tag
from apps.metrics.services import metrics_compute
from apps.organization.models import Identity, Organization, Person, Repo, Source, Team
from tests.metrics.factories import UserFactory

NOW = datetime(2026, 4, 15, 12, tzinfo=UTC)
TODAY = date(2026, 4, 15)
FLOW = [
    "lead_time_for_changes_hours",
    "coding_hours",
    "pickup_hours",
    "review_hours",
    "deploy_hours",
]
IDS = count(1)


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def change(repo, number, *, commit, created, merged, review=None) -> None:
    pull = PullRequest.objects.create(
        repo=repo,
        external_id=next(IDS),
        number=number,
        title=f"Change {number}",
        state="closed",
        user_login="bob-gh",
        created_at=created,
        updated_at=merged,
        merged_at=merged,
        closed_at=merged,
        is_draft=False,
        additions=3,
        deletions=1,
    )
    PullRequestCommit.objects.create(
        pull=pull, sha=f"{number:040d}", position=0, authored_at=commit, committed_at=commit
    )
    if review is not None:
        PullRequestReview.objects.create(
            pull=pull,
            external_id=next(IDS),
            state="APPROVED",
            author_login="carol-gh",
            author_type="User",
            submitted_at=review,
        )


@pytest.fixture
def org(db, monkeypatch):
    monkeypatch.setattr(selectors, "today_local", lambda: TODAY)
    Organization.objects.create(name="Acme", timezone="UTC")
    team = Team.objects.create(slug="platform", name="Platform")
    Team.objects.create(slug="payments", name="Payments")
    person = Person.objects.create(email="bob@acme.test", team=team)
    Identity.objects.create(person=person, provider="github", external_id="bob-gh")
    gh = Source.objects.create(name="gh", kind="github", base_url="https://api.github.com")
    repo = Repo.objects.create(
        source=gh, full_name="acme/api", team=team, release_source="tags", tag_pattern="^v"
    )
    return repo


@pytest.fixture
def shipped(org):
    repo = org
    Tag.objects.create(repo=repo, name="v1", sha="a", committed_at=at(2, 20, 12))
    Tag.objects.create(repo=repo, name="v2", sha="b", committed_at=at(3, 20))
    Tag.objects.create(repo=repo, name="v3", sha="c", committed_at=at(4, 10))
    change(repo, 1, commit=at(2, 10), created=at(2, 10, 10), review=at(2, 10, 14), merged=at(2, 11))
    change(repo, 2, commit=at(3, 1), created=at(3, 1, 6), review=at(3, 1, 8), merged=at(3, 2))
    change(repo, 3, commit=at(3, 10), created=at(3, 10, 2), review=at(3, 10, 12), merged=at(3, 11))
    change(repo, 4, commit=at(3, 13, 8), created=at(3, 15), merged=at(3, 16))
    change(repo, 5, commit=at(4, 1), created=at(4, 1, 1), review=at(4, 1, 3), merged=at(4, 1, 5))
    metrics_compute(metrics=FLOW, now=NOW)
    return repo


@pytest.fixture
def client(db) -> Client:
    c = Client()
    c.force_login(UserFactory(username="plain"))
    return c


def text(html: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def row_of(html: str, period: str) -> list[str]:
    """The cells of one table row, as text (period, four stages, lead time, changes, without
    review)."""
    match = re.search(rf'<tr[^>]*data-period="{period}".*?</tr>', html, re.S)
    assert match, f"no row {period}"
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match.group(0), re.S)
    return [text(re.sub(r'<span class="visually-hidden">.*?</span>', "", c)) for c in cells]


def test_stage_medians_lead_time_and_sample_per_month(shipped, client) -> None:
    response = client.get("/flow/")
    assert response.status_code == 200
    html = response.content.decode()
    assert row_of(html, "2026-03-01") == [
        "Mar 2026",
        "6.0 hours",
        "6.0 hours",
        "14.0 hours",
        "9.0 days",
        "10.0 days",
        "3",
        "1",
    ]
    feb = row_of(html, "2026-02-01")
    assert feb[1:6] == ["10.0 hours", "4.0 hours", "10.0 hours", "9.5 days", "10.5 days"]
    assert feb[6:] == ["1", "0"]
    assert row_of(html, "2026-04-01")[0] == "Apr 2026 to date"
    page = text(html)
    assert (
        "In March 2026 the longest stage was deploy time: a median of 9.0 days, better than "
        "February 2026 (9.5 days)." in page
    )
    assert "Medians do not add up" in page


def test_each_median_links_to_its_records(shipped, client) -> None:
    html = client.get("/flow/?team=platform").content.decode()
    url = "/metrics/deploy_hours/?scope=team&amp;scope_key=platform&amp;granularity=month"
    assert f'href="{url}&amp;period_start=2026-03-01#records"' in html
    records = client.get(html_lib.unescape(url) + "&period_start=2026-03-01")
    assert records.status_code == 200
    assert records.content.decode().count("acme/api#") >= 3


def test_the_chart_stacks_the_stages_and_draws_the_running_month_apart(shipped, client) -> None:
    html = client.get("/flow/").content.decode()
    figure = html_lib.unescape(re.search(r'data-figure="([^"]*)"', html).group(1))
    data = json.loads(figure)
    bars = [t for t in data["data"] if t["type"] == "bar"]
    assert [b["name"] for b in bars] == ["Coding time", "Pickup time", "Review time", "Deploy time"]
    deploy = bars[3]
    assert deploy["x"] == ["2026-02-01", "2026-03-01", "2026-04-01"]
    assert deploy["y"] == [9.5, 9.0, pytest.approx(211 / 24)]
    assert deploy["marker"]["pattern"]["shape"] == ["", "", "/"]
    assert deploy["customdata"][1].startswith("/metrics/deploy_hours/?scope=org")
    assert deploy["text"][:2] == ["9.5 days", "9.0 days"]  # the hover says what the table does
    assert bars[2]["text"][1] == "14.0 hours"
    assert data["layout"]["yaxis"]["title"]["text"] == "median, days"
    assert data["layout"]["barmode"] == "stack"
    assert [a["text"] for a in data["layout"]["annotations"]] == ["to date"]
    lead = [t for t in data["data"] if t["type"] == "scatter"]
    assert lead[0]["y"] == [10.5, 10.0] and lead[1]["marker"]["symbol"] == "diamond-open"


def test_week_granularity_and_a_team_keep_the_same_changes(shipped, client) -> None:
    html = client.get("/flow/?team=platform&granularity=week&start=2026-03-01").content.decode()
    # Week of 16 March: #2, #3 and #4, shipped by v2 on Friday 20 March.
    assert row_of(html, "2026-03-16")[5:] == ["10.0 days", "3", "1"]
    assert "Per week" in text(html)
    empty = client.get("/flow/?team=payments").content.decode()
    assert "data-flow-empty" in empty and "no source configured for this team" in text(empty)


def test_no_merged_pull_request_says_so(org, client) -> None:
    response = client.get("/flow/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "No merged pull request was shipped by a release in these months" in text(html)
    assert "data-figure" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("team=nope", "Team: no team 'nope': pick one from the list"),
        ("team=../etc", "Team: Enter a valid “slug”"),
        ("start=2026-13-01", "From: Enter a valid date."),
        ("start=9999-01-01", "From:"),
        ("end=0001-01-01", "Before:"),
        ("start=2026-03-01&end=2026-02-01", "the range is empty"),
        ("granularity=year", "Granularity: Select a valid choice."),
    ],
)
def test_bad_queries_are_400_naming_the_field(org, client, query, message) -> None:
    response = client.get(f"/flow/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert message in text(html)
    assert 'href=""' not in html


def test_the_page_needs_a_login(org) -> None:
    response = Client().get("/flow/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_reached_from_the_dora_group_and_the_lead_time_page(shipped, client) -> None:
    org_page = client.get("/?granularity=week").content.decode()
    assert re.search(r'href="/flow/\?granularity=week" data-flow-link', org_page)
    team_page = client.get("/teams/platform/").content.decode()
    assert 'href="/flow/?team=platform" data-flow-link' in team_page
    lead = client.get(
        "/metrics/lead_time_for_changes_hours/?scope=team&scope_key=platform"
    ).content.decode()
    assert 'href="/flow/?team=platform&amp;granularity=month" data-flow-link' in lead
    uptime = client.get("/metrics/uptime/").content.decode()
    assert "data-flow-link" not in uptime


def _period(start: date, hours: dict[str, float | None], *, to_date: bool = False) -> FlowPeriod:
    stages = {k: Cell(v, "", 1 if v is not None else 0) for k, v in hours.items() if k != "lead"}
    return FlowPeriod(start, start, to_date, Cell(hours["lead"], "", 1), stages, 1, 0)


def test_sentences_and_units_by_hand() -> None:
    def hours(coding, pickup, review, deploy, lead):
        return {
            "coding_hours": coding,
            "pickup_hours": pickup,
            "review_hours": review,
            "deploy_hours": deploy,
            "lead": lead,
        }

    oct_, nov = date(2026, 10, 1), date(2026, 11, 1)
    periods = [_period(oct_, hours(1, 3, 2, 4, 11)), _period(nov, hours(2, 9, 1, 3, 16))]
    assert flow_unit(periods) == "hours"
    assert longest_stage_sentence(periods, granularity="month") == (
        "In November 2026 the longest stage was pickup time: a median of 9.0 hours, worse than "
        "October 2026 (3.0 hours)."
    )
    week = [_period(date(2026, 11, 2), hours(None, None, None, None, None))]
    assert longest_stage_sentence(week, granularity="week") == (
        "No change shipped in the week of 2 Nov 2026: no stage to compare."
    )
    running = [_period(nov, hours(2, 9, 1, 3, 16), to_date=True)]
    assert longest_stage_sentence(running, granularity="month") == ""
    first = [_period(oct_, hours(1, 3, 2, 50, 56))]
    assert flow_unit(first) == "days"
    assert longest_stage_sentence(first, granularity="month") == (
        "In October 2026 the longest stage was deploy time: a median of 2.1 days; the period "
        "before has no deploy time to compare with."
    )
