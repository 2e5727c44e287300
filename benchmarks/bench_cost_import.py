"""Benchmark: import of a 1,000,000-row FOCUS CSV against a plain COPY (issue 5's figures).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
        .venv/bin/python benchmarks/bench_cost_import.py [--rows 1000000]

Generates the file (in chunks, under a temp dir), then reports:
- a plain `COPY bench_focus_plain FROM STDIN (FORMAT csv, HEADER)` of the same file into a bare
  typed table (no indexes, no constraints) — the floor;
- Keel's `cost_file_import` of the file (stream, normalise, allocate, COPY into costs_costline,
  all in one transaction) and its ratio to the plain COPY (target ≤ 1.5×);
- the import's peak memory: the process's peak RSS (`resource.getrusage`, which includes the
  ~100 MB of Python + Django + pandas) and the RSS growth during the import (target ≤ 500 MB);
- the time to recompute the cost metrics afterwards (`metrics_compute` of the cost family).
Everything it creates (import, lines, teams, bare table) is deleted at the end.
Without DATABASE_URL it runs on a throw-away SQLite file (bulk_create path, no plain COPY).
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TEAMS = ("bench-a", "bench-b", "bench-c")
CATEGORIES = ("Compute", "Storage", "Networking", "Databases", "Analytics")


def setup_django() -> None:
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def generate(path: Path, rows: int, chunk: int = 100_000) -> None:
    """`rows` hourly FOCUS 1.0 lines over September 2024: 5 categories, 3 tagged teams and an
    untagged quarter, 20 accounts, costs uniform in [0, 1)."""
    rng = np.random.default_rng(5)
    start = pd.Timestamp("2024-09-01T00:00:00Z")
    with path.open("w", encoding="utf-8") as out:
        for offset in range(0, rows, chunk):
            n = min(chunk, rows - offset)
            hours = pd.to_timedelta(rng.integers(0, 720, n), unit="h")
            team = rng.integers(0, 4, n)
            tags = np.where(
                team < 3, [f'{{"team": "{TEAMS[t % 3]}", "env": "prod"}}' for t in team], "NULL"
            )
            cost = rng.random(n).round(10)
            frame = pd.DataFrame({
                "ChargePeriodStart": (start + hours).strftime("%Y-%m-%d %H:%M:%S"),
                "ChargePeriodEnd": (start + hours + pd.Timedelta(hours=1)).strftime(
                    "%Y-%m-%d %H:%M:%S"
                ),
                "BilledCost": cost, "EffectiveCost": (cost * 0.9).round(10),
                "BillingCurrency": "USD",
                "ServiceCategory": np.array(CATEGORIES)[rng.integers(0, 5, n)],
                "ServiceName": "Amazon Elastic Compute Cloud",
                "SubAccountId": [f"{100000000000 + a}" for a in rng.integers(0, 20, n)],
                "ResourceId": [f"i-{offset + i:08x}" for i in range(n)],
                "ChargeCategory": "Usage", "Tags": tags, "ProviderName": "AWS",
            })  # fmt: skip
            frame.to_csv(out, index=False, header=offset == 0)


PLAIN_TABLE = """CREATE UNLOGGED TABLE IF NOT EXISTS bench_focus_plain (
    charge_period_start timestamptz, charge_period_end timestamptz, billed_cost float8,
    effective_cost float8, billing_currency text, service_category text, service_name text,
    sub_account_id text, resource_id text, charge_category text, tags text, provider_name text)"""


def plain_copy(path: Path) -> float:
    """Seconds to COPY the file into a bare table (committed), then drop it."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(PLAIN_TABLE.replace("UNLOGGED ", ""))
        cursor.execute("TRUNCATE bench_focus_plain")
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        sql = "COPY bench_focus_plain FROM STDIN WITH (FORMAT csv, HEADER, NULL 'NULL')"
        with cursor.cursor.copy(sql) as copy, path.open("rb") as handle:
            while block := handle.read(1 << 20):
                copy.write(block)
    elapsed = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_focus_plain")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from apps.costs.metrics import METRICS
    from apps.costs.models import CostImport
    from apps.costs.services import cost_file_import
    from apps.metrics.models import MetricRow
    from apps.metrics.services import metrics_compute
    from apps.organization.models import Team

    path = Path(tempfile.mkdtemp()) / "focus-bench.csv"
    began = time.perf_counter()
    generate(path, args.rows)
    print(f"generated {args.rows:,} rows, {path.stat().st_size / 1e6:.0f} MB in "
          f"{time.perf_counter() - began:.1f} s")  # fmt: skip
    created = [Team.objects.get_or_create(slug=s, defaults={"name": s})[0] for s in TEAMS]
    plain = plain_copy(path) if connection.vendor == "postgresql" else None
    if plain is not None:
        print(f"plain COPY into a bare table: {plain:.2f} s")
    before = rss_mb()
    began = time.perf_counter()
    record = cost_file_import(path=path, format="focus")
    keel = time.perf_counter() - began
    print(f"Keel import: {keel:.2f} s, status {record.status}, {record.rows:,} rows {record.error}")
    if plain:
        print(f"ratio Keel / plain COPY: {keel / plain:.2f}x (target <= 1.5x)")
    print(f"peak RSS {rss_mb():.0f} MB (before import {before:.0f} MB; growth "
          f"{rss_mb() - before:.0f} MB; target <= 500 MB)")  # fmt: skip
    began = time.perf_counter()
    written = metrics_compute(metrics=[m.name for m in METRICS])
    print(f"recompute cost metrics: {time.perf_counter() - began:.2f} s, "
          f"{sum(written.values())} rows")  # fmt: skip
    CostImport.objects.filter(pk=record.pk).delete()
    MetricRow.objects.filter(metric__in=[m.name for m in METRICS]).delete()
    Team.objects.filter(pk__in=[t.pk for t in created]).delete()
    path.unlink()


if __name__ == "__main__":
    main()
