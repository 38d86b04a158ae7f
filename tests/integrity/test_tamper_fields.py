"""Tests that bite: every hashed field is covered by the hash, and the canonical form is pinned.

If a field were dropped from ``HASHED_FIELDS`` (or from the verifier's fast path), the tamper test of that
field fails; if the canonical form or the field list changed, the known-answer test fails.
"""

import datetime as dt
import hashlib
import json

import pytest

from registry.audit.chain import HASHED_FIELDS, canonical_payload, entry_hash
from registry.audit.context import RequestContext
from registry.audit.log import record
from registry.audit.verify import _fast_hash, _SORTED_FIELDS, check_chain
from registry.constants import Action, Level, Role
from registry.models import AccessLogEntry, Unit
from tests.factories import make_document, make_user
from tests.integrity.helpers import sql, triggers_lifted

pytestmark = pytest.mark.django_db

EXPECTED_FIELDS = (
    "seq", "at", "actor_id", "actor_username", "actor_unit", "ip", "user_agent", "request_id", "action",
    "outcome", "document_id", "document_level", "document_unit", "purpose", "copy_id", "query", "result_count",
    "extra", "prev_hash",
)

# A new value of the right type for each field, given the stored one.
TAMPER = {
    "seq": lambda v: v + 1000,
    "at": lambda v: v + dt.timedelta(microseconds=1),
    "actor_id": lambda v: (v or 0) + 1000,
    "actor_username": lambda v: v + "x",
    "actor_unit": lambda v: v + "x",
    "ip": lambda v: "10.9.9.9",
    "user_agent": lambda v: v + "x",
    "request_id": lambda v: "f" * 32,
    "action": lambda v: "download" if v != "download" else "view",
    "outcome": lambda v: "refused" if v != "refused" else "ok",
    "document_id": lambda v: (v or 0) + 1000,
    "document_level": lambda v: "thuong" if v != "thuong" else "mat",
    "document_unit": lambda v: v + "x",
    "purpose": lambda v: v + "x",
    "copy_id": lambda v: v + "x",
    "query": lambda v: v + "x",
    "result_count": lambda v: (v or 0) + 1,
    "extra": lambda v: json.dumps({**(v or {}), "them": 1}),
    "prev_hash": lambda v: "1" * 64,
}


def test_field_list_is_pinned():
    assert HASHED_FIELDS == EXPECTED_FIELDS
    assert set(TAMPER) == set(HASHED_FIELDS), "every hashed field needs a tamper test"
    assert _SORTED_FIELDS == tuple(sorted(EXPECTED_FIELDS))


KNOWN_FIELDS = {
    "seq": 7,
    "at": dt.datetime(2026, 3, 10, 2, 0, 0, 123456, tzinfo=dt.UTC),
    "actor_id": 3,
    "actor_username": "canbo",
    "actor_unit": "VP",
    "ip": "10.0.0.7",
    "user_agent": "pytest",
    "request_id": "abc",
    "action": "download",
    "outcome": "ok",
    "document_id": 22,
    "document_level": "mat",
    "document_unit": "BTC",
    "purpose": "Thẩm định",
    "copy_id": "c-1",
    "query": "",
    "result_count": None,
    "extra": {"b": [1, "x"], "a": "đ"},
    "prev_hash": "0" * 64,
}
KNOWN_PAYLOAD = (
    '{"action":"download","actor_id":3,"actor_unit":"VP","actor_username":"canbo",'
    '"at":"2026-03-10T02:00:00.123456Z","copy_id":"c-1","document_id":22,"document_level":"mat",'
    '"document_unit":"BTC","extra":{"a":"đ","b":[1,"x"]},"ip":"10.0.0.7","outcome":"ok",'
    '"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","purpose":"Thẩm định",'
    '"query":"","request_id":"abc","result_count":null,"seq":7,"user_agent":"pytest"}'
)


def test_known_answer_canonical_form_and_hash():
    payload = canonical_payload(KNOWN_FIELDS)
    assert payload.decode("utf-8") == KNOWN_PAYLOAD
    assert entry_hash(KNOWN_FIELDS) == hashlib.sha256(KNOWN_PAYLOAD.encode("utf-8")).hexdigest()
    # The verifier's fast path hashes the same bytes (a values_list row in sorted field order).
    row = tuple(KNOWN_FIELDS[name] for name in _SORTED_FIELDS)
    assert _fast_hash(row) == entry_hash(KNOWN_FIELDS)
    # A local time with an offset is the same instant, so the same hash.
    local = {**KNOWN_FIELDS, "at": KNOWN_FIELDS["at"].astimezone(dt.timezone(dt.timedelta(hours=7)))}
    assert entry_hash(local) == entry_hash(KNOWN_FIELDS)


@pytest.fixture
def full_log(clerk):
    """Five entries; the middle one has every field filled in."""
    Unit.objects.get_or_create(code="BTC", defaults={"name": "Ban Tổ chức"})
    reader = make_user("docgia_t", clearance=Level.MAT, unit="VP")
    doc = make_document(clerk=clerk, level=Level.MAT, unit="BTC")
    ctx = RequestContext(ip="10.0.0.7", user_agent="pytest/1", request_id="r" * 32)
    before = AccessLogEntry.objects.count()
    for i in range(2):
        record(Action.SEARCH, actor=reader, ctx=ctx, query=f"q{i}", result_count=i)
    victim = record(Action.DOWNLOAD, actor=reader, ctx=ctx, document=doc, purpose="Thẩm định", copy_id="c-9",
                    query="tìm", result_count=3, extra={"copy_number": 2})
    for i in range(2):
        record(Action.VIEW, actor=reader, ctx=ctx, document=doc, purpose=f"p{i}")
    assert all(getattr(victim, name) not in (None, "", {}) for name in HASHED_FIELDS), "victim must fill every field"
    return victim, before + 5


@pytest.mark.parametrize("field", EXPECTED_FIELDS)
def test_tampering_with_each_hashed_field_is_caught(full_log, field):
    victim, total = full_log
    assert check_chain().ok
    new = TAMPER[field](getattr(victim, field))
    column = "actor_id" if field == "actor_id" else ("document_id" if field == "document_id" else field)
    with triggers_lifted():
        sql(f"UPDATE registry_accesslogentry SET {column} = %s WHERE id = %s", [new, victim.pk])
    result = check_chain()
    assert not result.ok, f"changing {field} went unnoticed"
    if field == "seq":  # moved out of its place: the next entry no longer links (the hash itself: below)
        assert "prev_hash mismatch" in result.problem or "seq gap" in result.problem
    else:
        assert result.first_broken == victim.pk and result.first_broken_seq == victim.seq
        assert "hash mismatch" in result.problem
        assert result.entries == total


@pytest.mark.parametrize("field", EXPECTED_FIELDS)
def test_each_hashed_field_changes_the_hash(full_log, field):
    """The stored entry recomputes to its hash, and to another hash when any one field changes."""
    victim, _total = full_log
    fields = {name: getattr(victim, name) for name in HASHED_FIELDS}
    assert entry_hash(fields) == victim.hash
    changed = TAMPER[field](fields[field])
    fields[field] = json.loads(changed) if field == "extra" else changed
    assert entry_hash(fields) != victim.hash, f"{field} is not covered by the hash"
