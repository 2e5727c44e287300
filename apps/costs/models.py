"""Costs models."""
