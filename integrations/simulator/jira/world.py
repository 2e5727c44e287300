"""A simulated Jira Cloud site: issues as the REST API renders them, and its field list.

`generate_jira_world` makes a reproducible site (projects, stories, tasks, sub-tasks and bugs
with priorities, resolutions, story points); `load_recorded_jira` serves the recorded payloads
of `tests/fixtures/jira/` (a Chinese-localised site). Standard library only.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

JSONDict = dict[str, Any]
STORY_POINTS_FIELD = "customfield_10016"
# (type id, name, subtask, share of generated issues)
TYPES = (
    ("10001", "Story", False, 0.4),
    ("10002", "Task", False, 0.2),
    ("10003", "Sub-task", True, 0.15),
    ("10004", "Bug", False, 0.25),
)
PRIORITIES = ("Highest", "High", "Medium", "Low", "Lowest")
CATEGORY = {"new": (2, "To Do"), "indeterminate": (4, "In Progress"), "done": (3, "Done")}


@dataclass
class JiraWorld:
    """Issues (full REST v3 objects, `fields` holding every field), the `/field` list, the
    API user's `time_zone` (JQL dates are read in it) and the site's `offset` for rendering."""

    issues: list[JSONDict]
    fields: list[JSONDict] = field(default_factory=list)
    time_zone: str = "UTC"

    def by_key(self, key: str) -> JSONDict:
        return next(i for i in self.issues if i["key"] == key)


def jira_time(moment: datetime, offset_hours: int = 0) -> str:
    """Jira's rendering: `2020-06-12T08:13:13.360+0800` (offset without a colon)."""
    local = moment.astimezone(UTC) + timedelta(hours=offset_hours)
    sign = "+" if offset_hours >= 0 else "-"
    millis = local.microsecond // 1000
    return f"{local:%Y-%m-%dT%H:%M:%S}.{millis:03d}{sign}{abs(offset_hours):02d}00"


def _user(account_id: str) -> JSONDict:
    return {"accountId": account_id, "displayName": account_id.title(), "active": True}


def _pick_type(rng: random.Random) -> tuple[str, str, bool, float]:
    roll, total = rng.random(), 0.0
    for kind in TYPES:
        total += kind[3]
        if roll < total:
            return kind
    return TYPES[-1]


def make_issue(
    *,
    issue_id: int,
    key: str,
    project: str,
    kind: tuple,
    created: datetime,
    resolved: datetime | None,
    priority: str,
    assignee: str | None,
    reporter: str,
    points: float | None,
    labels: list[str],
    resolution: str | None = "Done",
    offset_hours: int = 0,
) -> JSONDict:
    """One issue as `GET /rest/api/3/search/jql` returns it with every field requested.
    `resolved` moves it to a done status at that instant (`statuscategorychangedate`); with
    `resolution=None` it has no resolution and no `resolutiondate` (a workflow whose done
    transition sets none)."""
    category = "done" if resolved else "new"
    cat_id, status = CATEGORY[category]
    updated = resolved or created
    return {
        "id": str(issue_id),
        "key": key,
        "self": f"https://jira.invalid/rest/api/3/issue/{issue_id}",
        "fields": {
            "summary": f"{kind[1]} {key}",
            "project": {"id": "1", "key": project},
            "issuetype": {"id": kind[0], "name": kind[1], "subtask": kind[2]},
            "priority": {"name": priority},
            "status": {"name": status, "statusCategory": {"id": cat_id, "key": category}},
            "resolution": {"name": resolution} if resolved and resolution else None,
            "resolutiondate": jira_time(resolved, offset_hours)
            if resolved and resolution
            else None,
            "statuscategorychangedate": jira_time(resolved or created, offset_hours),
            "created": jira_time(created, offset_hours),
            "updated": jira_time(updated, offset_hours),
            "assignee": _user(assignee) if assignee else None,
            "reporter": _user(reporter),
            "labels": labels,
            STORY_POINTS_FIELD: points,
        },
    }


def generate_jira_world(
    *,
    seed: int = 1,
    projects: tuple[str, ...] = ("API",),
    issues: int = 200,
    start: datetime,
    end: datetime,
    people: tuple[str, ...] = ("acc-1", "acc-2", "acc-3"),
    offset_hours: int = 0,
    project_people: dict[str, tuple[str, ...]] | None = None,
    resolved_share: float = 0.7,
) -> JiraWorld:
    """`issues` issues spread evenly over `[start, end)` and the projects; `resolved_share`
    (default ~70%) resolved within 0-20 days; bugs with random priorities, 10% of them resolved
    "Won't Fix". Assignees and reporters are drawn from `project_people[project]` where given,
    else from `people`."""
    rng = random.Random(seed)
    span = (end - start).total_seconds()
    out, counters = [], dict.fromkeys(projects, 0)
    pools = {key: (project_people or {}).get(key) or people for key in projects}
    for index in range(issues):
        project = projects[index % len(projects)]
        counters[project] += 1
        people = pools[project]
        kind = _pick_type(rng)
        created = start + timedelta(seconds=span * index / max(issues, 1))
        closing = created + timedelta(hours=rng.uniform(1, 480))
        resolved = closing if rng.random() < resolved_share and closing < end else None
        is_bug = kind[1] == "Bug"
        out.append(
            make_issue(
                issue_id=10_000 + index,
                key=f"{project}-{counters[project]}",
                project=project,
                kind=kind,
                created=created,
                resolved=resolved,
                priority=rng.choice(PRIORITIES) if is_bug else "Medium",
                assignee=rng.choice(people) if rng.random() < 0.9 else None,
                reporter=rng.choice(people),
                points=None if is_bug or kind[2] else float(rng.choice((1, 2, 3, 5, 8))),
                labels=["regression"] if is_bug and rng.random() < 0.3 else [],
                resolution="Won't Fix" if is_bug and rng.random() < 0.1 else "Done",
                offset_hours=offset_hours,
            )
        )
    story_points = {"id": STORY_POINTS_FIELD, "name": "Story Points", "custom": True}
    return JiraWorld(issues=out, fields=[{"id": "summary", "name": "Summary"}, story_points])


def load_recorded_jira(folder: Path) -> JiraWorld:
    """The recorded site of `tests/fixtures/jira/` (issues as recorded, fields as recorded)."""
    issues = json.loads((folder / "issues.json").read_text(encoding="utf-8"))["issues"]
    fields = json.loads((folder / "fields.json").read_text(encoding="utf-8"))
    return JiraWorld(issues=issues, fields=fields, time_zone="Asia/Shanghai")
