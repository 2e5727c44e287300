"""The vendored GitHub schema, Keel's queries validated against it, and GitHub's limits and
point formula as the simulator applies them."""

from __future__ import annotations

import pytest
import requests
from graphql import build_schema, parse, validate

from integrations.github.graphql import pages_document, pull_requests_document
from integrations.simulator import GitHubWorld, Simulator
from integrations.simulator.github.graphql.cost import query_limits
from integrations.simulator.github.graphql.schema import SCHEMA_PATH, github_schema

TOKEN = "sekret"
# The two examples of GitHub's "Rate limits and node limits for the GraphQL API" page.
SIMPLE = """query { viewer { repositories(first: 50) { edges { repository: node { name
  issues(first: 10) { totalCount edges { node { title bodyHTML } } } } } } } }"""
COMPLEX = """query { viewer { repositories(first: 50) { edges { repository: node { name
  pullRequests(first: 20) { edges { pullRequest: node { title
    comments(first: 10) { edges { comment: node { bodyHTML } } } } } }
  issues(first: 20) { totalCount edges { issue: node { title bodyHTML
    comments(first: 10) { edges { comment: node { bodyHTML } } } } } } } } }
  followers(first: 10) { edges { follower: node { login } } } } }"""


def limits(text: str, variables: dict | None = None):
    document = parse(text)
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    operation = next(d for d in document.definitions if d.kind == "operation_definition")
    return query_limits(github_schema(), operation, fragments, variables or {})


def test_the_vendored_schema_has_its_two_published_defects_and_loads_leniently() -> None:
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    with pytest.raises(TypeError, match="repositoryDeployKeySetting' can only be defined once"):
        build_schema(text)
    schema = github_schema()
    assert len(schema.type_map) == 1636
    assert "closedByPullRequestsReferences" in schema.type_map["Issue"].fields


def test_keels_queries_validate_against_githubs_schema_with_every_rule() -> None:
    schema = github_schema()
    assert validate(schema, parse(pull_requests_document())) == []
    pages = pages_document([(7, "commits", "MTAw"), (9, "files", "MjAw"), (9, "labels", "MQ==")])
    assert validate(schema, parse(pages)) == []
    assert "ReviewsPage" not in pages  # GitHub rejects a fragment that is not used


def test_githubs_published_examples_give_its_node_counts_and_points() -> None:
    simple, complex_ = limits(SIMPLE), limits(COMPLEX)
    assert (simple.nodes, simple.requests, simple.cost) == (550, 51, 1)
    assert (complex_.nodes, complex_.requests, complex_.cost) == (22_060, 2_102, 21)


def test_keels_page_of_24_pull_requests_costs_one_point_and_100_would_cost_six() -> None:
    page = limits(pull_requests_document(), {"owner": "a", "name": "b", "first": 24})
    assert (page.requests, page.cost) == (1 + 24 * 6, 1)
    assert limits(pull_requests_document(), {"first": 100}).cost == 6


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("{ viewer { repositories { totalCount } } }", "MISSING_PAGINATION_BOUNDARIES"),
        ("{ viewer { repositories(first: 101) { totalCount } } }", "EXCESSIVE_PAGINATION"),
        (
            "{ viewer { repositories(first: 100) { nodes { issues(first: 100) { nodes {"
            " comments(first: 100) { totalCount } } } } } } }",
            "MAX_NODE_LIMIT_EXCEEDED",
        ),
    ],
)
def test_limits_are_github_errors(text: str, kind: str) -> None:
    errors = limits(text).errors
    assert [e["type"] for e in errors] == [kind]


def post(sim: Simulator, body: object) -> requests.Response:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    return requests.post(f"{sim.base_url}/graphql", json=body, headers=headers, timeout=10)


def test_invalid_and_over_limit_queries_fail_with_http_200_as_github_does() -> None:
    world = GitHubWorld()
    world.add_repo("acme/api")
    with Simulator(github=world, token=TOKEN) as sim:
        unknown = post(sim, {"query": '{ repository(owner: "acme", name: "api") { nope } }'})
        syntax = post(sim, {"query": "{ repository("})
        missing = post(
            sim,
            {"query": '{ repository(owner: "acme", name: "api") { pullRequests { totalCount } } }'},
        )
        gone = post(sim, {"query": '{ repository(owner: "acme", name: "gone") { name } }'})
        rate = post(sim, {"query": "{ rateLimit { cost remaining limit } }"})
        bad_json = requests.post(
            f"{sim.base_url}/graphql",
            data=b"{",
            timeout=10,
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    assert unknown.status_code == syntax.status_code == missing.status_code == 200
    assert "nope" in unknown.json()["errors"][0]["message"] and "data" not in unknown.json()
    assert "Syntax Error" in syntax.json()["errors"][0]["message"]
    assert missing.json()["errors"][0]["type"] == "MISSING_PAGINATION_BOUNDARIES"
    assert gone.json()["data"] == {"repository": None}
    assert gone.json()["errors"][0]["type"] == "NOT_FOUND"
    assert rate.json()["data"]["rateLimit"] == {"cost": 1, "remaining": 4998, "limit": 5000}
    assert rate.headers["x-ratelimit-resource"] == "graphql"
    assert rate.headers["x-ratelimit-remaining"] == "4998"  # refused queries cost nothing
    assert bad_json.status_code == 400
