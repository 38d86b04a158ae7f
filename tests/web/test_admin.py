"""Admin integration: dashboard, menus, users with registry fields, grants, catalogues, TOTP enrolment."""

import datetime as dt

import pyotp
import pytest
from django.urls import reverse
from django.utils import timezone

from registry.constants import Action, Level, Outcome, Role
from registry.models import AccessLogEntry, Grant, Holiday, StorageLocation, Unit, User
from tests.factories import make_document, make_user

pytestmark = pytest.mark.django_db


def last_entry():
    return AccessLogEntry.objects.order_by("-seq").first()


def test_dashboard_counts_only_visible(client, documents_by_level):
    staff = make_user(role=Role.STAFF, clearance=Level.MAT)
    client.force_login(staff)
    response = client.get("/admin/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "2 tài liệu trong phạm vi tiếp cận" in body
    assert documents_by_level[Level.TOI_MAT].title not in body
    assert documents_by_level[Level.MAT].title in body  # recent entries panel


def test_wagtail_document_and_image_menus_are_gone(client, clerk):
    client.force_login(clerk)
    body = client.get("/admin/").content.decode()
    assert "/admin/documents/" not in body and "/admin/images/" not in body
    assert reverse("registry_document_register") in body


def test_admin_creates_user_with_registry_fields(client):
    admin = make_user("quantri", role=Role.ADMIN, clearance=Level.MAT)
    unit = Unit.objects.create(code="BTC", name="Ban Tổ chức")
    client.force_login(admin)
    add_url = reverse("wagtailusers_users:add")
    page = client.get(add_url)
    assert page.status_code == 200 and 'name="clearance"' in page.content.decode()
    response = client.post(add_url, {
        "username": "canbo1", "email": "cb1@example.org", "first_name": "An", "last_name": "Nguyễn",
        "password1": "mat-khau-dai-123", "password2": "mat-khau-dai-123", "is_active": "on",
        "role": Role.STAFF, "clearance": Level.TOI_MAT, "unit": unit.pk,
    })
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    user = User.objects.get(username="canbo1")
    assert (user.role, user.clearance, user.unit_id) == (Role.STAFF, Level.TOI_MAT, unit.pk)
    entry = last_entry()
    assert entry.action == Action.USER_ADMIN and entry.extra["user"] == "canbo1" and entry.extra["created"]


def test_admin_cannot_raise_own_clearance(client):
    admin = make_user("quantri", role=Role.ADMIN, clearance=Level.MAT)
    client.force_login(admin)
    url = reverse("wagtailusers_users:edit", args=[admin.pk])
    client.post(url, {"username": "quantri", "email": "a@example.org", "first_name": "Q", "last_name": "T",
                      "role": Role.ADMIN, "clearance": Level.TUYET_MAT})
    admin.refresh_from_db()
    assert admin.clearance == Level.MAT


def test_staff_cannot_open_user_admin(client):
    staff = make_user(role=Role.STAFF, clearance=Level.TUYET_MAT)
    client.force_login(staff)
    response = client.get(reverse("wagtailusers_users:index"))
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_grants_screen_add_and_revoke(client, clerk):
    doc = make_document(clerk=clerk, level=Level.TOI_MAT)
    admin = make_user("quantri", role=Role.ADMIN, clearance=Level.TUYET_MAT)
    staff = make_user("canbo", role=Role.STAFF, clearance=Level.TOI_MAT)
    # the admin must see the document to grant it: need-to-know for the admin first
    Grant.objects.create(user=admin, document=doc, valid_until=timezone.localdate() + dt.timedelta(days=5),
                         reason="Quản trị")
    client.force_login(admin)
    assert client.get(reverse("registry_grants")).status_code == 200
    until = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = client.post(reverse("registry_grants"), {"user": staff.pk, "document": doc.pk, "until": until,
                                                         "reason": "Thẩm định nhân sự"})
    assert response.status_code == 302
    new = Grant.objects.get(user=staff)
    assert last_entry().action == Action.GRANT
    client.post(reverse("registry_grant_revoke", args=[new.pk]))
    new.refresh_from_db()
    assert new.revoked_at is not None


def test_grants_screen_does_not_reveal_hidden_documents(client, clerk):
    doc = make_document(clerk=clerk, level=Level.TUYET_MAT, title="Tài liệu tuyệt mật không lộ")
    admin = make_user("quantri", role=Role.ADMIN, clearance=Level.MAT)
    staff = make_user("canbo", role=Role.STAFF, clearance=Level.TUYET_MAT)
    Grant.objects.create(user=staff, document=doc, valid_until=timezone.localdate(), reason="x")
    client.force_login(admin)
    body = client.get(reverse("registry_grants")).content.decode()
    assert "Tài liệu tuyệt mật không lộ" not in body
    until = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = client.post(reverse("registry_grants"), {"user": staff.pk, "document": doc.pk, "until": until,
                                                         "reason": "x"})
    assert response.status_code == 400 and Grant.objects.filter(user=staff).count() == 1


def test_grants_screen_admin_only(client):
    clerk = make_user(role=Role.CLERK, clearance=Level.TUYET_MAT)
    client.force_login(clerk)
    assert client.get(reverse("registry_grants")).status_code == 302


def test_catalogues_for_clerk_and_holidays_for_auditor(client):
    clerk = make_user(role=Role.CLERK, clearance=Level.MAT)
    client.force_login(clerk)
    response = client.post(reverse("registry_locations:add"), {"code": "KHO1", "name": "Kho lưu trữ", "kind": "store"})
    assert response.status_code == 302 and StorageLocation.objects.filter(code="KHO1").exists()
    auditor = make_user(role=Role.AUDITOR, clearance=Level.MAT)
    client.force_login(auditor)
    assert client.get(reverse("registry_holidays:index")).status_code == 200
    response = client.post(reverse("registry_holidays:add"), {"date": "2026-09-02", "name": "Quốc khánh"})
    assert response.status_code == 302 and Holiday.objects.filter(name="Quốc khánh").exists()
    assert client.get(reverse("registry_locations:index")).status_code == 302  # not the auditor's job
    staff = make_user(role=Role.STAFF, clearance=Level.MAT)
    client.force_login(staff)
    assert client.get(reverse("registry_holidays:index")).status_code == 302


def test_totp_enrolment_confirms_before_saving(client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import login_without_second_factor

    user = make_user(role=Role.STAFF, clearance=Level.TOI_MAT)
    login_without_second_factor(client, user)
    page = client.get(reverse("registry_totp_enrol"))
    assert page.status_code == 200
    secret = page.context["secret"]
    assert secret in page.content.decode() and page.context["uri"].startswith("otpauth://totp/")
    client.post(reverse("registry_totp_enrol"), {"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert not TOTPDevice.objects.filter(user=user).exists()
    response = client.post(reverse("registry_totp_enrol"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=user, confirmed=True)
    assert last_entry().extra.get("totp") == "enrolled"
    # A new session must now pass the second factor.
    client.logout()
    login_without_second_factor(client, user)
    assert client.get(reverse("registry_document_list"))["Location"].startswith(reverse("registry_otp_verify"))


def test_totp_enrolment_not_offered_to_low_clearance(client):
    user = make_user(role=Role.STAFF, clearance=Level.MAT)
    client.force_login(user)
    assert client.get(reverse("registry_totp_enrol")).status_code == 302


def test_vietnamese_by_default_and_english_on_request(client, clerk):
    client.force_login(clerk)
    body = client.get(reverse("registry_document_list")).content.decode()
    assert "Tài liệu đã đăng ký" in body and 'lang="vi"' in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    body = client.get(reverse("registry_document_list")).content.decode()
    assert "Registered documents" in body and "Tài liệu đã đăng ký" not in body


def test_wagtail_account_language_preference(client, clerk):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(clerk)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(clerk)
    assert "Registered documents" in client.get(reverse("registry_document_list")).content.decode()


def test_cli_users_and_grants(clerk, capsys):
    import json

    from django.core.management import call_command

    call_command("users", "add", "canbo9", "--role", "staff", "--clearance", "toi_mat", "--unit", "Ban Tuyên giáo",
                 "--full-name", "Trần Thị Bình", "--json")
    created = json.loads(capsys.readouterr().out)
    assert created["username"] == "canbo9" and created["clearance"] == "toi_mat"
    doc = make_document(clerk=clerk, level=Level.TOI_MAT)
    until = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    call_command("grants", "add", "--user", "canbo9", "--document", str(doc.pk), "--until", until,
                 "--reason", "Phục vụ đại hội", "--json")
    grant = json.loads(capsys.readouterr().out)
    assert grant["document"] == doc.pk and not grant["revoked"]
    call_command("grants", "list", "--json")
    assert [g["id"] for g in json.loads(capsys.readouterr().out)] == [grant["id"]]
    call_command("grants", "revoke", str(grant["id"]), "--json")
    assert json.loads(capsys.readouterr().out)["revoked"]
    with pytest.raises(SystemExit):
        call_command("grants", "add", "--user", "canbo9", "--document", str(doc.pk), "--until", "2000-01-01",
                     "--reason", "x", "--json")
    assert json.loads(capsys.readouterr().out)["error"]["field"] == "until"
    refused, revoked = AccessLogEntry.objects.filter(action=Action.GRANT).order_by("-seq")[:2]
    assert refused.outcome == Outcome.REFUSED and refused.extra["field"] == "until"  # every refusal: one entry
    assert revoked.outcome == Outcome.OK and revoked.actor_id is None


def test_api_token_page_issues_a_working_token(client, clerk):
    from rest_framework.test import APIClient

    client.force_login(clerk)
    assert client.get(reverse("registry_api_token")).status_code == 200
    key = client.post(reverse("registry_api_token")).context["key"]
    assert last_entry().extra["api_token"] == "issued" and last_entry().extra["user"] == clerk.username
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/documents/").status_code == 200
    newer = client.post(reverse("registry_api_token")).context["key"]
    assert newer != key
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/documents/").status_code == 401


def test_user_listing_shows_role_clearance_unit(client):
    admin = make_user("quantri", role=Role.ADMIN, clearance=Level.MAT, unit="Văn phòng Đảng ủy")
    client.force_login(admin)
    body = client.get(reverse("wagtailusers_users:index")).content.decode()
    assert "Quản trị viên" in body and "Mật" in body and "Văn phòng Đảng ủy" in body
