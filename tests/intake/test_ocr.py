"""Vietnamese OCR: scans made here (DejaVu text at 200–300 dpi, speckle noise, a slight skew) are read by
Tesseract ``vie+eng`` through OCRmyPDF in the sandbox, found by search with and without diacritics, and a
missing engine leaves the document registered, flagged pending, for ``registry ocr --pending``."""

import io
import json
import unicodedata

import pikepdf
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings

import search
from registry.constants import Action, Level, Role
from tests.tasks import register_file_committed as register_file
from registry.intake.sanitise import verify
from registry.models import AccessLogEntry, Document
from search.backends import reset_backend
from tests.factories import make_metadata, make_user
from tests.intake import samples
from tests.intake.conftest import plain_text

pytestmark = pytest.mark.django_db

PHRASES = ("bảo vệ chính trị nội bộ", "bao ve chinh tri noi bo", "BÍ THƯ CHỦ TRÌ")


@pytest.fixture
def index(tmp_path):
    reset_backend()
    with override_settings(REGISTRY_SEARCH={"BACKEND": "embedded", "INDEX_DIR": str(tmp_path / "index")}):
        yield
    reset_backend()


@pytest.fixture
def reader(db):
    return make_user("canbo_ocr", role=Role.STAFF, clearance=Level.MAT)


def found(document, reader, phrase):
    search.index_document(document.pk)
    return document.pk in [hit.id for hit in search.search(phrase, reader).hits]


def rendition_of(document) -> bytes:
    with default_storage.open(document.rendition.name) as f:
        return f.read()


@pytest.mark.parametrize("name,make", [
    ("scan-200dpi.png", lambda: samples.vietnamese_scan("PNG", dpi=200, skew=1.5)),
    ("scan-300dpi.jpg", lambda: samples.vietnamese_scan("JPEG", dpi=300, skew=-1.0)),
    ("scan-2-pages.tif", lambda: samples.vietnamese_scan("TIFF", dpi=250, skew=0.8, frames=2)),
    ("scan-to-pdf.pdf", lambda: samples.image_only_pdf(dpi=200)),
])
def test_scans_are_found_by_search_with_and_without_diacritics(media, vanthu, write, index, reader, name, make,
                                                               tmp_path):
    document = register_file(write(name, make()), meta=make_metadata(level=Level.MAT), actor=vanthu)
    assert document.ocr_status == "done"
    for phrase in PHRASES:
        assert found(document, reader, phrase), phrase
    raw = rendition_of(document)
    searchable = tmp_path / "rendition.pdf"
    searchable.write_bytes(raw)
    assert verify(searchable) == set()  # the OCR output is sanitised like any other rendition
    assert b"ocrmypdf" not in raw.lower() and b"<x:xmpmeta" not in raw


def test_scan_text_is_recognised_in_nfc(media, vanthu, write):
    document = register_file(write("scan.png", samples.vietnamese_scan()), meta=make_metadata(), actor=vanthu)
    text = plain_text(document)
    assert text == unicodedata.normalize("NFC", text)
    assert "bảo vệ chính trị nội bộ" in text.lower()


def test_missing_engine_registers_pending_and_the_command_catches_up(media, vanthu, write, index, reader,
                                                                     monkeypatch, tmp_path, capsys,
                                                                     django_capture_on_commit_callbacks):
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no tesseract: as on a machine without the Debian packages
    document = register_file(write("scan.png", samples.vietnamese_scan()), meta=make_metadata(), actor=vanthu)
    assert document.ocr_status == "pending"
    assert document.get_ocr_status_display() == "chưa nhận dạng chữ (OCR)"
    assert not found(document, reader, PHRASES[1])
    with pytest.raises(SystemExit):  # still no engine: nothing changes, exit status 1
        call_command("ocr", "--pending", "--json")
    assert json.loads(capsys.readouterr().out)["pending"] == [document.pk]

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ocr", "--pending", "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary["done"] == [document.pk] and summary["engine"]
    document.refresh_from_db()
    assert document.ocr_status == "done"
    assert found(document, reader, PHRASES[0]) and found(document, reader, PHRASES[1])
    entry = AccessLogEntry.objects.filter(document_id=document.pk, action=Action.EDIT).get()
    assert entry.extra["change"] == "ocr"
    # the old image-only rendition is replaced by the searchable one; nothing else is left behind
    names = {p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()}
    assert names == {document.file.name, document.rendition.name}
    assert len(pikepdf.open(io.BytesIO(rendition_of(document))).pages) == 1
    assert Document.objects.filter(ocr_status="pending").count() == 0
