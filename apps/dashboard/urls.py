"""Dashboard routes (mounted at /)."""

urlpatterns: list = []
