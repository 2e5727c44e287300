"""Shared pytest fixtures and the security fuzzing's case count at the end of the session."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and on PostgreSQL, before it is dropped, the end of any
    session still connected to it. Threads of a live server that Chromium kept a connection
    open to (the single sign-on journey) can outlive their test with a database connection of
    their own, and PostgreSQL refuses to drop a database in use ("is being accessed by other
    users")."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()


def pytest_terminal_summary(terminalreporter) -> None:
    from tests.security.tally import CASES

    if CASES:
        parts = ", ".join(f"{kind}: {n:,}" for kind, n in sorted(CASES.items()))
        total = sum(CASES.values())
        terminalreporter.write_line(
            f"security fuzzing: {total:,} cases run ({parts}); a server error fails its test"
        )
