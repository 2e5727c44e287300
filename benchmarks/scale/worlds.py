"""The simulated upstreams of the scale organisation, and the process that serves one.

Each world is generated deterministically from the plan's seed over the three years ending at
the plan's anchor, so the `hourly` phase regenerates exactly the world the first sync read and
only adds the last hour to it. A world is served by a child process (as bench_github_sync
does: in the syncing process the simulator would compete with the sync for the interpreter
lock) on the plan's fixed port for that upstream; the upstream rate limits (REST requests and
GraphQL points) are lifted (the benchmark measures Keel, not a 5,000-an-hour budget).
"""

from __future__ import annotations

import multiprocessing
import resource
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from integrations.simulator import Simulator, generate_github_world
from integrations.simulator.jira import JiraProvider, generate_jira_world
from integrations.simulator.pagerduty import PagerDutyProvider, generate_pagerduty_world
from scale import hourly
from scale import plan as p
from scale.dora import dora_shape

READY_TIMEOUT_S = 3600  # generating the whole organisation's Jira takes a while


def rss_mb() -> float:
    """Peak RSS of this process in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """User + system CPU seconds this process has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def github_world(plan: p.Plan):
    """The GitHub world, with the reverts and hotfixes of scale.dora."""
    world = generate_github_world(
        seed=plan.seed,
        repos=p.REPOS,
        pulls=plan.count("pulls"),
        issues=plan.count("github_issues"),
        releases=plan.count("releases"),
        owner=p.OWNER,
        start=plan.start,
        end=plan.anchor,
        deployments_per_repo=round(plan.count("deployments") / p.REPOS),
        tags_per_repo=round(plan.count("tags") / p.REPOS),
        logins=p.author_pools(),
    )
    dora_shape(world, plan.seed)
    return world


def jira_world(plan: p.Plan):
    keys = tuple(p.project_key(i) for i in range(len(p.TEAMS)))
    staff = {
        p.project_key(i): tuple(x.jira for x in p.members(slug))
        for i, (slug, _) in enumerate(p.TEAMS)
    }
    return generate_jira_world(
        seed=plan.seed + 1,
        projects=keys,
        issues=plan.count("jira_issues"),
        start=plan.start,
        end=plan.anchor,
        people=staff[keys[0]],
        offset_hours=2,
        project_people=staff,
        resolved_share=0.93,
    )


def pagerduty_world(plan: p.Plan):
    return generate_pagerduty_world(
        seed=plan.seed + 2,
        services={sid: name for sid, name, _, _ in p.services()},
        incidents=plan.count("incidents"),
        start=plan.start,
        end=plan.anchor,
        open_share=0.002,
        high_share=0.3,
    )


WORLDS = {"github": github_world, "jira": jira_world, "pagerduty": pagerduty_world}


def _simulator(kind: str, world, plan: p.Plan) -> Simulator:
    port, token = plan.port(kind), p.TOKENS[kind]
    if kind == "github":
        return Simulator(
            github=world, token=token, rate_limit=10**9, graphql_rate_limit=10**9, port=port
        )
    simulator = Simulator(port=port)
    if kind == "jira":
        simulator.add_provider(JiraProvider(world, email=p.JIRA_EMAIL, token=token))
    else:
        simulator.add_provider(PagerDutyProvider(world, token=token, rate_limit=10**9))
    return simulator


def serve(kind: str, plan: p.Plan, window: hourly.Window | None, conn) -> None:
    """Child process: generate the world (plus the last hour when `window` is given), serve it,
    then answer "stats" (requests by status, peak RSS) until "stop"."""
    try:
        began = time.perf_counter()
        world = WORLDS[kind](plan)
        added = hourly.ADDERS[kind](world, plan, window) if window is not None else None
        generated = time.perf_counter() - began
        simulator = _simulator(kind, world, plan)
        simulator.start()
    except Exception:  # noqa: BLE001 - report any failure to the parent, which raises it
        conn.send({"error": traceback.format_exc()})
        return
    with simulator:
        conn.send(
            {
                "base_url": simulator.base_url,
                "generate_s": generated,
                "generate_cpu_s": cpu_s(),
                "rss_mb": rss_mb(),
                "hourly": added,
            }
        )
        while conn.recv() != "stop":
            statuses = Counter(r.status for r in simulator.requests)
            conn.send(
                {
                    "requests": sum(statuses.values()),
                    "statuses": dict(statuses),
                    "rss_mb": rss_mb(),
                    "cpu_s": cpu_s(),
                }
            )


@contextmanager
def served(kind: str, plan: p.Plan, window: hourly.Window | None = None) -> Iterator[tuple]:
    """Serve `kind`'s world from a child process; yields (ready message, stats function).
    Raises RuntimeError with the child's traceback when it could not start."""
    from django.db import connections

    connections.close_all()  # never share a database socket with a forked child
    conn, child_conn = multiprocessing.Pipe()
    child = multiprocessing.get_context("fork").Process(
        target=serve, args=(kind, plan, window, child_conn), daemon=True
    )
    child.start()
    try:
        if not conn.poll(READY_TIMEOUT_S):
            raise RuntimeError(f"{kind} simulator not ready after {READY_TIMEOUT_S} s")
        ready = conn.recv()
        if "error" in ready:
            raise RuntimeError(f"{kind} simulator failed:\n{ready['error']}")
        if ready["base_url"] != plan.base_url(kind):
            raise RuntimeError(
                f"{kind} simulator at {ready['base_url']}, expected {plan.base_url(kind)}"
            )

        def stats() -> dict:
            conn.send("stats")
            return conn.recv()

        yield ready, stats
    finally:
        if child.is_alive():
            conn.send("stop")
            child.join(timeout=30)
        if child.is_alive():
            child.terminate()
            child.join()
