"""Hand-computed cost metrics (docs/metrics.md#cost-metrics) over a small imported FOCUS file."""

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from apps.costs import selectors
from apps.costs.metrics import costs_compute, costs_records
from apps.delivery.models import Tag
from apps.ingestion.cost_files import cost_file_import
from apps.metrics.registry import ComputeContext, RecordsQuery
from apps.organization.models import Repo, RevenueMonth, Source
from tests.integrations.cost_exports.builders import focus_frame, write_csv

NOW = datetime(2026, 5, 20, tzinfo=UTC)


@pytest.fixture
def world(org_costs, teams, tmp_path):
    """Four lines (EffectiveCost):
    L1 Compute  platform (tag)   2026-03-30 → 04-02 (3 days)  30 → March 20, April 10
    L2 Storage  platform (tag)   2026-03-02 10:00-11:00         5
    L3 Networking unallocated    2026-03-10 00:00-01:00         2
    L4 Databases payments (acct) 2026-04-15 01:00-02:00         7
    Releases of platform's repo: 2026-03-05 and 2026-03-20. Revenue March 2026: 270.
    """
    org_costs(accounts={"222": "payments"})
    frame = focus_frame(
        rows=4,
        ChargePeriodStart=[
            "2026-03-30 00:00:00",
            "2026-03-02 10:00:00",
            "2026-03-10 00:00:00",
            "2026-04-15 01:00:00",
        ],
        ChargePeriodEnd=[
            "2026-04-02 00:00:00",
            "2026-03-02 11:00:00",
            "2026-03-10 01:00:00",
            "2026-04-15 02:00:00",
        ],
        EffectiveCost=["30", "5", "2", "7"],
        ServiceCategory=["Compute", "Storage", "Networking", "Databases"],
        Tags=['{"team": "platform"}', '{"team": "platform"}', "{}", "{}"],
        SubAccountId=["1", "1", "1", "222"],
    )
    cost_file_import(path=write_csv(tmp_path / "m.csv", frame), format="focus")
    source = Source.objects.create(name="gh", kind="github", base_url="https://api.github.com")
    repo = Repo.objects.create(
        source=source,
        full_name="acme/api",
        team=teams["platform"],
        release_source="tags",
        tag_pattern=r"^v",
    )
    for name, day in (("v1", 5), ("v2", 20)):
        Tag.objects.create(
            repo=repo, name=name, sha=name, committed_at=datetime(2026, 3, day, tzinfo=UTC)
        )
    RevenueMonth.objects.create(month=date(2026, 3, 1), amount=270)


def series(frame, metric, scope="org", key="", granularity="month") -> dict:
    rows = frame[
        (frame.metric == metric)
        & (frame.scope == scope)
        & (frame.scope_key == key)
        & (frame.granularity == granularity)
    ]
    return {
        r.period_start.isoformat(): (
            None if pd.isna(r.value) else round(r.value, 9),
            r.sample_size,
            r.note,
        )
        for r in rows.itertuples()
    }


def values(frame, *args, **kwargs) -> dict:
    return {k: v[0] for k, v in series(frame, *args, **kwargs).items()}


def test_monthly_sums_split_by_time(world):
    frame = costs_compute(ComputeContext(tz="UTC", now=NOW))
    # March: L1 2/3 × 30 = 20, L2 5, L3 2 → 27; April: L1 1/3 × 30 = 10, L4 7 → 17
    assert values(frame, "cost") == {"2026-03-01": 27.0, "2026-04-01": 17.0}
    assert values(frame, "cost_compute") == {"2026-03-01": 20.0, "2026-04-01": 10.0}
    assert values(frame, "cost_storage") == {"2026-03-01": 5.0, "2026-04-01": 0.0}
    assert values(frame, "cost_network") == {"2026-03-01": 2.0, "2026-04-01": 0.0}
    assert values(frame, "cost_other") == {"2026-03-01": 0.0, "2026-04-01": 7.0}
    assert values(frame, "cost", "team", "platform") == {"2026-03-01": 25.0, "2026-04-01": 10.0}
    assert values(frame, "cost", "team", "payments") == {"2026-04-01": 7.0}
    # sample_size = lines touching the period (L1 counts in both months)
    assert series(frame, "cost")["2026-03-01"][1] == 3


def test_weekly_sums_are_gap_filled(world):
    frame = costs_compute(ComputeContext(tz="UTC", now=NOW))
    # weeks (Mondays): 03-02 L2 5, 03-09 L3 2, 03-16 0, 03-23 0, 03-30 L1 30 (Mon 03-30 → Thu
    # 04-02 lies in one week), 04-06 0, 04-13 L4 7
    assert values(frame, "cost", granularity="week") == {
        "2026-03-02": 5.0,
        "2026-03-09": 2.0,
        "2026-03-16": 0.0,
        "2026-03-23": 0.0,
        "2026-03-30": 30.0,
        "2026-04-06": 0.0,
        "2026-04-13": 7.0,
    }


