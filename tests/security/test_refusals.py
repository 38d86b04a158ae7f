"""Refused registrations, edits and voids, tried as an attacker would (issue #8): each refusal leaves exactly
one REFUSED entry, on every path, and a document the attacker may not see is named only by the id asked for.
Before the one guard these wrote nothing at all."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from registry.actions.documents import do_edit_document, do_void_entry
from registry.constants import Action, Level, Role
from registry.errors import ErrorCode, MetadataError, NotFoundError, PermissionDeniedError, RegistryError
from registry.intake import register_paper
from tests.factories import grant, make_document, make_user
from tests.security.guard_helpers import (
    OWN_ISSUER,
    assert_names_nothing,
    head,
    low_clerk,
    one_refusal,
    plain_meta,
    top_clerk,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret():
    return make_document(clerk=top_clerk(), level=Level.TUYET_MAT, title="Danh sách nhân sự lokirefuse")


@pytest.fixture
def open_doc():
    return make_document(clerk=top_clerk("vanthu_open"), level=Level.MAT, title="Hướng dẫn thường lokiopen")


# --- registration ---------------------------------------------------------------------------------------


def test_registration_by_a_role_without_it_is_logged():
    staff = make_user(role=Role.STAFF, clearance=Level.TUYET_MAT)
    before = head()
    with pytest.raises(PermissionDeniedError):
        register_paper(plain_meta(), actor=staff)
    one_refusal(before, Action.REGISTER, ErrorCode.PERMISSION_DENIED)


def test_registration_with_bad_metadata_is_logged():
    clerk = low_clerk()
    before = head()
    with pytest.raises(MetadataError):
        register_paper(plain_meta(level="bi_mat_lam"), actor=clerk)
    entry = one_refusal(before, Action.REGISTER, ErrorCode.INVALID_METADATA)
    assert entry.extra["field"] == "level"


def test_registration_refused_on_the_web_form_is_logged():
    web = Client()
    web.force_login(make_user(role=Role.STAFF, clearance=Level.MAT))
    before = head()
    web.post(reverse("registry_document_register"), {"direction": "den", "level": "mat", "number": "1-HD/ĐU"})
    one_refusal(before, Action.REGISTER, ErrorCode.PERMISSION_DENIED)


def test_registration_refused_through_the_api_is_logged():
    api = APIClient()
    api.force_authenticate(low_clerk())
    before = head()
    response = api.post("/api/v1/documents/", {"direction": "den", "level": "mat"}, format="json")
    assert response.status_code == 400
    one_refusal(before, Action.REGISTER, ErrorCode.INVALID_METADATA)
    api.force_authenticate(make_user(role=Role.STAFF, clearance=Level.MAT))
    before = head()
    assert api.post("/api/v1/documents/", {"direction": "den"}, format="json").status_code == 403
    one_refusal(before, Action.REGISTER, ErrorCode.PERMISSION_DENIED)


def test_registration_refused_on_the_command_line_is_logged(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("Nội dung", encoding="utf-8")
    staff = make_user(role=Role.STAFF, clearance=Level.MAT)
    before = head()
    with pytest.raises(SystemExit):
        call_command("intake", str(path), "--direction", "den", "--level", "mat", "--number", "3-HD/ĐU", "--type",
                     "HD", "--issuer", OWN_ISSUER, "--date", "2020-03-01", "--title", "Thử", "--actor",
                     staff.username, "--json", stdout=io.StringIO(), stderr=io.StringIO())
    one_refusal(before, Action.REGISTER, ErrorCode.PERMISSION_DENIED)


# --- edit -----------------------------------------------------------------------------------------------


def test_edit_of_a_hidden_document_is_logged_by_requested_id_only(secret):
    attacker = low_clerk()
    before = head()
    with pytest.raises(NotFoundError):
        do_edit_document(secret, {"title": "Đã sửa"}, actor=attacker)
    entry = one_refusal(before, Action.EDIT, ErrorCode.NOT_FOUND)
    assert_names_nothing(entry, secret)
    assert entry.extra["requested_id"] == str(secret.pk)


def test_edit_by_a_role_without_it_is_logged(open_doc):
    staff = make_user(role=Role.STAFF, clearance=Level.MAT)
    before = head()
    with pytest.raises(PermissionDeniedError):
        do_edit_document(open_doc, {"title": "Đã sửa"}, actor=staff)
    assert one_refusal(before, Action.EDIT, ErrorCode.PERMISSION_DENIED).document_id == open_doc.pk


def test_edit_of_a_field_that_may_not_change_is_logged(open_doc):
    clerk = low_clerk()
    before = head()
    with pytest.raises(MetadataError):
        do_edit_document(open_doc, {"serial": 99}, actor=clerk)
    one_refusal(before, Action.EDIT, ErrorCode.INVALID_METADATA)


def test_edit_refused_on_the_web_is_logged(secret, open_doc):
    web = Client()
    web.force_login(low_clerk())
    before = head()
    assert web.post(reverse("registry_document_edit", args=[secret.pk]), {"title": "x"}).status_code == 404
    assert_names_nothing(one_refusal(before, Action.EDIT, ErrorCode.NOT_FOUND), secret)
    web.force_login(make_user(role=Role.STAFF, clearance=Level.MAT))
    before = head()
    web.post(reverse("registry_document_edit", args=[open_doc.pk]), {"title": "x"})
    one_refusal(before, Action.EDIT, ErrorCode.PERMISSION_DENIED)


# --- void -----------------------------------------------------------------------------------------------


def test_void_of_a_hidden_document_is_logged_by_requested_id_only(secret):
    attacker = low_clerk()
    before = head()
    with pytest.raises(NotFoundError):
        do_void_entry(secret, "Đăng ký nhầm", actor=attacker)
    assert_names_nothing(one_refusal(before, Action.VOID, ErrorCode.NOT_FOUND), secret)


def test_void_by_a_role_without_it_is_logged(open_doc):
    staff = make_user(role=Role.STAFF, clearance=Level.MAT)
    before = head()
    with pytest.raises(PermissionDeniedError):
        do_void_entry(open_doc, "Đăng ký nhầm", actor=staff)
    one_refusal(before, Action.VOID, ErrorCode.PERMISSION_DENIED)


def test_void_without_a_reason_and_void_twice_are_logged(open_doc):
    clerk = low_clerk()
    before = head()
    with pytest.raises(MetadataError):
        do_void_entry(open_doc, "  ", actor=clerk)
    one_refusal(before, Action.VOID, ErrorCode.INVALID_METADATA)
    do_void_entry(open_doc, "Đăng ký nhầm", actor=clerk)
    before = head()
    with pytest.raises(RegistryError):
        do_void_entry(open_doc, "Lần nữa", actor=clerk)  # a stale copy: the locked row says it is voided
    one_refusal(before, Action.VOID, ErrorCode.INVALID_STATE)


def test_void_refused_on_the_web_and_api_is_logged(secret, open_doc):
    web = Client()
    web.force_login(low_clerk())
    before = head()
    assert web.post(reverse("registry_document_void", args=[secret.pk]), {"reason": "x"}).status_code == 404
    assert_names_nothing(one_refusal(before, Action.VOID, ErrorCode.NOT_FOUND), secret)
    before = head()
    web.post(reverse("registry_document_void", args=[open_doc.pk]), {"reason": ""})
    one_refusal(before, Action.VOID, ErrorCode.INVALID_METADATA)
    api = APIClient()
    api.force_authenticate(make_user(role=Role.STAFF, clearance=Level.TUYET_MAT))
    before = head()
    assert api.post(f"/api/v1/documents/{secret.pk}/void/", {"reason": "x"}, format="json").status_code == 404
    assert_names_nothing(one_refusal(before, Action.VOID, ErrorCode.NOT_FOUND), secret)
    granted = make_user(role=Role.STAFF, clearance=Level.TUYET_MAT)
    grant(granted, secret)
    api.force_authenticate(granted)
    before = head()
    assert api.post(f"/api/v1/documents/{secret.pk}/void/", {"reason": "x"}, format="json").status_code == 403
    assert one_refusal(before, Action.VOID, ErrorCode.PERMISSION_DENIED).document_id == secret.pk
