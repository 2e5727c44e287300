"""Links between work (docs/metrics.md#links-between-work): Jira keys in PR titles and head
branches, and GitHub closing keywords in PR bodies. Pure functions; no I/O.
# GitHub: https://docs.github.com/en/issues/tracking-your-work-with-issues/using-issues/linking-a-pull-request-to-an-issue
"""

import re
from collections.abc import Collection

import pandas as pd

# A Jira key; it counts only when it names an issue Keel synced.
JIRA_KEY = re.compile(r"\b[A-Z][A-Z0-9_]+-[1-9][0-9]*\b")
# GitHub's closing keywords, case-insensitive, then `#N` (same repo) or `owner/repo#N`.
CLOSING = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?\s+(?:([\w.-]+/[\w.-]+))?#([1-9][0-9]*)\b",
    re.IGNORECASE,
)


def is_bot(login: str, user_type: str = "") -> bool:
    """A bot account (docs/metrics.md#bots): GitHub's `user.type == "Bot"`, or a login ending
    in `[bot]` (GitHub Apps such as `dependabot[bot]`; the type is not always recorded)."""
    return user_type == "Bot" or (login or "").endswith("[bot]")


def bot_mask(logins: pd.Series, user_types: pd.Series | None = None) -> pd.Series:
    """`is_bot` over columns (same index); missing values are no bot."""
    login = logins.fillna("").astype(str)
    bot = login.str.endswith("[bot]")
    if user_types is not None:
        bot |= user_types.fillna("").astype(str) == "Bot"
    return bot.astype(bool)


def jira_keys(text: str) -> list[str]:
    """Every Jira-key-shaped token in `text`, in order (`ISO-8601` included: filter by the
    synced keys with `pull_issue_key`)."""
    return JIRA_KEY.findall(text or "")


def pull_issue_key(title: str, head_ref: str, known: Collection[str]) -> str:
    """The PR's Jira issue: the first key in the title that names a synced issue, else the first
    such key in the head branch, else ""."""
    for text in (title, head_ref):
        for key in jira_keys(text):
            if key in known:
                return key
    return ""


def pull_refs(title: str, head_ref: str) -> list[str]:
    """Jira-key-shaped tokens of `title`, then of `head_ref`, without repeats: the PR's issue
    is the first of them that names a synced issue (same answer as `pull_issue_key`)."""
    return list(dict.fromkeys(jira_keys(title) + jira_keys(head_ref)))


def closing_refs(body: str, repo: str) -> list[tuple[str, int]]:
    """(owner/repo, issue number) of each issue the PR body closes; `#N` is in `repo`.
    Repos are lower-cased (GitHub names are case-insensitive); duplicates dropped, order kept."""
    out: list[tuple[str, int]] = []
    for other, number in CLOSING.findall(body or ""):
        ref = ((other or repo).lower(), int(number))
        if ref not in out:
            out.append(ref)
    return out


def pulls_issue_points(
    pulls: pd.DataFrame, heads: pd.Series, points: dict[str, float | None]
) -> pd.DataFrame:
    """`pulls` (with `title`) plus issue_key ("" when none) and story_points (NaN when the issue
    has none). `heads` is the head branch per row of `pulls` (same index); `points` maps every
    synced Jira key to its story points (None when unset)."""
    keys = [pull_issue_key(t, h or "", points) for t, h in zip(pulls["title"], heads, strict=True)]
    story = [points.get(k) if k else None for k in keys]
    return pulls.assign(
        issue_key=keys, story_points=pd.Series(story, index=pulls.index, dtype="float64")
    )
