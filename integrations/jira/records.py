"""Typed records parsed from Jira Cloud REST v3 payloads (frozen; datetimes are aware UTC).

``parse_issue`` takes one item of ``GET /rest/api/3/search/jql`` (``fields`` named by the
client) and raises KeyError / TypeError / ValueError when the id, key, project, type or dates
are missing or malformed; the client turns those into MalformedResponseError naming the URL.
Names (type, priority, status, resolution) are kept as the site renders them, localised or
not: the organisation's config maps them (e.g. ``bugs.jira_types: [Bug, 缺陷]``).
# Jira: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from integrations.http.payloads import required_text

# The fields every search names (the endpoint returns only ids otherwise).
ISSUE_FIELDS: tuple[str, ...] = (
    "summary",
    "issuetype",
    "priority",
    "status",
    "resolution",
    "resolutiondate",
    "statuscategorychangedate",
    "created",
    "updated",
    "assignee",
    "reporter",
    "labels",
    "project",
)


@dataclass(frozen=True)
class JiraIssueRecord:
    """One issue. ``status_category`` is the category *key* (``new``, ``indeterminate``,
    ``done``), language-independent, and ``status_category_changed_at`` when the issue last
    entered it (``statuscategorychangedate``; None when the site does not give it);
    ``story_points`` is None when unset or not a number."""

    id: int
    key: str
    project_key: str
    summary: str
    issue_type: str
    issue_type_id: str
    subtask: bool
    priority: str
    status: str
    status_category: str
    resolution: str
    resolution_date: datetime | None
    status_category_changed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    assignee_id: str
    assignee_name: str
    reporter_id: str
    reporter_name: str
    labels: tuple[str, ...]
    story_points: float | None


def parse_jira_datetime(value: str) -> datetime:
    """``2020-06-12T08:13:13.360+0800`` (Jira's offset has no colon) → aware UTC datetime."""
    moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
    return moment.astimezone(UTC)


def _optional_datetime(value: Any) -> datetime | None:
    return None if value in (None, "") else parse_jira_datetime(value)


def _name(value: Any) -> str:
    return str(value.get("name") or "") if isinstance(value, dict) else ""


def _user(value: Any) -> tuple[str, str]:
    if not isinstance(value, dict):
        return "", ""
    return str(value.get("accountId") or ""), str(value.get("displayName") or "")


def story_points_value(value: Any) -> float | None:
    """A story-points field value as a float; None when unset, not numeric or negative (the
    recorded site stores the string ``"-1"`` for "not estimated")."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        points = float(value)
    except (TypeError, ValueError):
        return None
    return points if points >= 0 else None


def parse_issue(item: dict[str, Any], *, story_points_field: str = "") -> JiraIssueRecord:
    """One search item → JiraIssueRecord (see the module docstring for errors)."""
    fields = item["fields"]
    issuetype = fields["issuetype"]
    status = fields.get("status") or {}
    assignee_id, assignee_name = _user(fields.get("assignee"))
    reporter_id, reporter_name = _user(fields.get("reporter"))
    points = fields.get(story_points_field) if story_points_field else None
    return JiraIssueRecord(
        id=int(item["id"]),
        key=required_text(item, "key"),
        project_key=required_text(fields["project"], "key"),
        summary=str(fields.get("summary") or ""),
        issue_type=str(issuetype["name"]),
        issue_type_id=str(issuetype.get("id") or ""),
        subtask=bool(issuetype.get("subtask", False)),
        priority=_name(fields.get("priority")),
        status=_name(status),
        status_category=str((status.get("statusCategory") or {}).get("key") or ""),
        resolution=_name(fields.get("resolution")),
        resolution_date=_optional_datetime(fields.get("resolutiondate")),
        status_category_changed_at=_optional_datetime(fields.get("statuscategorychangedate")),
        created_at=parse_jira_datetime(fields["created"]),
        updated_at=parse_jira_datetime(fields["updated"]),
        assignee_id=assignee_id,
        assignee_name=assignee_name,
        reporter_id=reporter_id,
        reporter_name=reporter_name,
        labels=tuple(str(label) for label in fields.get("labels") or ()),
        story_points=story_points_value(points),
    )
