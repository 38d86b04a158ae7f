"""Versioned JSON API (v1)."""

urlpatterns = []
