"""The benchmark's database and process plumbing: refuse `test`, recreate a database, keep the
organisation's anchor in the database, and run each phase in a forked child so that its peak
RSS is its own (a phase's figures come back over a pipe).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from scale.worlds import cpu_s, rss_mb

FORBIDDEN = {"test"}
META_TABLE = "scale_org_meta"


def database_name(url: str) -> str:
    """The database a PostgreSQL DATABASE_URL names; SystemExit for anything else, or for a
    database this benchmark must never touch."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"DATABASE_URL must name a PostgreSQL database (got {parts.scheme}:)")
    name = parts.path.lstrip("/")
    if not name or name in FORBIDDEN:
        raise SystemExit(f"refusing to run against the database '{name}'")
    return name


def database_recreate(url: str) -> None:
    """Drop and create the database `url` names (through the `postgres` maintenance database);
    `migrate` then creates its tables."""
    import psycopg

    name = database_name(url)
    parts = urlsplit(url)
    admin = urlunsplit(
        (parts.scheme.replace("pgsql", "postgresql"), parts.netloc, "/postgres", parts.query, "")
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def meta_get_or_set(defaults: dict[str, str]) -> dict[str, str]:
    """The organisation's facts as first stored in this database (the `anchor` ending its three
    years, its `fraction`); missing keys are stored from `defaults` now. Later runs therefore
    regenerate exactly the worlds the stored data came from."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value text NOT NULL)"
        )
        for key, value in defaults.items():
            cursor.execute(
                f"INSERT INTO {META_TABLE} VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
                [key, value],
            )
        cursor.execute(f"SELECT key, value FROM {META_TABLE}")
        return dict(cursor.fetchall())


def _child(function: Callable[[], dict], conn) -> None:
    try:
        result = function()
        result["peak_rss_mb"] = round(rss_mb())
        result["cpu_s"] = round(cpu_s(), 1)
        conn.send(result)
    except BaseException:  # noqa: BLE001 - the parent reports it and goes on
        conn.send({"error": traceback.format_exc()})
    finally:
        conn.close()


def in_child(function: Callable[[], dict]) -> dict:
    """Run `function` in a forked child and return its dict plus `peak_rss_mb` (the child's
    peak RSS, which includes the ~140 MB of Python + Django it starts with) and `cpu_s` (its
    user + system CPU seconds: on a shared machine a steadier measure than wall time), or
    {"error": traceback} when it raised or died."""
    from django.db import connections

    connections.close_all()
    conn, child_conn = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_child, args=(function, child_conn))
    child.start()
    child_conn.close()
    try:
        result = conn.recv()
    except EOFError:
        result = {"error": f"the phase process died (pid {child.pid})"}
    child.join()
    if child.exitcode not in (0, None) and "error" not in result:
        result["error"] = f"exit code {child.exitcode}"
    return result


def env_setdefault(values: dict[str, str]) -> None:
    for name, value in values.items():
        os.environ.setdefault(name, value)


def _due_tables(cursor) -> list[str]:
    """Tables autovacuum would analyze now (its default threshold: 50 rows + 10 %)."""
    cursor.execute(
        "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
        " WHERE s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)"
    )
    return [row[0] for row in cursor.fetchall()]


@contextmanager
def autoanalyze() -> Iterator[list[str]]:
    """When the server runs without autovacuum (this one does), analyze the tables it would
    have analyzed, every `autovacuum_naptime`, while the block runs; yields the list of tables
    analyzed. Without statistics the planner misjudges the sync's lookups by (source, id) and
    scans the whole source per page (docs/performance.md#a-three-year-organisation), which
    production, where autovacuum is on, does not see."""
    from django.db import connection, connections

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setting FROM pg_settings WHERE name IN "
            "('autovacuum', 'autovacuum_naptime') ORDER BY name"
        )
        enabled, naptime = (row[0] for row in cursor.fetchall())
    done: list[str] = []
    stop = threading.Event()

    def loop() -> None:
        try:
            while not stop.wait(float(naptime)):
                with connections["default"].cursor() as cursor:
                    for table in _due_tables(cursor):
                        cursor.execute(f'ANALYZE "{table}"')
                        done.append(table)
        finally:
            connections.close_all()

    thread = threading.Thread(target=loop, name="autoanalyze", daemon=True)
    if enabled == "off":
        thread.start()
    try:
        yield done
    finally:
        stop.set()
        if thread.is_alive():
            thread.join()


def vacuum_analyze() -> float:
    """`VACUUM (ANALYZE)` of the whole database, as autovacuum would do after a bulk write;
    seconds taken."""
    from django.db import connection

    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - began
