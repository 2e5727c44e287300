"""Hostile and broken input: API fuzzing, secrets, authentication, throttling
(docs/operations.md)."""
