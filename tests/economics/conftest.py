"""Small organisations for the unit economics family, built through the real import and
models: a synthetic one with a known cost elasticity, and one for a hand-computed cost of
poor quality."""

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from apps.delivery.models import Deployment, Tag
from apps.ingestion.cost_files import cost_file_import
from apps.metrics.models import MetricRow
from apps.organization.models import (
    Customer,
    Organization,
    PagerDutyService,
    Repo,
    RevenueMonth,
    Source,
    Team,
)
from apps.reliability.models import Incident
from tests.integrations.cost_exports.builders import focus_frame, write_csv

GROWTH_NOW = datetime(2026, 3, 15, tzinfo=UTC)
MONTHS = [date(2025 + (m // 12), m % 12 + 1, 1) for m in range(14)]  # 2025-01 … 2026-02
ELASTICITY = 0.6


def _month_end(month: date) -> datetime:
    nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return datetime(nxt.year, nxt.month, nxt.day, tzinfo=UTC)


def _import(tmp_path, name: str, rows: list[dict]) -> None:
    frame = focus_frame(rows=len(rows))
    for column in rows[0]:
        frame[column] = [r[column] for r in rows]
    cost_file_import(path=write_csv(tmp_path / name, frame), format="focus")


@pytest.fixture
def growth_org(db, tmp_path):
    """Twenty customers, one starting every 21 days from 2024-12-01 and live 25 + 3·i days
    later (the last two still onboarding on 2026-03-15); monthly cost
    2,000 · customers^0.6 · exp(ε), ε ~ N(0, 0.05²); two releases a month."""
    Organization.objects.create(name="Acme", timezone="UTC", cost_settings={"currency": "USD"})
    team = Team.objects.create(slug="platform", name="Platform")
    source = Source.objects.create(name="gh", kind="github", base_url="https://api.github.com")
    repo = Repo.objects.create(
        source=source, full_name="acme/api", team=team, release_source="tags", tag_pattern="^v"
    )
    lives = []
    for i in range(20):
        start = date(2024, 12, 1) + timedelta(days=21 * i)
        Customer.objects.create(
            key=f"c{i:02d}",
            name=f"C{i}",
            team=team,
            onboarding_start=start,
            environment=f"^prod-c{i:02d}$",
        )
        live = datetime(start.year, start.month, start.day, tzinfo=UTC) + timedelta(days=25 + 3 * i)
        if live < GROWTH_NOW:
            Deployment.objects.create(
                repo=repo,
                external_id=1000 + i,
                environment=f"prod-c{i:02d}",
                created_at=live,
                first_success_at=live,
            )
            lives.append(live)
    rng = np.random.default_rng(11)
    rows = []
    for n, month in enumerate(MONTHS):
        live = sum(at < _month_end(month) for at in lives)
        cost = 2000 * live**ELASTICITY * float(np.exp(rng.normal(0, 0.05)))
        rows.append(
            {
                "ChargePeriodStart": f"{month}T00:00:00Z",
                "ChargePeriodEnd": f"{_month_end(month):%Y-%m-%dT%H:%M:%SZ}",
                "EffectiveCost": f"{cost:.4f}",
                "BilledCost": f"{cost:.4f}",
                "Tags": '{"team": "platform"}',
            }
        )
        for day in (3, 17):
            Tag.objects.create(
                repo=repo,
                name=f"v{n}.{day}",
                sha=f"{n}-{day}",
                committed_at=datetime(month.year, month.month, day, tzinfo=UTC),
            )
    _import(tmp_path, "growth.csv", rows)
    return lives


COPQ_NOW = datetime(2026, 4, 20, tzinfo=UTC)
MARCH = date(2026, 3, 1)


@pytest.fixture
def copq_org(db, tmp_path):
    """Team platform (engineering 90,000 a month, bug_fix_share 0.25 in March 2026) runs
    PagerDuty service PSVC1 "api" in account 111; one outage 2026-03-10 10:00–11:30; March
    revenue 446,400 (10 a minute). Expected: 22,500 + 900 + 13 = 23,413 (see
    tests/economics/test_quality_cost.py for the same case without the database)."""
    Organization.objects.create(
        name="Acme",
        timezone="UTC",
        cost_settings={"currency": "USD", "engineering": {"platform": 90_000}},
        incident_settings={"outage_urgencies": ["high"]},
    )
    team = Team.objects.create(slug="platform", name="Platform")
    source = Source.objects.create(
        name="pd", kind="pagerduty", base_url="https://api.pagerduty.com"
    )
    service = PagerDutyService.objects.create(
        source=source, service_id="PSVC1", name="api", team=team
    )
    Incident.objects.create(
        pd_id="Q1",
        service=service,
        status="resolved",
        urgency="high",
        created_at=datetime(2026, 3, 10, 10, tzinfo=UTC),
        resolved_at=datetime(2026, 3, 10, 11, 30, tzinfo=UTC),
    )
    RevenueMonth.objects.create(month=MARCH, amount=446_400)
    MetricRow.objects.create(
        metric="bug_fix_share",
        scope="team",
        scope_key="platform",
        granularity="month",
        period_start=MARCH,
        period_end=date(2026, 4, 1),
        value=0.25,
        unit="ratio",
        sample_size=8,
    )
    line = {"BillingCurrency": "USD"}
    _import(
        tmp_path,
        "copq.csv",
        [
            line
            | {
                "ChargePeriodStart": "2026-03-10T00:00:00Z",
                "ChargePeriodEnd": "2026-03-11T00:00:00Z",
                "EffectiveCost": "48",
                "SubAccountId": "111",
                "Tags": '{"service": "api"}',
            },
            line
            | {
                "ChargePeriodStart": "2026-03-10T10:00:00Z",
                "ChargePeriodEnd": "2026-03-10T11:00:00Z",
                "EffectiveCost": "10",
                "SubAccountId": "111",
                "Tags": "{}",
            },
            line
            | {
                "ChargePeriodStart": "2026-03-10T10:00:00Z",
                "ChargePeriodEnd": "2026-03-10T11:00:00Z",
                "EffectiveCost": "100",
                "SubAccountId": "222",
                "Tags": '{"team": "platform"}',
            },
        ],
    )
