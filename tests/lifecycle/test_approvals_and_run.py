"""Every act is refused and logged without a valid approval; the scheduled run is idempotent and crash-safe."""

import datetime as dt

import pytest
from django.utils import timezone

from registry.actions.lifecycle import (
    do_change_level,
    do_declassify,
    do_destroy,
    do_extend_term,
    do_hand_over,
    do_lend,
    do_record_copy,
)
from registry.actions.meetings import do_add_meeting, do_hand_out
from registry.actions.people import do_add_grant
from registry.actions.secrecy import run_lifecycle
from registry.constants import Action, CopyForm, Level, Outcome, Role
from registry.errors import ErrorCode, MetadataError, RegistryError
from registry.models import AccessLogEntry, Approval, Document, LevelChange, Task
from tests.factories import grant, make_document, make_user
from tests.lifecycle.helpers import by, setup_office

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 1)


def _acts(doc, reader, clerk, prepared=None):
    prepared = prepared or {}
    return {
        "copy": (Action.COPY, lambda a: do_record_copy(doc, form=CopyForm.SAO_Y, quantity=1, approval=a, actor=clerk,
                                                       today=DAY)),
        "hand_over": (Action.HAND_OVER, lambda a: do_hand_over(doc, recipient_user=reader, approval=a, actor=clerk,
                                                               today=DAY)),
        "loan": (Action.LOAN, lambda a: do_lend(doc, borrower=reader, purpose="Nghiên cứu", approval=a, actor=clerk,
                                                due_at=timezone.now() + dt.timedelta(days=2))),
        "level": (Action.LEVEL_CHANGE, lambda a: do_change_level(doc, to_level=Level.MAT, approval=a, actor=clerk,
                                                                 decided_on=DAY)),
        "extend": (Action.LEVEL_CHANGE, lambda a: do_extend_term(doc, years=5, approval=a, actor=clerk,
                                                                 decided_on=DAY)),
        "declassify": (Action.DECLASSIFY, lambda a: do_declassify(doc, approval=a, actor=clerk, decided_on=DAY)),
        "meeting": (Action.LOAN, lambda a: do_hand_out(prepared.get("meeting"), doc, delegates=[reader], approval=a,
                                                       actor=clerk)),
        "grant": (Action.GRANT, lambda a: do_add_grant(reader, document=prepared.get("top"), until=DAY.replace(year=2099),
                                                       reason="Thẩm tra", approval=a, actor=_admin())),
        "destroy": (Action.DESTROY, lambda a: do_destroy(doc, approval=a, council="Hội đồng", actor=clerk,
                                                         destroyed_on=DAY)),
    }


def _meeting(clerk, reader):
    start = timezone.now() + dt.timedelta(hours=1)
    return do_add_meeting(title="Hội nghị", starts_at=start, ends_at=start + dt.timedelta(hours=3),
                          delegates=[reader], actor=clerk)


def _top(clerk):
    top = make_document(clerk=clerk, level=Level.TUYET_MAT)
    grant(_admin(), top)
    return top


def _admin():
    from registry.models import User

    return User.objects.filter(username="quantri").first() or make_user("quantri", role=Role.ADMIN,
                                                                        clearance=Level.TUYET_MAT)


@pytest.mark.parametrize("act", ["copy", "hand_over", "loan", "meeting", "level", "extend", "declassify", "destroy",
                                 "grant"])
@pytest.mark.parametrize("case", ["missing", "no_authority", "expired_delegation", "self"])
def test_act_without_valid_approval_is_refused_and_logged(act, case, clerk):
    office = setup_office()
    doc = make_document(clerk=clerk, level=Level.TOI_MAT, level_decided_on=dt.date(2026, 1, 1))
    reader = make_user(role=Role.STAFF, clearance=Level.TUYET_MAT)
    for user in (clerk, reader):
        grant(user, doc)
    approval = {
        "missing": None,
        # the chief of office may approve copies, hand-overs and loans only up to mat; nothing else at all
        "no_authority": by(office["chanhvp"], "1-QĐ", on=DAY),
        # the deputy's written delegation ended on 31/12/2020
        "expired_delegation": by(office["phobithu"], "1-QĐ", on=DAY),
        "self": by(_admin() if act == "grant" else clerk, "1-QĐ", on=DAY),
    }[case]
    reason = {"missing": ErrorCode.APPROVAL_MISSING, "no_authority": ErrorCode.APPROVER_NOT_AUTHORISED,
              "expired_delegation": ErrorCode.DELEGATION_EXPIRED, "self": ErrorCode.SELF_APPROVAL}[case]
    prepared = {"meeting": _meeting(clerk, reader) if act == "meeting" else None,
                "top": _top(clerk) if act == "grant" else None}
    action, call = _acts(doc, reader, clerk, prepared)[act]
    start = AccessLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    approvals, changes = Approval.objects.count(), LevelChange.objects.count()
    with pytest.raises(RegistryError) as err:
        call(approval)
    assert err.value.code == reason and err.value.message
    entries = list(AccessLogEntry.objects.filter(seq__gt=start))
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.action, entry.outcome, entry.extra["reason"]) == (action, Outcome.REFUSED, str(reason))
    assert entry.document_id == (doc.pk if act != "grant" else entry.document_id)
    assert Approval.objects.count() == approvals and LevelChange.objects.count() == changes
    assert Document.objects.get(pk=doc.pk).level == Level.TOI_MAT


