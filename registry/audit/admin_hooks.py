"""Wagtail hooks of the audit workspace (menu item, admin URLs)."""
