"""Benchmark: a full GitHub sync against the simulator on loopback (docs/performance.md).

    .venv/bin/python benchmarks/bench_github_sync.py [--repos 20 --pulls 5000 --issues 2000
                                                      --releases 300]

Uses a throw-away SQLite file unless DATABASE_URL is set (then that database; its tables are
created by `migrate`). Reports:
- requests of a full sync against the minimum possible: one request per page of each list
  (releases, tags, deployments, pulls, issues — GitHub's /issues also lists PRs) plus one
  `GET /repos/{o}/{r}` per repo and one `GET /pulls/{n}` per merged PR;
- a second sync with nothing changed: requests, how many were 304, rows written;
- the full sync's wall time against the time to merely download the same pages (replaying the
  sync's own request log with a plain requests.Session).

The simulator runs in its own process, as a real upstream would: in this process it would
compete with the sync for the interpreter lock and hide the sync's overlap of network and
database work.
"""

import argparse
import math
import multiprocessing
import os
import time
from datetime import UTC, datetime

from common import setup_django  # noqa: E402 - sets up the path first


def minimum_requests(world, per_page: int = 100) -> int:
    total = 0
    for repo in world.repos:
        lists = [
            len(repo.releases),
            len(repo.tags),
            len(repo.deployments),
            len(repo.pulls),
            len(repo.issues),
        ]
        total += sum(max(1, math.ceil(n / per_page)) for n in lists)
        total += 1 + sum(1 for p in repo.pulls if p["merged_at"])
    return total


def download_time(base_url: str, log, token: str) -> float:
    import requests

    session = requests.Session()
    session.trust_env = False  # as Keel's client: the environment is not re-read per request
    session.headers.update(
        {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"}
    )
    started = time.perf_counter()
    for path, query in log:
        response = session.get(base_url + path, params=query)
        response.content  # noqa: B018 - read the body
    return time.perf_counter() - started


def make_world(args):
    from integrations.simulator import generate_github_world

    return generate_github_world(
        seed=11,
        repos=args.repos,
        pulls=args.pulls,
        issues=args.issues,
        releases=args.releases,
        owner="bench",
        start=datetime(2024, 1, 1, tzinfo=UTC),
        end=datetime(2026, 11, 1, tzinfo=UTC),
    )


def serve(args, token: str, conn) -> None:
    """Child process: serve the world; answer 'log', 'reset' and 'stop' over `conn`."""
    from integrations.simulator import Simulator

    with Simulator(github=make_world(args), token=token, rate_limit=10**9) as sim:
        conn.send(sim.base_url)
        while (command := conn.recv()) != "stop":
            if command == "log":
                conn.send([(r.path, r.query, r.status) for r in sim.requests])
            elif command == "reset":
                sim.reset_requests()
                conn.send("ok")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repos", type=int, default=20)
    parser.add_argument("--pulls", type=int, default=5000)
    parser.add_argument("--issues", type=int, default=2000)
    parser.add_argument("--releases", type=int, default=300)
    args = parser.parse_args()
    setup_django()
    from apps.ingestion.services import source_sync
    from apps.organization.models import Repo, Source

    world = make_world(args)
    token = "bench-token"
    conn, child_conn = multiprocessing.Pipe()
    child = multiprocessing.get_context("fork").Process(
        target=serve, args=(args, token, child_conn)
    )
    child.start()
    base_url = conn.recv()
    try:
        Source.objects.filter(name="bench").delete()
        source = Source.objects.create(name="bench", kind="github", base_url=base_url, token=token)
        Repo.objects.bulk_create([Repo(source=source, full_name=r.full_name) for r in world.repos])
        started = time.perf_counter()
        full = source_sync(source=source)
        sync_wall = time.perf_counter() - started
        conn.send("log")
        log = [(path, query) for path, query, status in conn.recv() if status == 200]
        conn.send("reset")
        conn.recv()
        second = source_sync(source=source)
        conn.send("log")
        statuses = [status for _, _, status in conn.recv()]
        download = download_time(base_url, log, token)
    finally:
        conn.send("stop")
        child.join(timeout=10)
    minimum = minimum_requests(world)
    print(f"database: {os.environ['DATABASE_URL'].split('://')[0]}")
    print(
        f"world: {args.repos} repos, {args.pulls} PRs, {args.issues} issues, "
        f"{args.releases} releases"
    )
    print(
        f"full sync: {full.status}, {sum(full.counts.values())} rows, "
        f"{full.requests_made} requests; minimum {minimum}; "
        f"ratio {full.requests_made / minimum:.3f} (target <= 1.05)"
    )
    print(
        f"no-change re-sync: {second.requests_made} requests for "
        f"{5 * args.repos} list endpoints, {statuses.count(304)} answered 304, "
        f"{sum(second.counts.values())} rows written (target: 1 per list, all 304, 0 rows)"
    )
    print(
        f"full sync wall {sync_wall:.2f} s; download of the same {len(log)} pages "
        f"{download:.2f} s; ratio {sync_wall / download:.2f} (target <= 1.3)"
    )


if __name__ == "__main__":
    main()
