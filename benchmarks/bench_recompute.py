"""Benchmark: the metric recompute on a large organisation (docs/performance.md#metric-recompute).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keel_scale \\
        .venv/bin/python benchmarks/bench_recompute.py full [--repeat 1]
    DATABASE_URL=... .venv/bin/python benchmarks/bench_recompute.py incremental [--since ISO]

The database is one built by `benchmarks/scale_org.py` (a three-year organisation synced
through the simulator; `--phases hourly` then adds an hourly sync's 500 new records).

- `full`: `metrics_compute()` — every family, every metric, scope and granularity — timed per
  family (compute, then the write of its rows with smoothing and anomalies; wall and this
  process's CPU seconds, which a busy shared machine inflates less), with the process's
  peak RSS (`resource.getrusage`, Linux KiB) and each family's own RSS high-water mark (sampled
  every 20 ms). Targets: ≤ 60 s and ≤ 2 GB peak.
- `incremental`: exactly what the hourly sync task runs after a sync that stored something:
  `metrics_compute(since=...)` from the earliest change of the latest sync runs
  (`apps.ingestion.selectors.runs_changed_from`), or from `--since`. Target: ≤ 2 s.

Prints one line per family and a summary beside the targets; `--json PATH` writes the figures.
"""

import argparse
import json
import os
import resource
import sys
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from common import setup_django  # noqa: E402 - sets up the path first

FULL_TARGET_S, MEMORY_TARGET_MB, INCREMENTAL_TARGET_S = 60.0, 2048.0, 2.0


def rss_now_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Sampler:
    """RSS high-water mark of the current phase, sampled every 20 ms in a thread."""

    def __init__(self) -> None:
        self.high = rss_now_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.high = max(self.high, rss_now_mb())

    def reset(self) -> float:
        high, self.high = self.high, rss_now_mb()
        return high

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def timed_families(timings: dict):
    """The registered families, each compute wrapped to record its seconds in `timings`."""
    from apps.metrics.registry import families

    def wrap(family):
        def compute(ctx):
            started = time.perf_counter()
            try:
                return family.compute(ctx)
            finally:
                timings.setdefault(family.name, {})["compute_s"] = time.perf_counter() - started

        return replace(family, compute=compute)

    return [wrap(f) for f in families()]


def run(since: date | None) -> dict:
    from apps.metrics import services
    from apps.metrics.registry import families_override

    timings: dict[str, dict] = {}
    sampler = Sampler()
    original = services._family_compute

    def family_compute(family, **kwargs):
        started, cpu = time.perf_counter(), time.process_time()
        sampler.reset()
        counts = original(family, **kwargs)
        entry = timings.setdefault(family.name, {})
        entry["total_s"] = time.perf_counter() - started
        entry["cpu_s"] = time.process_time() - cpu
        entry["write_s"] = entry["total_s"] - entry.get("compute_s", 0.0)
        entry["rows"] = sum(counts.values())
        entry["rss_high_mb"] = sampler.reset()
        return counts

    services._family_compute = family_compute
    started, cpu = time.perf_counter(), time.process_time()
    try:
        with families_override(*timed_families(timings)):
            written = services.metrics_compute(since=since)
    finally:
        services._family_compute = original
        sampler.stop()
    return {
        "since": since.isoformat() if since else None,
        "seconds": time.perf_counter() - started,
        "cpu_s": time.process_time() - cpu,
        "load_average": os.getloadavg(),
        "rows": sum(written.values()),
        "peak_rss_mb": peak_mb(),
        "families": timings,
    }


def report(figures: dict, target_s: float) -> None:
    for name, f in figures["families"].items():
        print(
            f"  {name:<12} compute {f.get('compute_s', 0):6.2f} s  write {f['write_s']:6.2f} s"
            f"  cpu {f['cpu_s']:6.2f} s"
            f"  rows {f['rows']:>8,}  rss high {f['rss_high_mb']:7.0f} MB"
        )
    ok = "ok" if figures["seconds"] <= target_s else "MISSED"
    print(
        f"recompute{' since ' + figures['since'] if figures['since'] else ' (full)'}: "
        f"{figures['seconds']:.2f} s (target ≤ {target_s:.0f} s: {ok}; this process's CPU "
        f"{figures['cpu_s']:.2f} s, load average {figures['load_average'][0]:.1f}), "
        f"{figures['rows']:,} rows, peak RSS {figures['peak_rss_mb']:.0f} MB "
        f"(target ≤ {MEMORY_TARGET_MB:.0f} MB)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["full", "incremental"])
    parser.add_argument("--since", help="incremental: first day (ISO) instead of the runs'")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    setup_django()
    from apps.metrics.models import MetricRow

    print(f"metric rows stored before: {MetricRow.objects.count():,}")
    if args.mode == "full":
        figures, target = run(None), FULL_TARGET_S
    else:
        from apps.ingestion.selectors import runs_changed_from

        since = date.fromisoformat(args.since) if args.since else runs_changed_from()
        if since is None:
            print("no sync run recorded a change: nothing to recompute", file=sys.stderr)
            return 1
        figures, target = run(since), INCREMENTAL_TARGET_S
    report(figures, target)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
