"""Embedded (tantivy) specifics: one writer at a time across processes, readers see other processes' commits."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from search.backends.embedded import SearchBackend
from search.projection import build_row

ROOT = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent("""
    import sys
    import django
    django.setup()
    from search.backends.embedded import SearchBackend
    from search.projection import build_row

    index_dir, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    backend = SearchBackend({"INDEX_DIR": index_dir})
    for pk in range(first, first + count):  # one commit per document: the writer lock is taken each time
        backend.index_rows([build_row(id=pk, level="thuong", title=f"Văn bản số {pk} của tiến trình {first}")])
""")


def test_writers_in_several_processes_queue_and_readers_reload(tmp_path):
    index_dir = tmp_path / "index"
    reader = SearchBackend({"INDEX_DIR": str(index_dir)})
    assert reader.searcher().num_docs == 0
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="registry.settings.test", PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, str(script), str(index_dir), str(first), "15"], env=env, cwd=ROOT,
                              stderr=subprocess.PIPE, text=True) for first in (1, 101, 201)]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert reader.searcher().num_docs == 45  # the long-lived reader picked up the other processes' commits
    assert set(reader.indexed_versions()) == {*range(1, 16), *range(101, 116), *range(201, 216)}


def test_reindexing_replaces_the_row(tmp_path):
    backend = SearchBackend({"INDEX_DIR": str(tmp_path)})
    backend.index_rows([build_row(id=7, level="thuong", title="Bản cũ", updated=1)])
    backend.index_rows([build_row(id=7, level="mat", title="Bản mới", updated=2)])
    assert backend.indexed_versions()[7][0] == 2 and backend.searcher().num_docs == 1
    backend.delete_ids([7])
    assert backend.indexed_versions() == {}


@pytest.mark.django_db
def test_failed_indexing_does_not_break_the_committed_change(engine, django_capture_on_commit_callbacks, caplog,
                                                              monkeypatch):
    import search
    from registry.constants import Level
    from registry.models import Document
    from tests.factories import make_document

    backend = search.get_backend()

    def broken(rows):
        raise OSError("disk full")

    monkeypatch.setattr(backend, "index_rows", broken)
    with django_capture_on_commit_callbacks(execute=True):
        doc = make_document(level=Level.THUONG, title="Tài liệu khi chỉ mục hỏng")
    assert Document.objects.filter(pk=doc.pk).exists()
    assert "registry search reconcile" in caplog.text
    monkeypatch.undo()
    assert search.status().missing == [doc.pk]
    search.reconcile()
    assert search.status().drift == 0
