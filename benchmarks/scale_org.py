"""Benchmark: build a three-year organisation at scale through the simulator and the real sync and
import code, and measure it (docs/performance.md#a-three-year-organisation).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keel_scale_tenth \\
        .venv/bin/python benchmarks/scale_org.py --fraction 0.1 --fresh
    DATABASE_URL=... .venv/bin/python benchmarks/scale_org.py --fraction 0.1 --phases hourly

The whole organisation (`--fraction 1`): 12 teams, 150 engineers, 60 repos, 200,000 pull
requests, 60,000 GitHub issues, 6,000 releases, 6,000 tags, 12,000 deployments, 1,000,000
Jira issues in 12 projects, 50,000 incidents on 80 PagerDuty services, 5,000,000 cost lines,
over the three years ending at the database's anchor (today 00:00 UTC when first built, then
kept in the database). `--fraction F` scales every record count by F; the cast (teams, people
and their identities, repos, projects, services, customers, 36 revenue months) stays the same.
See benchmarks/scale/ for how each part is made.

Phases (`--phases`, default github,jira,pagerduty,costs,check,sizes; each in its own process,
so a failed one can be re-run alone and its peak RSS is its own):
- github, jira, pagerduty: generate the world (deterministic) and serve it from a simulator
  process on a fixed port per fraction; run `source_sync` (incremental: the first run reads
  everything, a re-run continues from the cursors; `--full` forgets them);
- costs: write the monthly FOCUS files under var/scale-costs/<database>/ and import them with
  `cost_exports_scan` (the beat task's service; on PostgreSQL the COPY fast path);
- check: identities matched (people with PRs and Jira issues), bugs, releases, go-lives, ...;
- sizes: rows, pg_total_relation_size and MB per million rows per main table, written with the
  phases' figures to benchmarks/results/scale-<fraction>.json (and the growth from any other
  fraction's results file);
- hourly (not in the default): regenerate each world, add ~500 records dated in the last hour
  and run the incremental `source_sync` as the hourly beat task does (without its metric
  recompute). No phase computes metrics.
The config is applied (`config_apply`, prune) before the phases on every run. PostgreSQL only;
refuses the database `test`. `--fresh` drops and recreates the database, then migrates.
On a server without autovacuum (like this machine's) the write phases analyze the tables
autovacuum would have analyzed while they run, and every write phase ends with
`VACUUM (ANALYZE)` (its time reported apart), so the figures and the database left behind are
those of a production server.
"""

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from common import ROOT, setup_django  # noqa: E402 - sets up the path first
from scale import config as c  # noqa: E402
from scale import plan as p  # noqa: E402
from scale import runner, sizes  # noqa: E402
from scale.hourly import HOUR, Window  # noqa: E402

DEFAULT_PHASES = "github,jira,pagerduty,costs,check,sizes"
ALL_PHASES = (*DEFAULT_PHASES.split(","), "hourly")


def _echo(every: float = 30.0):
    """A progress callback that prints at most every `every` seconds."""
    last = [0.0]

    def echo(message: str) -> None:
        if time.monotonic() - last[0] >= every:
            last[0] = time.monotonic()
            print(f"    {datetime.now(UTC):%H:%M:%S} {message}", flush=True)

    return echo


def sync_phase(
    kind: str, plan: p.Plan, *, full: bool = False, window: Window | None = None
) -> dict:
    """Serve `kind`'s world (plus the records of the hourly `window`) and sync its source;
    the figures as a dict."""
    from scale.worlds import served

    from apps.ingestion.services import source_sync
    from apps.organization.models import Source

    source = Source.objects.get(name=kind)
    with served(kind, plan, window) as (ready, stats), runner.autoanalyze() as analyzed:
        began = time.perf_counter()
        run = source_sync(source=source, full=full, echo=_echo())
        synced = time.perf_counter() - began
        simulator = stats()
    return {
        "status": str(run.status),
        "error": run.error[:2000],
        "generate_s": round(ready["generate_s"], 1),
        "sync_s": round(synced, 1),
        "autoanalyze": len(analyzed),
        "vacuum_s": round(runner.vacuum_analyze(), 1),
        "requests": run.requests_made,
        "not_modified": run.not_modified,
        "rows_written": sum(run.counts.values()),
        "simulator_statuses": simulator["statuses"],
        "simulator_peak_rss_mb": round(simulator["rss_mb"]),
        "simulator_cpu_s": round(simulator["cpu_s"] - ready["generate_cpu_s"], 1),
        "hourly": ready["hourly"],
    }


def cost_dir(plan: p.Plan) -> Path:
    name = runner.database_name(os.environ["DATABASE_URL"])
    return ROOT / "var" / "scale-costs" / f"{name}-{plan.fraction:g}"


def costs_phase(plan: p.Plan) -> dict:
    """Write the FOCUS export, then import it through the configured export's scan."""
    from scale.costs import export_write_in_child

    from apps.ingestion import cost_files as services
    from apps.ingestion.cost_files import cost_exports_scan

    began = time.perf_counter()
    export_write_in_child(plan, cost_dir(plan))
    written = time.perf_counter() - began
    fast: list[int] = []
    copy = services.lines_copy_focus

    def copy_noted(**kw):
        fast.append(1)
        return copy(**kw)

    services.lines_copy_focus = copy_noted
    began = time.perf_counter()
    with runner.autoanalyze():
        imports = cost_exports_scan()
    imported = time.perf_counter() - began
    failed = [f"{r.path}: {r.error}" for r in imports if r.status == "failed"]
    fresh = [r for r in imports if r.status == "succeeded" and not getattr(r, "unchanged", False)]
    return {
        "status": "failed" if failed else "succeeded",
        "error": "; ".join(failed)[:2000],
        "generate_s": round(written, 1),
        "import_s": round(imported, 1),
        "files": len(imports),
        "files_imported": len(fresh),
        "fast_path_files": len(fast),
        "rows_written": sum(r.rows for r in fresh),
        "vacuum_s": round(runner.vacuum_analyze(), 1),
    }


