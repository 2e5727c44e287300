"""Tests for the Django-free integration clients."""
