"""The copy, hand-over and use registers print from the data; the secret book keeps the original level."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from registry.actions.lifecycle import do_change_level, do_hand_over, do_lend, do_record_copy, do_spoil_copy
from registry.constants import CopyForm, Level, Role
from registry.registers.books import LOCAL_OPERATOR, book_rows
from registry.registers.lifecycle_books import print_register
from tests.factories import make_document, make_user
from tests.lifecycle.helpers import by, setup_office

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def lived(clerk):
    office = setup_office()
    doc = make_document(clerk=clerk, level=Level.MAT, number="88-BC/ĐU", arrival_date=dt.date(TODAY.year, 1, 5))
    reader = make_user("nhan", role=Role.STAFF, clearance=Level.TUYET_MAT)
    do_record_copy(doc, form=CopyForm.SAO_Y, quantity=3, approval=by(office["chanhvp"], "01-SC"), actor=clerk,
                   recipients="Ban Tổ chức")
    do_spoil_copy(doc, 3, reason="In nhòe", actor=clerk)
    do_hand_over(doc, recipient_user=reader, copy=1, acknowledged=True, approval=by(office["bithu"], "02-CG"),
                 actor=clerk)
    do_lend(doc, borrower=reader, purpose="Nghiên cứu", approval=by(office["bithu"], "03-M"), actor=clerk,
            due_at=timezone.now() + dt.timedelta(days=3))
    do_change_level(doc, to_level=Level.TOI_MAT, approval=by(office["bithu"], "04-QĐ/ĐU"), actor=clerk)
    return doc


def _csv(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_lifecycle_registers_as_csv_and_pdf(lived):
    copies = _csv(print_register("copies", TODAY.year, LOCAL_OPERATOR, fmt="csv").content)
    assert copies[0][:4] == ["STT", "Ngày sao", "Tài liệu gốc (tên loại, số, ngày, cơ quan ban hành, trích yếu)",
                             "Độ mật"]
    row = copies[1]
    assert row[3] == "Mật" and row[4] == "Sao y" and row[5] == "3" and "bản 3: hỏng" in row[9]
    assert "Điều chỉnh độ mật thành Tối mật" in row[9] and "04-QĐ/ĐU" in row[9]
    handovers = _csv(print_register("handovers", TODAY.year, LOCAL_OPERATOR, fmt="csv").content)
    assert handovers[0] == ["Ngày chuyển", "Số, ký hiệu", "Độ mật", "Người nhận", "Ký nhận", "Ghi chú"]
    assert handovers[1][1:4] == ["88-BC/ĐU", "C", "nhan"] and handovers[1][4].startswith("Đã ký nhận")
    use = _csv(print_register("use", TODAY.year, LOCAL_OPERATOR, fmt="csv").content)
    assert use[0][0] == "Ngày" and use[1][1] == "nhan"
    pdf = print_register("copies", TODAY.year, LOCAL_OPERATOR, fmt="pdf")
    assert pdf.content.startswith(b"%PDF") and pdf.rows == 1


def test_secret_book_keeps_original_level_and_notes_the_change(lived):
    rows = book_rows(lived.register, LOCAL_OPERATOR)
    cells = next(r.cells for r in rows if r.document_id == lived.pk)
    assert "Mật" in cells and "Tối mật" not in cells[:-1]
    assert "Điều chỉnh độ mật thành Tối mật" in cells[-1]


def test_books_print_command_has_the_lifecycle_books(lived, tmp_path):
    out = io.StringIO()
    call_command("books", "print", "--book", "handovers", "--year", str(TODAY.year), "--format", "csv", "--out",
                 str(tmp_path / "h.csv"), "--json", stdout=out)
    assert json.loads(out.getvalue())["rows"] == 1
