"""Benchmark: `/api/v1/metrics/` under load, served by gunicorn, against `/api/v1/health/`.

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/bench_api_load.py [--seed]
        [--clients 32] [--duration 60] [--workers 4] [--threads 4] [--json figures.json]

The API-under-load figure (docs/performance.md): a second process keeps `--clients` connections busy
for `--duration` seconds with a mix of real metric queries (one metric's series per scope and key,
all teams or services over a range, two metrics at once, later pages — built from the rows in the
database), and the same against the trivial health endpoint, in alternating turns (`--slices`,
default 6 of 10 s each) so that other work on a shared machine weighs on both alike. Reports for
each: p50/p95/p99 latency (ms, from sending the request to reading the whole body), requests per
second and errors (non-2xx answers and exceptions); then the ratio of the p95s (target <= 2) and the
errors (target 0).

`--seed` first stores a 3-year metric store (every registered metric x its scopes: org, 12
teams, 150 engineers, 80 services, 40 customers; 156 weeks and 36 months; ~190,000 rows;
existing rows are kept). Without it the rows already in DATABASE_URL are used (without
DATABASE_URL: a throw-away SQLite file, so `--seed` is needed). Either way the script makes a
superuser `bench-api-load` and its token. The load process shares the machine's cores with the
server, as any load generator on the same host does.

gunicorn runs `config.wsgi` with `config.settings.production` (DEBUG off) on 127.0.0.1; the
client sends `X-Forwarded-Proto: https` as the TLS proxy of docs/operations.md does. The API
throttle is raised with API_THROTTLE_RATE: the throttle is not what is measured. Default
workers: gthread, 4 processes x 4 threads — a worker waiting on PostgreSQL serves another
request, and 4 processes keep both cores busy despite the interpreter lock. The server gets
DATABASE_URL as given: add `?conn_max_age=60` to measure with persistent connections.
"""

import argparse
import json
import math
import os
import random
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from itertools import islice
from multiprocessing import get_context
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from common import ROOT, setup_django  # noqa: E402 - sets up the path first
from http_load import figures, load_run, request_headers

if TYPE_CHECKING:
    from apps.core.periods import Granularity

USERNAME = "bench-api-load"
# The periods seeded: about three years of weeks and of months back from today.
SPANS: "tuple[tuple[Granularity, timedelta], ...]" = (
    ("week", timedelta(weeks=155)),
    ("month", timedelta(days=35 * 30.5)),
)
SCOPE_KEYS = {
    "org": [""],
    "team": [f"team-{i:02}" for i in range(1, 13)],
    "engineer": [f"eng{i:03}@load.test" for i in range(1, 151)],
    "service": [f"PSVC{i:03}" for i in range(1, 81)],
    "customer": [f"customer-{i:02}" for i in range(1, 41)],
}


def seed(today: date) -> int:
    """Store the 3-year metric store (see the module doc); returns the rows now in the table."""

    from apps.metrics.models import MetricRow
    from apps.organization.models import Organization, Person, Team

    if not Organization.objects.exists():
        Organization.objects.create(name="Load", timezone="UTC", cost_settings={"currency": "EUR"})
    Team.objects.bulk_create(
        [Team(slug=s, name=s) for s in SCOPE_KEYS["team"]], ignore_conflicts=True
    )
    teams = list(Team.objects.filter(slug__in=SCOPE_KEYS["team"]))
    Person.objects.bulk_create(
        [
            Person(email=e, name=e, team=teams[i % len(teams)])
            for i, e in enumerate(SCOPE_KEYS["engineer"])
        ],
        ignore_conflicts=True,
    )
    rows = metric_rows(today)
    while batch := list(islice(rows, 20000)):  # a retry adds nothing: conflicts are skipped
        MetricRow.objects.bulk_create(batch, batch_size=5000, ignore_conflicts=True)
    return MetricRow.objects.count()


