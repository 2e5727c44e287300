"""Hostile and broken input: API fuzzing, secrets, authentication, throttling (issue #8)."""