def check_phase(_plan: p.Plan) -> dict:
    from scale.check import check_measure

    return {"status": "succeeded", "figures": check_measure()}


def sizes_phase(_plan: p.Plan) -> dict:
    return {"status": "succeeded", "sizes": sizes.sizes_measure()}


def phase_run(name: str, plan: p.Plan, full: bool) -> dict:
    """Run one phase in a child process and print its figures."""
    print(f"{datetime.now(UTC):%H:%M:%S} phase {name} ...", flush=True)
    began = time.perf_counter()
    jobs = {
        "github": lambda: sync_phase("github", plan, full=full),
        "jira": lambda: sync_phase("jira", plan, full=full),
        "pagerduty": lambda: sync_phase("pagerduty", plan, full=full),
        "costs": lambda: costs_phase(plan),
        "check": lambda: check_phase(plan),
        "sizes": lambda: sizes_phase(plan),
    }
    result = runner.in_child(jobs[name])
    result["wall_s"] = round(time.perf_counter() - began, 1)
    _report(name, result)
    return result


def _report(name: str, result: dict) -> None:
    shown = {k: v for k, v in result.items() if k not in ("figures", "sizes", "hourly")}
    print(f"  {name}: {shown}", flush=True)
    if result.get("hourly"):
        print(f"  {name} last hour upstream: {result['hourly']}")
    if result.get("figures"):
        from scale.check import check_print

        check_print(result["figures"])
    if result.get("sizes"):
        sizes.sizes_print(result["sizes"])


def hourly_window() -> Window:
    """The last hour, or since the PagerDuty source's newest cursor when that is later (a
    build less than an hour ago); at least two minutes long (waits if need be)."""
    from apps.ingestion.models import SyncCursor

    values = SyncCursor.objects.filter(source__name="pagerduty").values_list("value", flat=True)
    newest = max((datetime.fromisoformat(v) for v in values if v), default=None)
    now = datetime.now(UTC).replace(microsecond=0)
    start = max(now - HOUR, newest or now - HOUR).replace(microsecond=0)
    if (now - start).total_seconds() < 120:
        time.sleep(120 - (now - start).total_seconds())
        now = datetime.now(UTC).replace(microsecond=0)
    return Window(start=start, end=now)


def hourly_run(plan: p.Plan) -> dict:
    """The hourly incremental sync of each source against its world plus the last hour."""
    window = hourly_window()
    print(f"hourly window {window.start:%Y-%m-%d %H:%M:%S} .. {window.end:%H:%M:%S} UTC")
    out = {}
    for kind in p.KINDS:
        print(f"{datetime.now(UTC):%H:%M:%S} phase hourly {kind} ...", flush=True)
        began = time.perf_counter()
        result = runner.in_child(partial(sync_phase, kind, plan, window=window))
        result["wall_s"] = round(time.perf_counter() - began, 1)
        _report(f"hourly {kind}", result)
        out[f"hourly-{kind}"] = result
    return out


def config_apply_now(plan: p.Plan) -> float:
    import yaml

    from apps.organization.services import config_apply, config_load

    began = time.perf_counter()
    text = yaml.safe_dump(c.org_config(plan, cost_dir=cost_dir(plan)), sort_keys=False)
    config_apply(config=config_load(text=text), prune=True)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--phases", default=DEFAULT_PHASES)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    parser.add_argument("--full", action="store_true", help="sync phases forget their cursors")
    args = parser.parse_args()
    phases = [name.strip() for name in args.phases.split(",") if name.strip()]
    unknown = sorted(set(phases) - set(ALL_PHASES))
    if unknown or not 0 < args.fraction <= 1:
        parser.error(f"unknown phases {unknown}" if unknown else "--fraction must be in (0, 1]")
    url = os.environ.get("DATABASE_URL") or parser.error("set DATABASE_URL (PostgreSQL)")
    runner.database_name(url)
    if args.fresh:
        runner.database_recreate(url)
    runner.env_setdefault(c.environment())
    setup_django()
    from django.conf import settings

    settings.DEBUG = False  # no query log growing through a million-row sync
    settings.KEEL_PAGERDUTY_HISTORY_DAYS = p.YEARS_DAYS + 30  # the first sync reads 3 years
    meta = runner.meta_get_or_set(
        {"anchor": p.anchor_today().isoformat(), "fraction": str(args.fraction)}
    )
    if float(meta["fraction"]) != args.fraction:
        sys.exit(
            f"this database holds the organisation at fraction {meta['fraction']}; "
            "use that fraction or --fresh"
        )
    plan = p.Plan(fraction=args.fraction, anchor=datetime.fromisoformat(meta["anchor"]))
    print(
        f"organisation at fraction {plan.fraction:g}: {plan.start:%Y-%m-%d} .. "
        f"{plan.anchor:%Y-%m-%d}; config applied in {config_apply_now(plan):.1f} s"
    )
    results: dict = {}
    for name in phases:
        if name == "hourly":
            results.update(hourly_run(plan))
            continue
        results[name] = phase_run(name, plan, args.full)
    stored = {name: {k: v for k, v in r.items() if k != "sizes"} for name, r in results.items()}
    extra = {"sizes": results["sizes"]["sizes"]} if "sizes" in results.get("sizes", {}) else {}
    path = sizes.results_update(plan.fraction, phases=stored, anchor=meta["anchor"], **extra)
    print(f"results: {path.relative_to(ROOT)}")
    if extra:
        sizes.growth_print(plan.fraction)


if __name__ == "__main__":
    main()
