"""GitHub's GraphQL schema, built once per process (about 3 s; see SCHEMA.md)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from graphql import GraphQLSchema, build_schema

SCHEMA_PATH = Path(__file__).with_name("schema.graphql")


@cache
def github_schema() -> GraphQLSchema:
    """The vendored schema, built leniently: as published it defines two fields twice and
    some deprecations clash with their interfaces (SCHEMA.md)."""
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    return build_schema(text, assume_valid_sdl=True, assume_valid=True)