def vacuum() -> None:
    """Statistics and visibility map of the metric table, as autovacuum keeps them on a
    production server (this benchmark machine runs with autovacuum off; a recompute that has
    just rewritten the table would otherwise be measured with every row's visibility unknown,
    so even index-only COUNTs read the heap)."""
    from django.db import connection

    from apps.metrics.models import MetricRow

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {MetricRow._meta.db_table}")


def metric_rows(today: date) -> Iterator:
    """MetricRows of every registered metric x scope x key x 156 weeks and 36 months to `today`
    (values 0-100, 3 % null with a note; the same for every run)."""
    from apps.core.periods import iter_periods, next_period_start, period_start_of
    from apps.metrics.models import MetricRow
    from apps.metrics.registry import all_definitions

    rng = random.Random(8)
    periods = [
        (g, start, next_period_start(start, g))
        for g, back in SPANS
        for start in iter_periods(period_start_of(today - back, g), period_start_of(today, g), g)
    ]
    for metric in all_definitions():
        for scope, key in ((s, k) for s in metric.scopes for k in SCOPE_KEYS[s]):
            for granularity, start, end in periods:
                value = None if rng.random() < 0.03 else round(rng.uniform(0, 100), 3)
                yield MetricRow(
                    metric=metric.name,
                    scope=scope,
                    scope_key=key,
                    granularity=granularity,
                    period_start=start,
                    period_end=end,
                    value=value,
                    unit=metric.unit,
                    sample_size=rng.randint(0, 40),
                    smoothed=value,
                    note="" if value is not None else "no data",
                )


def token_key() -> str:
    from django.contrib.auth import get_user_model

    from apps.accounts.tokens import api_token_create

    user, _ = get_user_model().objects.get_or_create(
        username=USERNAME, defaults={"is_superuser": True, "is_staff": True}
    )
    return api_token_create(user=user, name="benchmark").token


def query_mix(count: int = 240) -> list[str]:
    """`count` metric queries a BI tool or the dashboard would send, from the stored rows."""
    from django.db.models import Max
    from django.http import QueryDict

    from apps.metrics.api.filters import MetricRowFilter
    from apps.metrics.models import MetricRow

    rows = MetricRow.objects.filter(granularity="month")
    span = rows.aggregate(last=Max("period_start"))
    series = list(
        rows.filter(period_start=span["last"]).values_list("metric", "scope", "scope_key")
    )
    if not series:
        raise SystemExit("no metric rows in the database: run with --seed")
    metrics = sorted({m for m, _, _ in series})
    last, rng = span["last"], random.Random(8)
    paths: list[str] = []
    year_ago, quarter_ago = last - timedelta(days=364), last - timedelta(days=91)
    while len(paths) < count:
        metric, scope, key = rng.choice(series)
        mix = [
            {"metric": metric, "scope": "org", "granularity": "month"},
            {"metric": metric, "scope": "org", "granularity": "week", "start": year_ago},
            {"metric": metric, "scope": scope, "scope_key": key, "granularity": "week"},
            {"metric": metric, "scope": scope, "scope_key": key, "granularity": "month"},
            {"metric": metric, "scope": scope, "granularity": "month", "start": year_ago},
            {
                "metric": metric,
                "scope": scope,
                "granularity": "week",
                "start": quarter_ago,
                "end": last,
            },
            {"metric": [metric, rng.choice(metrics)], "scope": "org", "granularity": "month"},
            {"metric": metric, "granularity": "week", "start": last - timedelta(days=56)},
        ]
        query = rng.choice(mix)
        # A later page, as a client paging through would ask, but only one that exists.
        pages = math.ceil(
            MetricRowFilter(
                data=QueryDict(urlencode(query, doseq=True)), queryset=MetricRow.objects.all()
            ).qs.count()
            / 100
        )
        if pages > 1:
            query["page"] = rng.randint(1, pages)
        paths.append("/api/v1/metrics/?" + urlencode(query, doseq=True))
    return paths


