"""After destruction no byte of the file or its text is readable through any path: storage, database,
search (and a fresh rebuild), the API, the CLI, a backup. The record and its history stay."""

import datetime as dt
import io
import tarfile

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

import search
from registry.actions.documents import DocumentMetadata
from registry.actions.lifecycle import do_destroy
from registry.constants import Action, Level, Role
from tests.tasks import register_file_committed as register_file
from registry.models import AccessLogEntry, Destruction, Document
from registry.signals import document_destroyed
from tests.factories import make_user
from tests.intake.samples import VI_LINES, text_pdf
from tests.lifecycle.helpers import by, setup_office

pytestmark = pytest.mark.django_db(transaction=True)

WORD = "Wombatquyetdinh"


def test_destruction_leaves_nothing_readable(tmp_path):
    from tests.factories import make_api_token

    clerk = make_user("vanthu", role=Role.CLERK, clearance=Level.TUYET_MAT)
    office = setup_office()
    reader = make_user("docgia", role=Role.STAFF, clearance=Level.MAT)
    meta = DocumentMetadata(direction="den", level=Level.MAT, number="91-BC/ĐU", doc_type="BC", issuer="Đảng ủy",
                            issue_date=dt.date(2026, 3, 2), arrival_date=dt.date(2026, 3, 3),
                            title="Báo cáo tổng hợp ý kiến", summary="Tổng hợp")
    doc = register_file(io.BytesIO(text_pdf([*VI_LINES, f"{WORD} đoạn duy nhất"])), filename="bc.pdf", meta=meta,
                        actor=clerk)
    search.index_document(doc)
    assert search.search(WORD, reader).total == 1
    names = [doc.file.name, doc.rendition.name]
    from pathlib import Path

    from django.conf import settings

    index_dir = Path(settings.REGISTRY_SEARCH.get("INDEX_DIR") or Path(settings.REGISTRY_HOME) / "index")

    def index_files_with_word():
        return [p for p in index_dir.rglob("*") if p.is_file() and WORD.lower().encode() in p.read_bytes().lower()]

    # a neighbour in the same index segment keeps that segment alive after the deletion
    other = register_file(io.BytesIO(text_pdf(["Văn bản khác của Đảng ủy"])), filename="khac.pdf",
                          meta=DocumentMetadata(direction="den", level=Level.MAT, number="92-BC/ĐU", doc_type="BC",
                                                issuer="Đảng ủy", issue_date=dt.date(2026, 3, 2),
                                                arrival_date=dt.date(2026, 3, 3), title="Báo cáo khác",
                                                summary="Khác"), actor=clerk)
    search.index_documents([doc.pk, other.pk])
    assert index_files_with_word()  # the check can see the word while it is there
    storage = doc.file.storage
    sent = []
    handler = lambda sender, document_id, **kw: sent.append(document_id)  # noqa: E731
    document_destroyed.connect(handler)
    try:
        do_destroy(doc, approval=by(office["bithu"], "09-QĐ/ĐU"), council="Hội đồng tiêu hủy", items="91-BC/ĐU",
                   minutes_ref="BB-09", actor=clerk)
    finally:
        document_destroyed.disconnect(handler)
    assert sent == [doc.pk]
    doc.refresh_from_db()
    # storage listing
    assert not any(n and storage.exists(n) for n in names)
    for folder in ("originals", "renditions"):
        try:
            _dirs, files = storage.listdir(folder)
        except FileNotFoundError:
            files = []
        assert not any(n and n.endswith(f) for n in names for f in files)
    # database text fields
    assert (doc.extracted_text, doc.file.name, doc.rendition.name) == ("", "", "")
    # search, and a fresh rebuild
    assert search.search(WORD, reader).total == 0
    assert index_files_with_word() == []  # not even in a segment file on disk
    search.rebuild()
    assert search.search(WORD, reader).total == 0
    # the API: the record is there, marked destroyed; its content is not
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(reader)}")
    detail = api.get(f"/api/v1/documents/{doc.pk}/")
    assert detail.status_code == 200 and detail.json()["destroyed_on"] == doc.destroyed_on.isoformat()
    assert WORD not in detail.content.decode()
    refused = api.post(f"/api/v1/documents/{doc.pk}/download/", {"purpose": "Xem lại"}, format="json")
    assert refused.status_code in (403, 404, 409) and not refused.content.startswith(b"%PDF")
    # the CLI
    out = io.StringIO()
    with pytest.raises(BaseException):
        call_command("open", str(doc.pk), "--as", "docgia", "--purpose", "Xem", "--out", str(tmp_path / "x.pdf"),
                     stdout=out, stderr=io.StringIO())
    assert not (tmp_path / "x.pdf").exists()
    # a backup holds no object of it
    backup = tmp_path / "backup.tar"
    call_command("backup", str(backup), "--json", stdout=io.StringIO())
    with tarfile.open(backup) as tar:
        members = tar.getnames()
    assert not any(n and n in m for n in names for m in members)
    # the record and its history stay
    destruction = Destruction.objects.get(document=doc)
    assert destruction.purged_at and destruction.approval.decision_ref == "09-QĐ/ĐU" and destruction.items
    assert Document.objects.filter(pk=doc.pk).exists()
    history = AccessLogEntry.objects.filter(document_id=doc.pk)
    destroyed = history.get(action=Action.DESTROY)
    assert destroyed.extra["decision_ref"] == "09-QĐ/ĐU"
    assert {Action.REGISTER, Action.DESTROY} <= set(history.values_list("action", flat=True))
    # the refused reads after it are on record too
    assert history.filter(seq__gt=destroyed.seq, outcome="refused").exists()
