"""urllib3 retries for 5xx, connect and read errors, counted and with an injectable sleep; and
the one reader of ``Retry-After`` that every provider client uses."""

from __future__ import annotations

import email.utils
import math
import time
from datetime import UTC
from typing import Any

from urllib3.util.retry import Retry

from integrations.http.types import ClientStats, Sleep

RETRY_STATUSES = frozenset({500, 502, 503, 504})


class CountingRetry(Retry):
    """urllib3 ``Retry`` that counts attempts into :class:`ClientStats` and sleeps through an
    injectable function (so tests never really sleep).

    urllib3 calls ``increment()`` once per failed attempt and builds each next ``Retry`` with
    ``new()``, which is why both carry the shared ``stats`` and ``sleeper`` along.
    """

    # 429 and 413 are rate limits, handled by BaseClient with the provider's rules; urllib3 must
    # not retry them on its own. A 503's Retry-After is still honoured (capped by retry_after_max).
    RETRY_AFTER_STATUS_CODES = frozenset({503})

    def __init__(
        self, *args: Any, stats: ClientStats | None = None, sleep: Sleep = time.sleep, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.stats = stats if stats is not None else ClientStats()
        self.sleeper = sleep

    def new(self, **kw: Any) -> CountingRetry:
        retry = super().new(**kw)
        retry.stats, retry.sleeper = self.stats, self.sleeper
        return retry

    def increment(self, *args: Any, **kw: Any) -> CountingRetry:
        self.stats.requests += 1  # the attempt that just failed
        retry = super().increment(*args, **kw)  # raises MaxRetryError once exhausted
        self.stats.retries += 1
        return retry

    def sleep(self, response: Any = None) -> None:
        seconds = self.get_retry_after(response) if response is not None else None
        if not seconds:
            seconds = self.get_backoff_time()
        if seconds > 0:
            self.sleeper(seconds)


def retry_after_seconds(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value, at ``now`` (epoch seconds).

    # RFC 9110 §10.2.3: https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
    Either delta-seconds (``120``; a decimal such as ``0.5`` is accepted too) or an HTTP-date
    (``Fri, 31 Dec 1999 23:59:59 GMT``, or the obsolete RFC 850 and asctime forms), which is
    read as GMT and turned into the seconds left until it. A negative delay or a date already
    past is 0. None when the value is absent or neither form (e.g. ``inf``, ``soon``).
    """
    text = (value or "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:  # asctime or "-0000": HTTP-dates are always GMT
            moment = moment.replace(tzinfo=UTC)
        seconds = moment.timestamp() - now
    return max(seconds, 0.0) if math.isfinite(seconds) else None