def gunicorn_start(args, env: dict) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(args.threads),
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    print("server: " + " ".join(["gunicorn", *command[3:]]))
    return subprocess.Popen(command, cwd=ROOT, env=env)


def server_env(args) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "KEEL_ENCRYPTION_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_THROTTLE_RATE": args.throttle,
        "LOG_LEVEL": "WARNING",
    }


def wait_ready(base_url: str, token: str, server: subprocess.Popen) -> None:
    import urllib3

    for _ in range(150):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            status = urllib3.request(
                "GET", base_url + "/api/v1/health/", retries=False, headers=request_headers(token)
            ).status
            if status == 200:
                return
            raise SystemExit(f"/api/v1/health/ answered {status}")
        except urllib3.exceptions.HTTPError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 30 s")


def measure(args, base_url: str, token: str, paths: dict[str, list[str]]) -> dict:
    """Each endpoint for `args.duration` seconds in all, in `args.slices` turns taken in
    alternation, so that both see the same share of whatever else the machine is doing."""
    runs: dict[str, list[dict]] = {name: [] for name in paths}
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as load:
        for urls in paths.values():
            load.submit(load_run, base_url, token, urls, args.clients, args.warmup).result()
        for _ in range(args.slices):
            for name, urls in paths.items():
                runs[name].append(
                    load.submit(
                        load_run, base_url, token, urls, args.clients, args.duration / args.slices
                    ).result()
                )
    return {name: figures(turns) for name, turns in runs.items()}


def report(args, results: dict, rows: int) -> dict:
    metrics, health = results["metrics"], results["health"]
    ratio = round(metrics["p95_ms"] / health["p95_ms"], 2)
    print(
        f"database: {os.environ['DATABASE_URL'].split('://')[0]}, {rows} metric rows; "
        f"user {USERNAME} (superuser); throttle raised to {args.throttle} (not measured)"
    )
    print(
        f"load: {args.clients} concurrent clients, {args.duration:.0f} s per endpoint in "
        f"{args.slices} alternating turns (after {args.warmup:.0f} s warm-up), a second process"
    )
    for name, f in results.items():
        print(
            f"{name:>8}: p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms, p99 {f['p99_ms']} ms, "
            f"{f['rps']} req/s, {f['requests']} requests, {f['errors']} errors (target 0)"
        )
    print(f"p95 metrics / p95 health: {ratio} (target <= 2)")
    return {
        "clients": args.clients,
        "duration_s": args.duration,
        "slices": args.slices,
        "rows": rows,
        "workers": args.workers,
        "threads": args.threads,
        "p95_ratio": ratio,
        **results,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", action="store_true", help="store the 3-year metric store")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per endpoint")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds, not measured")
    parser.add_argument(
        "--slices",
        type=int,
        default=6,
        help="alternating turns per endpoint (1: one after the other)",
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--throttle", default="1000000/minute")
    parser.add_argument("--json", help="write the figures here ('-' for stdout)")
    args = parser.parse_args()
    setup_django()
    from django.db import connections

    from apps.metrics.models import MetricRow

    if args.seed:
        started = time.perf_counter()
        print(f"seeded: {seed(date.today())} rows in {time.perf_counter() - started:.0f} s")
    vacuum()
    token, paths, rows = token_key(), query_mix(), MetricRow.objects.count()
    connections.close_all()
    base_url = f"http://127.0.0.1:{args.port}"
    server = gunicorn_start(args, server_env(args))
    try:
        wait_ready(base_url, token, server)
        results = measure(args, base_url, token, {"metrics": paths, "health": ["/api/v1/health/"]})
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    out = report(args, results, rows)
    if args.json:
        text = json.dumps(out, indent=2)
        sys.stdout.write(text + "\n") if args.json == "-" else open(args.json, "w").write(text)


if __name__ == "__main__":
    main()
