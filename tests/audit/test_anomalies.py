"""Anomalies over a realistic month: every planted one is found with its reason, nothing else is flagged."""

import datetime as dt

import pytest

from registry.audit.anomalies import KINDS, find_anomalies, thresholds
from registry.constants import Action, Level, Role
from registry.models import AccessLogEntry
from tests.audit.conftest import EXPECTED
from tests.audit.helpers import local, run_audit
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_planted_anomalies_found_and_nothing_else(realistic_log, django_assert_max_num_queries):
    start, end = realistic_log.period
    with django_assert_max_num_queries(30):
        found = find_anomalies(start, end)
    assert {(a.kind, a.user) for a in found} == EXPECTED
    by = {(a.kind, a.user): a for a in found}
    vp = realistic_log.docs["VP"]

    bulk = by[("bulk_read", "bulk")]
    assert set(bulk.documents) == {d.pk for d in vp}
    assert bulk.start == local(2020, 3, 11, 9, 0) and "24 tài liệu khác nhau" in bulk.explanation
    assert "ngưỡng: quá 20 tài liệu trong 60 phút" in bulk.explanation

    night = by[("after_hours", "night")]
    assert len(night.documents) == 2 and "ngoài giờ làm việc" in night.explanation
    assert "từ 21:05 đến 21:40" in night.explanation and "thứ Năm 12/03/2020" in night.explanation
    assert "07:29" in by[("after_hours", "early")].explanation
    assert "ngày nghỉ (thứ Bảy)" in by[("after_hours", "weekend")].explanation
    assert "ngày nghỉ lễ «Nghỉ bù Ngày Quốc tế Phụ nữ»" in by[("after_hours", "holiday")].explanation

    curious = by[("outside_unit", "curious")]
    assert curious.documents == (vp[8].pk,)
    assert "do đơn vị khác xử lý (VP: 1)" in curious.explanation and "thuộc đơn vị BTC" in curious.explanation

    refused = by[("repeated_refusals", "refused")]
    assert refused.count == 3 and "Bị từ chối 3 lần trong ngày 13/03/2020" in refused.explanation

    meeting = by[("not_returned", "borrower_meeting")]
    assert meeting.documents == (realistic_log.recall_doc.pk,)
    assert "phiên họp kết thúc lúc 11:00 16/03/2020" in meeting.explanation
    assert "hạn trả 17:00 20/03/2020" in by[("overdue_loan", "borrower_late")].explanation


def test_thresholds_are_configurable_per_call_and_in_settings(realistic_log, settings):
    start, end = realistic_log.period
    lower = find_anomalies(start, end, thresholds_override={"bulk_read_documents": 19}, kinds=["bulk_read"])
    assert {a.user for a in lower} == {"bulk", "near"}
    wider = find_anomalies(start, end, thresholds_override={"bulk_read_minutes": 200}, kinds=["bulk_read"])
    assert {a.user for a in wider} == {"bulk", "spread"}
    assert {a.user for a in find_anomalies(start, end, thresholds_override={"refusals_per_day": 2},
                                           kinds=["repeated_refusals"])} == {"refused", "twice", "split"}
    settings.REGISTRY_ANOMALIES = {**settings.REGISTRY_ANOMALIES, "work_start": "07:00"}
    assert thresholds()["work_start"] == "07:00"
    assert {a.user for a in find_anomalies(start, end, kinds=["after_hours"])} == {"night", "weekend", "holiday"}
    exempt = find_anomalies(start, end, thresholds_override={"outside_unit_exempt_units": ["BTC"]},
                            kinds=["outside_unit"])
    assert exempt == []


def test_cli_anomalies_json_and_logging(realistic_log):
    auditor = make_user("kiemtra", role=Role.AUDITOR, clearance=Level.MAT)
    before = AccessLogEntry.objects.filter(action=Action.AUDIT_VIEW).count()
    code, data = run_audit("anomalies", "--from", "2020-03-01", "--to", "2020-03-31", "--json", "--as", "kiemtra")
    assert code == 0
    assert {(a["kind"], a["user"]) for a in data["anomalies"]} == EXPECTED
    first = data["anomalies"][0]
    assert set(first) >= {"kind", "user", "documents", "from", "to", "explanation"}
    assert {a["kind"] for a in data["anomalies"]} <= set(KINDS)
    assert AccessLogEntry.objects.filter(action=Action.AUDIT_VIEW).count() == before + 1
    assert AccessLogEntry.objects.filter(action=Action.AUDIT_VIEW).order_by("-seq").first().actor == auditor
    code, data = run_audit("anomalies", "--from", "2020-03-01", "--to", "2020-03-31", "--bulk-documents", "19",
                           "--kind", "bulk_read", "--as", "kiemtra")
    assert {a["user"] for a in data["anomalies"]} == {"bulk", "near"}
    staff = make_user("nhanvien", clearance=Level.TUYET_MAT)
    code, data = run_audit("anomalies", "--from", "2020-03-01", "--to", "2020-03-31", "--as", staff.username)
    assert code != 0 and data["error"]["code"] == "permission_denied"


def test_after_hours_boundaries_in_local_time(db):
    from tests.audit.helpers import plant
    from tests.factories import make_document

    reader = make_user("ranh_gioi", clearance=Level.MAT, unit="VP")
    doc = make_document(level=Level.MAT)
    for moment in (local(2020, 6, 1, 7, 30), local(2020, 6, 1, 16, 59, 59), local(2020, 6, 1, 17, 0),
                   local(2020, 6, 1, 7, 29, 59)):
        plant(Action.VIEW, moment, actor=reader, document=doc)
    found = find_anomalies(local(2020, 6, 1), local(2020, 6, 2), kinds=["after_hours"])
    assert len(found) == 1 and found[0].count == 2
    assert found[0].start == local(2020, 6, 1, 7, 29, 59) and found[0].end == local(2020, 6, 1, 17, 0)
    assert dt.timedelta(0) < found[0].end - found[0].start
