"""Incident report (copies, digital copies, holders, trail) and verifiable exports."""

import datetime as dt
import json

import pypdfium2 as pdfium
import pytest
from django.utils import timezone

from registry.actions.lifecycle import do_hand_over, do_lend, do_record_copy
from registry.audit.export import export_rows, verify_export, write_export
from registry.audit.incident import incident_csv, incident_pdf, incident_report
from registry.audit.reports import LogFilter
from registry.constants import Action, CopyForm, Level, Role
from registry.models import AccessLogEntry
from tests.audit.helpers import CTX, local, plant, run_audit
from tests.factories import make_document, make_user
from tests.lifecycle.helpers import by, setup_office

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost(clerk):
    doc = make_document(clerk=clerk, level=Level.MAT, title="Danh sách đại biểu chính thức")
    holder = make_user("giu_ban", clearance=Level.MAT, unit="BTC")
    office = setup_office()
    do_record_copy(doc, form=CopyForm.SAO_Y, quantity=2, approval=by(office["chanhvp"], "01-SC"),
                   recipients="Ban Tổ chức", actor=clerk, ctx=CTX)
    do_hand_over(doc, recipient="Ban Tổ chức", recipient_user=holder, acknowledged=True,
                 approval=by(office["chanhvp"], "02-CG"), actor=clerk, ctx=CTX)
    do_lend(doc, borrower=holder, due_at=timezone.now() + dt.timedelta(days=3), purpose="Chuẩn bị phiên họp",
            approval=by(office["chanhvp"], "03-M"), actor=clerk, ctx=CTX)
    plant(Action.DOWNLOAD, timezone.now(), actor=holder, document=doc, copy_id="cp-7f3a", purpose="Đọc")
    return doc


def test_incident_report_names_copies_holders_and_trail(lost):
    auditor = make_user("kiemtra_sc", role=Role.AUDITOR, clearance=Level.MAT)
    report = incident_report(auditor, lost.pk)
    assert report["document"]["title"] == "Danh sách đại biểu chính thức" and not report["document"]["hidden"]
    assert report["copy_records"][0]["quantity"] == 2 and report["copy_records"][0]["copied_by"] == "vanthu"
    assert [c["copy_id"] for c in report["digital_copies"]] == ["cp-7f3a"]
    assert report["hand_overs"][0]["recipient_user"] == "giu_ban"
    assert report["loans"][0]["borrower"] == "giu_ban" and report["loans"][0]["returned_at"] is None
    assert [r["action"] for r in report["trail"]] == ["register", "copy", "hand_over", "loan", "download"]
    text = incident_csv(report)
    assert "cp-7f3a" in text and "giu_ban" in text
    pdf = pdfium.PdfDocument(incident_pdf(report, auditor=auditor))
    content = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "BÁO CÁO SỰ CỐ" in content and "cp-7f3a" in content and "Danh sách đại biểu" in content


def test_cli_incident_and_report(lost, tmp_path):
    make_user("kiemtra_cli", role=Role.AUDITOR, clearance=Level.MAT)
    out = tmp_path / "incident.pdf"
    before = AccessLogEntry.objects.filter(action=Action.AUDIT_EXPORT).count()
    code, data = run_audit("incident", "--document", str(lost.pk), "--out", str(out), "--as", "kiemtra_cli")
    assert code == 0 and out.read_bytes().startswith(b"%PDF") and data["entries"] == 5
    assert AccessLogEntry.objects.filter(action=Action.AUDIT_EXPORT).count() == before + 1
    code, data = run_audit("incident", "--document", "999999", "--out", str(out), "--as", "kiemtra_cli")
    assert code == 2 and data["error"]["code"] == "not_found"
    today = timezone.localdate().isoformat()
    code, data = run_audit("report", "--from", today, "--to", today, "--user", "giu_ban", "--json",
                           "--as", "kiemtra_cli")
    assert code == 0 and [e["action"] for e in data["entries"]] == ["download"]
    assert data["entries"][0]["purpose"] == "Đọc" and data["entries"][0]["document_title"]
    code, data = run_audit("report", "--from", today, "--to", today, "--document", str(lost.pk), "--as", "kiemtra_cli")
    # The incident report itself is logged against the document.
    assert [e["action"] for e in data["entries"]][-2:] == ["download", "audit_export"]


