"""The hash chain of the access log: how an entry's hash is computed from its fields and its predecessor.

The canonical form is JSON with sorted keys over every stored field (timestamps in UTC ISO-8601 with
microseconds), so the same entry hashes the same on SQLite and PostgreSQL and in an exported file.
"""

import hashlib
import json
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64

# Fields covered by the hash, in the order they are exported. Adding a field is a format change.
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "actor_unit",
    "ip",
    "user_agent",
    "request_id",
    "action",
    "outcome",
    "document_id",
    "document_level",
    "document_unit",
    "purpose",
    "copy_id",
    "query",
    "result_count",
    "extra",
    "prev_hash",
)


def _canonical_value(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def canonical_payload(fields: dict) -> bytes:
    """The bytes an entry's hash is computed over (``fields`` maps every name of HASHED_FIELDS)."""
    payload = {name: _canonical_value(fields.get(name)) for name in HASHED_FIELDS}
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def entry_hash(fields: dict) -> str:
    return hashlib.sha256(canonical_payload(fields)).hexdigest()


def fields_of(entry) -> dict:
    """The hashed fields of a stored AccessLogEntry (or any object with those attributes)."""
    return {name: getattr(entry, name) for name in HASHED_FIELDS}
