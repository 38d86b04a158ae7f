"""Register books: exact columns (§4), cover, visibility trimming, voided rows, PDF/CSV, CLI and web."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from registry.actions.documents import do_void_entry
from registry.constants import Action, Level, Role
from registry.models import AccessLogEntry, RegisterBook
from registry.registers.books import (
    INCOMING_SECRET_COLUMNS,
    LOCAL_OPERATOR,
    OUTGOING_SECRET_COLUMNS,
    book_columns,
    book_rows,
    render_book_csv,
    render_book_pdf,
)
from tests.factories import grant, make_document, make_user

pytestmark = pytest.mark.django_db

INCOMING_SECRET = ["STT", "Ngày đến", "Số đến", "Cơ quan ban hành", "Số, ký hiệu", "Ngày tháng",
                   "Tên loại và trích yếu", "Độ mật", "Đơn vị và ký nhận", "Ghi chú"]
OUTGOING_SECRET = ["STT", "Số, ký hiệu", "Ngày tháng", "Tên loại và trích yếu", "Độ mật", "Người ký",
                   "Nơi nhận và ký nhận", "Đơn vị lưu", "Số lượng", "Ghi chú"]


def pdf_pages(content: bytes) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(content)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def assert_in_order(text: str, items: list[str]):
    pos = 0
    for item in items:
        found = text.find(item, pos)
        assert found >= 0, f"{item!r} not found after position {pos} in {text[:400]!r}"
        pos = found + len(item)


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_columns_are_exactly_those_of_the_domain():
    assert INCOMING_SECRET_COLUMNS == INCOMING_SECRET
    assert OUTGOING_SECRET_COLUMNS == OUTGOING_SECRET
    assert book_columns(RegisterBook(direction="den", secret=False, year=2020)) == [
        c for c in INCOMING_SECRET if c != "Độ mật"]
    assert book_columns(RegisterBook(direction="di", secret=False, year=2020)) == [
        c for c in OUTGOING_SECRET if c != "Độ mật"]


@pytest.fixture
def incoming_book(clerk):
    docs = [make_document(clerk=clerk, level=lv, arrival_date=dt.date(2020, 3, i + 1))
            for i, lv in enumerate([Level.MAT, Level.TOI_MAT, Level.MAT, Level.TUYET_MAT])]
    do_void_entry(docs[2], "Vào sổ trùng", actor=clerk)
    return docs[0].register, docs


def test_rows_are_trimmed_to_what_the_user_may_see(incoming_book):
    book, docs = incoming_book
    staff = make_user(role=Role.CLERK, clearance=Level.TOI_MAT)
    assert [r.serial for r in book_rows(book, staff)] == [1, 3]  # 2 (no grant) and 4 (above clearance) omitted
    grant(staff, docs[1])
    assert [r.serial for r in book_rows(book, staff)] == [1, 2, 3]
    assert [r.serial for r in book_rows(book, LOCAL_OPERATOR)] == [1, 2, 3, 4]
    low = make_user(role=Role.CLERK, clearance=Level.THUONG)
    assert book_rows(book, low) == []


def test_pdf_has_cover_and_exact_headers(incoming_book):
    book, docs = incoming_book
    rows = book_rows(book, LOCAL_OPERATOR)
    pages = pdf_pages(render_book_pdf(book, rows))
    cover = squash(pages[0])
    assert "SỔ ĐĂNG KÝ BÍ MẬT NHÀ NƯỚC ĐẾN" in cover and "2020" in cover
    assert book.body.upper() in cover and book.parent_body.upper() in cover
    assert "01/03/2020" in cover and "04/03/2020" in cover  # first/last dates
    assert "Bắt đầu số: 1" in cover and "Kết thúc số: 4" in cover and "Quyển số: 1" in cover
    table = squash(pages[1])
    assert_in_order(table, INCOMING_SECRET)
    assert docs[0].number_raw in table and "ĐÃ HỦY SỐ: Vào sổ trùng" in table


def test_outgoing_ordinary_pdf_headers_without_level(clerk):
    doc = make_document(clerk=clerk, direction="di", level=Level.THUONG, signer="Nguyễn Văn A",
                        recipients="Các chi bộ", issue_date=dt.date(2020, 4, 2))
    rows = book_rows(doc.register, LOCAL_OPERATOR)
    table = squash(pdf_pages(render_book_pdf(doc.register, rows))[1])
    expected = [c for c in OUTGOING_SECRET if c != "Độ mật"]
    assert_in_order(table, expected)
    assert "Độ mật" not in table and "Nguyễn Văn A" in table


def test_csv_header_row_and_voided_row(incoming_book):
    book, docs = incoming_book
    rows = csv_rows(render_book_csv(book, book_rows(book, LOCAL_OPERATOR)))
    assert rows[0] == INCOMING_SECRET
    assert [r[0] for r in rows[1:]] == ["1", "2", "3", "4"]
    assert rows[3][-1].startswith("ĐÃ HỦY SỐ: Vào sổ trùng")
    assert rows[1][4] == docs[0].number_raw and rows[1][7] == "Mật"


def test_web_print_pdf_and_csv_log_one_entry_each(client, incoming_book):
    book, docs = incoming_book
    low_clerk = make_user(role=Role.CLERK, clearance=Level.MAT)
    client.force_login(low_clerk)
    start = AccessLogEntry.objects.order_by("-seq").first().seq
    response = client.get(reverse("registry_book_print", args=[book.pk, "csv"]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    rows = csv_rows(response.content)
    assert [r[0] for r in rows[1:]] == ["1", "3"]
    body = response.content.decode("utf-8-sig")
    assert docs[1].title not in body and docs[3].title not in body
    pdf = client.get(reverse("registry_book_print", args=[book.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert docs[1].title not in squash(" ".join(pdf_pages(pdf.content)))
    entries = list(AccessLogEntry.objects.filter(seq__gt=start).order_by("seq"))
    assert [(e.action, e.result_count, e.extra["format"]) for e in entries] == [
        (Action.BOOK_PRINT, 2, "csv"), (Action.BOOK_PRINT, 2, "pdf")]
    assert all(e.actor_id == low_clerk.pk for e in entries)


def test_web_print_refused_for_staff(client, incoming_book):
    book, _docs = incoming_book
    staff = make_user(role=Role.STAFF, clearance=Level.TUYET_MAT)
    client.force_login(staff)
    start = AccessLogEntry.objects.order_by("-seq").first().seq
    response = client.get(reverse("registry_book_print", args=[book.pk, "csv"]))
    assert response.status_code == 302 and b"STT" not in response.content
    refused = AccessLogEntry.objects.filter(seq__gt=start, action=Action.BOOK_PRINT)
    assert [(e.outcome, e.extra["reason"]) for e in refused] == [("refused", "permission_denied")]  # one, logged


def test_book_list_counts_only_visible(client, incoming_book):
    book, _docs = incoming_book
    staff = make_user(role=Role.STAFF, clearance=Level.MAT)
    client.force_login(staff)
    response = client.get(reverse("registry_books"))
    assert response.status_code == 200
    assert [(item["book"].pk, item["n"]) for item in response.context["books"]] == [(book.pk, 2)]
    nobody = make_user(role=Role.STAFF, clearance=Level.THUONG)
    client.force_login(nobody)
    assert client.get(reverse("registry_books")).context["books"] == []


def test_cli_print_full_book_as_local_operator(tmp_path, incoming_book, capsys):
    book, _docs = incoming_book
    out = tmp_path / "so.csv"
    call_command("books", "print", "--direction", "den", "--secret", "--year", "2020", "--format", "csv",
                 "--out", str(out), "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows"] == 4
    assert [r[0] for r in csv_rows(out.read_bytes())[1:]] == ["1", "2", "3", "4"]
    entry = AccessLogEntry.objects.get(pk=summary["log_entry"])
    assert entry.action == Action.BOOK_PRINT and entry.actor_id is None and entry.extra["full_book"]
    assert entry.user_agent.startswith("registry books print")


def test_cli_print_as_user_is_trimmed(tmp_path, incoming_book, capsys):
    make_user("vt_mat", role=Role.CLERK, clearance=Level.MAT)
    out = tmp_path / "so.pdf"
    call_command("books", "print", "--direction", "den", "--secret", "--year", "2020", "--format", "pdf",
                 "--out", str(out), "--as", "vt_mat", "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows"] == 2 and out.read_bytes().startswith(b"%PDF")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("books", "print", "--direction", "di", "--secret", "--year", "2020", "--out", str(out))
