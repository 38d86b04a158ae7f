"""Accounts: lockout after repeated failures, short sessions, and the TOTP second factor."""

import pyotp
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from registry.constants import Action, Level, Outcome, Role
from registry.models import AccessLogEntry
from tests.factories import make_user

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


def _login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_repeated_failures_lock_the_account_and_every_attempt_is_logged():
    user = make_user("khoa", role=Role.STAFF, clearance=Level.MAT, password="dung-mat-khau")
    client = Client()
    for _ in range(settings.REGISTRY_LOGIN_MAX_FAILURES):
        _login(client, "khoa", "sai-mat-khau")
    user.refresh_from_db()
    assert user.locked_until is not None
    # Even the right password is refused while locked.
    response = _login(client, "khoa", "dung-mat-khau")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    failed = AccessLogEntry.objects.filter(action=Action.LOGIN_FAILED, actor_username="khoa")
    assert failed.count() == settings.REGISTRY_LOGIN_MAX_FAILURES + 1
    assert all(e.outcome == Outcome.REFUSED for e in failed)
    assert failed.order_by("-seq").first().extra["reason"] == "locked"


def test_success_resets_the_failure_count_and_sessions_are_short():
    user = make_user("mo", role=Role.STAFF, clearance=Level.MAT, password="dung-mat-khau")
    client = Client()
    _login(client, "mo", "sai-mat-khau")
    response = _login(client, "mo", "dung-mat-khau")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.failed_logins == 0 and user.locked_until is None
    assert client.session.get_expiry_age() <= 30 * 60
    assert AccessLogEntry.objects.filter(action=Action.LOGIN, actor=user, outcome=Outcome.OK).count() == 1


def test_unknown_user_is_logged_without_revealing_anything():
    client = Client()
    response = _login(client, "khong-co", "x")
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get(action=Action.LOGIN_FAILED)
    assert entry.actor_id is None and entry.actor_username == "khong-co" and entry.extra["reason"] == "unknown_user"


def test_enrolled_user_must_pass_totp_once_per_session():
    secret = pyotp.random_base32()
    user = make_user("hai.lop", role=Role.STAFF, clearance=Level.TOI_MAT, password="dung-mat-khau")
    user.totp_secret = secret
    user.save(update_fields=["totp_secret"])
    client = Client()
    assert _login(client, "hai.lop", "dung-mat-khau").status_code == 302
    response = client.get(reverse("registry_document_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("registry_otp_verify"))
    bad = client.post(reverse("registry_otp_verify") + "?next=/admin/", {"code": "000000"})
    assert bad.status_code == 200
    assert client.get(reverse("registry_document_list")).status_code == 302
    good = client.post(reverse("registry_otp_verify") + "?next=/admin/", {"code": pyotp.TOTP(secret).now()})
    assert good.status_code == 302 and good["Location"] == "/admin/"
    assert client.get(reverse("registry_document_list")).status_code == 200
    # An open redirect is not followed.
    client2 = Client()
    _login(client2, "hai.lop", "dung-mat-khau")
    evil = client2.post(reverse("registry_otp_verify") + "?next=https://example.org/", {"code": pyotp.TOTP(secret).now()})
    assert evil["Location"] == "/admin/"