def test_export_segment_verifies_and_tampering_is_named(lost, tmp_path):
    auditor = make_user("kiemtra_xuat", role=Role.AUDITOR, clearance=Level.MAT)
    for i in range(10):
        plant(Action.VIEW, local(2026, 1, 2, 9, i), actor=auditor, document=lost)
    path = tmp_path / "seg.jsonl"
    flt = LogFilter(start=local(2026, 1, 2), end=local(2026, 1, 3))
    with path.open("w", encoding="utf-8") as fh:
        assert write_export(export_rows(auditor, flt), fh, "jsonl") == 10
    result = verify_export(path)
    assert result["ok"] and result["entries"] == 10 and result["withheld"] == []
    assert result["last_seq"] - result["first_seq"] == 9
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    original = [dict(r) for r in rows]
    rows[4]["at"] = rows[4]["at"].replace("T02:04", "T02:14")  # 09:04 local, moved ten minutes
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    bad = verify_export(path)
    assert not bad["ok"] and bad["broken_seq"] == rows[4]["seq"] and "hash" in bad["reason"]
    # Removing an entry breaks the link at the next one... only if seqs stay consecutive: a gap is reported
    # as a segment boundary, so a filtered export still verifies entry by entry.
    rows = original
    rows[5]["prev_hash"] = "f" * 64
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    bad = verify_export(path)
    assert not bad["ok"] and bad["broken_seq"] == rows[5]["seq"]
    code, data = run_audit("export", "--from", "2026-01-02", "--to", "2026-01-02", "--format", "csv",
                           "--out", str(tmp_path / "cli.csv"), "--as", "kiemtra_xuat")
    assert code == 0 and data["entries"] == 10 and verify_export(tmp_path / "cli.csv")["ok"]


@pytest.mark.django_db(transaction=True)  # the command commits, as on a server: the task runs after it
def test_background_export_runs_as_a_task_and_verifies(lost, settings, tmp_path):
    from registry.models import TaskRun

    settings.REGISTRY_HOME = str(tmp_path)
    auditor = make_user("kiemtra_nen", role=Role.AUDITOR, clearance=Level.MAT)
    for i in range(6):
        plant(Action.VIEW, local(2026, 1, 2, 9, i), actor=auditor, document=lost)
    before = AccessLogEntry.objects.filter(action=Action.AUDIT_EXPORT).count()
    code, data = run_audit("export", "--from", "2026-01-02", "--to", "2026-01-02", "--user", "kiemtra_nen",
                           "--background", "--as", "kiemtra_nen")
    assert code == 0 and data["state"] == "done", data
    run = TaskRun.objects.get(pk=data["task"])
    assert run.name == "export.audit_log" and run.args["filters"] == [
        "--from", "2026-01-02", "--to", "2026-01-02", "--user", "kiemtra_nen"]
    out = tmp_path / "exports" / data["out"].rsplit("/", 1)[-1]
    assert out.exists() and verify_export(out) == {**verify_export(out), "ok": True, "entries": 6}
    # The export is logged once, by the command the task ran (as by hand).
    assert AccessLogEntry.objects.filter(action=Action.AUDIT_EXPORT).count() == before + 1
    # Who may export is decided before anything is queued.
    make_user("nhanvien_nen", role=Role.STAFF, clearance=Level.MAT)
    code, data = run_audit("export", "--background", "--from", "2026-01-02", "--to", "2026-01-02",
                           "--as", "nhanvien_nen")
    assert code == 2 and data["error"]["code"] == "permission_denied"
    assert not TaskRun.objects.filter(args__auditor="nhanvien_nen").exists()
