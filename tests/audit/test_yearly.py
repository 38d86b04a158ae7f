"""Yearly statistics: hand-computed totals per level, and the 15/12 boundary in local time."""

import datetime as dt

import pypdfium2 as pdfium
import pytest

from registry.audit.yearly import METRICS, reporting_period, statistics_csv, statistics_pdf, yearly_statistics
from registry.constants import Action, Level, Outcome, Role
from tests.audit.helpers import local, plant, run_audit
from tests.factories import make_document, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_events(clerk):
    # Registered (back-filled) today, counted by their register date: the arrival date of an incoming
    # document, the issue date of an outgoing one — as the books print them.
    make_document(clerk=clerk, direction="den", level=Level.MAT, arrival_date=dt.date(2019, 12, 14))  # 2019
    den_mat = make_document(clerk=clerk, direction="den", level=Level.MAT,
                            arrival_date=dt.date(2019, 12, 15))  # 2020, first day
    den_toimat = make_document(clerk=clerk, direction="den", level=Level.TOI_MAT, arrival_date=dt.date(2020, 6, 1))
    di_tuyetmat = make_document(clerk=clerk, direction="di", level=Level.TUYET_MAT,
                                issue_date=dt.date(2020, 12, 14))  # 2020, last day
    make_document(clerk=clerk, direction="di", level=Level.THUONG, issue_date=dt.date(2020, 12, 15))  # 2021
    reader = make_user("docgia_nam", clearance=Level.TUYET_MAT)

    def ev(action, when, doc, **kw):
        plant(action, when, actor=kw.pop("actor", clerk), document=doc, **kw)

    ev(Action.COPY, local(2020, 3, 1, 9), den_mat, extra={"quantity": 3})
    ev(Action.COPY, local(2020, 3, 2, 9), den_mat, copy_id="marked-1")  # a marked digital copy counts 1
    ev(Action.HAND_OVER, local(2020, 4, 1, 9), den_toimat)
    ev(Action.HAND_OVER, local(2020, 4, 2, 9), den_toimat)
    ev(Action.HAND_OVER, local(2020, 4, 3, 9), den_toimat, outcome=Outcome.REFUSED)
    ev(Action.DECLASSIFY, local(2020, 5, 1, 9), den_mat, document_level=Level.MAT)
    ev(Action.DESTROY, local(2020, 7, 1, 9), di_tuyetmat)
    for day in (1, 2, 3, 4):
        ev(Action.VIEW, local(2020, 8, day, 10), den_mat, actor=reader)
    ev(Action.DOWNLOAD, local(2020, 8, 5, 10), den_toimat, actor=reader)
    ev(Action.VIEW, local(2020, 8, 6, 10), den_mat, actor=reader, outcome=Outcome.REFUSED)
    ev(Action.VIEW, local(2020, 8, 6, 11), den_mat, actor=reader, outcome=Outcome.REFUSED)
    ev(Action.PRINT, local(2020, 8, 7, 10), di_tuyetmat, actor=reader, outcome=Outcome.REFUSED)
    ev(Action.SEARCH, local(2020, 8, 7, 11), None, actor=reader)
    ev(Action.VIEW, local(2020, 12, 15, 0, 0), den_mat, actor=reader)  # year 2021
    return den_mat


def _zero():
    return {m: 0 for m, _l in METRICS}


def test_reporting_period_boundaries():
    start, end = reporting_period(2020)
    assert start == local(2019, 12, 15) and end == local(2020, 12, 15)


def test_hand_computed_totals(year_events):
    stats = yearly_statistics(2020)
    expected = {lv: _zero() for lv in Level.values}
    expected[Level.MAT].update(registered_in=1, copies=4, declassified=1, reads=6, refused_reads=2)
    expected[Level.TOI_MAT].update(registered_in=1, handed_over=2, reads=1)
    expected[Level.TUYET_MAT].update(registered_out=1, destroyed=1, refused_reads=1)
    assert stats.levels == expected
    assert stats.secret_totals["reads"] == 7 and stats.secret_totals["registered_in"] == 2
    before = yearly_statistics(2019).levels
    assert before[Level.MAT]["registered_in"] == 1 and sum(before[Level.TOI_MAT].values()) == 0
    after = yearly_statistics(2021).levels
    assert after[Level.THUONG]["registered_out"] == 1 and after[Level.MAT]["reads"] == 1


