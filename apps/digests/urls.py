"""Digest routes (mounted at /digests/)."""

urlpatterns: list = []
