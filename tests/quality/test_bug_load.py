"""Hand-computed bug_fix_share, churn_risk and engineers_at_risk
(docs/metrics.md#bug-fix-load-per-engineer).

Defaults: churn window 90 days, bug_share_threshold 0.5, min_items 5. NOW is Wed 18 Mar 2026.
"""

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from apps.metrics.registry import ComputeContext
from apps.quality.bug_load import NO_ITEMS_NOTE, churn_of, fix_components, work_items
from tests.quality.frames import at, jira, pulls

NOW = at("2026-03-18T12:00:00+00:00")
PEOPLE = {("jira", "acc-bob"): "bob@acme.test", ("github", "ann-gh"): "ann@acme.test"}
TEAMS = {"bob@acme.test": "platform", "ann@acme.test": "platform", "carol@acme.test": "payments"}
WEEK = date(2026, 3, 2)


def story(key, resolved, **kw):
    return {
        "key": key,
        "issue_type": "Story",
        "assignee_id": "acc-bob",
        "reporter_id": "acc-bob",
        "created_at": "2026-03-01T00:00:00Z",
        "resolved_at": resolved,
        **kw,
    }


# The PRs' commit and file history (apps.quality.selectors.fix_history): #10 changes 10 lines,
# 8 of them in files someone else last changed; #20's first commit is 11 days before its merge
# and its files were last changed by ann herself; #11's files are not stored.
HISTORY = pd.DataFrame(
    {
        "repo": ["acme/api", "acme/api", "acme/api"],
        "number": [10, 11, 20],
        "first_commit_at": pd.to_datetime(
            ["2026-03-01T00:00Z", None, "2026-02-20T00:00Z"], utc=True
        ),
        "others_lines": [8.0, np.nan, 0.0],
        "file_lines": [10.0, np.nan, 10.0],
    }
)


def items(history=HISTORY):
    issues = jira(
        story("API-1", "2026-03-03T00:00:00Z", issue_type="Bug", reporter_id="acc-zed"),
        # fixed by PR #20: 10 lines, first commit 20 Feb, merged 3 Mar: small and slow
        story("API-2", "2026-03-03T00:00:00Z", issue_type="Bug", created_at="2026-02-20T00:00Z"),
        story("API-3", "2026-03-03T00:00:00Z", issue_type="Sub-task", subtask=True),  # excluded
        story("API-4", "2026-03-04T00:00:00Z"),
        story("API-5", "2026-03-05T00:00:00Z", issue_type="Bug", reporter_id="acc-zed"),
        story("API-6", "2026-03-05T00:00:00Z"),
        story("API-7", "2025-12-01T00:00:00Z"),  # the previous window: share 0
        story("API-8", None, issue_type="Bug"),  # unresolved: no item
    )
    prs = pulls(
        {
            "number": 10,
            "user_login": "ann-gh",
            "body": "Fixes #3",
            "created_at": "2026-03-02T00:00Z",
            "merged_at": "2026-03-03T00:00Z",
        },
        {
            "number": 11,
            "user_login": "ann-gh",
            "labels": ["bug"],
            "created_at": "2026-03-02T00:00Z",
            "merged_at": "2026-03-04T00:00Z",
        },
        {
            "number": 20,
            "user_login": "ann-gh",
            "title": "API-2 fix",
            "issue_key": "API-2",
            "additions": 6.0,
            "deletions": 4.0,
            "created_at": "2026-03-02T00:00Z",
            "merged_at": "2026-03-03T00:00Z",
        },
        {
            "number": 21,
            "user_login": "dependabot[bot]",
            "user_type": "Bot",
            "created_at": "2026-03-02T00:00Z",
            "merged_at": "2026-03-03T00:00Z",
        },
    )
    found = work_items(
        issues,
        prs,
        {("acme/api", 3): "zed"},
        jira_types=["Bug"],
        github_labels=["bug"],
        people=PEOPLE,
        teams=TEAMS,
    )
    return fix_components(found, prs, history)


