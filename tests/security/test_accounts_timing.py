"""Attack: a locked account answered faster than an unknown name (no password hash), which told an attacker
which names exist. Every attempt now pays one hash of the real hasher, so the three answer alike."""

import statistics
import time

import pytest
from django.test import Client

from registry.accounts import is_locked
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ROUNDS = 5


def _median_login_time(client, username, password) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.post("/admin/login/", {"username": username, "password": password})
        times.append(time.perf_counter() - started)
        assert response.status_code == 200  # the same login page with its error, whatever the reason
    return statistics.median(times)


def test_locked_unknown_and_wrong_password_take_the_same_time(settings):
    # The real (slow) hasher; the test settings use MD5 for speed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    settings.REGISTRY_LOGIN_MAX_FAILURES = 1000  # "wrong" stays unlocked through its rounds
    make_user("sai.mat.khau", password="dung-mat-khau")
    make_user("bi.khoa", password="dung-mat-khau")
    client = Client()
    client.post("/admin/login/", {"username": "sai.mat.khau", "password": "x"})  # warm up
    wrong = _median_login_time(client, "sai.mat.khau", "sai")
    unknown = _median_login_time(client, "khong.ton.tai", "sai")
    settings.REGISTRY_LOGIN_MAX_FAILURES = 1
    client.post("/admin/login/", {"username": "bi.khoa", "password": "sai"})
    assert is_locked("bi.khoa")
    locked = _median_login_time(client, "bi.khoa", "dung-mat-khau")
    print(f"median login time: wrong {wrong * 1000:.0f} ms, unknown {unknown * 1000:.0f} ms, "
          f"locked {locked * 1000:.0f} ms")
    for name, value in (("unknown", unknown), ("locked", locked)):
        assert 0.5 <= value / wrong <= 2, f"{name} {value:.3f}s vs wrong password {wrong:.3f}s"
