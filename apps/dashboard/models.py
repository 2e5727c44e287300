"""Dashboard models."""
