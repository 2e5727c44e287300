"""The cost of poor quality (docs/metrics.md#cost_of_poor_quality), hand-computed for a small
case: one team, one month, one outage, three cost lines."""

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from apps.economics.quality_cost import (
    NO_ENGINEERING,
    NO_REVENUE,
    NO_SERVICE,
    NO_TAGS,
    Inputs,
    cloud_costs,
    covered,
    parts_frame,
    quality_cost_rows,
    union,
)

MARCH = date(2026, 3, 1)
NOW = datetime(2026, 4, 20, tzinfo=UTC)


def frame(rows, columns, times=("start", "end")) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=columns)
    for column in times:
        out[column] = pd.to_datetime(out[column], utc=True)
    return out


OUTAGES = frame(
    [("PSVC1", "api", "platform", "2026-03-10 10:00", "2026-03-10 11:30")],
    ["service_key", "service_name", "team", "start", "end"],
)
LINES = frame(
    [
        # account 111 runs the api (its daily line is tagged service=api): 1.5 h of 24 → 3.0
        ("111", {"service": "api"}, "2026-03-10 00:00", "2026-03-11 00:00", 48.0),
        # an untagged line of the same account, wholly inside the outage → 10.0
        ("111", {}, "2026-03-10 10:00", "2026-03-10 11:00", 10.0),
        # another account, not the api's → nothing
        ("222", {"team": "platform"}, "2026-03-10 10:00", "2026-03-10 11:00", 100.0),
    ],
    ["sub_account_id", "tags", "start", "end", "cost"],
)


def inputs(**overrides) -> Inputs:
    """bug_fix_share 0.25 × 90,000 = 22,500; downtime 90 min × 446,400 / 44,640 min = 900;
    cloud during the outage 3 + 10 = 13. Total 23,413."""
    cloud = cloud_costs(
        LINES,
        OUTAGES,
        tag_keys=["service"],
        scopes=[("org", ""), ("team", "platform"), ("team", "payments")],
        months=[MARCH],
        tz="UTC",
    )
    values = dict(
        months=[MARCH],
        teams=["payments", "platform"],
        shares={("team", "platform", MARCH): 0.25, ("team", "payments", MARCH): 0.5},
        downtime={("team", "platform", MARCH): 90.0, ("org", "", MARCH): 90.0},
        revenue={MARCH: 446_400.0},
        engineering={"platform": 90_000.0},
        cloud=cloud,
        tz="UTC",
        now=NOW,
    )
    return Inputs(**(values | overrides))


def by_scope(rows: pd.DataFrame) -> dict:
    return {
        (r.scope, r.scope_key): (None if np.isnan(r.value) else r.value, r.sample_size, r.note)
        for r in rows.itertuples()
    }


def test_hand_computed_small_case():
    parts = parts_frame(inputs())
    platform = parts[parts["scope_key"] == "platform"].iloc[0]
    assert (platform["bug_work"], platform["downtime"]) == (22_500.0, 900.0)
    assert platform["cloud_during_outages"] == pytest.approx(13.0)
    rows = by_scope(quality_cost_rows(parts))
    assert rows[("team", "platform")] == (pytest.approx(23_413.0), 3, "")
    # payments: no engineering cost configured, no PagerDuty service → nothing to value
    assert rows[("team", "payments")] == (None, 0, f"{NO_ENGINEERING}; {NO_SERVICE}")
    assert rows[("org", "")] == (pytest.approx(23_413.0), 3, "")


def test_parts_not_valued_are_named_and_the_rest_still_counts():
    rows = by_scope(quality_cost_rows(parts_frame(inputs(revenue={}))))
    assert rows[("team", "platform")] == (pytest.approx(22_513.0), 2, NO_REVENUE)
    untagged = LINES.assign(tags=[{}, {}, {}])
    cloud = cloud_costs(
        untagged, OUTAGES, tag_keys=["service"], scopes=[("org", "")], months=[MARCH], tz="UTC"
    )
    assert cloud == {("org", "", MARCH): None}
    rows = by_scope(quality_cost_rows(parts_frame(inputs(cloud=cloud, engineering={}))))
    any_team = NO_ENGINEERING.replace("the team", "any team")
    assert rows[("org", "")] == (900.0, 1, f"{any_team}; {NO_TAGS}")


def test_a_team_without_outages_has_zero_downtime_and_cloud_spend():
    values = inputs(downtime={("team", "platform", MARCH): 0.0, ("org", "", MARCH): 0.0}, cloud={})
    rows = by_scope(quality_cost_rows(parts_frame(values)))
    assert rows[("team", "platform")] == (22_500.0, 3, "")


