"""Benchmark: a full PagerDuty sync of 20,000 simulated incidents (docs/performance.md).

    .venv/bin/python benchmarks/bench_pagerduty_sync.py [--incidents 20000] [--days 150]

One service holds every incident, spread over `--days` days (default 150, so one 180-day window
holds all 20,000: twice the 10,000 records classic offset paging reaches, which forces window
narrowing). Runs Keel's `source_sync` against the simulator on a throw-away SQLite database and
reports: incidents stored, requests made, the largest offset requested (must stay under the
cap: offset + limit ≤ 10,000), any 400 answered, the windows requested, the wall time, and then
the time of `metrics_compute` for the reliability family.
"""

import argparse
import time
from datetime import timedelta

from common import setup_django  # noqa: E402 - sets up the path first


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=150)
    args = parser.parse_args()
    setup_django()
    from django.utils import timezone

    from apps.ingestion.services import source_sync
    from apps.metrics.services import metrics_compute
    from apps.organization.models import PagerDutyService, Source
    from apps.reliability.models import Incident
    from integrations.simulator import Simulator
    from integrations.simulator.pagerduty import PagerDutyProvider, generate_pagerduty_world

    end = timezone.now() - timedelta(hours=1)
    world = generate_pagerduty_world(
        seed=4,
        services={"PBENCH1": "bench"},
        incidents=args.incidents,
        start=end - timedelta(days=args.days),
        end=end,
    )
    with Simulator() as sim:
        sim.add_provider(PagerDutyProvider(world, token="bench", rate_limit=1_000_000))
        source = Source.objects.create(
            name="pd", kind="pagerduty", base_url=sim.base_url, token="bench"
        )
        PagerDutyService.objects.create(source=source, service_id="PBENCH1", slo=0.999)
        started = time.perf_counter()
        run = source_sync(source=source)
        took = time.perf_counter() - started
        requests = sim.requests
    incident_reqs = [r for r in requests if r.path == "/incidents"]
    windows = sorted({(r.query["since"], r.query["until"]) for r in incident_reqs})
    max_offset = max(int(r.query.get("offset", 0)) for r in incident_reqs)
    print(f"run: {run.status} {run.error}")
    print(f"incidents: upstream {len(world.incidents)}, stored {Incident.objects.count()}")
    print(
        f"requests: {run.requests_made} (GET /incidents {len(incident_reqs)}), "
        f"400s: {sum(r.status == 400 for r in requests)}"
    )
    print(f"largest offset: {max_offset} (+ limit 100 ≤ 10,000); windows: {len(windows)}")
    print(f"sync: {took:.1f} s")
    started = time.perf_counter()
    written = metrics_compute(
        metrics=["uptime", "downtime_minutes", "incidents", "mttr_hours", "error_budget_remaining"]
    )
    print(
        f"metrics_compute (reliability): {time.perf_counter() - started:.1f} s, "
        f"{sum(written.values())} rows"
    )


if __name__ == "__main__":
    main()
