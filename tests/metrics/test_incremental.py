"""A recompute from the first day an hourly sync's changes can affect (SyncRun.changed_from)
gives exactly the rows of a full recompute, for every family (the incremental
recompute reads only recent records, so this is what keeps it right)."""

import math
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.periods import period_of
from apps.delivery.links import jira_keys
from apps.demo import services as demo
from apps.ingestion.selectors import runs_changed_from
from apps.ingestion.services import sources_sync
from apps.metrics.models import MetricRow
from apps.metrics.services import metrics_compute
from integrations.simulator.jira.world import TYPES, make_issue

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> dict[tuple, tuple]:
    rows = MetricRow.objects.values_list(
        "metric",
        "scope",
        "scope_key",
        "granularity",
        "period_start",
        "value",
        "sample_size",
        "smoothed",
        "anomaly",
        "note",
    )
    return {tuple(r[:5]): tuple(r[5:]) for r in rows}


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def an_hour_of_changes(simulator, now) -> None:
    """New and updated records across GitHub, Jira and PagerDuty, all within the last hour."""
    at = now - timedelta(minutes=40)
    repo = simulator.github.world.repos[0]
    # A new PR of a Jira issue an older, already released PR also names: its story points were
    # counted with that release, so the new one adds none (the since-recompute must see it).
    named = next(p for p in repo.pulls if p["merged_at"] and jira_keys(p["title"]))
    pull = repo.add_pull(named["title"], author=repo.pulls[0]["user"]["login"], created_at=at)
    repo.merge_pull(pull["number"], at=at + timedelta(minutes=5))
    repo.add_release(
        "v999.0.0", created_at=at + timedelta(minutes=10), published_at=at + timedelta(minutes=10)
    )
    # A revert of that change, released: v999.0.0 failed, v999.0.1 is rework (DORA).
    revert = repo.add_pull(
        f'Revert "{named["title"]}"', author=repo.pulls[0]["user"]["login"], created_at=at
    )
    repo.merge_pull(revert["number"], at=at + timedelta(minutes=15))
    repo.add_release(
        "v999.0.1", created_at=at + timedelta(minutes=20), published_at=at + timedelta(minutes=20)
    )
    old_open = next(i for i in repo.issues if i["state"] == "open" and "pull_request" not in i)
    repo.close_issue(old_open["number"], at=at)
    jira = simulator.providers["jira"].world
    template = jira.issues[-1]
    project = template["fields"]["project"]["key"]
    bug = next(t for t in TYPES if t[1] == "Bug")
    for n in range(3):
        jira.issues.append(
            make_issue(
                issue_id=900_000 + n,
                key=f"{project}-{90_000 + n}",
                project=project,
                kind=bug,
                created=at,
                resolved=None,
                priority="High",
                assignee=template["fields"]["assignee"]["accountId"]
                if template["fields"]["assignee"]
                else None,
                reporter=template["fields"]["reporter"]["accountId"],
                points=None,
                labels=[],
                offset_hours=2,
            )
        )
    pagerduty = simulator.providers["pagerduty"].world
    service = sorted(pagerduty.services)[0]
    pagerduty.add_incident(
        service,
        created_at=at,
        urgency="high",
        resolved_at=at + timedelta(minutes=20),
        title="Latency above SLO",
    )


def test_since_recompute_equals_full_recompute():
    result = demo.demo_build()
    try:
        now = timezone.now()
        an_hour_of_changes(result.simulator, now)
        runs = sources_sync()
        assert all(r.status == "succeeded" for r in runs), [r.error for r in runs]
        since = runs_changed_from(runs)
        assert since is not None and since >= (now - timedelta(days=1)).date()
        metrics_compute(since=since, now=now)
        incremental = snapshot()
        metrics_compute(now=now)
        full = snapshot()
    finally:
        result.simulator.stop()
    assert incremental.keys() == full.keys()
    differ = [k for k in full if not all(map(same, incremental[k], full[k]))]
    assert differ == [], [(k, incremental[k], full[k]) for k in differ[:5]]
    recent = {k[0] for k in full if k[4] >= since.replace(day=1)}
    assert {
        "release_frequency",
        "bugs_new",
        "bug_fix_share",
        "uptime",
        "cost",
        "time_to_new_customer_days",
        "cost_elasticity_customers",
        "cost_of_poor_quality",
        "time_to_new_customer_km_days",
        "change_failure_rate",
        "failed_deployment_recovery_hours",
        "deployment_rework_rate",
        "lead_time_for_changes_hours",
        "coding_hours",
        "pickup_hours",
        "review_hours",
        "deploy_hours",
        "reviews_given",
    } <= recent
    # The same demo build shows each unit economics model giving a number (one build serves
    # both checks: the demo is the suite's slowest fixture).
    last_month = (since.replace(day=1) - timedelta(days=1)).replace(day=1)
    month = period_of(now - timedelta(minutes=30), "month", "UTC")  # the demo's zone
    assert full[("change_failure_rate", "org", "", "month", month)][0] > 0
    assert full[("deployment_rework_rate", "org", "", "month", month)][0] > 0
    for metric in (
        "cost_elasticity_customers",
        "cost_marginal_per_customer",
        "cost_projected_2x",
        "cost_of_poor_quality",
        "time_to_new_customer_km_days",
    ):
        assert full[(metric, "org", "", "month", last_month)][0] is not None, metric
