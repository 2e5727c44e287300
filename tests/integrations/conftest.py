"""Fixtures shared by the HTTP client tests: a fake sleep and a `responses` mock."""

from collections.abc import Iterator
from typing import Any

import pytest
import responses


class FakeSleep:
    """Records the waits a client asks for instead of sleeping (seconds, in order)."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def rsps() -> Iterator[Any]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
