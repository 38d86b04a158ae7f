"""Loads the demo office through the same actions a real office uses (so the log and books are real)."""

import datetime as dt
import tempfile
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from registry.actions.documents import DocumentMetadata
from registry.actions.people import do_add_grant, do_add_user
from registry.constants import DOCUMENT_TYPE_LABELS
from registry.demo import catalogue
from registry.demo.pdfs import SEED_PARAGRAPHS, congress_document_pdf
from registry.models import Document, Dossier, StorageLocation, Unit, User


def demo_loaded() -> bool:
    return User.objects.filter(username="vanthu").exists() and Document.objects.exists()


def _setup_places():
    with transaction.atomic():
        for code, name in catalogue.UNITS:
            Unit.objects.update_or_create(code=code, defaults={"name": name})
        for code, name, kind, parent in catalogue.LOCATIONS:
            StorageLocation.objects.update_or_create(
                code=code, defaults={"name": name, "kind": kind,
                                     "parent": StorageLocation.objects.get(code=parent) if parent else None})
        for code, title, location in catalogue.DOSSIERS:
            Dossier.objects.update_or_create(
                code=code, defaults={"title": title, "location": StorageLocation.objects.get(code=location)})


def _metadata(item) -> DocumentMetadata:
    return DocumentMetadata.from_mapping({
        "direction": item["direction"], "level": item["level"], "number": item["number"],
        "doc_type": item["type"], "issuer": item["issuer"], "issue_date": item["date"], "title": item["title"],
        "summary": item.get("summary", "") if item["level"] != "tuyet_mat" else "",
        "urgency": item.get("urgency", "thuong"), "signer": item.get("signer", ""),
        "arrival_date": item.get("arrival") or (item["date"] if item["direction"] == "den" else None),
        "copies_count": item.get("copies", 1), "recall": item.get("recall", False),
        "named_addressee_only": item.get("named", False), "recipients": item.get("recipients", ""),
        "location": item.get("location", ""), "dossier": item.get("dossier", ""), "unit": item.get("unit", ""),
    })


def load_demo(*, out=print) -> dict:
    """Create the demo office. Idempotent: a second run changes nothing."""
    from registry.intake import register_file, register_paper

    if demo_loaded():
        out("Dữ liệu mẫu đã có sẵn; không nạp lại.")
        return {"loaded": False}
    _setup_places()
    units = {u.code: u.name for u in Unit.objects.all()}
    for username, full_name, role, clearance, unit in catalogue.PEOPLE:
        do_add_user(username, role=role, clearance=clearance, unit=units[unit], full_name=full_name,
                    password=catalogue.DEMO_PASSWORD)
    clerk = User.objects.get(username="vanthu")
    registered = {}
    with tempfile.TemporaryDirectory() as tmp:
        for item in catalogue.DOCUMENTS:
            meta = _metadata(item)
            if item.get("paper"):
                doc = register_paper(meta, actor=clerk)
            else:
                paragraphs = [SEED_PARAGRAPHS[i] for i in item.get("paragraphs", [])]
                d = dt.date.fromisoformat(item["date"])
                pdf = congress_document_pdf(
                    issuer=item["issuer"], number=item["number"], place_date=f"Hà Nội, ngày {d.day} tháng {d.month} năm {d.year}",
                    type_label=str(DOCUMENT_TYPE_LABELS[item["type"]]), title=item["title"], paragraphs=paragraphs,
                    signer=item.get("signer", ""), pages=1 + len(paragraphs) % 3)
                safe = item["number"].replace("/", "_")
                path = Path(tmp) / f"{safe}.pdf"
                path.write_bytes(pdf)
                doc = register_file(path, filename=f"{safe}.pdf", meta=meta, actor=clerk)
            registered[item["number"]] = doc
    until = timezone.localdate()
    for username, number, days, reason in catalogue.GRANTS:
        do_add_grant(User.objects.get(username=username), document=registered[number],
                     until=until + dt.timedelta(days=days), reason=reason)
    for username, code, days, reason in catalogue.DOSSIER_GRANTS:
        do_add_grant(User.objects.get(username=username), dossier=Dossier.objects.get(code=code),
                     until=until + dt.timedelta(days=days), reason=reason)
    _activity(registered, clerk)
    out(f"Đã nạp {len(registered)} tài liệu, {len(catalogue.PEOPLE)} người dùng.")
    return {"loaded": True, "documents": len(registered)}


def _activity(registered: dict, clerk):
    """A little real use, so the audit workspace has something to show: reads with purposes, refused
    attempts, a copy, a hand-over, a congress loan not yet returned, and a signed checkpoint."""
    from registry.actions.lifecycle import do_hand_over, do_lend, do_record_copy
    from registry.actions.reading import do_read_document, do_view_document
    from registry.audit.checkpoints import sign_checkpoint
    from registry.constants import CopyForm
    from registry.errors import RegistryError

    people = {u.username: u for u in User.objects.all()}
    reads = [
        ("canbo.mat", "110-HD/ĐU", "Chuẩn bị hướng dẫn rà soát ở chi bộ"),
        ("canbo.toimat", "35-BC/ĐU", "Tổng hợp báo cáo Tiểu ban nhân sự"),
        ("canbo.tuyetmat", "12-TTr/ĐU", "Hoàn thiện tờ trình nhân sự"),
        ("canbo.thuong", "126-QĐ/TW", "Nghiên cứu quy định"),
    ]
    for username, number, purpose in reads:
        doc = registered[number]
        do_view_document(doc.pk, actor=people[username])
        do_read_document(doc.pk, actor=people[username], purpose=purpose)
    # Refused: above clearance, and without need-to-know. Both answer "not found" and are logged.
    for username, number in (("canbo.thuong", "110-HD/ĐU"), ("canbo.mat", "12-TTr/ĐU")):
        try:
            do_read_document(registered[number].pk, actor=people[username], purpose="Tham khảo")
        except RegistryError:
            pass
    from registry.actions.approvals import ApprovalInput, do_add_authority, do_add_position
    from registry.models import ApprovalAct

    # Approval authority as data: the standing deputy secretary approves every act up to tuyet_mat.
    boss = people["canbo.tuyetmat"]
    since = dt.date(2020, 1, 1)
    do_add_position(boss, position="Phó Bí thư Thường trực", valid_from=since)
    for act in ApprovalAct.values:
        do_add_authority(act=act, max_level="tuyet_mat", position="Phó Bí thư Thường trực", valid_from=since,
                         basis="Quy chế bảo vệ bí mật nhà nước của Đảng ủy")
    approved = ApprovalInput(approver=boss, decision_ref="15-QĐ/ĐU")
    report = registered["02-BC/ĐH"]
    do_record_copy(report, form=CopyForm.SAO_Y, quantity=3, approval=approved,
                   recipients="Đoàn Chủ tịch Đại hội", actor=clerk)
    do_hand_over(registered["110-HD/ĐU"], recipient="Chi bộ Vụ Kế hoạch", acknowledged=True, approval=approved,
                 actor=clerk)
    now = timezone.now()
    do_lend(report, borrower=people["canbo.mat"], due_at=now + dt.timedelta(days=1),
            purpose="Tài liệu phát tại phiên thảo luận Đại hội", meeting_ends_at=now + dt.timedelta(hours=3),
            approval=approved, actor=clerk)
    sign_checkpoint()
