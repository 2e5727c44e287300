"""Shared pytest fixtures and the security fuzzing's case count at the end of the session."""


def pytest_terminal_summary(terminalreporter) -> None:
    from tests.security.tally import CASES

    if CASES:
        parts = ", ".join(f"{kind}: {n:,}" for kind, n in sorted(CASES.items()))
        total = sum(CASES.values())
        terminalreporter.write_line(
            f"security fuzzing: {total:,} cases run ({parts}); a server error fails its test"
        )
