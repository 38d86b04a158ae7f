"""Tests that bite: every anomaly threshold exactly at its edge and one step past it.

Each case plants the smallest log that sits on an edge, so that a mutated comparison (``>`` for ``>=``), a
pre-filter that looks at one clock hour too few, or a window one second too short fails a test.
"""

import datetime as dt

import pytest

from registry.audit.anomalies import find_anomalies
from registry.constants import Action, Level, Outcome
from registry.models import Loan, Unit
from tests.audit.helpers import local, plant
from tests.factories import make_document, make_user

pytestmark = pytest.mark.django_db

DAY = (local(2020, 3, 10), local(2020, 3, 11))  # a Tuesday


@pytest.fixture(autouse=True)
def units(db):
    Unit.objects.get_or_create(code="VP", defaults={"name": "Văn phòng Đảng ủy (thử)"})
    Unit.objects.get_or_create(code="BTC", defaults={"name": "Ban Tổ chức"})


@pytest.fixture
def docs(clerk):
    return [make_document(clerk=clerk, level=Level.MAT, unit="VP") for _ in range(22)]


@pytest.fixture
def reader(db):
    return make_user("nguong", clearance=Level.TUYET_MAT, unit="VP")


def _reads(reader, docs, first, step: dt.timedelta):
    for k, doc in enumerate(docs):
        plant(Action.VIEW, first + k * step, actor=reader, document=doc)


def _found(kind, period=DAY, **overrides):
    return [a for a in find_anomalies(*period, kinds=[kind], thresholds_override=overrides or None)]


# --- bulk_read: more than 20 distinct documents within 60 minutes (both ends of the window included) ------

def test_bulk_read_exactly_at_the_limit_is_not_flagged(reader, docs):
    _reads(reader, docs[:20], local(2020, 3, 10, 9, 0), dt.timedelta(minutes=1))
    assert _found("bulk_read") == []


def test_bulk_read_one_past_the_limit_is_flagged(reader, docs):
    _reads(reader, docs[:21], local(2020, 3, 10, 9, 0), dt.timedelta(minutes=1))
    assert [a.user for a in _found("bulk_read")] == ["nguong"]


def test_bulk_read_window_of_exactly_60_minutes_is_flagged(reader, docs):
    # 21 documents, first at 09:00:00 and last at 10:00:00: the window [09:00, 10:00] holds all of them.
    _reads(reader, docs[:21], local(2020, 3, 10, 9, 0), dt.timedelta(minutes=3))
    found = _found("bulk_read")
    assert len(found) == 1 and found[0].count == 21


def test_bulk_read_window_one_second_too_long_is_not_flagged(reader, docs):
    _reads(reader, docs[:20], local(2020, 3, 10, 9, 0), dt.timedelta(minutes=3))
    plant(Action.VIEW, local(2020, 3, 10, 10, 0, 1), actor=reader, document=docs[20])
    assert _found("bulk_read") == []


def test_bulk_read_window_across_clock_hours_is_not_hidden_by_the_hourly_prefilter(reader, docs):
    # 09:50–10:10 local: 10 documents in one clock hour and 11 in the next, each under the limit. A pre-filter
    # that summed one hour too few (k = ceil(60/60)) would never look at these rows.
    _reads(reader, docs[:21], local(2020, 3, 10, 9, 50), dt.timedelta(minutes=1))
    assert [a.count for a in _found("bulk_read")] == [21]


def test_bulk_read_window_over_three_clock_hours_with_a_longer_window(reader, docs):
    # 90-minute window from 09:59 to 11:29 touches three clock hours (7 + 7 + 7 documents).
    for k, doc in enumerate(docs[:21]):
        hour, minute = divmod(59 + k * 4.5, 60)
        plant(Action.VIEW, local(2020, 3, 10, 9 + int(hour), int(minute), int((minute % 1) * 60)), actor=reader,
              document=doc)
    assert [a.count for a in _found("bulk_read", bulk_read_minutes=90)] == [21]
    assert _found("bulk_read", bulk_read_minutes=89) == []


def test_rereading_the_same_document_does_not_count_twice(reader, docs):
    _reads(reader, docs[:20], local(2020, 3, 10, 9, 0), dt.timedelta(minutes=1))
    plant(Action.VIEW, local(2020, 3, 10, 9, 30), actor=reader, document=docs[0])
    assert _found("bulk_read") == []


