"""How many cases the security fuzzing ran, by kind; printed at the end of the session by
tests/conftest.py (`pytest_terminal_summary`)."""

from collections import Counter

CASES: Counter[str] = Counter()


def count(kind: str, cases: int = 1) -> None:
    CASES[kind] += cases