def test_unit_costs(world):
    frame = costs_compute(ComputeContext(tz="UTC", now=NOW))
    # org March 27 / 2 releases = 13.5; April 17 / 0 releases → null
    assert series(frame, "cost_per_release") == {
        "2026-03-01": (13.5, 2, ""),
        "2026-04-01": (None, 0, "no releases in period; cost data through 2026-04-15"),
    }
    assert values(frame, "cost_per_release", "team", "platform") == {
        "2026-03-01": 12.5,
        "2026-04-01": None,
    }
    # March 27 / revenue 270 = 0.1; April has no revenue row
    assert series(frame, "cost_to_revenue") == {
        "2026-03-01": (0.1, 1, ""),
        "2026-04-01": (None, 0, "no revenue recorded for the month; cost data through 2026-04-15"),
    }
    assert series(frame, "cost_to_revenue", granularity="week") == {}
    # apps.delivery.customers exists (since 2026-11-22) but the world has no customers
    assert series(frame, "cost_per_customer")["2026-03-01"] == (
        None,
        0,
        "no customers live at period end",
    )


def test_a_period_the_cost_lines_do_not_cover_to_its_end_says_through_when(world):
    frame = costs_compute(ComputeContext(tz="UTC", now=NOW))

    # The last line (L4) ends 2026-04-15 02:00: April is covered through 15 April, March (L1
    # runs into April) wholly. Every cost row of a period carries its note, team rows too.
    through = "cost data through 2026-04-15"
    assert series(frame, "cost")["2026-04-01"] == (17.0, 2, through)
    assert series(frame, "cost")["2026-03-01"][2] == ""
    assert series(frame, "cost_other", "team", "payments")["2026-04-01"][2] == through
    weekly = {k: v[2] for k, v in series(frame, "cost", granularity="week").items()}
    # These four lines cover no week to its end. A week with no line at all is covered only
    # through the day before it (no data after L3, 10 March 01:00, until L1 on 30 March).
    assert weekly == {
        "2026-03-02": "cost data through 2026-03-02",
        "2026-03-09": "cost data through 2026-03-10",
        "2026-03-16": "cost data through 2026-03-15",
        "2026-03-23": "cost data through 2026-03-22",
        "2026-03-30": "cost data through 2026-04-01",
        "2026-04-06": "cost data through 2026-04-05",
        "2026-04-13": through,
    }


def test_cost_per_customer_counts_customers_live_before_period_end(world, monkeypatch):
    live = pd.DataFrame(
        {
            "key": ["a", "b", "c"],
            "live_at": pd.to_datetime(["2026-03-15 00:00", "2026-04-30 23:00", None], utc=True),
        }
    )
    monkeypatch.setattr(selectors, "customers_live_frame", lambda: live)
    frame = costs_compute(ComputeContext(tz="UTC", now=NOW))
    # March: 1 live before 04-01 → 27 / 1; April: 2 live before 05-01 → 17 / 2 = 8.5
    assert series(frame, "cost_per_customer") == {
        "2026-03-01": (27.0, 1, ""),
        "2026-04-01": (8.5, 2, "cost data through 2026-04-15"),
    }


def query(metric, scope, key, start, end) -> RecordsQuery:
    return RecordsQuery(
        metric=metric,
        scope=scope,
        scope_key=key,
        granularity="month",
        period_start=start,
        period_end=end,
        tz="UTC",
        start_at=datetime(start.year, start.month, 1, tzinfo=UTC),
        end_at=datetime(end.year, end.month, 1, tzinfo=UTC),
    )


def test_records_are_the_lines_behind_the_number(world):
    march = costs_records(query("cost", "team", "platform", date(2026, 3, 1), date(2026, 4, 1)))
    # largest first: L1 (30, 2/3 in March → 20), then L2 (5)
    assert [
        (r["source_row"], round(r["share_in_period"], 9), round(r["amount"], 9)) for r in march
    ] == [(2, round(2 / 3, 9), 20.0), (3, 1.0, 5.0)]
    april = costs_records(query("cost_compute", "org", "", date(2026, 4, 1), date(2026, 5, 1)))
    assert [(r["source_row"], r["team"], r["line_cost"]) for r in april] == [(2, "platform", 30.0)]
    # The columns a FinOps person reads, and no path on the server.
    first = march[0]
    assert list(first)[1:8] == [
        "date",
        "service",
        "category",
        "account",
        "team",
        "resource",
        "amount",
    ]
    assert "file" not in first and not any("/" in str(v) for v in first.values() if v)
    other = costs_records(query("cost_other", "org", "", date(2026, 4, 1), date(2026, 5, 1)))
    assert [(r["source_row"], r["team"], r["category"]) for r in other] == [
        (5, "payments", "Databases")
    ]
