"""Worker for the PostgreSQL concurrency test, run in its own process with DATABASE_URL set.

    python -m tests.integrity.pg_worker setup             -> prints {"document_id", "username"}
    python -m tests.integrity.pg_worker read DOC USER SECONDS THREADS  -> prints {"reads", "errors"}

Each thread has its own database connection (Django opens one per thread) and calls do_read_document in a
loop until the time is up.
"""

import json
import os
import sys
import threading
import time


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings.base")
    import django

    django.setup()


def setup():
    from registry.constants import Level, Role
    from tests.factories import make_user
    from tests.marking.pdfs import make_pdf_document

    clerk = make_user("vanthu_pg", role=Role.CLERK, clearance=Level.TUYET_MAT)
    reader = make_user("docgia_pg", role=Role.STAFF, clearance=Level.MAT)
    document = make_pdf_document(clerk=clerk, pages=2, level=Level.MAT)
    return {"document_id": document.pk, "username": reader.username}


def read(document_id: int, username: str, seconds: float, threads: int):
    from django.db import connection

    from registry.actions.reading import do_read_document
    from registry.models import User

    reader = User.objects.get(username=username)
    connection.close()
    deadline = time.monotonic() + seconds
    counts = {"reads": 0, "errors": []}
    lock = threading.Lock()

    def loop():
        from django.db import connection as own

        try:
            while time.monotonic() < deadline:
                try:
                    do_read_document(document_id, actor=reader, purpose="Kiểm thử đồng thời")
                except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on any
                    with lock:
                        counts["errors"].append(repr(exc))
                    continue
                with lock:
                    counts["reads"] += 1
        finally:
            own.close()

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    counts["errors"] = counts["errors"][:5]
    return counts


if __name__ == "__main__":
    _setup_django()
    command = sys.argv[1]
    if command == "setup":
        print(json.dumps(setup()))
    else:
        print(json.dumps(read(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), int(sys.argv[5]))))
