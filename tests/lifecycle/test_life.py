"""A document's whole life through the CLI with --today moving the clock (issue #10, "Done means"):
registered toi_mat; 3 copies authorised and made, 1 spoiled; one handed over with acknowledgement; one lent
and returned late; handed to 2 delegates at a meeting, one not returned; level adjusted and term extended;
declassified automatically at expiry; destroyed by council — and after that nothing of its content left."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

import search
from registry.actions.documents import DocumentMetadata
from registry.constants import Action, Level, Outcome, Role
from tests.tasks import register_file_committed as register_file
from registry.models import (
    AccessLogEntry,
    Approval,
    Copy,
    CopyRecord,
    Destruction,
    Document,
    HandOver,
    LevelChange,
    Loan,
    Task,
)
from tests.factories import grant, make_user
from tests.intake.samples import VI_LINES, text_pdf
from tests.lifecycle.helpers import setup_office

pytestmark = pytest.mark.django_db(transaction=True)

PHRASE = "Quokkaphrase phương án nhân sự dự kiến"


def cli(*args):
    out = io.StringIO()
    try:
        call_command(*args, "--json", stdout=out)
    except SystemExit as stop:
        assert stop.code == 1
    return json.loads(out.getvalue().strip().splitlines()[-1])


def entries_since(seq):
    return list(AccessLogEntry.objects.filter(seq__gt=seq).order_by("seq"))


def head():
    return AccessLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_whole_life(tmp_path):
    clerk = make_user("vanthu", role=Role.CLERK, clearance=Level.TUYET_MAT)
    office = setup_office()
    boss = office["bithu"]
    holders = {n: make_user(n, role=Role.STAFF, clearance=Level.TUYET_MAT) for n in ("nhan", "muon", "daibieu1",
                                                                                     "daibieu2")}
    # 1. registered toi_mat, with a file whose text carries a unique phrase
    meta = DocumentMetadata(direction="den", level=Level.TOI_MAT, number="77-BC/ĐU", doc_type="BC",
                            issuer="Đảng ủy Bộ Công Thương", issue_date=dt.date(2026, 3, 2),
                            arrival_date=dt.date(2026, 3, 3), level_decided_on=dt.date(2026, 3, 2),
                            title="Báo cáo nhân sự Ban Chấp hành khóa mới", summary="")
    doc = register_file(io.BytesIO(text_pdf([*VI_LINES, PHRASE])), filename="bao-cao.pdf", meta=meta, actor=clerk)
    for user in (clerk, boss, *holders.values()):
        grant(user, doc, days=365 * 60)
    doc.refresh_from_db()
    assert doc.protection_expires_on == dt.date(2046, 3, 2) and doc.extracted_text  # (encrypted at rest)
    search.index_document(doc)
    assert search.search(PHRASE.split()[0], boss).total == 1
    original_names = [doc.file.name, doc.rendition.name]
    assert all(doc.file.storage.exists(n) for n in original_names if n)

    # 2. 3 copies authorised and made, 1 spoiled
    seq = head()
    made = cli("copies", "add", str(doc.pk), "--form", "sao_y", "--quantity", "3", "--approver", "bithu",
               "--decision", "01-QĐ/ĐU", "--actor", "vanthu", "--today", "2026-03-10")
    assert [c["number"] for c in made["copies"]] == [1, 2, 3]
    spoiled = cli("copies", "spoil", str(doc.pk), "--number", "3", "--reason", "In nhòe", "--actor", "vanthu",
                  "--today", "2026-03-10")
    assert spoiled["state"] == Copy.State.SPOILED
    log = entries_since(seq)
    assert [e.action for e in log] == [Action.COPY, Action.COPY]
    assert log[0].extra["copy_numbers"] == [1, 2, 3] and log[0].extra["approval"]["approver"] == "bithu"
    assert log[1].extra == {"event": "spoiled", "copy_number": 3, "reason": "In nhòe"}
    assert CopyRecord.objects.get(document=doc).approval.approver == boss
    # a marked download continues the same sequence: copy number 4, in the same register
    from registry.actions.reading import do_read_document

    marked = do_read_document(doc.pk, actor=holders["muon"], purpose="Nghiên cứu")
    assert marked.copy_number == 4
    assert Copy.objects.get(document=doc, number=4).kind == Copy.Kind.MARKED

    # 3. one handed over with acknowledgement (by the recipient)
    seq = head()
    ho = cli("handover", str(doc.pk), "--to", "nhan", "--copy", "1", "--approver", "bithu", "--decision",
             "02-QĐ/ĐU", "--actor", "vanthu", "--today", "2026-03-11")
    assert ho["acknowledged"] is False and ho["copy_number"] == 1
    ack = cli("handover", "--acknowledge", str(ho["id"]), "--actor", "nhan")
    assert ack["acknowledged"] is True
    assert [e.action for e in entries_since(seq)] == [Action.HAND_OVER, Action.HAND_OVER]
    assert Copy.objects.get(document=doc, number=1).state == Copy.State.HANDED_OVER

    # 4. one lent and returned late; the scheduled run reminds, then flags it overdue
    loan = cli("loans", "add", str(doc.pk), "--borrower", "muon", "--due", "2026-03-20", "--purpose",
               "Chuẩn bị báo cáo", "--approver", "bithu", "--decision", "03-QĐ/ĐU", "--actor", "vanthu",
               "--today", "2026-03-12")
    run = cli("lifecycle", "run", "--today", "2026-03-19")
    assert run["loan_reminders"] == [loan["id"]]
    run = cli("lifecycle", "run", "--today", "2026-03-22")
    assert run["overdue_loans"] == [loan["id"]]
    assert Task.objects.get(key=f"loan:{loan['id']}:overdue").assignee.username == "muon"
    returned = cli("loans", "return", str(loan["id"]), "--actor", "vanthu", "--today", "2026-03-25")
    assert returned["late"] is True
    assert AccessLogEntry.objects.filter(action=Action.RETURN).last().extra["late"] is True
    assert not Task.objects.filter(key__startswith=f"loan:{loan['id']}", done_at__isnull=True).exists()

    # 5. handed to 2 delegates at a meeting, one not returned
    meeting = cli("meetings", "add", "--title", "Đại hội Đảng bộ", "--session", "Phiên trù bị", "--starts",
                  "2026-04-01T08:00", "--ends", "2026-04-01T11:00", "--delegate", "daibieu1", "--delegate",
                  "daibieu2", "--actor", "vanthu")
    out = cli("meetings", "hand-out", str(meeting["id"]), "--document", str(doc.pk), "--approver", "bithu",
              "--decision", "04-QĐ/ĐU", "--actor", "vanthu", "--today", "2026-04-01")
    assert sorted(x["delegate"] for x in out["loans"]) == ["daibieu1", "daibieu2"]
    rec = cli("meetings", "reconcile", str(meeting["id"]), "--returned", f"daibieu1:{doc.pk}", "--actor", "vanthu",
              "--today", "2026-04-01")
    assert "delegates" in rec, rec
    by_delegate = {r["delegate"]: r for r in rec["delegates"]}
    assert by_delegate["daibieu1"]["missing"] == [] and by_delegate["daibieu2"]["missing"] == [doc.pk]
    missing = Loan.objects.get(meeting_id=meeting["id"], borrower__username="daibieu2")
    assert Task.objects.get(key=f"recall:{missing.pk}").kind == Task.Kind.RECALL

    assert Loan.objects.filter(pk=missing.pk, recall=True, returned_at__isnull=True).exists()
    from django.utils import timezone as tz

    from registry.audit.anomalies import find_anomalies

    window = (tz.make_aware(dt.datetime(2026, 4, 1)), tz.make_aware(dt.datetime(2026, 4, 2, 12)))
    flagged = find_anomalies(*window, kinds=("not_returned",))
    assert [(a.kind, a.user) for a in flagged] == [("not_returned", "daibieu2")]
    # the delegate brings it back later; the recall task closes
    cli("loans", "return", str(missing.pk), "--actor", "vanthu", "--today", "2026-04-03")
    assert Task.objects.get(key=f"recall:{missing.pk}").done_at is not None

    # 6. level adjusted (toi_mat -> mat, term restarts: 10 years) and term extended (by 5, ≥ 60 days ahead)
    seq = head()
    change = cli("level", "change", str(doc.pk), "--to", "mat", "--approver", "bithu", "--decision", "05-QĐ/ĐU",
                 "--actor", "vanthu", "--today", "2026-05-01")
    assert change["expires_on"] == "2036-05-01"
    notices = Task.objects.filter(kind=Task.Kind.NOTICE, details__level_change=change["id"])
    assert notices.exists() and all(t.due_on == dt.date(2026, 5, 16) for t in notices)
    assert {t.assignee.username for t in notices if t.assignee} >= {"nhan", "muon"}
    refused = cli("level", "extend", str(doc.pk), "--years", "11", "--approver", "bithu", "--decision", "x",
                  "--actor", "vanthu", "--today", "2036-01-01")
    assert refused["error"]["code"] == "term_not_allowed"
    late = cli("level", "extend", str(doc.pk), "--years", "5", "--approver", "bithu", "--decision", "06-QĐ/ĐU",
               "--actor", "vanthu", "--today", "2036-04-01")
    assert late["error"]["code"] == "invalid_metadata"  # less than 60 days before expiry
    ext = cli("level", "extend", str(doc.pk), "--years", "5", "--approver", "bithu", "--decision", "06-QĐ/ĐU",
              "--actor", "vanthu", "--today", "2036-01-02")
    assert ext["expires_on"] == "2041-05-01"
    kinds = [c.kind for c in LevelChange.objects.filter(document=doc).order_by("pk")]
    assert kinds == [LevelChange.Kind.ADJUST, LevelChange.Kind.EXTEND]

    # 7. declassified automatically at expiry (and not twice); the stamp says GIẢI MẬT with the date
    run = cli("lifecycle", "run", "--today", "2041-03-15")
    assert [e["document"] for e in run["extensions_due"]] == [doc.pk] and run["declassified"] == []
    run = cli("lifecycle", "run", "--today", "2041-05-01")
    assert run["declassified"] == [doc.pk]
    assert cli("lifecycle", "run", "--today", "2041-05-01")["declassified"] == []
    doc.refresh_from_db()
    assert doc.level == Level.THUONG and doc.declassified_on == dt.date(2041, 5, 1)
    auto = LevelChange.objects.get(document=doc, kind=LevelChange.Kind.DECLASSIFY)
    assert auto.automatic and auto.from_level == Level.MAT
    entry = AccessLogEntry.objects.filter(action=Action.DECLASSIFY).get()
    assert entry.document_level == Level.MAT and entry.actor is None
    from registry.actions.lifecycle import declassified_stamp

    assert declassified_stamp(doc).startswith("GIẢI MẬT ngày 01/05/2041")
    import pypdfium2 as pdfium

    stamped = do_read_document(doc.pk, actor=holders["muon"], purpose="Tra cứu")
    pdf = pdfium.PdfDocument(stamped.content, password=stamped.password)
    text = pdf[0].get_textpage().get_text_range()
    assert "GIẢI MẬT" in text and "01/05/2041" in text and "TỐI MẬT" not in text
    assert stamped.copy_number == 5  # the one copy sequence goes on after the 4th (marked) copy
    # the secret register book keeps the original level, with the changes noted
    from registry.registers.lifecycle_books import level_history_note, original_level

    assert original_level(doc) == Level.TOI_MAT
    note = level_history_note(doc)
    assert "05-QĐ/ĐU" in note and "Giải mật" in note and "01/05/2041" in note

    # 8. destroyed by council; then nothing of the content is left anywhere
    seq = head()
    gone = cli("destroy", str(doc.pk), "--council", "Hội đồng tiêu hủy (QĐ 07-QĐ/ĐU)", "--items", "77-BC/ĐU",
               "--minutes", "BB-01", "--approver", "bithu", "--decision", "08-QĐ/ĐU", "--actor", "vanthu",
               "--today", "2041-06-01")
    assert gone["purged"] is True
    assert [e.action for e in entries_since(seq)] == [Action.DESTROY]
    doc.refresh_from_db()
    assert doc.destroyed_on == dt.date(2041, 6, 1) and not doc.file and not doc.rendition
    assert doc.extracted_text == ""
    storage = Document._meta.get_field("file").storage
    assert not any(storage.exists(n) for n in original_names if n)
    media = Path(settings.MEDIA_ROOT)
    leftovers = [p for p in media.rglob("*") if p.is_file() and p.name in {Path(n).name for n in original_names}]
    assert leftovers == []
    assert not any(PHRASE.split()[0] in (v or "") for v in Document.objects.values_list("extracted_text", flat=True))
    assert search.search(PHRASE.split()[0], boss).total == 0
    search.rebuild()
    assert search.search(PHRASE.split()[0], boss).total == 0
    with pytest.raises(Exception):
        do_read_document(doc.pk, actor=boss, purpose="Xem lại")
    copies = cli("copies", "list", str(doc.pk), "--actor", "vanthu")
    assert {c["state"] for c in copies["copies"]} == {Copy.State.DESTROYED}
    # the record and its whole history remain
    assert Destruction.objects.get(document=doc).approval.decision_ref == "08-QĐ/ĐU"
    assert Approval.objects.filter(document=doc).count() == 7  # copy, hand-over, loan, meeting, level, extension, destruction
    assert HandOver.objects.filter(document=doc).count() == 1
    assert LevelChange.objects.filter(document=doc).count() == 3
    actions = set(AccessLogEntry.objects.filter(document_id=doc.pk).values_list("action", flat=True))
    assert {Action.REGISTER, Action.COPY, Action.HAND_OVER, Action.LOAN, Action.RETURN, Action.LEVEL_CHANGE,
            Action.DECLASSIFY, Action.DESTROY} <= actions
    assert not AccessLogEntry.objects.filter(document_id=doc.pk, outcome=Outcome.ERROR).exists()
