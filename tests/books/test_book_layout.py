"""The printed book reads as a person expects: a number and symbol is never broken across lines, and the
footer names the person who printed it (full name and unit), not their login."""

import re

import pytest

from registry.constants import Level, Role
from registry.models import RegisterBook
from registry.registers.books import print_book
from tests.books.test_books import pdf_pages
from tests.factories import make_document, make_user

pytestmark = pytest.mark.django_db

LONG_NUMBERS = ["88-BC/BTCTW", "1234/2020/NĐ-CP", "19-HD/BTCTW", "2663/VPCP-NC"]


def test_numbers_never_break_inside_the_symbol_and_the_footer_names_the_person():
    clerk = make_user("vanthu2", role=Role.CLERK, clearance=Level.TUYET_MAT, unit="Văn phòng Đảng ủy")
    clerk.first_name, clerk.last_name = "Thu", "Nguyễn Thị"
    clerk.save(update_fields=["first_name", "last_name"])
    for number in LONG_NUMBERS:
        make_document(clerk=clerk, level=Level.MAT, number=number, doc_type="BC", issuer="Ban Tổ chức Trung ương")
    book = RegisterBook.objects.filter(secret=True).first()
    printed = print_book(book, clerk, fmt="pdf")
    text = "\n".join(pdf_pages(printed.content)[1:])
    lines = [line.strip() for line in re.split(r"[\r\n]+", text)]
    for number in LONG_NUMBERS:
        assert any(number in line for line in lines), f"{number} is broken across lines"
    assert "vanthu2" not in text
    assert clerk.get_full_name() in text or "Nguyễn Thị Thu" in text
    assert "Văn phòng Đảng ủy" in text