# --- after_hours: working hours Monday–Friday 07:30 (inclusive) to 17:00 (exclusive) -------------------------

@pytest.mark.parametrize("moment, flagged", [
    (local(2020, 3, 10, 7, 29, 59), True),
    (local(2020, 3, 10, 7, 30, 0), False),
    (local(2020, 3, 10, 16, 59, 59), False),
    (local(2020, 3, 10, 17, 0, 0), True),
    (local(2020, 3, 13, 12, 0), False),  # Friday
    (local(2020, 3, 14, 12, 0), True),  # Saturday
])
def test_after_hours_edges(reader, docs, moment, flagged):
    plant(Action.VIEW, moment, actor=reader, document=docs[0])
    found = _found("after_hours", period=(local(2020, 3, 9), local(2020, 3, 16)))
    assert bool(found) is flagged


# --- outside_unit: at least N documents of other units (default 1) -------------------------------------------

def test_outside_unit_exactly_at_and_below_the_threshold(clerk, reader):
    Unit.objects.get_or_create(code="BTC", defaults={"name": "Ban Tổ chức"})
    other = [make_document(clerk=clerk, level=Level.MAT, unit="BTC") for _ in range(3)]
    for k, doc in enumerate(other):
        plant(Action.VIEW, local(2020, 3, 10, 9, k), actor=reader, document=doc)
    assert [a.count for a in _found("outside_unit", outside_unit_documents=3)] == [3]
    assert _found("outside_unit", outside_unit_documents=4) == []
    assert _found("outside_unit", outside_unit_documents=3, outside_unit_exempt_units=["VP"]) == []


# --- repeated_refusals: at least 3 refusals in one local day ------------------------------------------------

def test_refusals_exactly_at_and_one_below_the_threshold(reader, docs):
    for minute in (0, 1):
        plant(Action.VIEW, local(2020, 3, 10, 9, minute), actor=reader, document=docs[0], outcome=Outcome.REFUSED)
    assert _found("repeated_refusals") == []
    plant(Action.VIEW, local(2020, 3, 10, 23, 59, 59), actor=reader, document=docs[0], outcome=Outcome.REFUSED)
    assert [a.count for a in _found("repeated_refusals")] == [3]


def test_refusals_split_by_local_midnight_are_two_days(reader, docs):
    for moment in (local(2020, 3, 10, 23, 59), local(2020, 3, 10, 23, 59, 30), local(2020, 3, 11, 0, 0)):
        plant(Action.VIEW, moment, actor=reader, document=docs[0], outcome=Outcome.REFUSED)
    assert _found("repeated_refusals", period=(local(2020, 3, 10), local(2020, 3, 12))) == []


# --- loans: not returned after the meeting / past due, with a grace period -----------------------------------

@pytest.fixture
def loans(clerk, reader):
    recall = make_document(clerk=clerk, level=Level.MAT, unit="VP", recall=True)
    plain = make_document(clerk=clerk, level=Level.MAT, unit="VP")
    Loan.objects.create(document=recall, borrower=reader, approved_by=clerk, purpose="Họp",
                        out_at=local(2020, 3, 10, 8), due_at=local(2020, 3, 10, 17),
                        meeting_ends_at=local(2020, 3, 10, 11))
    Loan.objects.create(document=plain, borrower=reader, approved_by=clerk, purpose="Thẩm tra",
                        out_at=local(2020, 3, 10, 8), due_at=local(2020, 3, 10, 12))


@pytest.mark.parametrize("grace, end, expected", [
    (0, local(2020, 3, 10, 11, 0), set()),  # exactly at the meeting's end: not yet
    (0, local(2020, 3, 10, 11, 0, 1), {"not_returned"}),
    (30, local(2020, 3, 10, 11, 30), set()),  # exactly at the end of the grace period
    (30, local(2020, 3, 10, 11, 30, 1), {"not_returned"}),
    (0, local(2020, 3, 10, 12, 0), {"not_returned"}),  # the plain loan is due exactly now: not yet
    (0, local(2020, 3, 10, 12, 0, 1), {"not_returned", "overdue_loan"}),
])
def test_loan_edges(loans, grace, end, expected):
    found = find_anomalies(local(2020, 3, 10), end, kinds=["not_returned", "overdue_loan"],
                           thresholds_override={"loan_grace_minutes": grace})
    assert {a.kind for a in found} == expected
