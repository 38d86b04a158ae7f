"""Shared fixtures. The access log is append-only in the database; tests that need the database emptied
between cases (transactional tests) drop the triggers around Django's flush and put them back after."""

from django.core.management.commands import flush as flush_command
from django.db import connections

from registry.audit import triggers

_original_flush_handle = flush_command.Command.handle


def _flush_with_triggers_lifted(self, **options):
    connection = connections[options.get("database", "default")]
    triggers.drop(connection)
    try:
        return _original_flush_handle(self, **options)
    finally:
        triggers.install(connection)


flush_command.Command.handle = _flush_with_triggers_lifted

from tests.factories import *  # noqa: E402,F401,F403
from tests.postgres import pg_database  # noqa: E402,F401  (fixture: a fresh PostgreSQL database)


def pytest_report_header(config):
    from django.conf import settings

    return f"registry test database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL pass skips what already ran on PostgreSQL, and what only concerns the SQLite default."""
    import os

    import pytest

    if os.environ.get("REGISTRY_TEST_PASS") != "postgresql":
        return
    repeat = pytest.mark.skip(reason="ran against its own PostgreSQL database in the SQLite pass")
    embedded = pytest.mark.skip(reason="concerns the SQLite default only")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(repeat)
        elif "sqlite_only" in item.keywords:
            item.add_marker(embedded)
