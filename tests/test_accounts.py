"""Accounts: lockout (django-axes), short sessions, the TOTP second factor (django-otp), hashed API tokens."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP

from registry.accounts import is_locked
from registry.constants import Action, Level, Outcome, Role
from registry.models import AccessLogEntry
from tests.factories import give_second_factor, login_without_second_factor, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


def _login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def totp_code(device, offset=0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp() + offset * device.step
    return f"{totp.token():06d}"


def test_repeated_failures_lock_the_account_and_every_attempt_is_logged():
    make_user("khoa", role=Role.STAFF, clearance=Level.MAT, password="dung-mat-khau")
    client = Client()
    for _ in range(settings.REGISTRY_LOGIN_MAX_FAILURES):
        _login(client, "khoa", "sai-mat-khau")
    assert is_locked("khoa")
    # Even the right password is refused while locked, with the same page as a wrong one.
    response = _login(client, "khoa", "dung-mat-khau")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "tài khoản bị tạm khóa" in response.content.decode()
    unknown = _login(Client(), "khong-co-ai", "sai")
    assert response.context["form"].errors == unknown.context["form"].errors  # nothing tells them apart
    failed = AccessLogEntry.objects.filter(action=Action.LOGIN_FAILED, actor_username="khoa").order_by("seq")
    assert failed.count() == settings.REGISTRY_LOGIN_MAX_FAILURES + 1
    assert all(e.outcome == Outcome.REFUSED for e in failed)
    reasons = [e.extra["reason"] for e in failed]
    assert reasons == ["bad_password"] * (settings.REGISTRY_LOGIN_MAX_FAILURES - 1) + ["locked_now", "locked"]


def test_lock_ends_after_the_cool_off(settings):
    make_user("nguoi.khoa", password="dung-mat-khau")
    client = Client()
    for _ in range(settings.REGISTRY_LOGIN_MAX_FAILURES):
        _login(client, "nguoi.khoa", "sai")
    assert is_locked("nguoi.khoa")
    from axes.models import AccessAttempt

    # The cool-off runs from the last failure (moved back in time rather than waiting 15 minutes).
    AccessAttempt.objects.filter(username="nguoi.khoa").update(
        attempt_time=timezone.now() - dt.timedelta(minutes=settings.REGISTRY_LOGIN_LOCKOUT_MINUTES, seconds=1))
    assert not is_locked("nguoi.khoa")
    assert _login(client, "nguoi.khoa", "dung-mat-khau").status_code == 302


def test_success_resets_the_failure_count_and_sessions_are_short():
    user = make_user("mo", role=Role.STAFF, clearance=Level.MAT, password="dung-mat-khau")
    client = Client()
    for _ in range(settings.REGISTRY_LOGIN_MAX_FAILURES - 1):
        _login(client, "mo", "sai-mat-khau")
    response = _login(client, "mo", "dung-mat-khau")
    assert response.status_code == 302
    from axes.models import AccessAttempt

    assert not AccessAttempt.objects.filter(username="mo").exists()
    assert client.session.get_expiry_age() <= 30 * 60
    assert AccessLogEntry.objects.filter(action=Action.LOGIN, actor=user, outcome=Outcome.OK).count() == 1


def test_unknown_user_is_logged_without_revealing_anything():
    client = Client()
    response = _login(client, "khong-co", "x")
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get(action=Action.LOGIN_FAILED)
    assert entry.actor_id is None and entry.actor_username == "khong-co" and entry.extra["reason"] == "unknown_user"


def test_enrolled_user_must_pass_totp_once_per_session():
    user = make_user("hai.lop", role=Role.STAFF, clearance=Level.TOI_MAT, password="dung-mat-khau")
    device = give_second_factor(user)
    client = Client()
    assert _login(client, "hai.lop", "dung-mat-khau").status_code == 302
    response = client.get(reverse("registry_document_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("registry_otp_verify"))
    bad = client.post(reverse("registry_otp_verify") + "?next=/admin/", {"code": "000000"})
    assert bad.status_code == 200
    assert client.get(reverse("registry_document_list")).status_code == 302
    device.refresh_from_db()
    device.throttling_failure_timestamp = None  # skip django-otp's 1-second back-off
    device.save()
    good = client.post(reverse("registry_otp_verify") + "?next=/admin/", {"code": totp_code(device)})
    assert good.status_code == 302 and good["Location"] == "/admin/"
    assert client.get(reverse("registry_document_list")).status_code == 200
    entries = AccessLogEntry.objects.filter(actor=user, action__in=[Action.LOGIN, Action.LOGIN_FAILED]).order_by("seq")
    assert [(e.action, e.extra.get("factor"), e.extra.get("reason")) for e in entries] == [
        (Action.LOGIN, None, None), (Action.LOGIN_FAILED, "totp", "otp_invalid"), (Action.LOGIN, "totp", None)]
    # An open redirect is not followed.
    client2 = Client()
    _login(client2, "hai.lop", "dung-mat-khau")
    evil = client2.post(reverse("registry_otp_verify") + "?next=https://example.org/", {"code": totp_code(device, 1)})
    assert evil["Location"] == "/admin/"


def test_too_many_wrong_codes_end_the_session(settings):
    settings.REGISTRY_OTP_MAX_FAILURES = 3
    user = make_user("doan.ma", clearance=Level.TOI_MAT, password="dung-mat-khau")
    give_second_factor(user)
    client = Client()
    _login(client, "doan.ma", "dung-mat-khau")
    for _ in range(3):
        response = client.post(reverse("registry_otp_verify"), {"code": "000001"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))
    assert "_auth_user_id" not in client.session
    assert AccessLogEntry.objects.filter(action=Action.LOGIN_FAILED, actor=user).count() == 3


def test_toi_mat_reader_without_a_device_is_sent_to_enrolment(clerk, settings):
    settings.REGISTRY_ENCRYPT_LEVELS = []
    from tests.marking.pdfs import make_pdf_document

    document = make_pdf_document(clerk=clerk, level=Level.MAT)
    reader = make_user("can.bo.tm", clearance=Level.TOI_MAT)
    client = Client()
    login_without_second_factor(client, reader)
    assert client.get(reverse("registry_document_detail", args=[document.pk])).status_code == 200  # metadata
    start = AccessLogEntry.objects.order_by("-seq").first().seq
    response = client.post(reverse("registry_document_download", args=[document.pk]), {"purpose": "Đọc"})
    assert response.status_code == 302 and response["Location"] == reverse("registry_totp_enrol")
    entries = list(AccessLogEntry.objects.filter(seq__gt=start))
    assert [(e.action, e.outcome, e.document_id, e.extra["reason"]) for e in entries] == [
        (Action.DOWNLOAD, Outcome.REFUSED, document.pk, "second_factor_required")]
    # The same reader in a verified session reads it.
    client.force_login(reader)
    response = client.post(reverse("registry_document_download", args=[document.pk]), {"purpose": "Đọc"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_setting_off_lets_password_sessions_read(clerk, settings):
    settings.REGISTRY_REQUIRE_2FA_FROM = ""
    settings.REGISTRY_ENCRYPT_LEVELS = []
    from tests.marking.pdfs import make_pdf_document

    document = make_pdf_document(clerk=clerk, level=Level.MAT)
    client = Client()
    login_without_second_factor(client, make_user(clearance=Level.TUYET_MAT))
    assert client.post(reverse("registry_document_download", args=[document.pk]), {"purpose": "x"}).status_code == 200


def test_totp_enrolment_saves_a_device_and_logs_it():
    user = make_user("dang.ky", clearance=Level.TOI_MAT)
    client = Client()
    login_without_second_factor(client, user)
    page = client.get(reverse("registry_totp_enrol"))
    assert page.status_code == 200 and page.context["required"]
    assert page.context["uri"].startswith("otpauth://totp/")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    key = client.session["registry_totp_pending"]
    code = totp_code(TOTPDevice(key=key))
    assert client.post(reverse("registry_totp_enrol"), {"code": code}).status_code == 302
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and device.key == key
    assert AccessLogEntry.objects.order_by("-seq").first().extra == {"user": "dang.ky", "totp": "enrolled"}


def test_api_token_is_hashed_expires_and_rotates(clerk, settings):
    from rest_framework.test import APIClient

    from registry.actions.accounts import do_issue_api_token, hash_token
    from registry.models.people import ApiToken

    token, secret = do_issue_api_token(clerk)
    assert token.key_hash == hash_token(secret) and secret not in token.key_hash
    assert token.expires_at.date() == (timezone.now() + dt.timedelta(days=settings.REGISTRY_API_TOKEN_DAYS)).date()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.get("/api/v1/documents/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = api.get("/api/v1/documents/")
    assert expired.status_code == 401 and "hết hạn" in expired.json()["error"]["message"]
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.actor_id, entry.extra["reason"]) == (Action.LOGIN_FAILED, clerk.pk, "token_expired")
    _token2, secret2 = do_issue_api_token(clerk)
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret2}")
    assert api.get("/api/v1/documents/").status_code == 200
    assert ApiToken.objects.filter(user=clerk, revoked_at__isnull=True).count() == 1


def test_api_token_reads_mat_but_not_toi_mat(clerk, settings):
    settings.REGISTRY_ENCRYPT_LEVELS = []
    from rest_framework.test import APIClient

    from registry.actions.accounts import do_issue_api_token
    from tests.factories import grant
    from tests.marking.pdfs import make_pdf_document

    mat = make_pdf_document(clerk=clerk, level=Level.MAT)
    toi_mat = make_pdf_document(clerk=clerk, level=Level.TOI_MAT)
    reader = make_user(clearance=Level.TOI_MAT)
    grant(reader, toi_mat)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {do_issue_api_token(reader)[1]}")
    assert api.post(f"/api/v1/documents/{mat.pk}/download/", {"purpose": "x"}, format="json").status_code == 200
    refused = api.post(f"/api/v1/documents/{toi_mat.pk}/download/", {"purpose": "x"}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "second_factor_required"
    assert b"%PDF" not in refused.content
    # Its record (metadata) is still readable with the token.
    assert api.get(f"/api/v1/documents/{toi_mat.pk}/").status_code == 200



def test_console_unlocks_a_name_and_resets_a_lost_device(capsys):
    import json

    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = make_user("mat.dien.thoai", clearance=Level.TOI_MAT, password="dung-mat-khau")
    give_second_factor(user)
    for _ in range(settings.REGISTRY_LOGIN_MAX_FAILURES):
        _login(Client(), "mat.dien.thoai", "sai")
    assert is_locked("mat.dien.thoai")
    call_command("users", "unlock", "mat.dien.thoai", "--json")
    assert json.loads(capsys.readouterr().out)["unlock"] and not is_locked("mat.dien.thoai")
    call_command("users", "reset-2fa", "mat.dien.thoai", "--json")
    assert json.loads(capsys.readouterr().out)["removed"] == 1
    assert not TOTPDevice.objects.filter(user=user).exists()
    extras = [e.extra for e in AccessLogEntry.objects.filter(action=Action.USER_ADMIN).order_by("-seq")[:2]]
    assert extras == [{"user": "mat.dien.thoai", "totp": "reset"}, {"user": "mat.dien.thoai", "login": "unlocked"}]
