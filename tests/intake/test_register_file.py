"""register_file: happy paths for every accepted kind, duplicates, refusals that leave nothing behind."""

import io
import unicodedata

import pikepdf
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from registry.constants import Action, Level, Outcome, Role
from registry.errors import ErrorCode, MetadataError, PermissionDeniedError
from registry.intake import DuplicateError, IntakeError, register_paper
from tests.tasks import register_file_committed as register_file
from registry.models import AccessLogEntry, Document
from registry.vault import document_text
from tests.factories import make_metadata, make_user
from tests.intake import samples
from tests.intake.conftest import plain_text, stored_files

pytestmark = pytest.mark.django_db


def nfc(text):
    return unicodedata.normalize("NFC", text)


def test_pdf_registered_with_rendition_text_and_content_address(media, vanthu, write):
    path = write("huong-dan.pdf", samples.text_pdf(pages=3))
    document = register_file(path, filename="Hướng dẫn.pdf", meta=make_metadata(), actor=vanthu)

    assert document.serial >= 1 and document.register_id
    assert document.mime_type == "application/pdf"
    assert document.page_count == 3
    assert document.original_filename == "Hướng dẫn.pdf"
    sha = document.sha256
    assert document.file.name == f"originals/{sha[:2]}/{sha[2:4]}/{sha}.pdf"
    assert document.rendition.name == f"renditions/{sha[:2]}/{sha[2:4]}/{sha}.pdf"
    with default_storage.open(document.file.name) as f:
        assert f.read() == path.read_bytes()  # the original, byte for byte
    assert nfc(samples.VI_TEXT) in document_text(document)
    assert document_text(document) == nfc(document_text(document))
    assert stored_files(media) == {document.file.name, document.rendition.name}
    entries = AccessLogEntry.objects.filter(document_id=document.pk)
    assert [e.action for e in entries] == [Action.REGISTER]


def test_same_file_twice_is_a_duplicate_naming_the_first(media, vanthu, write):
    data = samples.text_pdf(marker="twice")
    first = register_file(write("a.pdf", data), meta=make_metadata(), actor=vanthu)
    files_before, rows_before = stored_files(media), Document.objects.count()
    logs_before = kept_entries()

    with pytest.raises(DuplicateError) as caught:
        register_file(write("copy-of-a.pdf", data), meta=make_metadata(), actor=vanthu)

    assert caught.value.existing_id == first.pk
    assert caught.value.code == ErrorCode.DUPLICATE
    assert caught.value.as_dict()["error"]["existing_id"] == first.pk
    assert stored_files(media) == files_before
    assert Document.objects.count() == rows_before
    assert kept_entries() == logs_before


def test_file_object_and_django_upload_sources(media, vanthu):
    upload = SimpleUploadedFile("cong-van.pdf", samples.text_pdf(marker="upload"), content_type="application/pdf")
    doc = register_file(upload, meta=make_metadata(), actor=vanthu)
    assert doc.original_filename == "cong-van.pdf"
    doc2 = register_file(io.BytesIO(samples.text_pdf(marker="bytesio")), filename="b.pdf", meta=make_metadata(),
                         actor=vanthu)
    assert doc2.page_count == 1


def test_docx_text_is_extracted_in_nfc(media, vanthu, write):
    doc = register_file(write("qd.docx", samples.docx_bytes()), meta=make_metadata(), actor=vanthu)
    assert doc.mime_type.endswith("wordprocessingml.document")
    assert nfc(samples.VI_TEXT) in document_text(doc)
    assert "Nơi nhận\tLưu Văn phòng" in document_text(doc)
    assert document_text(doc) == nfc(document_text(doc))
    assert doc.rendition.name.endswith(".pdf")  # a plain reading copy


def test_odt_text_is_extracted(media, vanthu, write):
    doc = register_file(write("bc.odt", samples.odt_bytes()), meta=make_metadata(), actor=vanthu)
    assert doc.mime_type == "application/vnd.oasis.opendocument.text"
    lines = document_text(doc).split("\n")
    assert lines[0] == "ĐẢNG CỘNG SẢN VIỆT NAM" and nfc(samples.VI_TEXT) in lines


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_plain_text_in_each_vietnamese_encoding(media, vanthu, write, encoding):
    text = "Đảng ủy Bộ Công Thương về việc tổ chức Đại hội đại biểu lần thứ IV\nKính gửi các chi bộ trực thuộc."
    data = samples.cp1258_bytes(text) if encoding == "cp1258" else text.encode(encoding)
    doc = register_file(write(f"tb-{encoding}.txt", data), meta=make_metadata(), actor=vanthu)
    assert doc.mime_type == "text/plain"
    assert document_text(doc) == nfc(text)
    assert doc.rendition.name


