"""Lifecycle actions: one log entry each, policy checks, hidden documents answer NotFound without content."""

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
    do_return,
)
from registry.constants import Action, CopyForm, Level, Outcome, Role
from registry.errors import ErrorCode, MetadataError, NotFoundError, PermissionDeniedError, RegistryError
from registry.models import AccessLogEntry, CopyRecord, Document, LevelChange, User
from tests.audit.helpers import CTX
from tests.factories import grant, make_document, make_user
from tests.lifecycle.helpers import by, setup_office

pytestmark = pytest.mark.django_db

SECRET_WORD = "Zyxwombat"


def _new_entries(since):
    return list(AccessLogEntry.objects.filter(seq__gt=since).order_by("seq"))


def _head():
    return AccessLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.fixture(autouse=True)
def office(db):
    return setup_office()


def A(ref="01-QĐ/ĐU"):
    """An approval by the secretary, who holds authority for every act (tests/lifecycle/helpers.py)."""
    return by(User.objects.get(username="bithu"), ref)


@pytest.fixture
def doc(clerk):
    return make_document(clerk=clerk, level=Level.MAT, unit="")


def test_record_copy_numbers_continue_and_log_once(clerk, doc, django_capture_on_commit_callbacks):
    start = _head()
    first = do_record_copy(doc, form=CopyForm.SAO_Y, quantity=3, approval=A(), recipients="Ban Tổ chức",
                           actor=clerk, ctx=CTX)
    second = do_record_copy(doc, form=CopyForm.CHUP, quantity=2, approval=A(), actor=clerk, ctx=CTX)
    assert (first.first_copy_number, second.first_copy_number) == (1, 4)
    entries = _new_entries(start)
    assert [e.action for e in entries] == [Action.COPY, Action.COPY]
    assert entries[1].extra["first_copy_number"] == 4 and entries[1].extra["quantity"] == 2
    assert entries[0].document_level == Level.MAT and entries[0].ip == "10.0.0.7"
    with pytest.raises(MetadataError):
        do_record_copy(doc, form="photo", quantity=1, approval=A(), actor=clerk)
    assert CopyRecord.objects.count() == 2 and len(_new_entries(start)) == 2


def test_hand_over_and_lend_return(clerk, doc):
    reader = make_user(role=Role.STAFF, clearance=Level.MAT)
    low = make_user(role=Role.STAFF, clearance=Level.THUONG)
    start = _head()
    do_hand_over(doc, recipient="Ban Tuyên giáo", recipient_user=reader, acknowledged=True, approval=A(), actor=clerk,
                 ctx=CTX)
    now = timezone.now()
    loan = do_lend(doc, borrower=reader, due_at=now + dt.timedelta(days=2), purpose="Chuẩn bị văn kiện",
                   meeting_ends_at=now + dt.timedelta(hours=3), approval=A(), actor=clerk, ctx=CTX)
    returned = do_return(loan, actor=clerk, ctx=CTX)
    assert returned.returned_at is not None
    assert [e.action for e in _new_entries(start)] == [Action.HAND_OVER, Action.LOAN, Action.RETURN]
    with pytest.raises(RegistryError) as err:
        do_return(loan, actor=clerk)
    assert err.value.code == ErrorCode.INVALID_STATE
    with pytest.raises(PermissionDeniedError):
        do_lend(doc, borrower=low, due_at=now + dt.timedelta(days=1), purpose="x", approval=A(), actor=clerk)
    assert len(_new_entries(start)) == 3


