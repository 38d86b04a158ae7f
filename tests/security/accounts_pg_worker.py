"""Worker for the PostgreSQL lockout race (tests/security/test_accounts_lockout.py), run with DATABASE_URL set.

    python -m tests.security.accounts_pg_worker race USERNAME ATTEMPTS  -> prints {"statuses": [...]}
    python -m tests.security.accounts_pg_worker totp USERNAME ATTEMPTS  -> prints {"reasons": [...]}

``race`` makes the user, then fires ATTEMPTS wrong-password logins at once from as many threads (each with
its own database connection and its own test client), released together by a barrier. ``totp`` does the
same with wrong TOTP codes against one device (the verification action, as the code page calls it).
"""

import json
import os
import sys
import threading


def race(username: str, attempts: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from registry.constants import Level, Role
    from tests.factories import make_user

    make_user(username, role=Role.STAFF, clearance=Level.MAT, password="dung-mat-khau")
    connection.close()
    barrier = threading.Barrier(attempts)
    statuses, errors = [], []
    lock = threading.Lock()

    def attempt():
        from django.db import connection as own

        try:
            client = Client()
            barrier.wait()
            response = client.post("/admin/login/", {"username": username, "password": "sai-mat-khau"})
            with lock:
                statuses.append(response.status_code)
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on any
            with lock:
                errors.append(repr(exc))
        finally:
            own.close()

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"statuses": statuses, "errors": errors[:5]}


def totp(username: str, attempts: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings.test")
    import django

    django.setup()
    from django.db import connection

    from registry.actions.accounts import SecondFactorError, do_verify_totp
    from registry.constants import Level
    from tests.factories import give_second_factor, make_user

    user = make_user(username, clearance=Level.TUYET_MAT)
    give_second_factor(user)
    connection.close()
    barrier = threading.Barrier(attempts)
    reasons, errors = [], []
    lock = threading.Lock()

    def attempt(n):
        from django.db import connection as own

        try:
            barrier.wait()
            do_verify_totp(user, f"{n:06d}")
            with lock:
                errors.append("a wrong code was accepted")
        except SecondFactorError as error:
            with lock:
                reasons.append(str(error.code))
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on any
            with lock:
                errors.append(repr(exc))
        finally:
            own.close()

    # Codes 1..N: the device's real code is one in a million at each step, and would only make one pass.
    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(1, attempts + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"reasons": reasons, "errors": errors[:5]}


if __name__ == "__main__":
    command = {"race": race, "totp": totp}[sys.argv[1]]
    print(json.dumps(command(sys.argv[2], int(sys.argv[3]))))
