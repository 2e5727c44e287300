"""Reliability models."""
