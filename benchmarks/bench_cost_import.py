"""Benchmark: import of a 1,000,000-row FOCUS CSV against a plain COPY (docs/performance-costs.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
        .venv/bin/python benchmarks/bench_cost_import.py [--rows 1000000]

Generates the file (in chunks, under a temp dir), then reports:
- a plain `COPY bench_focus_plain FROM STDIN (FORMAT csv, HEADER)` of the same file into a bare
  typed table (no indexes, no constraints) — the floor;
- Keel's `cost_file_import` of the file (on PostgreSQL the fast path of apps.ingestion.cost_copy:
  Arrow parse, allocate, one COPY into costs_costline, all in one transaction), the path it took,
  and its ratio to the plain COPY (target ≤ 1.5×);
- the import's peak memory: the process's peak RSS (`resource.getrusage`, which includes the
  ~150 MB of Python + Django + pandas + pyarrow; the file is generated in a child process so its
  memory is not counted) and the RSS growth during the import (target ≤ 500 MB);
- the time to recompute the cost metrics afterwards (`metrics_compute` of the cost family).
`--repeat N` runs plain COPY + import N times on the same file (the machine is shared: report
every run). Everything it creates (imports, lines, teams, bare table) is deleted at the end.
Without DATABASE_URL it runs on a throw-away SQLite file (bulk_create path, no plain COPY).
"""

import argparse
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from common import setup_django  # noqa: E402 - sets up the path first

TEAMS = ("bench-a", "bench-b", "bench-c")
CATEGORIES = ("Compute", "Storage", "Networking", "Databases", "Analytics")


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
            frame = pd.DataFrame(
                {
                    "ChargePeriodStart": (start + hours).strftime("%Y-%m-%d %H:%M:%S"),
                    "ChargePeriodEnd": (start + hours + pd.Timedelta(hours=1)).strftime(
                        "%Y-%m-%d %H:%M:%S"
                    ),
                    "BilledCost": cost,
                    "EffectiveCost": (cost * 0.9).round(10),
                    "BillingCurrency": "USD",
                    "ServiceCategory": np.array(CATEGORIES)[rng.integers(0, 5, n)],
                    "ServiceName": "Amazon Elastic Compute Cloud",
                    "SubAccountId": [f"{100000000000 + a}" for a in rng.integers(0, 20, n)],
                    "ResourceId": [f"i-{offset + i:08x}" for i in range(n)],
                    "ChargeCategory": "Usage",
                    "Tags": tags,
                    "ProviderName": "AWS",
                }
            )
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


def import_once(path: Path, plain: bool) -> tuple[float | None, float, str]:
    """(plain COPY s or None, Keel import s, path taken); the import is deleted afterwards."""
    from django.db import connection

    from apps.costs.models import CostImport
    from apps.ingestion import cost_files as services

    taken: list[str] = []
    fast = services.lines_copy_focus

    def fast_noted(**kw):
        taken.append("fast COPY")
        return fast(**kw)

    services.lines_copy_focus = fast_noted
    plain_s = plain_copy(path) if plain else None
    began = time.perf_counter()
    record = services.cost_file_import(path=path, format="focus")
    keel = time.perf_counter() - began
    services.lines_copy_focus = fast
    assert record.status == "succeeded", record.error
    CostImport.objects.filter(pk=record.pk).delete()
    if plain:  # the next run starts from the same table, not behind a million dead tuples
        with connection.cursor() as cursor:
            cursor.execute("VACUUM costs_costline")
    return plain_s, keel, (taken or ["reader"])[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp()) / "focus-bench.csv"
    began = time.perf_counter()
    child = multiprocessing.get_context("fork").Process(target=generate, args=(path, args.rows))
    child.start()
    child.join()
    print(
        f"generated {args.rows:,} rows, {path.stat().st_size / 1e6:.0f} MB in "
        f"{time.perf_counter() - began:.1f} s"
    )
    setup_django()
    from django.db import connection

    from apps.costs.metrics import METRICS
    from apps.ingestion.cost_files import cost_file_import
    from apps.metrics.models import MetricRow
    from apps.metrics.services import metrics_compute
    from apps.organization.models import Team

    created = [Team.objects.get_or_create(slug=s, defaults={"name": s})[0] for s in TEAMS]
    postgres = connection.vendor == "postgresql"
    before = rss_mb()
    for run in range(1, args.repeat + 1):
        plain, keel, taken = import_once(path, postgres)
        line = f"run {run}: Keel import {keel:.2f} s ({taken})"
        if plain:
            line += f", plain COPY {plain:.2f} s, ratio {keel / plain:.2f}x (target <= 1.5x)"
        print(line)
    print(
        f"peak RSS {rss_mb():.0f} MB (before the imports {before:.0f} MB; growth "
        f"{rss_mb() - before:.0f} MB; target <= 500 MB)"
    )
    record = cost_file_import(path=path, format="focus")
    began = time.perf_counter()
    written = metrics_compute(metrics=[m.name for m in METRICS])
    print(
        f"recompute cost metrics: {time.perf_counter() - began:.2f} s, {sum(written.values())} rows"
    )
    record.delete()
    MetricRow.objects.filter(metric__in=[m.name for m in METRICS]).delete()
    Team.objects.filter(pk__in=[t.pk for t in created]).delete()
    path.unlink()


if __name__ == "__main__":
    main()
