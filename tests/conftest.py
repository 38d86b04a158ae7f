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
    agnostic = pytest.mark.skip(reason="file handling only: ran in the SQLite pass")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(repeat)
        elif "sqlite_only" in item.keywords:
            item.add_marker(embedded)
        elif "db_agnostic" in item.keywords:
            item.add_marker(agnostic)


# Users cleared at REGISTRY_REQUIRE_2FA_FROM and above read content only in a session that passed the second
# factor. Tests log in with force_login: for those users it also gives them a TOTP device and marks the
# session verified, as the OTP page would. Tests of the second factor itself use login_without_second_factor.
from django.test import Client as _Client  # noqa: E402

from tests.factories import mark_second_factor_passed  # noqa: E402


def _force_login_with_second_factor(self, user, backend=None):
    from registry.accounts import second_factor_required
    from tests.factories import _django_force_login

    _django_force_login(self, user, backend)
    if second_factor_required(user):
        mark_second_factor_passed(self, user)


_Client.force_login = _force_login_with_second_factor
