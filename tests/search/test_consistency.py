"""A crash between commit and indexing leaves drift that ``status`` reports and ``reconcile`` repairs.

Real processes on a real SQLite file: one registers and edits documents and dies (``os._exit``) right after
each commit, before the on-commit indexing runs; the ``registry search`` commands then find and fix it.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CRASHING_WRITER = textwrap.dedent("""
    import os, sys
    import django
    django.setup()
    from django.db import transaction
    from registry.actions.documents import DocumentMetadata, do_edit_document, do_register_document
    from registry.actions.people import do_add_user
    from registry.models import Document, User

    step = sys.argv[1]
    if step == "setup":
        clerk = do_add_user("vanthu", role="clerk", clearance="tuyet_mat", unit="VP", password="pw-test-123")
        doc = do_register_document(DocumentMetadata(direction="den", level="thuong", number="5-HD/ĐU",
                                   doc_type="HD", issuer="Đảng ủy", title="Hướng dẫn kiểm phiếu"), actor=clerk)
        print(doc.pk)
    elif step == "crash-register":
        clerk = User.objects.get(username="vanthu")
        with transaction.atomic():
            transaction.on_commit(lambda: os._exit(0))  # dies after commit, before document_changed is sent
            do_register_document(DocumentMetadata(direction="den", level="mat", number="9-BC/ĐU", doc_type="BC",
                                 issuer="Đảng ủy", title="Báo cáo chuẩn bị nhân sự khóa mới"), actor=clerk)
    elif step == "crash-edit":
        clerk = User.objects.get(username="vanthu")
        doc = Document.objects.get(number_raw="5-HD/ĐU")
        with transaction.atomic():
            transaction.on_commit(lambda: os._exit(0))
            do_edit_document(doc, {"title": "Hướng dẫn kiểm phiếu bầu cử"}, actor=clerk)
    raise SystemExit(3)  # a crash step that gets here did not crash
""")


def _env(home):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ELASTICSEARCH_URL")}
    env.update(REGISTRY_HOME=str(home), DJANGO_SETTINGS_MODULE="registry.settings.base", PYTHONPATH=str(ROOT),
               REGISTRY_SEARCH_BACKEND="embedded")
    return env


def _run(args, env, check=True):
    return subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=check,
                          timeout=300)


@pytest.mark.slow
def test_crash_between_commit_and_indexing_then_reconcile(tmp_path):
    env = _env(tmp_path / "home")
    script = tmp_path / "writer.py"
    script.write_text(CRASHING_WRITER)
    _run(["-m", "registry.cli", "migrate", "--noinput"], env)
    _run([str(script), "setup"], env, check=False)
    status = json.loads(_run(["-m", "registry.cli", "search", "status", "--json"], env).stdout)
    assert status["drift"] == 0 and status["in_index"] == 1, status  # indexed on commit

    for step in ("crash-register", "crash-edit"):
        crashed = _run([str(script), step], env, check=False)
        assert crashed.returncode == 0, crashed.stderr  # os._exit(0) inside on_commit, not SystemExit(3)

    status = json.loads(_run(["-m", "registry.cli", "search", "status", "--json"], env).stdout)
    assert status["missing_count"] == 1 and status["stale_count"] == 1 and status["drift"] == 2, status
    repaired = json.loads(_run(["-m", "registry.cli", "search", "reconcile", "--json"], env).stdout)
    assert repaired["drift"] == 0 and repaired["repaired"]["drift"] == 2
    status = json.loads(_run(["-m", "registry.cli", "search", "status", "--deep", "--json"], env).stdout)
    assert status["drift"] == 0, status
    found = json.loads(_run(["-m", "registry.cli", "search", "kiem phieu bau cu", "--as", "vanthu", "--json"],
                            env).stdout)
    assert found["total"] == 1 and found["hits"][0]["title"] == "Hướng dẫn kiểm phiếu bầu cử"
    found = json.loads(_run(["-m", "registry.cli", "search", "9 BC", "--as", "vanthu", "--json"], env).stdout)
    assert found["hits"][0]["number"] == "9-BC/ĐU"
