"""Refuse only what cannot be read: repaired PDFs register (what was repaired is recorded and shown),
owner-password PDFs register with their restriction noted, encrypted PDFs register with the clerk's
password (which is never stored or logged), and a PDF is known by its content, header or not."""

import io
import logging

import pikepdf
import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse

from registry.errors import ErrorCode
from registry.intake import IntakeError
from tests.tasks import register_file_committed as register_file
from registry.models import AccessLogEntry, Document
from tests.factories import make_metadata
from tests.intake import samples
from tests.intake.conftest import plain_text, stored_files
from tests.intake.scan import scan

pytestmark = pytest.mark.django_db

PASSWORD = "Mk-Đảng-ủy#2025"


def stored(name) -> bytes:
    with default_storage.open(name) as f:
        return f.read()


def test_damaged_but_readable_pdf_registers_with_its_repairs_recorded(media, vanthu, write, client):
    data = samples.damaged_pdf()
    document = register_file(write("xref-hong.pdf", data), meta=make_metadata(), actor=vanthu)
    assert document.page_count == 2
    assert document.repair_warnings and any("xref" in w for w in document.repair_warnings)
    assert stored(document.file.name) == data  # the original bytes, untouched
    rendition = stored(document.rendition.name)
    with pikepdf.open(io.BytesIO(rendition)) as pdf:
        assert len(pdf.pages) == 2 and not pdf.get_warnings()  # rebuilt from the repaired pages
    assert scan(rendition) == set()
    assert "Trang 2 damaged" in plain_text(document)
    client.force_login(vanthu)
    page = client.get(reverse("registry_document_detail", args=[document.pk])).content.decode()
    assert "đã được sửa khi đọc" in page and "xref" in page


@pytest.mark.parametrize("damage", ["linearisation_hints", "object_count_off", "no_catalog_type", "offset_zero",
                                    "missing_end"])
def test_cosmetic_damage_never_refuses(media, vanthu, write, damage):
    data = bytearray(samples.text_pdf(pages=2, marker=damage))
    if damage == "linearisation_hints":
        out = io.BytesIO()
        with pikepdf.open(io.BytesIO(bytes(data))) as pdf:
            pdf.save(out, linearize=True)
        data = bytearray(out.getvalue())
        at = data.index(b"/H [")  # hint stream offsets pointing nowhere
        data[at + 4:at + 8] = b"9999"
    elif damage == "object_count_off":
        at = data.rindex(b"/Size ")
        data[at + 6:at + 8] = b"99"
    elif damage == "no_catalog_type":
        data = bytearray(bytes(data).replace(b"/Type /Catalog", b"/Tyqe /Catalog"))
    elif damage == "offset_zero":
        at = data.rindex(b"\nxref\n")
        data[at + 30:at + 40] = b"0000000000"
    elif damage == "missing_end":
        data = data[: data.rindex(b"startxref")]
    document = register_file(write(f"{damage}.pdf", bytes(data)), meta=make_metadata(), actor=vanthu)
    assert document.page_count == 2 and f"Trang 2 {damage}" in plain_text(document)


def test_owner_password_only_pdf_registers_with_its_restriction(media, vanthu, write):
    document = register_file(write("owner.pdf", samples.encrypted_pdf(user="")), meta=make_metadata(), actor=vanthu)
    assert "mật khẩu chủ sở hữu" in document.pdf_restrictions
    assert "Trang 1 encrypted" in plain_text(document)
    with pikepdf.open(io.BytesIO(stored(document.rendition.name))) as pdf:
        assert not pdf.is_encrypted


def test_restricted_owner_pdf_names_what_is_restricted(media, vanthu, write):
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(samples.text_pdf(marker="restricted"))) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user="", owner="chu", R=6,
                                                     allow=pikepdf.Permissions(extract=False, print_highres=False)))
    document = register_file(write("r.pdf", out.getvalue()), meta=make_metadata(), actor=vanthu)
    assert "không cho in" in document.pdf_restrictions and "sao chép" in document.pdf_restrictions


def test_encrypted_pdf_without_or_with_a_wrong_password_is_refused(media, vanthu, write):
    data = samples.encrypted_pdf(user=PASSWORD)
    files = stored_files(media)
    for given in ("", "sai-mat-khau"):
        with pytest.raises(IntakeError) as caught:
            register_file(write("khoa.pdf", data), meta=make_metadata(), actor=vanthu, pdf_password=given)
        assert caught.value.code == ErrorCode.PDF_ENCRYPTED
        assert ("không đúng" in caught.value.message) == bool(given)
        assert given not in str(caught.value.as_dict()) or not given
    assert stored_files(media) == files and Document.objects.count() == 0


def test_encrypted_pdf_registers_with_the_password_which_is_never_kept(media, vanthu, write, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    data = samples.encrypted_pdf(user=PASSWORD)
    document = register_file(write("khoa.pdf", data), meta=make_metadata(), actor=vanthu, pdf_password=PASSWORD)
    assert "Trang 1 encrypted" in plain_text(document)
    assert "mật khẩu" in document.pdf_restrictions and PASSWORD not in document.pdf_restrictions
    assert stored(document.file.name) == data  # kept as received (still encrypted)
    needles = (PASSWORD, PASSWORD.encode(), PASSWORD.encode("utf-16-be"))
    # no stored file (originals, renditions, anything under the media root)
    for path in media.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            assert not any(n in raw for n in needles[1:]), path
    assert not any(n in stored(document.rendition.name) for n in needles[1:])
    # no database row, in any table
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                assert PASSWORD not in repr(row), table
    # no log record, no access-log entry
    assert all(PASSWORD not in record.getMessage() for record in caplog.records)
    assert all(PASSWORD not in repr(e.extra) for e in AccessLogEntry.objects.all())


def test_pdf_without_its_header_is_a_pdf(media, vanthu, write):
    data = samples.text_pdf(marker="headless")
    headless = data[data.index(b"\n", data.index(b"\n") + 1) + 1:]  # "%PDF-1.4" and the binary comment gone
    document = register_file(write("khong-dau.txt", headless), meta=make_metadata(), actor=vanthu)
    assert document.mime_type == "application/pdf" and document.file.name.endswith(".pdf")
    assert "Trang 1 headless" in plain_text(document)
    junk_first = b"From: may-quet@donvi\r\n\r\n" * 3 + data
    document = register_file(write("junk.pdf", junk_first), meta=make_metadata(), actor=vanthu)
    assert document.mime_type == "application/pdf"


def test_text_that_talks_about_pdf_objects_stays_text(media, vanthu, write):
    text = "Ghi chú kỹ thuật: một đối tượng PDF viết là «1 0 obj … endobj», /Type /Page.\n".encode()
    document = register_file(write("ghi-chu.txt", text), meta=make_metadata(), actor=vanthu)
    assert document.mime_type == "text/plain"


def test_unreadable_pdf_is_refused_as_damaged_and_a_cut_one_as_truncated(media, vanthu, write):
    for data, code in ((samples.unreadable_pdf(), ErrorCode.PDF_DAMAGED),
                       (samples.truncated_pdf(), ErrorCode.PDF_TRUNCATED)):
        with pytest.raises(IntakeError) as caught:
            register_file(write("x.pdf", data), meta=make_metadata(), actor=vanthu)
        assert caught.value.code == code
    assert Document.objects.count() == 0 and stored_files(media) == set()
