"""Lifecycle acts from the record page: copy, hand over, lend, return, change level, extend, declassify,
destroy — each POST is one act and one access-log entry; clerks only; hidden documents answer 404."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from registry.actions.lifecycle import do_lend
from registry.constants import Action, Level, Outcome, Role
from registry.models import User
from registry.models import AccessLogEntry, CopyRecord, Destruction, Document, HandOver, LevelChange, Loan
from tests.factories import make_document, make_user
from tests.lifecycle.helpers import by, setup_office

pytestmark = pytest.mark.django_db

TITLE = "Phương án nhân sự Ban Thường vụ khóa mới"

ACT_URLS = [
    "registry_lifecycle_copy",
    "registry_lifecycle_hand_over",
    "registry_lifecycle_lend",
    "registry_lifecycle_level",
    "registry_lifecycle_extend",
    "registry_lifecycle_declassify",
    "registry_lifecycle_destroy",
]


def last_seq():
    entry = AccessLogEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def log_since(seq):
    return list(AccessLogEntry.objects.filter(seq__gt=seq).order_by("seq"))


def today():
    return timezone.localdate().isoformat()


def later(days=2):
    return (timezone.localtime() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def doc(clerk, office):
    return make_document(clerk=clerk, level=Level.MAT, title=TITLE)


@pytest.fixture
def office(db):
    return setup_office()


def boss():
    from registry.models import User

    return str(User.objects.get(username="bithu").pk)


@pytest.fixture
def reader(db):
    return make_user("docgia", role=Role.STAFF, clearance=Level.MAT)


def decision(**extra):
    return {"decision_ref": "15-QĐ/ĐU", "approver": boss(), "decided_on": today(),
            "reason": "Theo đề nghị của Văn phòng", **extra}


# name → (POST data builder, expected log action, check of the rows afterwards)
ACTS = {
    "registry_lifecycle_copy": (
        lambda doc, reader, clerk: {"form": "sao_y", "quantity": "3", "approver": boss(),
                                    "recipients": "Ban Tổ chức", "notes": ""},
        Action.COPY,
        lambda doc, reader: CopyRecord.objects.get(document=doc).quantity == 3,
    ),
    "registry_lifecycle_hand_over": (
        lambda doc, reader, clerk: {"recipient": "", "recipient_user": str(reader.pk), "acknowledged": "on", "approver": boss()},
        Action.HAND_OVER,
        lambda doc, reader: HandOver.objects.filter(document=doc, recipient_user=reader, acknowledged=True,
                                                    recipient=reader.username).count() == 1,
    ),
    "registry_lifecycle_lend": (
        lambda doc, reader, clerk: {"borrower": str(reader.pk), "approver": boss(), "due_at": later(),
                                    "purpose": "Chuẩn bị báo cáo chính trị"},
        Action.LOAN,
        lambda doc, reader: Loan.objects.filter(document=doc, borrower=reader, returned_at__isnull=True).count() == 1,
    ),
    "registry_lifecycle_level": (
        lambda doc, reader, clerk: decision(to_level=Level.TOI_MAT),
        Action.LEVEL_CHANGE,
        lambda doc, reader: Document.objects.get(pk=doc.pk).level == Level.TOI_MAT
        and LevelChange.objects.filter(document=doc, kind=LevelChange.Kind.ADJUST).count() == 1,
    ),
    "registry_lifecycle_extend": (
        lambda doc, reader, clerk: decision(years="5"),
        Action.LEVEL_CHANGE,
        lambda doc, reader: Document.objects.get(pk=doc.pk).protection_expires_on
        == doc.protection_expires_on.replace(year=doc.protection_expires_on.year + 5)
        and LevelChange.objects.filter(document=doc, kind=LevelChange.Kind.EXTEND).count() == 1,
    ),
    "registry_lifecycle_declassify": (
        lambda doc, reader, clerk: decision(),
        Action.DECLASSIFY,
        lambda doc, reader: Document.objects.get(pk=doc.pk).level == Level.THUONG
        and LevelChange.objects.filter(document=doc, kind=LevelChange.Kind.DECLASSIFY).count() == 1,
    ),
    "registry_lifecycle_destroy": (
        lambda doc, reader, clerk: {"decision_ref": "20-QĐ/ĐU", "council": "Hội đồng tiêu hủy tài liệu mật",
                                    "approver": boss(), "minutes_ref": "BB-01", "destroyed_on": today(),
                                    "confirm": "on"},
        Action.DESTROY,
        lambda doc, reader: Document.objects.get(pk=doc.pk).destroyed_on == timezone.localdate()
        and Destruction.objects.filter(document=doc, minutes_ref="BB-01").exists(),
    ),
}


# --- the record page ------------------------------------------------------------------------------------


def test_record_page_offers_lifecycle_to_clerks_only(client, clerk, doc, reader):
    client.force_login(clerk)
    body = client.get(reverse("registry_document_detail", args=[doc.pk])).content.decode()
    assert "Vòng đời tài liệu" in body
    for name in ACT_URLS:
        assert reverse(name, args=[doc.pk]) in body
    client.force_login(reader)
    response = client.get(reverse("registry_document_detail", args=[doc.pk]))
    assert response.status_code == 200 and TITLE in response.content.decode()
    body = response.content.decode()
    assert "Vòng đời tài liệu" not in body and reverse("registry_lifecycle_copy", args=[doc.pk]) not in body


@pytest.mark.parametrize("name", ACT_URLS)
def test_clerk_gets_the_form_with_one_view_entry(client, clerk, doc, name):
    client.force_login(clerk)
    start = last_seq()
    response = client.get(reverse(name, args=[doc.pk]))
    assert response.status_code == 200
    assert response.context["form"] is not None and not response.context["form"].is_bound
    assert '<form method="post"' in response.content.decode()
    assert [(e.action, e.outcome) for e in log_since(start)] == [(Action.VIEW, Outcome.OK)]


# --- each act -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACT_URLS)
def test_each_act_writes_one_entry_and_changes_the_rows(client, clerk, doc, reader, name):
    data, action, check = ACTS[name]
    client.force_login(clerk)
    start = last_seq()
    response = client.post(reverse(name, args=[doc.pk]), data(doc, reader, clerk))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse("registry_document_detail", args=[doc.pk])
    entries = log_since(start)
    assert [(e.action, e.outcome, e.document_id) for e in entries] == [(action, Outcome.OK, doc.pk)]
    assert check(doc, reader)
    # The success message is shown on the record page.
    page = client.get(response["Location"])
    assert any(m.level_tag == "success" for m in page.context["messages"])


def test_lend_asks_meeting_end_only_for_recall_documents(client, clerk, reader, office):
    plain = make_document(clerk=clerk, level=Level.MAT)
    recall = make_document(clerk=clerk, level=Level.MAT, recall=True)
    client.force_login(clerk)
    form = client.get(reverse("registry_lifecycle_lend", args=[plain.pk])).context["form"]
    assert "meeting_ends_at" not in form.fields
    response = client.post(reverse("registry_lifecycle_lend", args=[recall.pk]),
                           {"borrower": reader.pk, "approver": boss(), "due_at": later(3),
                            "purpose": "Dự họp Ban Thường vụ", "meeting_ends_at": later(1)})
    assert response.status_code == 302
    assert Loan.objects.get(document=recall).meeting_ends_at is not None


# --- refusals -------------------------------------------------------------------------------------------


def _denied_users():
    # A staff member who can see the document but has no lifecycle role; a clerk without the clearance.
    return {
        "staff": make_user("nhanvien", role=Role.STAFF, clearance=Level.TUYET_MAT),
        "low_clerk": make_user("vanthu2", role=Role.CLERK, clearance=Level.THUONG),
    }


@pytest.mark.parametrize("name", ACT_URLS)
def test_staff_and_uncleared_clerk_get_404_like_a_missing_id(client, clerk, doc, reader, name):
    data = ACTS[name][0](doc, reader, clerk)
    missing = Document.objects.order_by("-pk").first().pk + 1000
    before = {
        "copies": CopyRecord.objects.count(), "handovers": HandOver.objects.count(), "loans": Loan.objects.count(),
        "changes": LevelChange.objects.count(), "destroyed": Destruction.objects.count(),
    }
    for user in _denied_users().values():
        client.force_login(user)
        for method in ("get", "post"):
            start = last_seq()
            hidden = getattr(client, method)(reverse(name, args=[doc.pk]), data if method == "post" else None)
            absent = getattr(client, method)(reverse(name, args=[missing]), data if method == "post" else None)
            assert hidden.status_code == absent.status_code == 404
            body = hidden.content.decode()
            assert TITLE not in body and doc.number_raw not in body
            # Same page, byte for byte, once the requested address is set aside.
            assert body.replace(reverse(name, args=[doc.pk]), "URL") == \
                absent.content.decode().replace(reverse(name, args=[missing]), "URL")
            entries = log_since(start)
            assert [e.outcome for e in entries] == [Outcome.REFUSED, Outcome.REFUSED]
            assert all(e.document_id is None for e in entries)
            assert [set(e.extra) for e in entries] == [{"requested_id", "reason"}] * 2
    doc.refresh_from_db()
    assert doc.level == Level.MAT and doc.destroyed_on is None
    assert before == {
        "copies": CopyRecord.objects.count(), "handovers": HandOver.objects.count(), "loans": Loan.objects.count(),
        "changes": LevelChange.objects.count(), "destroyed": Destruction.objects.count(),
    }


# name → (bad POST data, the field that must carry the message)
INVALID = {
    # rejected by the form
    "registry_lifecycle_copy": (lambda doc, reader, clerk: {"form": "sao_y", "quantity": "0",
                                                            "approver": boss()}, "quantity"),
    "registry_lifecycle_hand_over": (lambda doc, reader, clerk: {"recipient": "  "}, "recipient"),
    # rejected by the action: the borrower may not see the document
    "registry_lifecycle_lend": (
        lambda doc, reader, clerk: {"borrower": str(make_user(role=Role.STAFF, clearance=Level.THUONG).pk),
                                    "approver": boss(), "due_at": later(), "purpose": "Nghiên cứu"},
        "borrower"),
    # rejected by the action: the level does not change
    "registry_lifecycle_level": (lambda doc, reader, clerk: decision(to_level=Level.MAT), "to_level"),
    # rejected by the action: more than the base term of "Mật" (10 years)
    "registry_lifecycle_extend": (lambda doc, reader, clerk: decision(years="11"), "years"),
    "registry_lifecycle_declassify": (lambda doc, reader, clerk: decision(decided_on="2999-01-01"), "decided_on"),
    "registry_lifecycle_destroy": (
        lambda doc, reader, clerk: {"decision_ref": "20-QĐ/ĐU", "approver": boss(),
                                    "destroyed_on": today()},
        "confirm"),
}


@pytest.mark.parametrize("name", ACT_URLS)
def test_invalid_input_rerenders_400_and_writes_nothing(client, clerk, doc, reader, name):
    data, field = INVALID[name]
    client.force_login(clerk)
    payload = data(doc, reader, clerk)
    start = last_seq()
    response = client.post(reverse(name, args=[doc.pk]), payload)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.is_bound and form.errors.get(field), form.errors
    body = response.content.decode()
    assert "error-message" in body or "w-field__errors" in body
    assert log_since(start) == []
    doc.refresh_from_db()
    assert doc.level == Level.MAT and doc.destroyed_on is None
    assert not (CopyRecord.objects.exists() or HandOver.objects.exists() or Loan.objects.exists()
                or LevelChange.objects.exists() or Destruction.objects.exists())


def test_typed_error_keeps_what_the_clerk_typed(client, clerk, doc):
    client.force_login(clerk)
    response = client.post(reverse("registry_lifecycle_extend", args=[doc.pk]),
                           decision(years="11", decision_ref="Giữ-lại-số-này"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Giữ-lại-số-này" in body and "Mỗi lần gia hạn từ 1 đến 10 năm." in body


# --- return ---------------------------------------------------------------------------------------------


def test_open_loan_shows_return_button_and_return_closes_it(client, clerk, doc, reader):
    loan = do_lend(doc, borrower=reader, due_at=timezone.now() + dt.timedelta(days=1), purpose="Nghiên cứu",
                   approval=by(User.objects.get(username="bithu")), actor=clerk)
    url = reverse("registry_lifecycle_return", args=[doc.pk, loan.pk])
    # The borrower (staff) sees the loan but no button, and cannot return it.
    client.force_login(reader)
    assert url not in client.get(reverse("registry_document_detail", args=[doc.pk])).content.decode()
    start = last_seq()
    assert client.post(url).status_code == 404
    assert [e.outcome for e in log_since(start)] == [Outcome.REFUSED]
    loan.refresh_from_db()
    assert loan.returned_at is None

    client.force_login(clerk)
    body = client.get(reverse("registry_document_detail", args=[doc.pk])).content.decode()
    assert url in body and "Trả lại" in body
    assert client.get(url).status_code == 405
    start = last_seq()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("registry_document_detail", args=[doc.pk])
    entries = log_since(start)
    assert [(e.action, e.outcome, e.document_id) for e in entries] == [(Action.RETURN, Outcome.OK, doc.pk)]
    loan.refresh_from_db()
    assert loan.returned_at is not None
    assert url not in client.get(reverse("registry_document_detail", args=[doc.pk])).content.decode()
    # Returning twice is refused with a message and writes nothing.
    start = last_seq()
    response = client.post(url, follow=True)
    assert response.status_code == 200 and any(m.level_tag == "error" for m in response.context["messages"])
    assert [e.action for e in log_since(start)] == [Action.VIEW]  # only the record page shown after the redirect


def test_return_of_another_documents_loan_is_404(client, clerk, doc, reader):
    other = make_document(clerk=clerk, level=Level.MAT)
    loan = do_lend(other, borrower=reader, due_at=timezone.now() + dt.timedelta(days=1), purpose="Nghiên cứu",
                   approval=by(User.objects.get(username="bithu")), actor=clerk)
    client.force_login(clerk)
    assert client.post(reverse("registry_lifecycle_return", args=[doc.pk, loan.pk])).status_code == 404
    loan.refresh_from_db()
    assert loan.returned_at is None


def test_destroyed_document_offers_no_more_acts(client, clerk, doc, reader):
    client.force_login(clerk)
    destroy = ACTS["registry_lifecycle_destroy"][0](doc, reader, clerk)
    assert client.post(reverse("registry_lifecycle_destroy", args=[doc.pk]), destroy).status_code == 302
    body = client.get(reverse("registry_document_detail", args=[doc.pk])).content.decode()
    assert "Tài liệu đã bị tiêu hủy" in body and reverse("registry_lifecycle_copy", args=[doc.pk]) not in body
    start = last_seq()
    response = client.post(reverse("registry_lifecycle_copy", args=[doc.pk]),
                           ACTS["registry_lifecycle_copy"][0](doc, reader, clerk))
    assert response.status_code == 400 and "Tài liệu đã bị tiêu hủy." in response.content.decode()
    assert log_since(start) == []


# --- approval authority (administrator) and the task list ---------------------------------------------------


def test_admin_edits_approval_authority_as_versions(client, office):
    from registry.models import ApprovalAuthority

    admin = make_user("quantri", role=Role.ADMIN, clearance=Level.MAT)
    client.force_login(admin)
    assert client.get(reverse("registry_approvals")).status_code == 200
    current = ApprovalAuthority.objects.filter(position="Chánh Văn phòng", act="copy").get()
    page = client.get(reverse("registry_approvals") + f"?edit={current.pk}")
    assert page.status_code == 200
    response = client.post(reverse("registry_approvals"), {
        "kind": "authority", "authority-act": "copy", "authority-max_level": Level.TOI_MAT,
        "authority-position": "Chánh Văn phòng", "authority-valid_from": "2015-01-01",
        "authority-previous": str(current.pk)})
    assert response.status_code == 302
    new = ApprovalAuthority.objects.get(previous=current)
    assert new.max_level == Level.TOI_MAT and ApprovalAuthority.objects.get(pk=current.pk).retired_at is not None
    assert AccessLogEntry.objects.filter(action=Action.USER_ADMIN, actor=admin).exists()


def test_approval_authority_screen_is_404_for_others(client, clerk):
    client.force_login(clerk)
    start = last_seq()
    assert client.get(reverse("registry_approvals")).status_code == 404
    assert [e.outcome for e in log_since(start)] == [Outcome.REFUSED]


def test_tasks_page_and_dashboard_show_due_tasks(client, clerk, doc):
    from registry.models import Task

    Task.objects.create(key="t1", kind=Task.Kind.NOTICE, title=f"Thông báo giải mật tài liệu #{doc.pk}",
                        document=doc, due_on=timezone.localdate(), created_on=timezone.localdate())
    client.force_login(clerk)
    body = client.get(reverse("registry_lifecycle_tasks")).content.decode()
    assert f"Thông báo giải mật tài liệu #{doc.pk}" in body
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Việc cần làm về tài liệu mật" in home


def test_copy_with_an_attached_decision_paper_shows_on_the_record(client, clerk, doc):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from registry.models import ApprovalPaper

    client.force_login(clerk)
    paper = SimpleUploadedFile("quyet-dinh.pdf", b"%PDF-1.4 quyet dinh sao", content_type="application/pdf")
    response = client.post(reverse("registry_lifecycle_copy", args=[doc.pk]),
                           {"form": "sao_y", "quantity": "2", "approver": boss(), "approval_ref": "11-QĐ/ĐU",
                            "recipients": "", "notes": "", "approval_paper": paper})
    assert response.status_code == 302
    stored = ApprovalPaper.objects.get()
    assert stored.original_filename == "quyet-dinh.pdf" and stored.approval.decision_ref == "11-QĐ/ĐU"
    body = client.get(reverse("registry_document_detail", args=[doc.pk])).content.decode()
    assert "Bản số" in body and "11-QĐ/ĐU" in body and "quyet-dinh.pdf" in body


def test_copy_without_approver_is_refused_with_a_reason_and_logged(client, clerk, doc):
    client.force_login(clerk)
    start = last_seq()
    response = client.post(reverse("registry_lifecycle_copy", args=[doc.pk]),
                           {"form": "sao_y", "quantity": "2", "recipients": "", "notes": ""})
    assert response.status_code == 400
    assert "phê duyệt" in response.content.decode()
    entries = log_since(start)
    assert [(e.outcome, e.extra.get("reason")) for e in entries] == [(Outcome.REFUSED, "approval_missing")]


def test_clerk_marks_a_notice_done_and_it_is_logged(client, clerk, doc):
    from registry.models import Task

    task = Task.objects.create(key="t2", kind=Task.Kind.NOTICE, title="Thông báo", document=doc,
                               due_on=timezone.localdate(), created_on=timezone.localdate())
    client.force_login(clerk)
    start = last_seq()
    assert client.post(reverse("registry_lifecycle_tasks"), {"task": task.pk}).status_code == 302
    task.refresh_from_db()
    assert task.done_at is not None
    assert [(e.action, e.extra["event"]) for e in log_since(start)] == [(Action.EDIT, "task_done")]
    assert client.post(reverse("registry_lifecycle_tasks"), {"task": task.pk}).status_code == 404


def test_recipient_acknowledges_a_hand_over_on_the_task_list(client, clerk, doc, reader, office):
    from registry.actions.lifecycle import do_hand_over
    from registry.models import HandOver, Task

    hand_over = do_hand_over(doc, recipient_user=reader, approval=by(office["bithu"], "02-CG"), actor=clerk)
    task = Task.objects.get(kind=Task.Kind.ACKNOWLEDGE, assignee=reader)
    client.force_login(reader)
    assert "Ký nhận" in client.get(reverse("registry_lifecycle_tasks")).content.decode()
    start = last_seq()
    assert client.post(reverse("registry_lifecycle_tasks"), {"task": task.pk}).status_code == 302
    hand_over.refresh_from_db()
    task.refresh_from_db()
    assert hand_over.acknowledged and hand_over.acknowledged_at and task.done_at
    assert [(e.action, e.extra.get("event")) for e in log_since(start)] == [(Action.HAND_OVER, "acknowledged")]
    assert HandOver.objects.get(pk=hand_over.pk).acknowledged
