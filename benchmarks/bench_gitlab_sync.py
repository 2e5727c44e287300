"""Benchmark: a full GitLab sync against the simulator on loopback (docs/performance.md).

    .venv/bin/python benchmarks/bench_gitlab_sync.py [--projects 20 --merge-requests 5000
                                                      --issues 2000 --releases 300]

Uses a throw-away SQLite file unless DATABASE_URL is set (then that database; its tables are
created by `migrate`). A simulated group of that size (tags, releases, a production deployment
per release; every merge request with derived commits, notes and diffs) is synced into a fresh
source configured with the group (its projects found by the sync), then synced again with
nothing changed. It reports:
- requests of the full sync against the minimum possible: one per page of the group's project
  list, one per page of each project's lists (releases, tags, deployments, merge requests,
  issues), and per merge request every page of its `/commits`, `/notes` and `/diffs` (what its
  detail needs; the group's list gives each project's id, so no `GET /projects/:id`);
- the no-change re-sync: requests per list, how many answered 304, rows written;
- the full sync's wall time against the time to merely download the same pages (replaying the
  sync's own request log with a plain requests.Session).

The simulator runs in its own process, as a real upstream would.
"""

import argparse
import math
import multiprocessing
import os
import time
from datetime import UTC, datetime

from common import setup_django  # noqa: E402 - sets up the path first

TOKEN = "bench-token"
LISTS = ("releases", "repository/tags", "deployments", "merge_requests", "issues")


def pages(count: int, per_page: int = 100) -> int:
    """Pages of a list of `count` items (an empty list is one page)."""
    return max(1, math.ceil(count / per_page))


def minimum_requests(world, per_page: int = 100) -> int:
    """The fewest requests that read every project whole, merge-request detail included."""
    total = pages(len(world.projects), per_page)  # GET /groups/:id/projects
    for project in world.projects:
        lists = [
            len(project.releases),
            len(project.tags),
            len(project.deployments),
            len(project.merge_requests),
            len(project.issues),
        ]
        total += sum(pages(n, per_page) for n in lists)
        for mr in project.merge_requests:
            iid = mr["iid"]
            total += pages(len(project.commits_of(iid)), per_page)
            total += pages(len(project.notes_of(iid)), per_page)
            total += pages(len(project.diffs_of(iid)), per_page)
    return total


def make_world(args):
    from integrations.simulator import generate_gitlab_world

    return generate_gitlab_world(
        seed=11,
        group="bench",
        projects=args.projects,
        merge_requests=args.merge_requests,
        issues=args.issues,
        releases=args.releases,
        start=datetime(2024, 1, 1, tzinfo=UTC),
        end=datetime(2026, 11, 1, tzinfo=UTC),
    )


def serve(args, conn) -> None:
    """Child process: serve the world; answer 'log', 'reset' and 'stop' over `conn`."""
    from integrations.simulator import GitLabProvider, Simulator

    simulator = Simulator()
    simulator.add_provider(GitLabProvider(make_world(args), token=TOKEN, rate_limit=10**9))
    with simulator as sim:
        conn.send(sim.base_url)
        while (command := conn.recv()) != "stop":
            if command == "log":
                conn.send([(r.method, r.path, r.query, r.status) for r in sim.requests])
            elif command == "reset":
                sim.reset_requests()
                conn.send("ok")


def download_time(base_url: str, log) -> float:
    import requests

    session = requests.Session()
    session.trust_env = False  # as Keel's client: the environment is not re-read per request
    session.headers.update({"PRIVATE-TOKEN": TOKEN})
    started = time.perf_counter()
    for path, query in log:
        session.get(base_url + path, params=query).content  # noqa: B018 - read the body
    return time.perf_counter() - started


def ask(conn, command: str):
    conn.send(command)
    return conn.recv()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--merge-requests", type=int, default=5000)
    parser.add_argument("--issues", type=int, default=2000)
    parser.add_argument("--releases", type=int, default=300)
    args = parser.parse_args()
    setup_django()
    from apps.ingestion.services import source_sync
    from apps.organization.models import RepoGroup, Source

    world = make_world(args)
    conn, child_conn = multiprocessing.Pipe()
    child = multiprocessing.get_context("fork").Process(target=serve, args=(args, child_conn))
    child.start()
    base_url = conn.recv()
    try:
        Source.objects.filter(name="bench-gitlab").delete()
        source = Source.objects.create(
            name="bench-gitlab", kind="gitlab", base_url=f"{base_url}/api/v4", token=TOKEN
        )
        RepoGroup.objects.create(source=source, path="bench")
        ask(conn, "reset")
        started = time.perf_counter()
        full = source_sync(source=source)
        wall = time.perf_counter() - started
        log = [(path, query) for _, path, query, status in ask(conn, "log") if status == 200]
        ask(conn, "reset")
        second = source_sync(source=source)
        statuses = [status for *_, status in ask(conn, "log")]
        download = download_time(base_url, log)
    finally:
        conn.send("stop")
        child.join(timeout=10)
    minimum = minimum_requests(world)
    kinds = sorted({key.rsplit("/", 1)[1] for key in full.counts})
    rows = {k: sum(v for key, v in full.counts.items() if key.endswith(f"/{k}")) for k in kinds}
    lists = len(LISTS) * args.projects + 1  # and the group's projects
    print(f"database: {os.environ['DATABASE_URL'].split('://')[0]}")
    print(
        f"world: {args.projects} projects, {args.merge_requests} merge requests, "
        f"{args.issues} issues, {args.releases} releases"
    )
    print(
        f"full sync: {full.status}, {sum(full.counts.values())} rows "
        f"({', '.join(f'{k} {v}' for k, v in rows.items() if v)}), {full.requests_made} "
        f"requests, {wall:.1f} s"
    )
    print(
        f"requests / minimum possible: {full.requests_made} / {minimum} = "
        f"{full.requests_made / minimum:.3f} (target <= 1.05)"
    )
    print(
        f"no-change re-sync: {second.status}, {second.requests_made} requests for {lists} lists, "
        f"{statuses.count(304)} answered 304, {sum(second.counts.values())} rows written "
        "(target: at most 1 request per list, 0 rows)"
    )
    print(
        f"full sync wall {wall:.2f} s; download of the same {len(log)} pages {download:.2f} s; "
        f"ratio {wall / download:.2f}"
    )


if __name__ == "__main__":
    main()