def test_current_month_counts_bug_work_to_date():
    now = datetime(2026, 3, 11, tzinfo=UTC)  # 10 of 31 days elapsed
    parts = parts_frame(inputs(now=now))
    platform = parts[parts["scope_key"] == "platform"].iloc[0]
    assert platform["bug_work"] == pytest.approx(22_500.0 * 10 / 31)


def test_union_and_covered_count_overlaps_once():
    starts, ends = union(np.array([0.0, 5.0, 20.0]), np.array([10.0, 12.0, 30.0]))
    assert starts.tolist() == [0.0, 20.0] and ends.tolist() == [12.0, 30.0]
    inside = covered(np.array([-5.0, 11.0, 25.0]), np.array([5.0, 40.0, 26.0]), starts, ends)
    assert inside.tolist() == [5.0, 11.0, 1.0]


def test_cloud_costs_equal_the_line_by_line_sum_on_random_data():
    """cloud_costs (lines split by account once per month) against the straightforward sum:
    for each month and scope, every account whose tagged lines name a service of the scope's
    outages, the cost of that account's lines for the share of their charge period inside
    those outages."""
    rng = np.random.default_rng(7)
    services = [("PSVC1", "api", "platform"), ("PSVC2", "web", "web"), ("PSVC3", "db", "")]
    base = pd.Timestamp("2026-01-01", tz="UTC")
    starts = base + pd.to_timedelta(rng.integers(0, 90 * 24, 40), unit="h")
    picks = rng.integers(0, 3, 40)
    outages = pd.DataFrame(
        {
            "service_key": [services[i][0] for i in picks],
            "service_name": [services[i][1] for i in picks],
            "team": [services[i][2] for i in picks],
            "start": starts,
            "end": starts + pd.to_timedelta(rng.integers(1, 30, 40), unit="h"),
        }
    )
    days = base + pd.to_timedelta(rng.integers(0, 95, 3000), unit="D")
    tags = [{}, {"service": "api"}, {"service": "WEB"}, {"service": "db"}, {"team": "x"}]
    lines = pd.DataFrame(
        {
            "sub_account_id": [f"acc{i}" for i in rng.integers(0, 6, 3000)],
            "tags": [tags[i] for i in rng.integers(0, 5, 3000)],
            "start": days,
            "end": days + pd.to_timedelta(rng.integers(0, 2, 3000), unit="D"),
            "cost": rng.uniform(0, 50, 3000).round(2),
        }
    )
    months = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]
    scopes = [("org", ""), ("team", "platform"), ("team", "web"), ("team", "none")]
    got = cloud_costs(lines, outages, tag_keys=["service"], scopes=scopes, months=months, tz="UTC")

    def seconds(t) -> float:
        return pd.Timestamp(t).timestamp()

    named = {"api": "PSVC1", "web": "PSVC2", "db": "PSVC3"}
    line_service = [named.get(str(t.get("service", "")).lower(), "") for t in lines["tags"]]
    expected: dict = {}
    for month in months:
        lo = seconds(pd.Timestamp(month, tz="UTC"))
        hi = seconds(pd.Timestamp(month, tz="UTC") + pd.offsets.MonthBegin(1))
        down = [o for o in outages.itertuples() if seconds(o.start) < hi and seconds(o.end) > lo]
        if not down:
            continue
        u = union(
            np.array([seconds(o.start) for o in down]), np.array([seconds(o.end) for o in down])
        )
        here = []
        for i, r in enumerate(lines.itertuples()):
            a, b = max(seconds(r.start), lo), min(seconds(r.end), hi)
            if covered(np.array([a]), np.array([b]), *u)[0] > 0:
                here.append(i)
        accounts: dict = {}
        for i in here:
            if line_service[i]:
                accounts.setdefault(lines["sub_account_id"][i], set()).add(line_service[i])
        for scope, key in scopes:
            mine = [o for o in down if scope == "org" or o.team == key]
            if not mine:
                continue
            if not accounts:
                expected[(scope, key, month)] = None
                continue
            total = 0.0
            for account, names in accounts.items():
                hit = [o for o in mine if o.service_key in names]
                if not hit:
                    continue
                uh = union(
                    np.array([seconds(o.start) for o in hit]),
                    np.array([seconds(o.end) for o in hit]),
                )
                for i in here:
                    if lines["sub_account_id"][i] != account:
                        continue
                    s, e = seconds(lines["start"][i]), seconds(lines["end"][i])
                    inside = covered(np.array([max(s, lo)]), np.array([min(e, hi)]), *uh)[0]
                    total += lines["cost"][i] * (inside / (e - s) if e > s else 0.0)
            expected[(scope, key, month)] = total
    assert got.keys() == expected.keys()
    assert len(expected) >= 8 and any(v for v in expected.values())
    for where, value in expected.items():
        assert got[where] == pytest.approx(value, rel=1e-9, abs=1e-9), where