def test_change_level_extend_declassify_destroy(clerk, doc, django_capture_on_commit_callbacks):
    from registry.signals import document_changed

    sent = []
    handler = lambda sender, document_id, **kw: sent.append(document_id)  # noqa: E731
    document_changed.connect(handler)
    try:
        grant(clerk, doc)  # need-to-know for when the document becomes toi_mat
        start = _head()
        with django_capture_on_commit_callbacks(execute=True):
            change = do_change_level(doc, to_level=Level.TOI_MAT, approval=A("12-QĐ/ĐU"),
                                     decided_on=dt.date(2020, 3, 1), reason="Nội dung nhân sự", actor=clerk, ctx=CTX)
        doc.refresh_from_db()
        assert doc.level == Level.TOI_MAT and doc.protection_expires_on == dt.date(2040, 3, 1)
        assert change.from_level == Level.MAT and sent == [doc.pk]
        do_extend_term(doc, years=5, approval=A("13-QĐ/ĐU"), decided_on=dt.date(2020, 4, 1),
                       actor=clerk, ctx=CTX)
        doc.refresh_from_db()
        assert doc.protection_expires_on == dt.date(2045, 3, 1)
        with pytest.raises(MetadataError):
            do_extend_term(doc, years=21, approval=A("x"), decided_on=dt.date(2020, 4, 1), actor=clerk)
        do_declassify(doc, approval=A("14-QĐ/ĐU"), decided_on=dt.date(2020, 5, 1),
                      actor=clerk, ctx=CTX)
        doc.refresh_from_db()
        assert doc.level == Level.THUONG and doc.declassified_on == dt.date(2020, 5, 1)
        do_destroy(doc, approval=A("15-QĐ/ĐU"), council="Hội đồng tiêu hủy",
                   minutes_ref="BB-01", destroyed_on=dt.date(2020, 6, 1), actor=clerk, ctx=CTX)
        assert Document.objects.get(pk=doc.pk).destroyed_on == dt.date(2020, 6, 1)  # the row survives
        entries = _new_entries(start)
        assert [e.action for e in entries] == [Action.LEVEL_CHANGE, Action.LEVEL_CHANGE, Action.DECLASSIFY,
                                               Action.DESTROY]
        # The log keeps the level before each change (statistics count a declassification under it).
        assert [e.document_level for e in entries] == [Level.MAT, Level.TOI_MAT, Level.TOI_MAT, Level.THUONG]
        assert LevelChange.objects.filter(document=doc).count() == 3
        with pytest.raises(RegistryError):
            do_record_copy(doc, form=CopyForm.SAO_Y, quantity=1, approval=A(), actor=clerk)
    finally:
        document_changed.disconnect(handler)


@pytest.mark.parametrize("name", ["copy", "hand_over", "lend", "level", "declassify", "destroy"])
def test_hidden_document_is_not_found_and_logs_one_refusal_without_content(clerk, name):
    secret = make_document(clerk=clerk, level=Level.TOI_MAT, title=f"Phương án nhân sự {SECRET_WORD}",
                           summary=f"Trích yếu {SECRET_WORD}")
    other_clerk = make_user(role=Role.CLERK, clearance=Level.TOI_MAT)  # cleared, but no need-to-know
    borrower = make_user(role=Role.STAFF, clearance=Level.TOI_MAT)
    calls = {
        "copy": lambda: do_record_copy(secret, form=CopyForm.SAO_Y, quantity=1, approval=A(), actor=other_clerk),
        "hand_over": lambda: do_hand_over(secret, recipient="Ban X", acknowledged=False, actor=other_clerk),
        "lend": lambda: do_lend(secret, borrower=borrower, due_at=timezone.now() + dt.timedelta(days=1),
                                purpose="x", approval=A(), actor=other_clerk),
        "level": lambda: do_change_level(secret, to_level=Level.MAT, approval=A("1"),
                                         decided_on=dt.date(2020, 1, 1), actor=other_clerk),
        "declassify": lambda: do_declassify(secret, approval=A("1"),
                                            decided_on=dt.date(2020, 1, 1), actor=other_clerk),
        "destroy": lambda: do_destroy(secret, approval=A("1"), council="x",
                                      destroyed_on=dt.date(2020, 1, 1), actor=other_clerk),
    }
    start = _head()
    with pytest.raises(NotFoundError) as err:
        calls[name]()
    assert SECRET_WORD not in str(err.value.as_dict())
    entries = _new_entries(start)
    assert len(entries) == 1 and entries[0].outcome == Outcome.REFUSED
    assert SECRET_WORD not in repr(entries[0].__dict__)
    secret.refresh_from_db()
    assert secret.level == Level.TOI_MAT and secret.destroyed_on is None
    # With need-to-know the same clerk may act.
    grant(other_clerk, secret)
    do_record_copy(secret, form=CopyForm.SAO_Y, quantity=1, approval=A(), actor=other_clerk)


def test_staff_without_lifecycle_permission_is_refused(clerk, doc):
    staff = make_user(role=Role.STAFF, clearance=Level.MAT)
    start = _head()
    with pytest.raises(PermissionDeniedError):
        do_hand_over(doc, recipient="Ban X", acknowledged=True, actor=staff)
    entries = _new_entries(start)
    assert len(entries) == 1 and entries[0].outcome == Outcome.REFUSED and entries[0].extra == {"reason": "permission_denied"}
