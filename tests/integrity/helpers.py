"""Tampering with the access log behind the application's back, as an intruder with database access would."""

import contextlib

from django.db import connection

from registry.audit import triggers
from registry.audit.chain import entry_hash, fields_of
from registry.models import AccessLogEntry


@contextlib.contextmanager
def triggers_lifted():
    triggers.drop(connection)
    try:
        yield
    finally:
        triggers.install(connection)


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def entry_at(seq) -> AccessLogEntry:
    return AccessLogEntry.objects.get(seq=seq)


def rehash(entry: AccessLogEntry, **changes) -> str:
    """The hash an intruder would store after changing ``changes`` on ``entry`` (to forge a consistent row)."""
    fields = fields_of(entry)
    fields.update(changes)
    return entry_hash(fields)
