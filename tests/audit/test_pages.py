"""Audit pages: integrity panel and its verify button, histories, anomalies, yearly statistics."""

import pytest
from django.urls import reverse

from registry.audit.checkpoints import sign_checkpoint
from registry.constants import Action, Level, Role
from registry.models import AccessLogEntry
from tests.audit.helpers import local, plant
from tests.factories import make_document, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor_client(client, settings, tmp_path):
    settings.REGISTRY_KEYS_DIR = tmp_path / "keys"
    auditor = make_user("kiemtra_trang", role=Role.AUDITOR, clearance=Level.MAT)
    client.force_login(auditor)
    return client


def test_integrity_panel_and_verify_now(auditor_client):
    page = auditor_client.get(reverse("registry_audit_integrity")).content.decode()
    assert "Nhật ký chưa được kiểm tra lần nào" in page and "Chưa có điểm kiểm tra nào được ký" in page
    assert "Ký điểm kiểm tra ngay" in page
    sign_checkpoint()
    before = AccessLogEntry.objects.filter(action=Action.AUDIT_VERIFY).count()
    response = auditor_client.post(reverse("registry_audit_verify_now"))
    assert response.status_code == 302
    assert AccessLogEntry.objects.filter(action=Action.AUDIT_VERIFY).count() == before + 1
    page = auditor_client.get(reverse("registry_audit_integrity")).content.decode()
    assert "Nhật ký toàn vẹn" in page and "kiemtra_trang" in page
    checkpoint = AccessLogEntry.objects.filter(action=Action.AUDIT_CHECKPOINT).first()
    assert checkpoint is not None and f"bảo vệ các mục từ 1 đến {checkpoint.seq - 1}" in page
    # Plain Vietnamese: no raw JSON, no empty signer, and which entries no signed checkpoint covers yet.
    assert '{"ok"' not in page and "&quot;ok&quot;" not in page and "Người ký: —" not in page
    assert f"chưa được điểm kiểm tra đã ký bảo vệ: từ mục số {checkpoint.seq}" in page
    assert auditor_client.get(reverse("registry_audit_verify_now")).status_code == 405
    response = auditor_client.post(reverse("registry_audit_sign_now"))
    assert response.status_code == 302
    signed = AccessLogEntry.objects.filter(action=Action.AUDIT_CHECKPOINT).order_by("-seq").first()
    assert signed.actor_username == "kiemtra_trang" and signed.seq > checkpoint.seq


def test_histories_anomalies_and_yearly_pages(auditor_client, clerk):
    doc = make_document(clerk=clerk, level=Level.MAT, title="Báo cáo chính trị dự thảo")
    reader = make_user("docgia_trang", clearance=Level.MAT, unit="VP")
    plant(Action.VIEW, local(2020, 3, 14, 22, 0), actor=reader, document=doc)
    body = auditor_client.get(reverse("registry_audit_document", args=[doc.pk])).content.decode()
    assert "Báo cáo chính trị dự thảo" in body and "docgia_trang" in body and "Bản sao, chụp" in body
    body = auditor_client.get(reverse("registry_audit_person", args=["docgia_trang"])).content.decode()
    assert f"#{doc.pk}" in body
    assert auditor_client.get(reverse("registry_audit_person", args=["khongco"])).status_code == 404
    assert auditor_client.get(reverse("registry_audit_document", args=[999999])).status_code == 404
    body = auditor_client.get(reverse("registry_audit_anomalies"), {"from": "2020-03-01", "to": "2020-03-31"})
    assert "ngày nghỉ (thứ Bảy)" in body.content.decode()
    body = auditor_client.get(reverse("registry_audit_yearly"), {"year": 2020}).content.decode()
    assert "15/12/2019" in body and "14/12/2020" in body
    pdf = auditor_client.get(reverse("registry_audit_yearly_download", args=["pdf"]), {"year": 2020})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    charts = auditor_client.get(reverse("registry_audit_charts"), {"from": "2020-03-01", "to": "2020-03-31"})
    assert 'id="audit-chart-data"' in charts.content.decode() and "chart.umd.min.js" in charts.content.decode()


def test_holiday_calendar_is_editable_by_the_auditor(auditor_client):
    body = auditor_client.get(reverse("registry_audit_anomalies")).content.decode()
    url = reverse("registry_holidays:index")
    assert url in body
    assert auditor_client.get(url).status_code == 200
