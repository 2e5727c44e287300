"""Benchmark: a full GitHub sync against the simulator on loopback (docs/performance.md).

    .venv/bin/python benchmarks/bench_github_sync.py [--repos 20 --pulls 5000 --issues 2000
                                                      --releases 300] [--api both|graphql|rest]

Uses a throw-away SQLite file unless DATABASE_URL is set (then that database; its tables are
created by `migrate`). For each API mode of the source (`api: graphql`, `api: rest`; pull
requests with their detail either way) it reports:
- requests and GraphQL points of a full sync; over REST, against the minimum possible: one
  request per page of each list (releases, tags, deployments, pulls, issues — GitHub's /issues
  also lists PRs), one `GET /repos/{o}/{r}` per repo, and per PR `GET /pulls/{n}` and every page
  of its `/commits`, `/reviews`, `/files` and issue timeline;
- a second sync with nothing changed: requests, how many were 304, points, rows written;
- over REST, the full sync's wall time against the time to merely download the same pages
  (replaying the sync's own request log with a plain requests.Session).
The two modes must store the same rows; the script says whether they did.

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


def pages(count: int, per_page: int = 100) -> int:
    """Pages of a list of `count` items (an empty list is one page)."""
    return max(1, math.ceil(count / per_page))


def minimum_requests(world, per_page: int = 100) -> int:
    """The fewest REST requests that read everything, detail of every PR included."""
    from integrations.simulator.github.detail import MAX_PULL_COMMITS, MAX_PULL_FILES

    total = 0
    for repo in world.repos:
        lists = [
            len(repo.releases),
            len(repo.tags),
            len(repo.deployments),
            len(repo.pulls),
            len(repo.issues),
        ]
        total += sum(pages(n, per_page) for n in lists)
        total += 1 + len(repo.deployments)  # GET /repos/{o}/{r}; each deployment's statuses
        for pull in repo.pulls:
            number = pull["number"]
            total += 1  # GET /pulls/{n}
            total += pages(min(len(repo.commits_of(number)), MAX_PULL_COMMITS), per_page)
            total += pages(len(repo.reviews_of(number)), per_page)
            total += pages(min(len(repo.files_of(number)), MAX_PULL_FILES), per_page)
            total += pages(len(repo.timeline_of(number)), per_page)
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
                conn.send([(r.method, r.path, r.query, r.status) for r in sim.requests])
            elif command == "reset":
                sim.reset_requests()
                conn.send("ok")


def rows_snapshot() -> dict[str, list]:
    """Every stored GitHub row, without database ids (as the sync tests compare them): a
    repo by its name, a pull request by its GitHub id."""
    from apps.delivery.models import (
        Deployment,
        PullRequest,
        PullRequestCommit,
        PullRequestFile,
        PullRequestReview,
        Release,
        Tag,
    )
    from apps.quality.models import Issue

    out = {}
    for model in (
        PullRequest,
        PullRequestCommit,
        PullRequestReview,
        PullRequestFile,
        Release,
        Tag,
        Deployment,
        Issue,
    ):
        renamed = {"pull": "pull__external_id", "repo": "repo__full_name"}  # ids differ per run
        names = [
            renamed.get(f.name, f.attname)
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name != "statuses_synced_at"
        ]
        out[model.__name__] = sorted(model.objects.values_list(*names), key=repr)
    return out


def run_mode(api: str, world, base_url: str, token: str, conn) -> dict:
    """A full sync and a no-change re-sync of a fresh source reading pull requests over `api`."""
    from apps.ingestion.services import source_sync
    from apps.organization.models import Repo, Source

    Source.objects.filter(name="bench").delete()  # its repos and every row they hold go too
    source = Source.objects.create(
        name="bench", kind="github", base_url=base_url, token=token, api=api
    )
    Repo.objects.bulk_create([Repo(source=source, full_name=r.full_name) for r in world.repos])
    conn.send("reset")
    conn.recv()
    started = time.perf_counter()
    full = source_sync(source=source)
    wall = time.perf_counter() - started
    conn.send("log")
    log = [(method, path, query) for method, path, query, status in conn.recv() if status == 200]
    rows = rows_snapshot()
    conn.send("reset")
    conn.recv()
    second = source_sync(source=source)
    conn.send("log")
    statuses = [status for *_, status in conn.recv()]
    return {
        "full": full,
        "wall": wall,
        "log": log,
        "rows": rows,
        "second": second,
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repos", type=int, default=20)
    parser.add_argument("--pulls", type=int, default=5000)
    parser.add_argument("--issues", type=int, default=2000)
    parser.add_argument("--releases", type=int, default=300)
    parser.add_argument("--api", choices=("both", "graphql", "rest"), default="both")
    args = parser.parse_args()
    setup_django()

    world = make_world(args)
    token = "bench-token"
    conn, child_conn = multiprocessing.Pipe()
    child = multiprocessing.get_context("fork").Process(
        target=serve, args=(args, token, child_conn)
    )
    child.start()
    base_url = conn.recv()
    modes = ("graphql", "rest") if args.api == "both" else (args.api,)
    results = {}
    try:
        for api in modes:
            results[api] = run_mode(api, world, base_url, token, conn)
        if "rest" in results:
            gets = [(path, query) for method, path, query in results["rest"]["log"]]
            download = download_time(base_url, gets, token)
    finally:
        conn.send("stop")
        child.join(timeout=10)
    print(f"database: {os.environ['DATABASE_URL'].split('://')[0]}")
    print(
        f"world: {args.repos} repos, {args.pulls} PRs, {args.issues} issues, "
        f"{args.releases} releases"
    )
    for api, r in results.items():
        full, second = r["full"], r["second"]
        kinds = sorted({key.rsplit("/", 1)[1] for key in full.counts})
        rows = {k: sum(v for key, v in full.counts.items() if key.endswith(f"/{k}")) for k in kinds}
        print(
            f"[{api}] full sync: {full.status}, {sum(full.counts.values())} rows "
            f"({', '.join(f'{k} {v}' for k, v in rows.items() if v)}), "
            f"{full.requests_made} requests ({r['log'].__len__()} answered 200), "
            f"{full.points_spent} points, {r['wall']:.1f} s"
        )
        print(
            f"[{api}] no-change re-sync: {second.requests_made} requests for "
            f"{5 * args.repos} list endpoints, {r['statuses'].count(304)} answered 304, "
            f"{second.points_spent} points, {sum(second.counts.values())} rows written "
            "(target: at most 1 request per list, 0 rows)"
        )
    if "rest" in results:
        minimum = minimum_requests(world)
        full = results["rest"]["full"]
        print(
            f"[rest] requests / minimum possible: {full.requests_made} / {minimum} = "
            f"{full.requests_made / minimum:.3f} (target <= 1.05)"
        )
        print(
            f"[rest] full sync wall {results['rest']['wall']:.2f} s; download of the same "
            f"{len(results['rest']['log'])} pages {download:.2f} s; ratio "
            f"{results['rest']['wall'] / download:.2f} (target <= 1.3)"
        )
    if len(results) == 2:
        g, r = results["graphql"]["full"], results["rest"]["full"]
        print(
            f"graphql / rest requests of a full sync: {g.requests_made} / {r.requests_made} "
            f"= 1/{r.requests_made / g.requests_made:.1f} (target <= 1/20)"
        )
        same = results["graphql"]["rows"] == results["rest"]["rows"]
        differing = [
            k
            for k in results["rest"]["rows"]
            if results["graphql"]["rows"][k] != results["rest"]["rows"][k]
        ]
        print(
            f"both modes stored identical rows: {same}{'' if same else f' (differ: {differing})'}"
        )


if __name__ == "__main__":
    main()
