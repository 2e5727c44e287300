"""Digests models."""