@pytest.mark.parametrize("fmt,ext,frames", [("PNG", "png", 1), ("JPEG", "jpg", 1), ("TIFF", "tif", 3)])
def test_scans_get_a_pdf_rendition_page_per_frame(media, vanthu, write, fmt, ext, frames):
    doc = register_file(write(f"scan.{ext}", samples.scan(fmt, frames=frames)), meta=make_metadata(), actor=vanthu)
    assert doc.file.name.endswith(f".{ext}")
    assert doc.page_count == frames
    with default_storage.open(doc.rendition.name) as f:
        rendition = pikepdf.open(io.BytesIO(f.read()))
    assert len(rendition.pages) == frames


def test_scan_text_is_recognised(media, vanthu, write):
    doc = register_file(write("scan.png", samples.vietnamese_scan()), meta=make_metadata(), actor=vanthu)
    assert doc.ocr_status == "done"
    assert "Nghị quyết về công tác bảo vệ chính trị nội bộ" in plain_text(doc)


def test_hostile_pdf_kept_as_received_but_rendition_is_clean(media, vanthu, write):
    data = samples.hostile_pdf()
    doc = register_file(write("hostile.pdf", data), meta=make_metadata(), actor=vanthu)
    with default_storage.open(doc.file.name) as f:
        assert f.read() == data
    with default_storage.open(doc.rendition.name) as f:
        raw = f.read()
    rendition = pikepdf.open(io.BytesIO(raw))
    assert "/OpenAction" not in rendition.Root and "/Names" not in rendition.Root
    assert "/Metadata" not in rendition.Root and "/AcroForm" not in rendition.Root
    assert "/Info" not in rendition.trailer
    assert len(rendition.attachments) == 0
    for obj in rendition.objects:
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            assert "/JS" not in obj and "/AA" not in obj and "/EmbeddedFile" != obj.get("/Type")
            assert obj.get("/S") not in ("/JavaScript", "/Launch")
    for needle in (b"JavaScript", b"app.alert", b"MZ not really", b"/bin/sh", "Bí mật".encode("utf-16-be")):
        assert needle not in raw
    assert "hostile" in document_text(doc)


def kept_entries():
    """Log entries other than refusals (a refusal writes its one REFUSED entry through the guard)."""
    return AccessLogEntry.objects.exclude(outcome=Outcome.REFUSED).count()


def refused(media, code, call):
    """Assert ``call()`` is refused with ``code`` and leaves no row, stored file or entry but the refusal."""
    files, rows, logs = stored_files(media), Document.objects.count(), kept_entries()
    with pytest.raises(IntakeError) as caught:
        call()
    assert caught.value.code == code, caught.value.message
    assert caught.value.as_dict()["error"]["code"] == str(code)
    assert stored_files(media) == files
    assert Document.objects.count() == rows
    assert kept_entries() == logs
    return caught.value


@pytest.mark.parametrize(
    "name,data,code",
    [
        ("empty.pdf", b"", ErrorCode.EMPTY_FILE),
        ("report.pdf", samples.ELF_HEADER + b"\x00" * 200, ErrorCode.UNSUPPORTED_TYPE),
        ("page.html", b"<html><script>alert(1)</script></html>", ErrorCode.UNSUPPORTED_TYPE),
        ("cut.pdf", samples.truncated_pdf(), ErrorCode.PDF_TRUNCATED),
        ("broken.pdf", samples.unreadable_pdf(), ErrorCode.PDF_DAMAGED),
        ("locked.pdf", samples.encrypted_pdf(), ErrorCode.PDF_ENCRYPTED),
        ("broken.docx", samples.docx_bytes()[:-300], ErrorCode.DOCUMENT_DAMAGED),
        ("broken.png", samples.scan("PNG")[:120], ErrorCode.DOCUMENT_DAMAGED),
    ],
)
def test_bad_files_are_refused_with_their_code(media, vanthu, write, name, data, code):
    refused(media, code, lambda: register_file(write(name, data), meta=make_metadata(), actor=vanthu))


def test_file_over_the_size_limit(media, vanthu, write, settings):
    settings.REGISTRY_MAX_UPLOAD_BYTES = 1000
    data = samples.text_pdf()
    error = refused(media, ErrorCode.FILE_TOO_LARGE,
                    lambda: register_file(write("big.pdf", data), meta=make_metadata(), actor=vanthu))
    assert error.details["limit"] == 1000
    refused(media, ErrorCode.FILE_TOO_LARGE,
            lambda: register_file(io.BytesIO(data), filename="big.pdf", meta=make_metadata(), actor=vanthu))


