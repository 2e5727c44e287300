"""The simulated Jira site answers like Jira Cloud REST v3."""

import base64
from datetime import UTC, datetime

import requests

from integrations.simulator import Simulator
from integrations.simulator.jira import JiraProvider, generate_jira_world, make_issue


def test_search_returns_only_ids_without_fields_and_filters_by_updated() -> None:
    world = generate_jira_world(
        issues=3, start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2026, 1, 4, tzinfo=UTC)
    )
    world.issues.append(
        make_issue(
            issue_id=1,
            key="API-99",
            project="API",
            kind=("10004", "Bug", False, 0),
            created=datetime(2026, 2, 1, 8, tzinfo=UTC),
            resolved=None,
            priority="High",
            assignee=None,
            reporter="r",
            points=None,
            labels=[],
            offset_hours=8,
        )
    )
    auth = "Basic " + base64.b64encode(b"e@x:t").decode()
    with Simulator() as sim:
        sim.add_provider(JiraProvider(world, email="e@x", token="t"))
        url = f"{sim.base_url}/rest/api/3/search/jql"
        bare = requests.get(
            url, params={"jql": 'project in ("API")'}, headers={"Authorization": auth}
        ).json()
        assert set(bare["issues"][0]) == {"id", "key", "self"} and bare["isLast"] is True
        # 2026-02-01T16:00+0800 is 08:00 UTC; the API user's zone is UTC here.
        jql = 'project in ("API") AND updated >= "2026/02/01 08:00" ORDER BY updated ASC'
        late = requests.get(
            url, params={"jql": jql, "fields": "summary"}, headers={"Authorization": auth}
        ).json()
        assert [(i["key"], list(i["fields"])) for i in late["issues"]] == [("API-99", ["summary"])]
        assert requests.get(url, params={"jql": jql}).status_code == 401
