"""The auditor's home (#12): the dashboard panel, log filters by part of a name, refusal rows."""

import pytest
from django.urls import reverse
from django.utils import timezone

from registry.actions.auditing import do_sign_checkpoint
from registry.audit.reports import LogFilter, log_page
from registry.constants import Action, Level, Outcome, Role
from registry.models import AccessLogEntry, Checkpoint, Unit
from tests.audit.helpers import plant
from tests.factories import make_document, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keys_dir(settings, tmp_path):
    settings.REGISTRY_KEYS_DIR = tmp_path / "keys"


@pytest.fixture
def auditor(db):
    return make_user("kiemtra_nha", role=Role.AUDITOR, clearance=Level.MAT)


def test_dashboard_shows_todays_anomalies_chain_state_and_sign_button(client, clerk, auditor):
    reader = make_user("dem_khuya", clearance=Level.MAT)
    doc = make_document(clerk=clerk, level=Level.MAT)
    now = timezone.localtime()
    for minute in (1, 2, 3):  # three refusals today: one repeated_refusals anomaly
        plant(Action.VIEW, now.replace(hour=0, minute=minute), actor=reader, document=doc, outcome=Outcome.REFUSED)
    do_sign_checkpoint(actor=auditor)
    client.force_login(auditor)
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'data-testid="auditor-home"' in body
    assert "Bị từ chối nhiều lần" in body and "<strong>1</strong>" in body
    assert "Nhật ký chưa được kiểm tra lần nào" in body
    checkpoint = Checkpoint.objects.get()
    assert f"đến mục số {checkpoint.seq}" in body and "chưa được điểm kiểm tra đã ký bảo vệ" in body
    assert "Ký điểm kiểm tra ngay" in body
    response = client.post(reverse("registry_audit_sign_now"), {"next": reverse("wagtailadmin_home")})
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    assert Checkpoint.objects.count() == 2
    # Only the security officer has it; others get 404 for the sign action.
    staff = make_user("canbo_nha", clearance=Level.MAT)
    client.force_login(staff)
    assert 'data-testid="auditor-home"' not in client.get(reverse("wagtailadmin_home")).content.decode()
    assert client.post(reverse("registry_audit_sign_now")).status_code == 404


def test_log_filter_accepts_part_of_a_login_a_full_name_or_a_unit(clerk, auditor):
    Unit.objects.get_or_create(code="BTC", defaults={"name": "Ban Tổ chức Đảng ủy"})
    person = make_user("canbo.btc", clearance=Level.MAT, unit="BTC")
    person.last_name, person.first_name = "Nguyễn Văn", "An"
    person.save(update_fields=["last_name", "first_name"])
    other = make_user("khac", clearance=Level.MAT, unit="VP")
    doc = make_document(clerk=clerk, level=Level.MAT)
    plant(Action.VIEW, timezone.now(), actor=person, document=doc)
    plant(Action.VIEW, timezone.now(), actor=other, document=doc)
    for text in ("canbo", "Nguyễn Văn An", "văn an", "Ban Tổ chức", "BTC"):
        rows = log_page(auditor, LogFilter(user=text, action=Action.VIEW)).rows
        assert {r["actor"] for r in rows} == {"canbo.btc"}, text
    rows = log_page(auditor, LogFilter(unit="tổ chức", action=Action.VIEW)).rows
    assert {r["actor"] for r in rows} == {"canbo.btc"}


def test_log_page_offers_suggestions(client, auditor):
    Unit.objects.get_or_create(code="BTC", defaults={"name": "Ban Tổ chức Đảng ủy"})
    make_user("canbo.goiy", clearance=Level.MAT, unit="BTC")
    client.force_login(auditor)
    body = client.get(reverse("registry_audit_log")).content.decode()
    assert 'list="audit-people"' in body and '<option value="canbo.goiy">' in body
    assert '<option value="Ban Tổ chức Đảng ủy">' in body


def test_refusal_rows_show_the_requested_document_and_the_document_filter_finds_them(client, clerk, auditor):
    doc = make_document(clerk=clerk, level=Level.MAT, title="Kế hoạch bầu cử thử")
    nosy = make_user("to_mo", clearance=Level.THUONG)
    plant(Action.VIEW, timezone.now(), actor=nosy, outcome=Outcome.REFUSED,
          extra={"requested_id": str(doc.pk), "reason": "not_found"})
    client.force_login(auditor)
    body = client.get(reverse("registry_audit_log"), {"document": doc.pk}).content.decode()
    assert "to_mo" in body and "Kế hoạch bầu cử thử" in body and "Bị từ chối" in body
    assert AccessLogEntry.objects.filter(actor_username="to_mo", document_id__isnull=True).count() == 1
