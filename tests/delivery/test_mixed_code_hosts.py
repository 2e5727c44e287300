"""A mixed organisation: one team owns a GitHub repo and a GitLab project, both synced through
the simulator. Its release frequency, new bugs, lead time for changes, review time and change
failure rate count both: month by month, the team's numbers with both sources are those of each
source alone added up (counts), or taken over both sources' changes and releases (the samples
of the medians and of the failure rate)."""

from datetime import UTC, datetime

import pandas as pd
import pytest

from apps.delivery.metrics import delivery_compute
from apps.delivery.models import PullRequest, Release
from apps.dora.flow_metrics import flow_compute
from apps.dora.metrics import dora_compute
from apps.ingestion.services import source_sync
from apps.metrics.registry import ComputeContext
from apps.organization.models import Organization, Repo, Source, Team
from apps.quality.metrics import bugs_compute
from apps.quality.models import Issue
from integrations.simulator import Simulator, generate_github_world
from integrations.simulator.gitlab import GitLabProvider, generate_gitlab_world

GH_TOKEN, GL_TOKEN = "ghp_mixedTOKEN0123456789", "glpat-mixedTOKEN0123"
START, END = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 7, 1, tzinfo=UTC)
NOW = datetime(2025, 7, 15, tzinfo=UTC)
METRICS = (
    (delivery_compute, "release_frequency", "value"),
    (bugs_compute, "bugs_new", "value"),
    (flow_compute, "lead_time_for_changes_hours", "sample_size"),
    (flow_compute, "review_hours", "sample_size"),
    (dora_compute, "change_failure_rate", "sample_size"),
)


@pytest.fixture
def mixed(db):
    github = generate_github_world(
        seed=5, repos=1, pulls=50, issues=30, releases=8, owner="acme", start=START, end=END
    )
    gitlab = generate_gitlab_world(
        seed=6, group="acme-gl", projects=1, merge_requests=50, issues=30, releases=8,
        start=START, end=END,
    )  # fmt: skip
    Organization.objects.create(
        name="Acme", timezone="UTC", bug_settings={"github_labels": ["bug", "type::bug"]}
    )
    team = Team.objects.create(slug="platform", name="Platform")
    simulator = Simulator(github=github, token=GH_TOKEN)
    simulator.add_provider(GitLabProvider(gitlab, token=GL_TOKEN))
    with simulator as sim:
        for name, kind, base_url, token, repo in (
            ("gh", "github", sim.base_url, GH_TOKEN, "acme/api"),
            ("gl", "gitlab", f"{sim.base_url}/api/v4", GL_TOKEN, "acme-gl/api"),
        ):
            source = Source.objects.create(name=name, kind=kind, base_url=base_url, token=token)
            Repo.objects.create(source=source, full_name=repo, team=team)
            run = source_sync(source=source)
            assert run.status == "succeeded", run.error
        yield


def team_months(compute, metric: str, column: str) -> pd.Series:
    frame = compute(ComputeContext(tz="UTC", now=NOW))
    rows = frame[
        (frame["metric"] == metric)
        & (frame["scope"] == "team")
        & (frame["scope_key"] == "platform")
        & (frame["granularity"] == "month")
    ]
    return rows.set_index("period_start")[column].fillna(0).astype(float)


def only(kind: str | None) -> None:
    for source in Source.objects.all():
        source.enabled = kind is None or source.kind == kind
        source.save(update_fields=["enabled"])


def test_a_team_counts_both_code_hosts(mixed) -> None:
    for model in (PullRequest, Release, Issue):
        providers = set(model.objects.values_list("provider", flat=True))
        assert providers == {"github", "gitlab"}, model.__name__
    both = {metric: team_months(*m) for m in METRICS for metric in [m[1]]}
    only("github")
    github = {metric: team_months(*m) for m in METRICS for metric in [m[1]]}
    only("gitlab")
    gitlab = {metric: team_months(*m) for m in METRICS for metric in [m[1]]}
    for _, metric, _ in METRICS:
        assert github[metric].sum() > 0 and gitlab[metric].sum() > 0, f"{metric}: each has some"
        added = github[metric].add(gitlab[metric], fill_value=0)
        assert both[metric].reindex(added.index, fill_value=0).tolist() == added.tolist(), metric