def test_csv_pdf_and_cli(year_events, tmp_path):
    stats = yearly_statistics(2020)
    text = statistics_csv(stats)
    lines = text.lstrip("\ufeff").splitlines()
    assert any(line.startswith("Độ mật,Đăng ký đến,Đăng ký đi") for line in lines)
    assert "Mật,1,0,4,0,1,0,6,2" in lines
    assert any("Kỳ báo cáo: từ ngày 15/12/2019 đến hết ngày 14/12/2020" in line for line in lines)
    assert any("Asia/Ho_Chi_Minh" in line for line in lines)
    pdf = pdfium.PdfDocument(statistics_pdf(stats))
    content = pdf[0].get_textpage().get_text_range()
    assert "BÁO CÁO THỐNG KÊ TÀI LIỆU BÍ MẬT NHÀ NƯỚC NĂM 2020" in content
    assert "15/12/2019" in content and "14/12/2020" in content and "Tuyệt mật" in content
    make_user("kiemtra_nam", role=Role.AUDITOR, clearance=Level.MAT)
    code, data = run_audit("yearly", "--year", "2020", "--json", "--as", "kiemtra_nam")
    assert code == 0 and data["levels"]["mat"]["copies"] == 4 and data["from"].startswith("2019-12-15T00:00:00")
    assert data["to"].startswith("2020-12-14T23:59:59")
    out = tmp_path / "y.pdf"
    code, data = run_audit("yearly", "--year", "2020", "--format", "pdf", "--out", str(out), "--as", "kiemtra_nam")
    assert code == 0 and out.read_bytes().startswith(b"%PDF")
    code, data = run_audit("yearly", "--year", "2020", "--json", "--as", "vanthu")
    assert code == 2 and data["error"]["code"] == "permission_denied"
    code, data = run_audit("yearly", "--year", "2020", "--json", "--as", "nobody")
    assert code == 2 and data["error"]["code"] == "unknown_user"


def test_back_filled_documents_count_in_their_register_year_and_agree_with_the_books(clerk):
    """A 2020 book typed in today: the 2020 statistics count it, this year's do not."""
    from registry.models import Document

    for day in (3, 4, 5):
        make_document(clerk=clerk, direction="den", level=Level.MAT, arrival_date=dt.date(2020, 3, day))
    make_document(clerk=clerk, direction="di", level=Level.TOI_MAT, issue_date=dt.date(2020, 7, 1))
    this_year = yearly_statistics(reporting_year_of_today())
    assert this_year.levels[Level.MAT]["registered_in"] == 0
    assert this_year.levels[Level.TOI_MAT]["registered_out"] == 0
    stats = yearly_statistics(2020)
    assert stats.levels[Level.MAT]["registered_in"] == 3 and stats.levels[Level.TOI_MAT]["registered_out"] == 1
    in_book = Document.objects.filter(direction="den", level=Level.MAT, arrival_date__year=2020).count()
    assert stats.levels[Level.MAT]["registered_in"] == in_book


def test_level_at_registration_counts_after_a_later_change(clerk):
    from registry.models import Document

    doc = make_document(clerk=clerk, direction="den", level=Level.TOI_MAT, arrival_date=dt.date(2020, 3, 3))
    Document.objects.filter(pk=doc.pk).update(level=Level.THUONG)  # declassified since
    stats = yearly_statistics(2020)
    assert stats.levels[Level.TOI_MAT]["registered_in"] == 1 and stats.levels[Level.THUONG]["registered_in"] == 0


def reporting_year_of_today() -> int:
    from django.utils import timezone

    today = timezone.localdate()
    return today.year + (1 if (today.month, today.day) >= (12, 15) else 0)
