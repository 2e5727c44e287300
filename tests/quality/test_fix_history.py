"""The commit and file history behind the churn components (docs/metrics.md#churn_risk):
apps.quality.selectors.fix_history over stored pull requests, files and commits."""

from datetime import UTC, datetime

import pandas as pd
import pytest

from apps.delivery.models import PullRequest, PullRequestCommit, PullRequestFile
from apps.organization.models import Repo, Source
from apps.quality.selectors import fix_history


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, tzinfo=UTC)


def pull(repo, number, author, merged, files, user_type="User"):
    pr = PullRequest.objects.create(
        repo=repo,
        external_id=number,
        number=number,
        state="closed",
        user_login=author,
        user_type=user_type,
        created_at=merged,
        updated_at=merged,
        merged_at=merged,
    )
    for path, lines in files.items():
        PullRequestFile.objects.create(pull=pr, path=path, additions=lines, deletions=0)
    return pr


@pytest.mark.django_db
def test_previous_change_of_each_file():
    gh = Source.objects.create(name="gh", kind="github", base_url="https://api.github.com")
    repo = Repo.objects.create(source=gh, full_name="acme/api", release_source="tags")
    pull(repo, 1, "Ann-GH", at(1, 5), {"a.py": 50, "c.py": 5})
    pull(repo, 2, "bob-gh", at(1, 10), {"c.py": 5})  # c.py: bob's own before the fix
    pull(repo, 3, "renovate[bot]", at(1, 12), {"d.py": 1}, user_type="Bot")
    fix = pull(repo, 4, "bob-gh", at(2, 1), {"a.py": 9, "b.py": 2, "c.py": 4, "d.py": 1})
    pull(repo, 5, "ann-gh", at(3, 1), {"a.py": 1})  # later: not a previous change
    PullRequestCommit.objects.create(
        pull=fix, sha="f1", position=0, authored_at=at(1, 20), committed_at=at(1, 20)
    )
    frame = fix_history(
        pd.DataFrame({"repo_id": [repo.pk, repo.pk], "repo": "acme/api", "number": [4, 2]})
    ).set_index("number")
    # #4: a.py (9 lines) was last changed by ann (logins compare case-insensitively), b.py is
    # new, c.py was bob's, d.py a bot's: 9 of 16 lines repair someone else's code.
    assert frame.loc[4, "file_lines"] == 16.0 and frame.loc[4, "others_lines"] == 9.0
    assert frame.loc[4, "first_commit_at"] == pd.Timestamp("2026-01-20", tz="UTC")
    assert frame.loc[2, "others_lines"] == 5.0  # c.py was last changed by ann
    assert pd.isna(frame.loc[2, "first_commit_at"])
