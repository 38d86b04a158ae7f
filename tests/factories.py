"""Test data: users of each role and clearance, documents of each level, grants. Fixtures and plain helpers."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from registry.actions.documents import DocumentMetadata, do_register_document
from registry.actions.people import do_add_grant, do_add_user
from registry.constants import Level, Role

_counter = itertools.count(1)


def make_user(username=None, *, role=Role.STAFF, clearance=Level.THUONG, unit="Văn phòng Đảng ủy", password="pw-test-123"):
    username = username or f"user{next(_counter)}"
    return do_add_user(username, role=role, clearance=clearance, unit=unit, password=password)


def make_metadata(**overrides) -> DocumentMetadata:
    n = next(_counter)
    values = dict(
        direction="den",
        level=Level.MAT,
        number=f"{n}-HD/ĐU",
        doc_type="HD",
        issuer="Đảng ủy Bộ Công Thương",
        issue_date=dt.date(2020, 2, 24),
        title=f"Hướng dẫn rà soát tiêu chuẩn chính trị số {n}",
        summary="Rà soát lịch sử chính trị và chính trị hiện nay phục vụ đại hội",
    )
    values.update(overrides)
    if values["level"] == Level.TUYET_MAT and "summary" not in overrides:
        values["summary"] = ""
    return DocumentMetadata(**values)


def make_document(*, clerk=None, stored=None, **overrides):
    clerk = clerk or make_user(role=Role.CLERK, clearance=Level.TUYET_MAT)
    return do_register_document(make_metadata(**overrides), actor=clerk, stored=stored)


def grant(user, document, *, days=30, reason="Phục vụ công tác nhân sự đại hội"):
    return do_add_grant(user, document=document, until=timezone.localdate() + dt.timedelta(days=days), reason=reason)


@pytest.fixture
def clerk(db):
    return make_user("vanthu", role=Role.CLERK, clearance=Level.TUYET_MAT)


@pytest.fixture
def documents_by_level(db, clerk):
    return {level: make_document(clerk=clerk, level=level) for level in Level.values}


@pytest.fixture
def users_by_clearance(db):
    return {level: make_user(f"staff_{level}", role=Role.STAFF, clearance=level) for level in Level.values}