def test_cloud_reads_only_the_lines_of_the_months_it_values(monkeypatch):
    """An outage open for a year reads no cost line before the first month valued (a
    since-recompute's), and the values are those over every line."""
    from apps.economics import inputs

    outages = frame(
        [
            ("PSVC1", "api", "platform", "2025-03-01 00:00", "2026-03-10 12:00"),
            ("PSVC1", "api", "platform", "2026-03-20 10:00", "2026-03-20 11:00"),
        ],
        ["service_key", "service_name", "team", "start", "end"],
    )
    days = pd.date_range("2025-02-01", "2026-03-31", freq="D", tz="UTC")
    lines = pd.DataFrame(
        {
            "sub_account_id": "111",
            "tags": [{"service": "api"}] * len(days),
            "start": days,
            "end": days + pd.Timedelta(days=1),
            "cost": 24.0,
        }
    )
    asked: list = []

    def lines_during(intervals):
        asked.extend(intervals)
        keep = np.zeros(len(lines), dtype=bool)
        for start, end in intervals:
            keep |= ((lines["start"] < end) & (lines["end"] > start)).to_numpy()
        return lines[keep].reset_index(drop=True)

    monkeypatch.setattr(inputs.selectors, "lines_during_frame", lines_during)
    monkeypatch.setattr(inputs.selectors, "service_tag_keys", lambda: ["service"])
    got = inputs._cloud(outages, teams=["platform"], months=[MARCH], tz="UTC")
    assert min(start for start, _ in asked) == datetime(2026, 3, 1, tzinfo=UTC)
    every = cloud_costs(
        lines,
        outages,
        tag_keys=["service"],
        scopes=[("org", ""), ("team", "platform")],
        months=[MARCH],
        tz="UTC",
    )
    assert got == every == {("org", "", MARCH): 229.0, ("team", "platform", MARCH): 229.0}


def test_lines_during_are_summed_by_account_tags_and_period_and_read_once(db, monkeypatch):
    """The cloud part's read sums lines of one sub-account, tag set and charge period (as
    cloud_costs values each line: cost × its share inside the outages), keeps a group read by
    two interval chunks once, and reads nothing outside the intervals."""
    from apps.costs.models import CostImport, CostLine
    from apps.economics import selectors

    imp = CostImport.objects.create(path="/x.csv", sha256="0", format="focus", status="succeeded")
    day = datetime(2026, 3, 10, tzinfo=UTC)
    rows = [  # (account, tags, day offset, cost)
        ("111", '{"service":"api"}', 0, 10.0),
        ("111", '{"service":"api"}', 0, 2.5),  # same group as the line above
        ("111", "{}", 0, 4.0),
        ("222", '{"service":"api"}', 0, 1.0),
        ("111", '{"service":"api"}', 1, 7.0),
        ("111", '{"service":"api"}', 5, 99.0),  # outside every interval
    ]
    for n, (account, tags, offset, cost) in enumerate(rows):
        CostLine.objects.create(
            cost_import=imp,
            charge_period_start=day + timedelta(days=offset),
            charge_period_end=day + timedelta(days=offset + 1),
            billed_cost=cost,
            effective_cost=cost,
            currency="USD",
            cost=cost,
            service_category="Compute",
            service_name="EC2",
            sub_account_id=account,
            resource_id=f"i-{n}",
            charge_category="Usage",
            tags=tags,
            source_row=n,
        )
    monkeypatch.setattr(selectors, "INTERVAL_CHUNK", 1)
    intervals = [  # two chunks both overlapping day 0's lines
        (day + timedelta(hours=10), day + timedelta(hours=11)),
        (day + timedelta(hours=20), day + timedelta(days=1, hours=1)),
    ]
    frame = selectors.lines_during_frame(intervals)
    got = sorted(
        (r.sub_account_id, tuple(r.tags.items()), r.start.day, r.cost) for r in frame.itertuples()
    )
    assert got == [
        ("111", (), 10, 4.0),
        ("111", (("service", "api"),), 10, 12.5),
        ("111", (("service", "api"),), 11, 7.0),
        ("222", (("service", "api"),), 10, 1.0),
    ]
    assert list(frame.columns) == ["sub_account_id", "tags", "start", "end", "cost"]
