"""Wagtail hooks of the registry screens (menus, admin URLs, hiding Wagtail's own document views)."""
