"""Attacks on the second factor: TOTP codes had no attempt limit, a used code was accepted again, and failed
codes were not logged. Now django-otp throttles (1, 2, 4 … s after each failure, counted under a row lock),
refuses a code at a time step already used, the session ends after REGISTRY_OTP_MAX_FAILURES, and each
failure writes exactly one LOGIN_FAILED entry."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP

from registry.constants import Action, Level, Outcome
from registry.models import AccessLogEntry
from tests.factories import give_second_factor, make_user

pytestmark = pytest.mark.django_db

VERIFY = "/account/otp/"


def _code(device, offset=0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp() + offset * device.step
    return f"{totp.token():06d}"


def _wrong(device) -> str:
    right = {_code(device, k) for k in (-1, 0, 1)}
    return next(c for c in ("123456", "654321", "111111", "999999") if c not in right)


def _password_session(username) -> Client:
    client = Client()
    assert client.post("/admin/login/", {"username": username, "password": "dung-mat-khau"}).status_code == 302
    return client


def _totp_failures(user):
    return list(AccessLogEntry.objects.filter(action=Action.LOGIN_FAILED, actor=user).order_by("seq"))


def test_totp_brute_force_is_throttled_then_ends_the_session(settings):
    settings.REGISTRY_OTP_MAX_FAILURES = 5
    user = make_user("bi.do.ma", clearance=Level.TUYET_MAT, password="dung-mat-khau")
    device = give_second_factor(user)
    client = _password_session("bi.do.ma")
    guesses = [f"{n:06d}" for n in range(100000, 100020) if f"{n:06d}" not in {_code(device, k) for k in (-1, 0, 1)}]
    answers = [client.post(VERIFY, {"code": guess}) for guess in guesses[:5]]
    # Within a second of the first failure the rest are throttled; the fifth ends the session.
    assert [a.status_code for a in answers[:4]] == [200] * 4
    assert answers[4].status_code == 302 and answers[4]["Location"].startswith(reverse("wagtailadmin_login"))
    reasons = [e.extra["reason"] for e in _totp_failures(user)]
    assert len(reasons) == 5 and reasons[0] == "otp_invalid" and set(reasons) <= {"otp_invalid", "otp_throttled"}
    assert "otp_throttled" in reasons  # a slow machine may let a guess or two through the growing back-off
    # Even the right code does nothing now: the session is gone, and a new one waits out the back-off.
    assert client.post(VERIFY, {"code": _code(device)}).status_code == 302
    assert "_auth_user_id" not in client.session
    fresh = _password_session("bi.do.ma")
    refused = fresh.post(VERIFY, {"code": _code(device)})
    # Past the limit, each new session gets one (throttled) try and is ended again.
    assert refused.status_code == 302 and "_auth_user_id" not in fresh.session
    assert _totp_failures(user)[-1].extra["reason"] == "otp_throttled"


def test_a_used_totp_code_is_not_accepted_again():
    user = make_user("dung.lai", clearance=Level.TOI_MAT, password="dung-mat-khau")
    device = give_second_factor(user)
    code = _code(device)
    first = _password_session("dung.lai")
    assert first.post(VERIFY, {"code": code}).status_code == 302
    assert first.get(reverse("registry_document_list")).status_code == 200
    # The same code, seen over a shoulder or replayed from a captured request, in another session.
    second = _password_session("dung.lai")
    replay = second.post(VERIFY, {"code": code})
    assert replay.status_code == 200
    assert second.get(reverse("registry_document_list")).status_code == 302
    failure = _totp_failures(user)[-1]
    assert failure.outcome == Outcome.REFUSED and failure.extra["reason"] == "otp_replayed"
    assert failure.extra["factor"] == "totp"


def test_every_totp_failure_is_logged_exactly_once(settings):
    settings.REGISTRY_OTP_MAX_FAILURES = 100
    user = make_user("ghi.lai", clearance=Level.TOI_MAT, password="dung-mat-khau")
    device = give_second_factor(user)
    client = _password_session("ghi.lai")
    before = AccessLogEntry.objects.count()
    for _ in range(4):
        client.post(VERIFY, {"code": _wrong(device)})
        client.post(VERIFY, {"code": "abc"})  # not even a number: still a failure, still logged
    failures = _totp_failures(user)
    assert len(failures) == 8 and AccessLogEntry.objects.count() - before == 8
    assert all(f.extra["factor"] == "totp" and f.outcome == Outcome.REFUSED for f in failures)
    assert [f.extra["failures"] for f in failures] == list(range(1, 9))  # the device's count, no lost update