def test_work_items() -> None:
    got = items().set_index("ref")
    # The sub-task, the unresolved bug, the PR referencing API-2 and the bot's PR are no items.
    assert sorted(got.index) == [
        "API-1",
        "API-2",
        "API-4",
        "API-5",
        "API-6",
        "API-7",
        "acme/api#10",
        "acme/api#11",
    ]
    assert got["bug"].to_dict() == {
        "API-1": True,
        "API-2": True,
        "API-4": False,
        "API-5": True,
        "API-6": False,
        "API-7": False,
        "acme/api#10": True,
        "acme/api#11": True,
    }
    assert got.loc["API-2", "small_slow"] == 1.0 and got.loc["API-2", "by_other"] == 0.0
    # API-1 and API-5 have no PR: both components unknown.
    assert math.isnan(got.loc["API-1", "small_slow"]) and math.isnan(got.loc["API-1", "by_other"])
    assert got.loc["acme/api#10", "by_other"] == 1.0  # 8 of its 10 lines: others' files
    assert got.loc["acme/api#10", "small_slow"] == 0.0  # first commit 2 days before the merge
    assert math.isnan(got.loc["acme/api#11", "by_other"])  # its files are not stored
    assert math.isnan(got.loc["API-4", "by_other"])  # not a bug


def test_churn_risk_components() -> None:
    bob = items()[lambda f: f["person"] == "bob@acme.test"]
    risk = churn_of(bob, end=NOW, window_days=90, threshold=0.5, min_items=5)
    # Window (18 Dec 12:00, 18 Mar 12:00]: API-1, 2, 4, 5, 6 → 3 bugs / 5 = 0.6.
    # Previous window: API-7 only → 0. rise = (0.6 - 0) / 0.5 = 1.2 → 1.
    # Only API-2 has a PR (API-1 and API-5 are unknown, left out): repairs of others' code 0/1,
    # small and slow 1/1. score = 0.4·min(1, 0.6/0.5) + 0.2·1 + 0.2·0 + 0.2·1 = 0.8
    assert (risk.items, risk.bug_share, risk.previous_share, risk.rise) == (5, 0.6, 0.0, 1.0)
    assert (risk.by_others, risk.small_slow) == (0.0, 1.0)
    assert risk.score == 0.8


def test_unknown_components_are_left_out_and_the_weights_rescaled() -> None:
    bob = items(history=None)[lambda f: f["person"] == "bob@acme.test"]
    bob = bob[bob["ref"] != "API-2"]  # no bug of bob's with a PR: both components unknown
    risk = churn_of(bob, end=NOW, window_days=90, threshold=0.5, min_items=3)
    # share 2/4 = 0.5 → bug 1, rise 1: (0.4·1 + 0.2·1) / 0.6 = 1.0
    assert (risk.by_others, risk.small_slow, risk.score) == (None, None, 1.0)
    assert risk.note(3).endswith(
        "score = (0.4·bug + 0.2·rise) / 0.6; unknown, left out and the other weights "
        "rescaled: repairs of others' code, small fixes that took long"
    )


