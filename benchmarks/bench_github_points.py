"""Benchmark: GitHub GraphQL points of a full pull-request backfill of the three-year
organisation (benchmarks/scale_org.py's GitHub world), against the REST requests of the same
work (docs/performance.md#github-graphql).

    .venv/bin/python benchmarks/bench_github_points.py [--fraction 1] [--repos N]

Generates the organisation's GitHub world at `--fraction` (1: 60 repos, 200,000 pull requests
over three years), serves it from a simulator process on loopback and reads every pull request
of each repo (or of the first `--repos`) with its detail through Keel's GraphQL client, as a
first sync does, without a database: the figures are GitHub's `rateLimit.cost` summed and the
requests sent. The REST figure is counted from the same world: per repo the pages of
`GET /pulls`, and per pull request `GET /pulls/{n}` and every page of its `/commits` (at most
250), `/reviews`, `/files` (at most 3,000) and issue timeline. For comparison it also prints
what REST needed before pull-request detail was synced (list pages and one `GET /pulls/{n}`
per merged PR, for sizes).
"""

import argparse
import math
import multiprocessing
import time

import common  # noqa: F401 - puts the project on the path

TOKEN = "bench-token"


def pages(count: int, per_page: int = 100) -> int:
    return max(1, math.ceil(count / per_page))


def rest_requests(world, repos: int) -> tuple[int, int]:
    """(requests for PRs with their detail over REST, requests for PRs with sizes only)."""
    from integrations.simulator.github.detail import MAX_PULL_COMMITS, MAX_PULL_FILES

    detail = sizes = 0
    for repo in world.repos[:repos]:
        listing = pages(len(repo.pulls))
        detail += listing
        sizes += listing + sum(1 for p in repo.pulls if p["merged_at"])
        for pull in repo.pulls:
            n = pull["number"]
            detail += 1
            detail += pages(min(len(repo.commits_of(n)), MAX_PULL_COMMITS))
            detail += pages(len(repo.reviews_of(n)))
            detail += pages(min(len(repo.files_of(n)), MAX_PULL_FILES))
            detail += pages(len(repo.timeline_of(n)))
    return detail, sizes


def make_world(fraction: float):
    from scale.plan import Plan, anchor_today
    from scale.worlds import github_world

    return github_world(Plan(fraction=fraction, anchor=anchor_today()))


def serve(world, conn) -> None:
    """Child process (forked: the world is shared, not copied): serve it until told to stop."""
    from integrations.simulator import Simulator

    with Simulator(github=world, token=TOKEN, rate_limit=10**9, graphql_rate_limit=10**9) as sim:
        conn.send(sim.base_url)
        conn.recv()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--repos", type=int, default=None, help="only the first N repos")
    args = parser.parse_args()
    from integrations.github.graphql import GitHubGraphQLClient

    began = time.perf_counter()
    world = make_world(args.fraction)
    repos = len(world.repos) if args.repos is None else min(args.repos, len(world.repos))
    generated = time.perf_counter() - began
    conn, child_conn = multiprocessing.Pipe()
    child = multiprocessing.get_context("fork").Process(target=serve, args=(world, child_conn))
    child.start()
    base_url = conn.recv()
    points = requests = pulls = nested = 0
    began = time.perf_counter()
    try:
        for repo in world.repos[:repos]:
            client = GitHubGraphQLClient(base_url, TOKEN)
            for page in client.list_pull_details(repo.full_name, stop_before=None):
                pulls += len(page.items)
            points += client.stats.points
            requests += client.stats.requests
            nested += client.stats.requests - pages(len(repo.pulls), client.page_size)
    finally:
        conn.send("stop")
        child.join(timeout=30)
    read = time.perf_counter() - began
    detail, sizes = rest_requests(world, repos)
    expected = sum(len(r.pulls) for r in world.repos[:repos])
    print(f"world: fraction {args.fraction:g}, {repos} repos, {expected} pull requests")
    print(f"generated in {generated:.0f} s; read over GraphQL in {read:.0f} s")
    print(
        f"GraphQL: {pulls} pull requests with detail in {requests} queries "
        f"({nested} of them for nested pages), {points} points "
        f"(target <= {10_000 * args.fraction * repos / len(world.repos):,.0f})"
    )
    print(
        f"REST, same detail: {detail} requests ({detail / 5000:.1f} hours of GitHub's 5,000 an "
        f"hour); REST, sizes only (before): {sizes} requests"
    )
    print(f"GraphQL points / REST requests: 1/{detail / max(points, 1):.1f}")


if __name__ == "__main__":
    main()
