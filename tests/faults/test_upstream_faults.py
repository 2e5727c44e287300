"""Every upstream endpoint fails once — 429 with and without Retry-After, 502, a timeout — and the
syncs still end with exactly the rows of a clean sync (docs/operations.md#syncs-and-failures).

The endpoints are not listed here: they are read from a clean run's simulator request log
(GitHub, GitLab, Jira and PagerDuty, first and incremental sync), and one fault rule per endpoint is
added before the faulted run. Each rule must be met exactly once.
"""

from dataclasses import dataclass

import pytest

from integrations.simulator import FaultRule
from tests.faults.conftest import (
    endpoint_regex,
    endpoint_template,
    endpoint_templates,
    now_seconds,
    rows_snapshot,
    scenario_sync,
    serving,
    sources_forget,
)

TIMEOUT = 0.3  # the client's timeout in the timeout case, seconds
NO_HEADER_WAIT = 0.01  # GitHub's, GitLab's and PagerDuty's 60 s no-header wait, shrunk for the test

# Endpoints the issue names; the clean run must reach them, or the world is too small.
NAMED = {
    "github": {
        "/repos/{}/{}",
        "/graphql",
        "/repos/{}/{}/commits/{}",
        "/repos/{}/{}/deployments/{}/statuses",
    },
    "github-rest": {
        "/repos/{}/{}",
        "/repos/{}/{}/pulls",
        "/repos/{}/{}/pulls/{}",
        "/repos/{}/{}/commits/{}",
        "/repos/{}/{}/deployments/{}/statuses",
        "/repositories/{}/pulls",
    },
    "gitlab": {
        "/api/{}/groups/acme/projects",
        "/api/{}/projects/{}/merge_requests",
        "/api/{}/projects/{}/merge_requests/{}/diffs",
        "/api/{}/projects/{}/repository/tags",
    },
    "jira": {"/rest/api/{}/myself", "/rest/api/{}/field", "/rest/api/{}/search/jql"},
    "pagerduty": {"/services/{}", "/incidents", "/incidents/{}"},
}


# Pull requests over GraphQL (the default): the rows always equal a clean sync's, but two
# request counts are not yet one extra request per failed endpoint. A 502 makes the GraphQL
# client halve its page size (a timed-out query), which can cost one more page; a 429 with
# `Retry-After: 0` counts fewer extra requests than faults (under investigation).
GRAPHQL_COUNTS_DIFFER = {
    "502": "a 502 halves the GraphQL page size: one more page than a clean sync",
    "429 with Retry-After": "fewer extra requests counted than 429s answered",
}


@dataclass(frozen=True)
class Fault:
    """One kind of fault: the rule that injects it at a path regex."""

    name: str
    status: int | None = None
    retry_after: float | None = None
    delay: float = 0.0

    def rule(self, path: str) -> FaultRule:
        return FaultRule(
            path=path, status=self.status, retry_after=self.retry_after, delay=self.delay, times=1
        )


FAULTS = [
    Fault("429 with Retry-After", status=429, retry_after=0),
    Fault("429 without Retry-After", status=429),
    Fault("502", status=502),
    Fault("timeout", delay=TIMEOUT * 2),
]


@pytest.fixture
def fast_waits(settings, monkeypatch) -> None:
    """A short client timeout, and the no-header rate-limit waits shrunk (the real ones are
    60 s; the code path is the same)."""
    settings.KEEL_HTTP_TIMEOUT_SECONDS = TIMEOUT
    monkeypatch.setattr("integrations.github.limits.SECONDARY_BACKOFF_SECONDS", NO_HEADER_WAIT)
    monkeypatch.setattr("integrations.pagerduty.client.NO_HEADER_WAIT_SECONDS", NO_HEADER_WAIT)
    monkeypatch.setattr("integrations.gitlab.limits.DEFAULT_BACKOFF_SECONDS", NO_HEADER_WAIT)


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
@pytest.mark.parametrize("provider", ["github", "github-rest", "gitlab", "jira", "pagerduty"])
def test_every_endpoint_failing_once_gives_the_rows_of_a_clean_sync(
    request, db, fast_waits, provider: str, fault: Fault
) -> None:
    if provider == "github" and fault.name in GRAPHQL_COUNTS_DIFFER:
        request.applymarker(pytest.mark.xfail(reason=GRAPHQL_COUNTS_DIFFER[fault.name]))
    now = now_seconds()
    with serving(provider, now) as upstream:
        clean = scenario_sync(upstream)
    assert [s.run.status for s in clean] == ["succeeded", "succeeded"], clean[-1].run.error
    want = rows_snapshot()
    # Each endpoint fails once in the scenario: at the first step that reaches it.
    first = endpoint_templates(clean[0].requests)
    templates = [first, endpoint_templates(clean[1].requests) - first]
    assert NAMED[provider] <= templates[0] | templates[1]
    sources_forget()

    with serving(provider, now) as upstream:
        faults = upstream.simulator.faults

        def inject(step: int) -> list[FaultRule]:
            return [faults.add(fault.rule(endpoint_regex(t))) for t in sorted(templates[step])]

        faulted = scenario_sync(upstream, inject)
        left = faults.rules

    assert rows_snapshot() == want
    assert not left, f"endpoints never reached: {[r.path for r in left]}"
    for step, base, count in zip(faulted, clean, map(len, templates), strict=True):
        run = step.run
        assert run.status == "succeeded", run.error
        assert [r.hits for r in step.rules] == [1] * count  # every endpoint failed exactly once
        extra = run.requests_made - base.run.requests_made
        if fault.name == "timeout":  # a slow CI host may time out one more request, no fewer
            assert extra >= count
        else:
            assert extra == count  # one more request per failed endpoint
        waits = count if fault.status == 429 else 0
        assert run.rate_limit_waits == waits
        if fault.retry_after == 0:
            assert run.rate_limit_wait_seconds == 0
        elif waits:
            assert run.rate_limit_wait_seconds >= waits * NO_HEADER_WAIT * 0.999  # float sums


def test_endpoint_templates_name_ids_and_repos_not_pages() -> None:
    assert endpoint_template("/repos/acme/api/pulls/12") == "/repos/{}/{}/pulls/{}"
    assert endpoint_template("/repositories/901/pulls") == "/repositories/{}/pulls"
    assert endpoint_template("/incidents/Q0000007SIM") == "/incidents/{}"
    assert endpoint_template("/incidents") == "/incidents"
    regex = endpoint_regex("/repos/{}/{}/pulls")
    rule = FaultRule(path=regex)
    assert rule.matches("/repos/acme/api/pulls?page=2&per_page=5")
    assert not rule.matches("/repos/acme/api/pulls/3")
    assert not rule.matches("/repos/acme/api/pulls2")
