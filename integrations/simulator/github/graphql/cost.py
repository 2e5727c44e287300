"""GitHub's node limit and rate-limit score of a query, computed before it runs.

# GitHub: https://docs.github.com/en/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api
- Every connection (a field whose type is a ``...Connection``) needs ``first`` or ``last``,
  1-100; else ``MISSING_PAGINATION_BOUNDARIES`` / ``EXCESSIVE_PAGINATION``.
- Nodes: each connection's ``first``/``last`` times those of the connections around it; more
  than 500,000 in all → ``MAX_NODE_LIMIT_EXCEEDED``.
- Points: each connection needs one request per item of the connections around it (1 at the
  top); the sum divided by 100 and rounded is the query's cost, at least 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    value_from_ast_untyped,
)

MAX_NODES = 500_000
MAX_PAGE = 100


@dataclass
class QueryLimits:
    """What a query asks for: ``nodes`` and ``requests`` (see the module docstring), and the
    GitHub-shaped ``errors`` when it breaks a limit."""

    nodes: int = 0
    requests: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def cost(self) -> int:
        """The query's points: requests / 100, rounded half up, at least 1."""
        return max(1, int(self.requests / 100 + 0.5))


def query_limits(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, Any],
    variables: dict[str, Any],
) -> QueryLimits:
    """Walk ``operation`` (fragments inlined) from the query root and count."""
    limits = QueryLimits()
    walker = _Walker(schema, fragments, variables or {}, limits)
    walker.walk(operation.selection_set, schema.query_type, multiplier=1, path=[])
    if limits.nodes > MAX_NODES and not limits.errors:
        limits.errors.append(
            {
                "type": "MAX_NODE_LIMIT_EXCEEDED",
                "message": f"This query requests up to {limits.nodes:,} possible nodes which "
                f"exceeds the maximum limit of {MAX_NODES:,}.",
            }
        )
    return limits


@dataclass
class _Walker:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: dict[str, Any]
    limits: QueryLimits

    def walk(
        self, selections: SelectionSetNode | None, parent: Any, multiplier: int, path: list[str]
    ) -> None:
        if selections is None:
            return
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                self._field(selection, parent, multiplier, path)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                self.walk(selection.selection_set, target, multiplier, path)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                target = self.schema.get_type(fragment.type_condition.name.value)
                self.walk(fragment.selection_set, target, multiplier, path)

    def _field(self, node: FieldNode, parent: Any, multiplier: int, path: list[str]) -> None:
        name = node.name.value
        fields = getattr(parent, "fields", None)
        if name.startswith("__") or not fields or name not in fields:
            return
        named = get_named_type(fields[name].type)
        here = [*path, node.alias.value if node.alias else name]
        if isinstance(named, GraphQLObjectType) and named.name.endswith("Connection"):
            size = self._page_size(node, here)
            self.limits.requests += multiplier
            self.limits.nodes += multiplier * size
            multiplier *= size
        self.walk(node.selection_set, named, multiplier, here)

    def _page_size(self, node: FieldNode, path: list[str]) -> int:
        arguments = {
            a.name.value: value_from_ast_untyped(a.value, self.variables)
            for a in node.arguments or ()
        }
        first, last = arguments.get("first"), arguments.get("last")
        name = node.name.value
        size = first if first is not None else last
        if size is None:
            self._error(
                "MISSING_PAGINATION_BOUNDARIES",
                f"You must provide a `first` or `last` value to properly paginate the `{name}` "
                "connection.",
                path,
            )
            return 1
        if not isinstance(size, int) or size < 0 or size > MAX_PAGE:
            which = "first" if first is not None else "last"
            self._error(
                "EXCESSIVE_PAGINATION",
                f"Requesting {size} records on the `{name}` connection exceeds the `{which}` "
                f"limit of {MAX_PAGE} records.",
                path,
            )
            return MAX_PAGE
        return size

    def _error(self, kind: str, message: str, path: list[str]) -> None:
        self.limits.errors.append({"type": kind, "path": ["query", *path], "message": message})
