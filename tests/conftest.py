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
