"""Every configured team has rows (docs/metrics.md#rows): a team's series runs over the
organisation's range of periods, not only where the team has data; a count or sum is 0 there,
a ratio, median or level null with a note."""

from datetime import UTC, datetime

import pandas as pd
import pytest

from apps.metrics.models import MetricRow
from apps.metrics.registry import all_definitions
from apps.metrics.services import metrics_compute
from apps.organization.models import Organization, Person, Repo, Team
from tests.metrics.builders import costs_world, github_world, jira_world, pagerduty_world

NOW = datetime(2026, 3, 20, tzinfo=UTC)
TEAM_METRICS = {d.name for d in all_definitions() if "team" in d.scopes}
# 0 where nothing happened (docs/metrics.md#rows); every other team metric is null with a note.
ZERO_WHEN_NOTHING = {
    "release_frequency",
    "delivery_points",
    "bugs_new",
    "bug_impact_days",
    "incidents",
    "downtime_minutes",
    "customers_onboarding",
    "cost",
    "cost_compute",
    "cost_storage",
    "cost_network",
    "cost_other",
    "cost_of_poor_quality",
}


@pytest.fixture
def rows(db, tmp_path) -> pd.DataFrame:
    """platform has a repo, a Jira project, a PagerDuty service and costs; idle has a repo that
    never released; quiet has nothing."""
    Organization.objects.create(name="Acme", timezone="UTC", cost_settings={"currency": "USD"})
    platform = Team.objects.create(slug="platform", name="Platform")
    Team.objects.create(slug="quiet", name="Quiet")
    person = Person.objects.create(email="bob@acme.test", team=platform)
    repo = github_world(platform, person)
    idle = Team.objects.create(slug="idle", name="Idle")
    Repo.objects.create(source=repo.source, full_name="acme/idle", team=idle, tag_pattern="^v")
    jira_world(platform, person)
    pagerduty_world(platform, person)
    costs_world(tmp_path)
    metrics_compute(now=NOW)
    return pd.DataFrame(
        MetricRow.objects.filter(scope__in=["org", "team"]).values(
            "metric", "scope", "scope_key", "granularity", "period_start", "value", "note"
        )
    )


def periods(rows: pd.DataFrame, metric: str, scope: str, key: str) -> list[tuple[str, object]]:
    of = rows[(rows["metric"] == metric) & (rows["scope"] == scope) & (rows["scope_key"] == key)]
    return sorted(zip(of["granularity"], of["period_start"], strict=True))


def test_a_team_without_data_has_rows_over_the_organisations_periods(rows) -> None:
    computed = TEAM_METRICS & set(rows["metric"][rows["scope"] == "org"])
    assert {"release_frequency", "bugs_new", "uptime", "cost", "bug_fix_share"} <= computed
    missing = {
        metric: periods(rows, metric, "org", "")
        for metric in sorted(computed)
        if periods(rows, metric, "team", "quiet") != periods(rows, metric, "org", "")
    }
    assert missing == {}


def test_a_team_without_data_counts_zero_and_has_no_ratio(rows) -> None:
    quiet = rows[(rows["scope"] == "team") & (rows["scope_key"] == "quiet")]
    counts = quiet[quiet["metric"].isin(ZERO_WHEN_NOTHING)]
    others = quiet[~quiet["metric"].isin(ZERO_WHEN_NOTHING)]
    assert not counts.empty and not others.empty
    assert sorted(set(counts["metric"][counts["value"] != 0])) == []
    assert sorted(set(others["metric"][others["value"].notna()])) == []
    assert sorted(set(others["metric"][others["note"] == ""])) == []


def test_a_team_whose_repo_never_released_counts_zero_releases(rows) -> None:
    """It once had no rows at all: its series started at its first release."""
    idle = rows[(rows["scope_key"] == "idle") & (rows["metric"] == "release_frequency")]
    assert periods(rows, "release_frequency", "team", "idle") == periods(
        rows, "release_frequency", "org", ""
    )
    assert len(idle) == 9 and set(idle["value"]) == {0.0}
