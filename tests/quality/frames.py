"""Builders of the selector frames of apps.quality.selectors, for pure computation tests."""

from datetime import datetime

import pandas as pd

from apps.quality.selectors import ISSUE_COLUMNS, JIRA_COLUMNS


def jira(*rows: dict) -> pd.DataFrame:
    defaults = {
        "project": "API",
        "team": "platform",
        "issue_type": "Bug",
        "subtask": False,
        "priority": "Medium",
        "resolution": "",
        "labels": [],
        "resolved_at": None,
        "assignee_id": "",
        "reporter_id": "",
        "story_points": None,
        "summary": "",
        "url": "",
    }
    frame = pd.DataFrame([{**defaults, **row} for row in rows], columns=JIRA_COLUMNS)
    for column in ("created_at", "resolved_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    frame["story_points"] = frame["story_points"].astype("float64")
    return frame


def github(*rows: dict) -> pd.DataFrame:
    defaults = {
        "repo_id": 1,
        "repo": "acme/api",
        "team": "platform",
        "state_reason": "",
        "labels": ["bug"],
        "closed_at": None,
        "user_login": "",
        "assignee_login": "",
        "title": "",
        "url": "",
        "provider": "github",
    }
    frame = pd.DataFrame([{**defaults, **row} for row in rows], columns=ISSUE_COLUMNS)
    for column in ("created_at", "closed_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def pulls(*rows: dict) -> pd.DataFrame:
    from apps.quality.selectors import PULL_DETAIL_COLUMNS

    defaults = {
        "repo_id": 1,
        "repo": "acme/api",
        "title": "",
        "body": "",
        "head_ref": "",
        "labels": [],
        "user_type": "User",
        "additions": 1.0,
        "deletions": 0.0,
        "issue_key": "",
        "story_points": None,
    }
    columns = [*PULL_DETAIL_COLUMNS, "issue_key", "story_points"]
    frame = pd.DataFrame([{**defaults, **row} for row in rows], columns=columns)
    for column in ("created_at", "merged_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame.astype({"additions": "float64", "deletions": "float64", "story_points": "float64"})
