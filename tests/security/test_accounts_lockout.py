"""Attacks in parallel, on PostgreSQL.

- The lockout counter was saved from a stale copy of the user row, so 30 parallel wrong passwords left
  ``failed_logins=1`` and no lock. Now django-axes counts each failure with a row lock and an F()
  increment, and every attempt writes exactly one access-log entry.
- Parallel TOTP guesses must not slip past the throttle by reading a stale failure count: the check runs
  under a row lock on the device, so each guess is counted and only the first few are even evaluated.
"""

import json
import subprocess
import sys

import psycopg
import pytest

from tests.postgres import ROOT, fresh_database, registry_env

ATTEMPTS = 30


@pytest.fixture(scope="module")
def pg_database(tmp_path_factory):
    """One fresh PostgreSQL database for this module's races (migrating one costs minutes on CI)."""
    with fresh_database(tmp_path_factory.mktemp("pg") / "home") as url:
        yield url


@pytest.mark.postgres
def test_parallel_wrong_passwords_lock_the_account_and_each_is_logged_once(pg_database, tmp_path):
    env = registry_env(pg_database, tmp_path / "home", DJANGO_SETTINGS_MODULE="registry.settings.test",
                       REGISTRY_LOGIN_MAX_FAILURES=5)
    result = subprocess.run([sys.executable, "-m", "tests.security.accounts_pg_worker", "race", "khoa.song.song",
                             str(ATTEMPTS)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert not outcome["errors"], outcome["errors"]
    assert outcome["statuses"] == [200] * ATTEMPTS  # the login page again, never a crash, never a session

    with psycopg.connect(pg_database) as conn:
        counted = conn.execute("SELECT coalesce(sum(failures_since_start), 0) FROM axes_accessattempt "
                               "WHERE username = %s", ["khoa.song.song"]).fetchone()[0]
        rows = conn.execute("SELECT extra->>'reason', request_id FROM registry_accesslogentry "
                            "WHERE action = 'login_failed' AND actor_username = %s", ["khoa.song.song"]).fetchall()
    reasons = [reason for reason, _request in rows]
    # Every attempt is logged, once (one entry per request).
    assert len(rows) == ATTEMPTS and len({request for _reason, request in rows}) == ATTEMPTS, reasons
    assert set(reasons) <= {"bad_password", "locked_now", "locked"}
    # The counter lost no update: it holds exactly the failures that were counted (not refused as locked).
    assert counted == sum(1 for r in reasons if r in {"bad_password", "locked_now"})
    assert counted >= 5 and "locked_now" in reasons

    # And the account is locked: the right password is refused now.
    check = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.test import Client; "
         "r = Client().post('/admin/login/', {'username': 'khoa.song.song', 'password': 'dung-mat-khau'}); "
         "from registry.accounts import is_locked; print(r.status_code, is_locked('khoa.song.song'))"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stderr[-2000:]
    assert check.stdout.split()[-2:] == ["200", "True"]


@pytest.mark.postgres
def test_parallel_totp_guesses_are_each_counted_and_throttled(pg_database, tmp_path):
    env = registry_env(pg_database, tmp_path / "home", DJANGO_SETTINGS_MODULE="registry.settings.test")
    result = subprocess.run([sys.executable, "-m", "tests.security.accounts_pg_worker", "totp", "doan.song.song",
                             "20"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert not outcome["errors"], outcome["errors"]
    reasons = outcome["reasons"]
    assert len(reasons) == 20 and set(reasons) <= {"otp_invalid", "otp_throttled"}
    # The back-off doubles with each counted failure (1, 2, 4 … s): only a handful of guesses are evaluated.
    assert reasons.count("otp_invalid") <= 3, reasons
    with psycopg.connect(pg_database) as conn:
        count = conn.execute("SELECT d.throttling_failure_count FROM otp_totp_totpdevice d JOIN registry_user u "
                             "ON u.id = d.user_id WHERE u.username = %s", ["doan.song.song"]).fetchone()[0]
        logged = conn.execute("SELECT count(*) FROM registry_accesslogentry WHERE action = 'login_failed' "
                              "AND actor_username = %s", ["doan.song.song"]).fetchone()[0]
    assert count == 20 and logged == 20  # no lost update, every failure logged once