def test_missing_file(media, vanthu, tmp_path):
    refused(media, ErrorCode.FILE_NOT_FOUND,
            lambda: register_file(tmp_path / "nope.pdf", meta=make_metadata(), actor=vanthu))


@pytest.mark.parametrize(
    "given,kept",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("/abs/path/to/qd.pdf", "qd.pdf"),
        ("C:\\Users\\vt\\Desktop\\Tờ trình.pdf", "Tờ trình.pdf"),
        (unicodedata.normalize("NFD", "Quyết định số 126.pdf"), "Quyết định số 126.pdf"),
        ("bao\u200bcao.pdf", "baocao.pdf"),
        ('a<b>:"c"|?*.pdf', "a_b___c____.pdf"),
    ],
)
def test_odd_names_are_cleaned_to_a_safe_base_name(media, vanthu, write, given, kept):
    doc = register_file(write("x.pdf", samples.text_pdf(marker=given)), filename=given, meta=make_metadata(),
                        actor=vanthu)
    assert doc.original_filename == kept
    assert doc.original_filename == nfc(doc.original_filename)
    assert stored_files(media) == {doc.file.name, doc.rendition.name}  # stored under its hash only


@pytest.mark.parametrize(
    "given",
    ["hoa-don\u202efdp.exe", "a\x00.pdf.exe", "tab\there.pdf", "..", "../", "   ", "x\u2067y.pdf", "bad\udcff.pdf"],
)
def test_deceptive_names_are_refused(media, vanthu, write, given):
    path = write("x.pdf", samples.text_pdf(marker=repr(given)))
    refused(media, ErrorCode.BAD_FILENAME,
            lambda: register_file(path, filename=given, meta=make_metadata(), actor=vanthu))


def test_failed_db_insert_leaves_no_file(media, vanthu, write):
    """The row is refused after parsing (unknown storage place): the stored files must go too."""
    path = write("x.pdf", samples.text_pdf(marker="unknown location"))
    files, rows = stored_files(media), Document.objects.count()
    with pytest.raises(MetadataError) as caught:
        register_file(path, meta=make_metadata(location="KHONG-CO"), actor=vanthu)
    assert caught.value.code == ErrorCode.UNKNOWN_LOCATION
    assert stored_files(media) == files and Document.objects.count() == rows


def test_failure_after_storing_removes_only_what_it_created(media, vanthu, write, monkeypatch):
    """A crash between storing and commit deletes the new files, never a file another record uses."""
    from registry.intake import steps

    data = samples.text_pdf(marker="shared")
    first = register_file(write("a.pdf", data), meta=make_metadata(), actor=vanthu)
    kept = stored_files(media)
    # Same bytes, first record gone from the duplicate check's view: the store finds the files present
    # (reused, not created), then the commit fails. The first record's files must survive.
    monkeypatch.setattr(steps.RefuseDuplicate, "able_to_run", lambda self: False)
    original_put = steps.StoreAndRegister._put

    def put_then_fail(self, name, path):
        original_put(self, name, path)
        raise OSError("disk full")

    monkeypatch.setattr(steps.StoreAndRegister, "_put", put_then_fail)
    Document.objects.filter(pk=first.pk).update(sha256=None)
    with pytest.raises(OSError, match="disk full"):
        register_file(write("b.pdf", data), meta=make_metadata(), actor=vanthu)
    assert stored_files(media) == kept

    other = write("c.pdf", samples.text_pdf(marker="fresh"))
    with pytest.raises(OSError, match="disk full"):
        register_file(other, meta=make_metadata(), actor=vanthu)
    assert stored_files(media) == kept  # the new file it did create is gone
    assert Document.objects.count() == 1


def test_storage_errors_are_refused_as_storage_failed(media, vanthu, write, monkeypatch):
    def broken_save(name, content, max_length=None):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(default_storage, "save", broken_save)
    refused(media, ErrorCode.STORAGE_FAILED,
            lambda: register_file(write("x.pdf", samples.text_pdf(marker="ro")), meta=make_metadata(), actor=vanthu))


def test_actor_without_register_permission(media, write):
    staff = make_user(role=Role.STAFF, clearance=Level.TUYET_MAT)
    with pytest.raises(PermissionDeniedError):
        register_file(write("x.pdf", samples.text_pdf()), meta=make_metadata(), actor=staff)
    assert stored_files(media) == set()


def test_register_paper_has_no_file(media, vanthu):
    doc = register_paper(make_metadata(), actor=vanthu)
    assert not doc.file and doc.sha256 is None
    assert stored_files(media) == set()
