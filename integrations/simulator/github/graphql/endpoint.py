"""``POST /graphql`` (and GitHub Enterprise's ``/api/graphql``) of the simulated GitHub.

In GitHub's order, after authentication (done by the provider): the body must be JSON with a
string ``query`` (else 400 / an error); the document must parse and validate against the
vendored schema; the node limit and pagination rules hold (`cost.py`); the token's points
budget must cover the query's cost (else HTTP 200 with ``RATE_LIMITED``); then the query runs
over `views.WorldViews`. Every answer is HTTP 200 with ``data`` and/or ``errors``, as GitHub
sends them, and carries ``x-ratelimit-*`` headers of the ``graphql`` resource.
# GitHub: https://docs.github.com/en/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    execute_sync,
    parse,
    validate,
)

from integrations.simulator.github.graphql.cost import query_limits
from integrations.simulator.github.graphql.schema import github_schema
from integrations.simulator.github.graphql.views import WorldViews
from integrations.simulator.github.world import GitHubWorld
from integrations.simulator.messages import Request, Response, json_response
from integrations.simulator.ratelimit import BudgetState, RateBudget

DOCS = "https://docs.github.com/graphql"
GRAPHQL_PATHS = ("/graphql", "/api/graphql")


class GraphQLEndpoint:
    """Answers GraphQL requests over ``world``; ``budget`` holds each token's points."""

    def __init__(self, world: GitHubWorld, budget: RateBudget) -> None:
        self.world = world
        self.budget = budget
        self.views = WorldViews(world)

    def handle(self, request: Request, key: str) -> Response:
        """One request, already authenticated as ``key``."""
        if request.method != "POST":
            return self._answer(
                json_response(404, {"message": "Not Found", "documentation_url": DOCS}), key
            )
        try:
            body = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            answer = {"message": "Problems parsing JSON", "documentation_url": DOCS}
            return self._answer(json_response(400, answer), key)
        return self._answer(self._run(body, key), key)

    def _run(self, body: dict[str, Any], key: str) -> Response:
        query, variables = body.get("query"), body.get("variables") or {}
        if not isinstance(query, str) or not isinstance(variables, dict):
            return _errors(
                [{"message": "A query attribute must be specified and must be a string."}]
            )
        document, invalid = _checked(query)
        if document is None:
            return _errors(invalid)
        schema = github_schema()
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        limits = query_limits(schema, operations[0], fragments, variables)
        if limits.errors:
            return _errors(limits.errors)
        if self.budget.peek(key).remaining < limits.cost:
            return _errors([_rate_limited()])
        state = self.budget.spend(key, limits.cost)
        rate = {
            "cost": limits.cost,
            "limit": state.limit,
            "remaining": state.remaining,
            "used": state.used,
            "resetAt": datetime.fromtimestamp(state.reset, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "nodeCount": limits.nodes,
        }
        with self.world.lock:
            result = execute_sync(
                schema, document, self.views.root(rate), variable_values=variables
            )
        answer: dict[str, Any] = {}
        if result.errors:
            answer["errors"] = [_github_error(e) for e in result.errors]
        answer["data"] = result.data
        return json_response(200, answer)

    def _answer(self, response: Response, key: str) -> Response:
        state: BudgetState = self.budget.peek(key)
        response.headers.update(
            {
                "x-ratelimit-limit": str(state.limit),
                "x-ratelimit-remaining": str(state.remaining),
                "x-ratelimit-reset": str(state.reset),
                "x-ratelimit-used": str(state.used),
                "x-ratelimit-resource": "graphql",
            }
        )
        return response


@lru_cache(maxsize=256)
def _checked(query: str) -> tuple[DocumentNode | None, list[Mapping[str, Any]]]:
    """(document, []) for a valid query, else (None, GitHub-shaped errors); cached per text
    (a sync sends the same few queries thousands of times)."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        return None, [exc.formatted]
    invalid = validate(github_schema(), document)
    return (None, [e.formatted for e in invalid]) if invalid else (document, [])


def _errors(errors: Sequence[Mapping[str, Any]]) -> Response:
    return json_response(200, {"errors": errors})


def _rate_limited() -> dict[str, Any]:
    return {"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}


def _github_error(error: GraphQLError) -> dict[str, Any]:
    """graphql-core's error with GitHub's top-level ``type`` when the resolver set one."""
    kind = getattr(error.original_error, "type", None) or getattr(error, "type", None)
    formatted = dict(error.formatted)
    return {"type": kind, **formatted} if isinstance(kind, str) else formatted