def test_the_borrower_cannot_approve_their_own_loan(clerk):
    office = setup_office()
    doc = make_document(clerk=clerk, level=Level.MAT)
    with pytest.raises(RegistryError) as err:
        do_lend(doc, borrower=office["bithu"], purpose="x", approval=by(office["bithu"]), actor=clerk,
                due_at=timezone.now() + dt.timedelta(days=1))
    assert err.value.code == ErrorCode.SELF_APPROVAL


def test_valid_delegation_and_versioned_authority(clerk):
    office = setup_office()
    doc = make_document(clerk=clerk, level=Level.MAT)
    old_day = dt.date(2020, 6, 1)
    copy = do_record_copy(doc, form=CopyForm.CHUP, quantity=2, approval=by(office["phobithu"], "2-QĐ", on=old_day),
                          actor=clerk, today=DAY)
    assert copy.approval.delegation.reference == "05-UQ/ĐU" and copy.copies.count() == 2
    from registry.actions.approvals import do_add_authority
    from registry.models import ApprovalAuthority

    current = ApprovalAuthority.objects.get(position="Chánh Văn phòng", act="copy", retired_at__isnull=True)
    new = do_add_authority(act="copy", max_level=Level.TOI_MAT, position="Chánh Văn phòng",
                           valid_from=current.valid_from, previous=current)
    assert new.previous == current and ApprovalAuthority.objects.get(pk=current.pk).retired_at is not None


def test_tuyet_mat_raise_clears_summary_under_2026_rules_and_terms_are_capped(clerk):
    office = setup_office()
    doc = make_document(clerk=clerk, level=Level.MAT, summary="Nhân sự dự kiến")
    change = do_change_level(doc, to_level=Level.TUYET_MAT, approval=by(office["bithu"], "9-QĐ", on=DAY),
                             actor=clerk, decided_on=DAY)
    assert change.summary_cleared and Document.objects.get(pk=doc.pk).summary == ""
    with pytest.raises(MetadataError) as err:
        make_document(clerk=clerk, level=Level.MAT, protection_years=99)
    assert err.value.code == ErrorCode.TERM_NOT_ALLOWED


def _state():
    return (list(Document.objects.order_by("pk").values_list("pk", "level", "declassified_on")),
            sorted(Task.objects.values_list("key", "done_at")), AccessLogEntry.objects.count(),
            LevelChange.objects.count())


def test_run_twice_changes_nothing_and_finishes_after_a_crash(clerk):
    office = setup_office()
    docs = [make_document(clerk=clerk, level=Level.MAT, level_decided_on=dt.date(2010, 1, i + 1)) for i in range(3)]
    reader = make_user(role=Role.STAFF, clearance=Level.MAT)
    do_hand_over(docs[0], recipient_user=reader, acknowledged=True, approval=by(office["bithu"], "1", on=DAY),
                 actor=clerk, today=DAY)
    today = dt.date(2026, 12, 5)

    def crash(name, item):
        if name == "declassify" and item == docs[1].pk:
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        run_lifecycle(today, step_hook=crash)
    assert Document.objects.get(pk=docs[0].pk).level == Level.THUONG
    assert Document.objects.get(pk=docs[1].pk).level == Level.MAT
    report = run_lifecycle(today)
    assert report["declassified"] == [docs[1].pk, docs[2].pk]
    assert report["yearly_report"] == "2026-12-20"
    assert all(d.level == Level.THUONG for d in Document.objects.filter(pk__in=[d.pk for d in docs]))
    notice = Task.objects.get(kind=Task.Kind.NOTICE, assignee=reader)
    assert notice.due_on == dt.date(2020, 1, 16)  # 15 days after the term ended on 01/01/2020
    before = _state()
    again = run_lifecycle(today)
    assert again["declassified"] == [] and again["tasks_created"] == 0 and again["purged"] == []
    assert _state() == before


def test_a_purge_that_failed_after_commit_is_finished_by_the_run(clerk, monkeypatch,
                                                                 django_capture_on_commit_callbacks):
    from django.core.files.storage import FileSystemStorage

    from registry.models import Destruction
    from tests.marking.pdfs import make_pdf_document

    office = setup_office()
    doc = make_pdf_document(clerk=clerk, level=Level.MAT)
    name = doc.file.name
    real_delete = FileSystemStorage.delete

    def broken(self, path):
        raise OSError("disk busy")

    monkeypatch.setattr(FileSystemStorage, "delete", broken)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        do_destroy(doc, approval=by(office["bithu"], "1-QĐ", on=DAY), council="Hội đồng", actor=clerk,
                   destroyed_on=DAY)
    assert callbacks  # the purge was attempted after commit, failed, and did not undo the act
    destruction = Destruction.objects.get(document=doc)
    assert destruction.purged_at is None and Document.objects.get(pk=doc.pk).extracted_text == ""
    monkeypatch.setattr(FileSystemStorage, "delete", real_delete)
    report = run_lifecycle(dt.date(2026, 12, 5))
    assert report["purged"] == [doc.pk]
    assert Destruction.objects.get(document=doc).purged_at is not None
    assert not doc.file.storage.exists(name)
    assert run_lifecycle(dt.date(2026, 12, 5))["purged"] == []
