"""Goals on the dashboard tiles (docs/dashboard.md#goals): met or missed on the latest complete
month, in words beside the colour."""

from apps.organization.models import Goal
from tests.dashboard.test_views import text, tile


def test_org_tile_says_its_goal_is_missed(plain_client, world) -> None:
    Goal.objects.create(metric="t_releases", target=8.0)
    releases = text(tile(plain_client.get("/").content.decode(), "t_releases"))
    # October (latest complete): 6 releases against at least 8, and September 4 before it.
    assert "Goal ≥ 8 releases: missed 2 months running (Oct 2026)" in releases


def test_team_tile_uses_the_team_goal(plain_client, world) -> None:
    Goal.objects.create(metric="t_releases", target=8.0)
    Goal.objects.create(metric="t_releases", team=world["alpha"], target=2.0)
    releases = text(tile(plain_client.get("/teams/alpha/").content.decode(), "t_releases"))
    assert "Goal ≥ 2 releases: met (Oct 2026)" in releases


def test_no_goal_no_line(plain_client, world) -> None:
    html = plain_client.get("/").content.decode()
    assert "data-goal" not in tile(html, "t_releases")


def test_metric_chart_draws_the_goal_line(plain_client, world) -> None:
    import html as html_lib
    import json
    import re

    Goal.objects.create(metric="t_releases", target=8.0)
    page = plain_client.get("/metrics/t_releases/").content.decode()
    figure = json.loads(html_lib.unescape(re.search(r'data-figure="([^"]*)"', page).group(1)))
    (goal,) = [t for t in figure["data"] if t.get("name", "").startswith("goal")]
    assert goal["name"] == "goal ≥ 8 releases"
    assert goal["y"] == [8.0, 8.0] and goal["x"] == ["2026-09-01", "2026-10-01"]
    # Weekly, a monthly count's goal is not drawn (8 releases a month is not 8 a week).
    weekly = plain_client.get("/metrics/t_releases/?granularity=week").content.decode()
    assert "goal ≥" not in weekly


def compare_figure(page: str) -> dict:
    import html as html_lib
    import json
    import re

    return json.loads(html_lib.unescape(re.search(r'data-figure="([^"]*)"', page).group(1)))


def test_compare_page_judges_each_team_against_its_goal(plain_client, world) -> None:
    from tests.dashboard.conftest import SEP, month_row

    month_row("t_releases", SEP, 5.0, scope="team", scope_key="alpha")
    page = plain_client.get("/compare/?metric=t_releases").content.decode()
    assert '<th scope="col">Goal</th>' not in page  # no goal, no column
    assert not [t for t in compare_figure(page)["data"] if "goal" in t.get("name", "")]

    Goal.objects.create(metric="t_releases", target=2.0)
    Goal.objects.create(metric="t_releases", team=world["beta"], target=4.0)
    page = plain_client.get("/compare/?metric=t_releases").content.decode()
    row = {
        team: text(page[page.index(f'data-team="{team}"') :].split("</tr>")[0])
        for team in ("alpha", "beta")
    }
    # Alpha: October's 3 releases against the organisation's goal of at least 2.
    assert row["alpha"].endswith("Goal ≥ 2 releases: met")
    # Beta has no October row: its own goal of 4 is not judged.
    assert row["beta"].endswith("Goal ≥ 4 releases: not judged (the team's own)")
    lines = {t["name"]: t for t in compare_figure(page)["data"] if "goal" in t["name"]}
    assert set(lines) == {"goal ≥ 2 releases", "Beta goal ≥ 4 releases"}
    assert lines["goal ≥ 2 releases"]["y"] == [2.0, 2.0]
    assert lines["goal ≥ 2 releases"]["x"] == ["2026-09-01", "2026-10-01"]
    assert lines["Beta goal ≥ 4 releases"]["line"]["dash"] == "dot"


def test_compare_page_says_missed(plain_client, world) -> None:
    Goal.objects.create(metric="t_releases", target=8.0)
    page = plain_client.get("/compare/?metric=t_releases").content.decode()
    alpha = text(page[page.index('data-team="alpha"') :].split("</tr>")[0])
    assert alpha.endswith("Goal ≥ 8 releases: missed")
    assert 'class="goal is-missed"' in page
