"""A bounded HTTP load generator for benchmarks: N client threads on one keep-alive pool send
a list of paths in turn until a deadline, timing every request; and the figures of such runs.

bench_api_load.py runs it in a process of its own, so that its threads share the interpreter
lock with nothing else. It sends only to the base URL it is given: the loopback server the
benchmark started.
"""

import statistics
import threading
import time
from collections import Counter

import urllib3


def request_headers(token: str) -> dict[str, str]:
    # X-Forwarded-Proto: what the TLS proxy sets (production redirects plain HTTP to HTTPS).
    return {
        "Authorization": f"Token {token}",
        "Accept": "application/json",
        "X-Forwarded-Proto": "https",
    }


def load_run(base_url: str, token: str, paths: list[str], clients: int, seconds: float) -> dict:
    """`clients` threads send `paths` in turn for `seconds`; each request is timed from sending
    it to reading the last byte of the body. Stops by itself (deadline; 30 s timeout a request).
    Returns {"latencies": [s], "statuses": {"200" or exception name: n}, "wall": s}."""
    pool = urllib3.HTTPConnectionPool(
        base_url.split("//")[1].split(":")[0],
        int(base_url.rsplit(":", 1)[1]),
        maxsize=clients,
        timeout=urllib3.Timeout(30),
        retries=False,
    )
    headers = request_headers(token)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock, deadline = threading.Lock(), time.perf_counter() + seconds

    def client(offset: int) -> None:
        i = offset
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                status = str(pool.request("GET", paths[i % len(paths)], headers=headers).status)
            except Exception as exc:  # noqa: BLE001 - every failure is a counted error
                status = type(exc).__name__
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
            i += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "statuses": statuses, "wall": time.perf_counter() - started}


def figures(runs: list[dict]) -> dict:
    """The figures of one endpoint over its turns: latencies in ms, requests per second of
    measured time, errors = answers other than 2xx plus exceptions."""
    latencies = [s for run in runs for s in run["latencies"]]
    statuses: Counter[str] = Counter()
    for run in runs:
        statuses.update(run["statuses"])
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / sum(r["wall"] for r in runs), 1),
        "p50_ms": round(cuts[49] * 1000, 1),
        "p95_ms": round(cuts[94] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
        "errors": sum(n for status, n in statuses.items() if not status.startswith("2")),
        "statuses": dict(statuses),
    }
