"""Benchmark: a full Jira sync of N simulated issues, then a no-change re-sync
(docs/performance.md).

    .venv/bin/python benchmarks/bench_jira_sync.py [--issues 5000 --projects 3]

Uses a throw-away SQLite file unless DATABASE_URL is set. Reports the requests of each sync
against the minimum: /myself (the API user's zone for JQL), /field (story-points field, only
when the source does not name it; this benchmark leaves it unnamed) and ceil(N / 100) search
pages; a re-sync asks only for the 5-minute overlap, so one search page.
"""

import argparse
import math
import time
from datetime import UTC, datetime

from common import setup_django  # noqa: E402 - sets up the path first


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--issues", type=int, default=5000)
    parser.add_argument("--projects", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    from apps.ingestion.services import source_sync
    from apps.organization.models import JiraProject, Source
    from integrations.simulator import Simulator
    from integrations.simulator.jira import JiraProvider, generate_jira_world

    keys = tuple(f"P{index}" for index in range(args.projects))
    world = generate_jira_world(
        seed=1,
        projects=keys,
        issues=args.issues,
        start=datetime(2025, 1, 1, tzinfo=UTC),
        end=datetime(2026, 6, 1, tzinfo=UTC),
    )
    simulator = Simulator()
    simulator.add_provider(JiraProvider(world, email="b@x.test", token="bench"))
    with simulator:
        source = Source.objects.create(
            name="jira", kind="jira", base_url=simulator.base_url, email="b@x.test", token="bench"
        )
        for key in keys:
            JiraProject.objects.create(source=source, key=key)
        for label in ("full sync", "no-change re-sync"):
            started = time.perf_counter()
            run = source_sync(source=source)
            seconds = time.perf_counter() - started
            print(
                f"{label}: {run.status}, {run.requests_made} requests, "
                f"{run.counts}, {seconds:.2f} s"
            )
    print(f"minimum for a full sync: {2 + math.ceil(args.issues / 100)} requests")


if __name__ == "__main__":
    main()
