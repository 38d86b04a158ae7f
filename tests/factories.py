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


def give_second_factor(user):
    """A confirmed TOTP device for ``user`` (django-otp), made once."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return (TOTPDevice.objects.filter(user=user, confirmed=True).first()
            or TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True))


def mark_second_factor_passed(client, user):
    """Make the test client's session one that passed the second factor (as the OTP page does)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = give_second_factor(user).persistent_id
    session.save()


def login_without_second_factor(client, user):
    """``force_login`` as it is in Django: a password-only session (the conftest patch adds the factor)."""
    _django_force_login(client, user)


# Django's own force_login, kept before tests/conftest.py wraps it.
_django_force_login = __import__("django.test", fromlist=["Client"]).Client.force_login


def make_api_token(user, *, days=None) -> str:
    """An API token row for ``user`` (no log entry, unlike the action) and its secret."""
    import secrets

    from django.conf import settings

    from registry.actions.accounts import TOKEN_PREFIX, hash_token
    from registry.models.people import ApiToken

    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    days = settings.REGISTRY_API_TOKEN_DAYS if days is None else days
    ApiToken.objects.create(user=user, key_hash=hash_token(secret), prefix=secret[:10], created_at=now,
                            expires_at=now + dt.timedelta(days=days))
    return secret


def verify_second_factor(client, user):
    """Pass the second factor in ``client``'s session where ``user`` needs one (force_login already does)."""
    from registry.accounts import second_factor_required

    if second_factor_required(user):
        mark_second_factor_passed(client, user)