@pytest.mark.django_db
def test_share_and_at_risk_rows() -> None:
    from apps.quality.bug_load_metrics import load_compute_frame

    frame = load_compute_frame(items(), TEAMS, ComputeContext(tz="UTC", now=NOW))
    got = {
        (r.metric, r.scope, r.scope_key, r.granularity, r.period_start): (r.value, r.note)
        for r in frame.itertuples()
    }
    # ann's only items are bug fixes (#10 closes bug #3, #11 has the bug label) → 2/2 = 1.
    assert got[("bug_fix_share", "engineer", "ann@acme.test", "week", WEEK)][0] == 1.0
    # bob in the week of 2 Mar: API-1, 2, 5 bugs of API-1, 2, 4, 5, 6 → 3/5.
    assert got[("bug_fix_share", "engineer", "bob@acme.test", "week", WEEK)][0] == 0.6
    # The team pools its members' items: (3 + 2) / (5 + 2) = 5/7.
    assert got[("bug_fix_share", "team", "platform", "week", WEEK)][0] == 5 / 7
    value, note = got[("bug_fix_share", "engineer", "carol@acme.test", "week", WEEK)]
    assert math.isnan(value) and note == NO_ITEMS_NOTE  # an engineer with no items
    value, note = got[("churn_risk", "engineer", "ann@acme.test", "week", date(2026, 3, 16))]
    assert math.isnan(value)
    assert note == "2 work item(s) in the window, fewer than churn.min_items (5)"
    value, note = got[("churn_risk", "engineer", "bob@acme.test", "week", date(2026, 3, 16))]
    assert value == 0.8 and note.startswith("bug share 0.60 (previous window 0.00, rise 1.00)")
    assert got[("engineers_at_risk", "team", "platform", "week", date(2026, 3, 16))][0] == 1.0
    assert got[("engineers_at_risk", "org", "", "month", date(2026, 3, 1))][0] == 1.0


@pytest.mark.django_db
def test_engineers_at_risk_says_how_many_could_not_be_scored() -> None:
    from apps.quality.bug_load_metrics import load_compute_frame

    frame = load_compute_frame(items(), TEAMS, ComputeContext(tz="UTC", now=NOW))
    got = {
        (r.scope, r.scope_key, r.period_start): (r.value, r.sample_size, r.note)
        for r in frame[
            (frame.metric == "engineers_at_risk") & (frame.granularity == "week")
        ].itertuples()
    }
    week = date(2026, 3, 16)
    # platform: bob scored (at risk), ann has 2 items; payments: carol has none.
    assert got[("team", "platform", week)] == (
        1.0,
        2,
        "1 of 2 engineers not scored: fewer than 5 items",
    )
    value, size, note = got[("team", "payments", week)]
    assert math.isnan(value) and size == 1
    assert note == "1 of 1 engineers not scored: fewer than 5 items"
    assert got[("org", "", week)] == (1.0, 3, "2 of 3 engineers not scored: fewer than 5 items")


def test_churn_grid_equals_churn_of_for_every_person_and_end():
    """The vectorised grid the metric family uses gives exactly `churn_of`'s answers."""
    import numpy as np
    import pandas as pd

    from apps.quality.bug_load import churn_grid

    rng = np.random.default_rng(5)
    n = 3000
    bug = rng.random(n) < 0.4
    frame = pd.DataFrame(
        {
            "person": rng.choice(["a@x", "b@x", "c@x", "d@x"], n),
            "team": "t",
            "kind": "jira",
            "ref": [f"K-{i}" for i in range(n)],
            "completed_at": pd.to_datetime(
                rng.integers(1_700_000_000, 1_760_000_000, n), unit="s", utc=True
            ),
            "bug": bug,
            "by_other": np.where(
                bug & (rng.random(n) < 0.8), (rng.random(n) < 0.5).astype(float), np.nan
            ),
            "small_slow": bug & (rng.random(n) < 0.3),
        }
    )
    ends = [
        pd.Timestamp(t, unit="s", tz="UTC").to_pydatetime()
        for t in range(1_700_500_000, 1_760_500_000, 3_000_000)
    ]
    people = ["a@x", "b@x", "c@x", "d@x", "nobody@x"]
    grid = churn_grid(frame, people=people, ends=ends, window_days=30, threshold=0.5, min_items=5)
    for person in people:
        mine = frame[frame["person"] == person]
        for i, end in enumerate(ends):
            expected = churn_of(mine, end=end, window_days=30, threshold=0.5, min_items=5)
            assert grid[(person, i)] == expected, (person, end)
    assert sum(c.score is not None and c.score >= 0.5 for c in grid.values()) > 0
