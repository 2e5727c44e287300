"""Server-side tests of every dashboard page: tiles and their explanations, the metric page and
its records, engineer privacy by every URL, the sources page and "sync now", the assets."""

import html as html_lib
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from apps.organization.models import JiraProject
from tests.dashboard.conftest import GH_ERROR, OCT, SEP, month_row
from tests.metrics.factories import SourceFactory, SyncRunFactory, UserFactory


def tile(html: str, metric: str) -> str:
    """The HTML of one tile."""
    match = re.search(
        rf'<article class="tile[^"]*" data-metric="{metric}".*?</article>', html, re.S
    )
    assert match, f"no tile {metric}"
    return match.group(0)


def text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip())


def test_pages_need_a_login(world) -> None:
    for url in (
        "/",
        "/teams/alpha/",
        "/metrics/t_releases/",
        "/engineers/a1@acme.test/",
        "/sources/",
    ):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_login_page_logs_in_and_lands_on_the_organisation(world) -> None:
    user = UserFactory(username="ann")
    user.set_password("pw-123-long")
    user.save()
    client = Client()
    assert client.get("/login/").status_code == 200
    response = client.post("/login/", {"username": "ann", "password": "pw-123-long"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_organisation_tile_compares_with_previous_month_and_trend(plain_client) -> None:
    html = plain_client.get("/").content.decode()
    releases = text(tile(html, "t_releases"))
    # October (latest complete): 6; vs September 4: +2, +50%; vs smoothed 5: +1, +20%;
    # anomaly. More releases are better, in words beside the colour.
    assert "October 2026" in releases and " 6 releases " in f" {releases} "
    assert "vs Sep 2026 ▲ +2 releases (+50%) better" in releases
    assert "vs trend ▲ +1 release (+20%) better" in releases
    # The running month is apart, "to date", never compared with a whole month.
    assert "November 2026 to date 1 release" in releases
    assert "Anomaly" in releases
    # The newest GitHub run failed: the number stays, and the failure is said once, above the
    # stage's tiles, not repeated on each of them.
    assert "last sync of gh failed" not in releases
    delivery = html[html.index('id="stage-delivery"') : html.index('<div class="tiles">')]
    assert f"last sync of gh failed: {GH_ERROR}: the numbers below may be stale." in text(delivery)
    # People: its only tile has no number, and says why itself; reliability has no GitHub.
    assert html.count("data-stage-warning") == 1


def test_funnel_order_and_empty_tiles_say_why(plain_client) -> None:
    html = plain_client.get("/").content.decode()
    positions = [html.index(f'id="stage-{s}"') for s in ("delivery", "people", "reliability")]
    assert positions == sorted(positions)
    # No PagerDuty source at all: nothing to compute uptime from.
    assert "no source configured (PagerDuty)" in text(tile(html, "t_uptime"))
    # t_share has no org row; GitHub is configured but its last sync failed.
    assert f"last sync of gh failed: {GH_ERROR}" in text(tile(html, "t_share"))


def test_team_page_without_repos_says_no_source_for_the_team(plain_client) -> None:
    alpha = plain_client.get("/teams/alpha/").content.decode()
    assert " 3 " in f" {text(tile(alpha, 't_releases'))} "
    beta = plain_client.get("/teams/beta/").content.decode()
    assert "no source configured for this team (GitHub or GitLab)" in text(tile(beta, "t_releases"))
    assert plain_client.get("/teams/nope/").status_code == 404


def test_metric_page_rows_chart_and_records(plain_client) -> None:
    response = plain_client.get("/metrics/t_releases/?start=2026-01-01")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="' in html and "/assets/" in html and "plotly.min.js" in html
    assert "cdn" not in html.lower()
    rows = re.findall(r"<tr[^>]*><th scope=\"row\">(\d{4}-\d{2}-\d{2})", html)
    assert rows == ["2026-11-01", "2026-10-01", "2026-09-01"]
    assert "partial period: to 2026-11-22" in html

    records = plain_client.get("/metrics/t_releases/?period_start=2026-10-01").content.decode()
    section = text(records[records.index('id="records"') :])
    assert "Value 6 releases for [2026-10-01, 2026-11-01)" in section and "2 records" in section
    # Each record's first column (no title here) and its "open in" cell link upstream.
    assert records.count('href="https://github.com/acme/api/releases/tag/v1.') == 4
    assert (
        '<a href="https://github.com/acme/api/releases/tag/v1.0" rel="noopener" '
        'target="_blank">v1.0</a>' in records
    )
    assert ">Released (UTC)</th>" in records and "CSV</a>" in records
    assert "open in GitHub" in records


def test_metric_page_rejects_bad_queries(plain_client) -> None:
    bad = plain_client.get("/metrics/t_releases/?period_start=2026-10-02")
    assert bad.status_code == 400 and "2026-10-02 does not start a month" in bad.content.decode()
    assert plain_client.get("/metrics/nope/").status_code == 404
    assert plain_client.get("/metrics/t_uptime/?scope=team&scope_key=alpha").status_code == 404


def test_metric_page_of_an_empty_series_says_why(plain_client) -> None:
    html = plain_client.get("/metrics/t_uptime/").content.decode()
    assert "no source configured (PagerDuty)" in html and "data-figure" not in html


def test_null_engineer_row_shows_its_note(manager_client) -> None:
    html = manager_client.get(
        "/metrics/t_share/?scope=engineer&scope_key=a1@acme.test"
    ).content.decode()
    assert "no work items completed in period" in html
    page = manager_client.get("/engineers/a1@acme.test/").content.decode()
    assert "no work items completed in period" in text(tile(page, "t_share"))


ENGINEER_URLS = (
    "/engineers/{email}/",
    "/metrics/t_share/?scope=engineer&scope_key={email}",
    "/metrics/t_share/?scope=engineer&scope_key={email}&period_start=2026-10-01",
    "/metrics/t_share/?scope=engineer&scope_key={email}&granularity=week",
)


@pytest.mark.parametrize("url", ENGINEER_URLS)
def test_manager_of_alpha_cannot_see_beta_engineer_by_any_url(manager_client, url) -> None:
    assert manager_client.get(url.format(email="a1@acme.test")).status_code == 200
    assert manager_client.get(url.format(email="b1@acme.test")).status_code == 404


def test_engineers_visible_to_superusers_only_otherwise(world, admin_client_, plain_client) -> None:
    for email in ("a1@acme.test", "b1@acme.test"):
        assert admin_client_.get(f"/engineers/{email}/").status_code == 200
        assert plain_client.get(f"/engineers/{email}/").status_code == 404
    # b1's number reaches the superuser only: 0.5 → "50.00%".
    assert "50.00%" in admin_client_.get("/engineers/b1@acme.test/").content.decode()
    # Team pages link engineer pages only for those who may open them.
    assert (
        'href="/engineers/a1@acme.test/"' not in plain_client.get("/teams/alpha/").content.decode()
    )
    assert "b1@acme.test" not in plain_client.get("/").content.decode()


def test_team_page_links_own_engineers_for_their_manager(manager_client) -> None:
    assert 'href="/engineers/a1@acme.test/"' in manager_client.get("/teams/alpha/").content.decode()
    assert (
        'href="/engineers/b1@acme.test/"' not in manager_client.get("/teams/beta/").content.decode()
    )


def test_team_members_with_their_numbers_for_their_manager_only(world, manager_client) -> None:
    month_row(
        "churn_risk",
        OCT,
        0.62,
        scope="engineer",
        scope_key="a1@acme.test",
        unit="score",
        note="bug share 0.42; score = 0.4·bug + 0.2·rise + 0.2·others + 0.2·slow",
    )
    month_row("churn_risk", OCT, 0.7, scope="engineer", scope_key="b1@acme.test", unit="score")
    page = manager_client.get("/teams/alpha/").content.decode()
    members = text(page[page.index('id="members"') :])
    # Ann's October score, flagged at risk (0.62 ≥ 0.50), with its components.
    assert "Ann One 0.62 ⚠ at risk bug share 0.42; score = 0.4·bug" in members
    assert '<tr class="is-at-risk" data-at-risk>' in page
    # Another team's members: names only, no numbers.
    beta = manager_client.get("/teams/beta/").content.decode()
    assert "0.70" not in beta and "Bob One" in beta
    assert "Engineer numbers are shown only to the managers of the team." in beta


def test_engineers_at_risk_tile_leads_to_the_engineers_for_those_allowed(
    world, manager_client, plain_client, monkeypatch
) -> None:
    from apps.dashboard import selectors as dash

    links = dash._at_risk_links(world["manager"], "org", "")
    assert links == {"engineers_at_risk": (("Alpha's engineers", "/teams/alpha/#members"),)}
    assert dash._at_risk_links(world["manager"], "team", "alpha") == {
        "engineers_at_risk": (("Which engineers", "/teams/alpha/#members"),)
    }
    assert dash._at_risk_links(world["manager"], "team", "beta") == {}
    plain = world["manager"].__class__.objects.get(username="plain")
    assert dash._at_risk_links(plain, "org", "") == {}


def test_sources_page_shows_runs_errors_and_waits_never_secrets(plain_client) -> None:
    html = plain_client.get("/sources/").content.decode()
    assert GH_ERROR.replace("'", "&#x27;") in html
    assert "2 (1.5 s)" in html and "failed" in html and "succeeded" in html
    assert "ghp_SECRET" not in html
    assert "Sync now" not in html  # a plain user may not start a sync


def test_sync_now_is_post_only_for_admins_or_managers_of_the_sources_teams(
    world, manager_client, plain_client
) -> None:
    beta_source = SourceFactory(name="jira-beta", kind="jira")
    JiraProject.objects.create(source=beta_source, key="B", team=world["beta"])
    with mock.patch("apps.dashboard.services.sync_source_task") as task:
        assert plain_client.post("/sources/gh/sync/").status_code == 403
        assert manager_client.get("/sources/gh/sync/").status_code == 405
        response = manager_client.post("/sources/gh/sync/")
        assert response.status_code == 302 and response["Location"] == "/sources/"
        task.delay.assert_called_once_with(world["gh"].pk)
        assert manager_client.post("/sources/nope/sync/").status_code == 404
        # alpha's manager may not sync a source that only feeds team beta
        assert manager_client.post("/sources/jira-beta/sync/").status_code == 403
    page = manager_client.get("/sources/").content.decode()
    assert 'aria-label="Sync gh now"' in page and 'aria-label="Sync jira-beta now"' not in page


def test_sync_now_refuses_while_running_and_right_after_a_sync(world, manager_client) -> None:
    with mock.patch("apps.dashboard.services.sync_source_task") as task:
        running = SyncRunFactory(source=world["gh"], status="running", started_at=timezone.now())
        page = manager_client.post("/sources/gh/sync/", follow=True).content.decode()
        assert "Not synced: a sync of gh is already running." in page
        running.status = "succeeded"
        running.save()
        page = manager_client.post("/sources/gh/sync/", follow=True).content.decode()
        assert "gh was synced less than 5 minutes ago; try again in 5 minutes" in page
        running.started_at = timezone.now() - timedelta(minutes=6)
        running.save()
        assert (
            "Sync of gh queued."
            in manager_client.post("/sources/gh/sync/", follow=True).content.decode()
        )
        assert task.delay.call_count == 1


def test_sync_now_is_not_said_queued_once_its_run_failed(world, manager_client) -> None:
    """The newest state wins: a run that failed before the page was drawn (a worker fails a
    source without a token in milliseconds) is shown failed, and "queued" is said nowhere."""
    SyncRunFactory(
        source=world["gh"], status="succeeded", started_at=timezone.now() - timedelta(hours=2)
    )
    with mock.patch("apps.dashboard.services.sync_source_task") as task:
        assert manager_client.post("/sources/gh/sync/").status_code == 302
        assert task.delay.call_count == 1
    SyncRunFactory(
        source=world["gh"],
        status="failed",
        started_at=timezone.now(),
        finished_at=timezone.now(),
        error="GITHUB_TOKEN is not set",
    )
    for _ in range(2):  # and stays so on a reload
        page = manager_client.get("/sources/").content.decode()
        assert "queued" not in page
        assert "GITHUB_TOKEN is not set" in page and "status-failed" in page
        assert 'http-equiv="refresh"' not in page


def test_sync_now_is_said_queued_until_its_run_starts(world, manager_client) -> None:
    with mock.patch("apps.dashboard.services.sync_source_task"):
        manager_client.post("/sources/gh/sync/")
    for _ in range(2):  # said on every view while no newer run exists, watched by a refresh
        page = manager_client.get("/sources/").content.decode()
        assert "Sync of gh queued" in page
        assert '<meta http-equiv="refresh" content="5">' in page
    SyncRunFactory(source=world["gh"], status="running", started_at=timezone.now())
    page = manager_client.get("/sources/").content.decode()
    assert "queued" not in page and "status-running" in page


def test_sync_now_needs_the_csrf_token(world) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["manager"])
    with mock.patch("apps.dashboard.services.sync_source_task") as task:
        assert client.post("/sources/gh/sync/").status_code == 403
        page = client.get("/sources/").content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        assert client.post("/sources/gh/sync/", {"csrfmiddlewaretoken": token}).status_code == 302
        assert task.delay.call_count == 1


def test_assets_are_served_locally_with_gzip(db) -> None:
    client = Client()
    page = client.get("/login/").content.decode()
    css = re.search(r'href="(/assets/[^"]+/keel.css)"', page).group(1)
    assert client.get(css)["Content-Type"].startswith("text/css")
    import plotly

    url = f"/assets/{plotly.__version__}/plotly.min.js"
    plain = Client().get(url)
    zipped = Client().get(url, headers={"Accept-Encoding": "gzip"})
    assert plain.status_code == 200 and plain.content.startswith(b"/**")
    assert zipped["Content-Encoding"] == "gzip" and len(zipped.content) < len(plain.content) / 2
    assert "max-age=31536000" in plain["Cache-Control"]
    assert Client().get("/assets/1/secret.py").status_code == 404
    assert "max-age=60" in Client().get("/assets/old/keel.css")["Cache-Control"]


def test_service_page_by_its_pagerduty_name(world, plain_client) -> None:
    from apps.organization.models import PagerDutyService, Source

    pd = Source.objects.create(name="pd", kind="pagerduty", base_url="https://api.pagerduty.com")
    PagerDutyService.objects.create(
        source=pd, service_id="PAPI001", name="Payments API", team=world["alpha"], slo=0.999
    )
    PagerDutyService.objects.create(source=pd, service_id="POFF", name="Off", enabled=False)
    page = plain_client.get("/services/PAPI001/").content.decode()
    assert "<h1>Payments API <span" in page and "SLO 99.90%." in page
    assert plain_client.get("/services/POFF/").status_code == 404
    assert plain_client.get("/services/NOPE/").status_code == 404
    # Linked by name from the organisation and the team page.
    for url in ("/", "/teams/alpha/"):
        assert (
            '<a href="/services/PAPI001/">Payments API</a>'
            in plain_client.get(url).content.decode()
        )


def test_compare_teams_side_by_side(world, plain_client) -> None:
    month_row("t_releases", SEP, 5.0, scope="team", scope_key="alpha")
    page = plain_client.get("/compare/?metric=t_releases").content.decode()
    alpha = text(page[page.index('data-team="alpha"') :].split("</tr>")[0])
    # October (3) against September (5): fewer releases, and more is better.
    assert "October 2026 3 releases ▼ −2 releases (−40%) worse" in alpha
    beta = text(page[page.index('data-team="beta"') :].split("</tr>")[0])
    assert "—" in beta
    assert 'data-figure="' in page and "Payments" not in page
    bad = plain_client.get("/compare/?metric=t_uptime")  # an org-only metric
    assert bad.status_code == 400 and "no metric with a team scope" in bad.content.decode()
