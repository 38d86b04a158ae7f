"""On PostgreSQL, concurrent registrations into one register get serials 1..N: no duplicate, no gap.

Eight worker processes each register 50 documents (most paper-only, some with a file through the whole
intake pipeline) into the same register book at the same time.
"""

import subprocess
import sys

import psycopg
import pytest

from tests.postgres import ROOT, registry_env

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WORKERS = 8
PER_WORKER = 50

SETUP = """
import django; django.setup()
from registry.actions.people import do_add_user
do_add_user("vanthu", role="clerk", clearance="tuyet_mat", unit="Văn phòng", password="pw-test-123")
"""

WORKER = """
import datetime as dt, sys, tempfile
from pathlib import Path
import django; django.setup()
from django.conf import settings
# This test is about serials: keep the search index (one writer at a time) out of the eight-way race.
settings.REGISTRY_SEARCH = {**settings.REGISTRY_SEARCH, "AUTO_INDEX": False}
from registry.actions.documents import DocumentMetadata
from registry.intake import register_file, register_paper
from registry.models import User
from tests.intake.samples import text_pdf

worker, count = int(sys.argv[1]), int(sys.argv[2])
clerk = User.objects.get(username="vanthu")
folder = Path(tempfile.mkdtemp())
for i in range(count):
    meta = DocumentMetadata(direction="den", level="mat", number=f"{worker * 1000 + i}-CV/ĐU", doc_type="CV",
                            issuer="Đảng ủy Khối", title=f"Công văn {worker}-{i}", issue_date=dt.date(2024, 5, 1),
                            arrival_date=dt.date(2024, 5, 2))
    if i % 10 == 0:
        path = folder / f"{worker}-{i}.pdf"
        path.write_bytes(text_pdf(marker=f"worker {worker} document {i}"))
        register_file(path, meta=meta, actor=clerk)
    else:
        register_paper(meta, actor=clerk)
print("done", worker)
"""


def test_eight_processes_get_gapless_unique_serials(pg_database, tmp_path):
    env = registry_env(pg_database, tmp_path / "home")
    subprocess.run([sys.executable, "-c", SETUP], env=env, cwd=ROOT, check=True, capture_output=True)
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(w), str(PER_WORKER)], env=env, cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for w in range(WORKERS)
    ]
    outcomes = [(w.communicate(timeout=600), w.returncode) for w in workers]
    assert all(code == 0 for _out, code in outcomes), [err[-2000:] for (_o, err), code in outcomes if code]

    with psycopg.connect(pg_database) as conn:
        rows = conn.execute("SELECT register_id, serial, sha256 FROM registry_document").fetchall()
        logged = conn.execute("SELECT count(*) FROM registry_accesslogentry WHERE action = 'register'").fetchone()[0]
    assert len({register for register, _s, _h in rows}) == 1  # one register book
    serials = sorted(serial for _r, serial, _h in rows)
    assert serials == list(range(1, WORKERS * PER_WORKER + 1))
    assert sum(1 for *_x, sha in rows if sha) == WORKERS * PER_WORKER // 10
    assert logged == WORKERS * PER_WORKER
