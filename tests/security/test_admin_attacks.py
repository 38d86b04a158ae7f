"""Attacks on the admin surface (issue #8, SEC-A), each written as the attacker would try it.

Each test failed before the fix: Wagtail's bulk actions showed hidden titles, an administrator could tick
"Administrator" and make a superuser, that superuser could bulk-delete a tuyet_mat entry and its grants
went with it, administrators reset auditors' passwords, deleting a user cascaded their grants away, and a
dossier delete listed every document inside it.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Collection

from registry.access import visible_documents
from registry.constants import Action, Level, Outcome, Role
from registry.errors import ErrorCode, RegistryError
from registry.models import AccessLogEntry, Document, Dossier, Grant, User
from tests.factories import grant, make_document, make_user

pytestmark = pytest.mark.django_db

BULK_ACTIONS = ("delete", "add_to_collection", "add_tags")


@pytest.fixture
def secret(clerk):
    return make_document(clerk=clerk, level=Level.TUYET_MAT, title="Danh sách nhân sự tuyệt mật khóa mới",
                         number="77-BC/ĐU")


@pytest.fixture
def superuser(db):
    call_command("users", "add", "sieuquantri", "--superuser", "--password", "pw-test-123")
    return User.objects.get(username="sieuquantri")


def _client(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


# --- Wagtail's bulk actions -------------------------------------------------------------------------------


@pytest.mark.parametrize("action", BULK_ACTIONS)
def test_bulk_actions_do_not_show_hidden_titles_or_existence(action, secret):
    staff = make_user(role=Role.STAFF, clearance=Level.THUONG)
    client = _client(staff)
    url = reverse("wagtail_bulk_action", args=("registry", "document", action))
    before = AccessLogEntry.objects.count()
    hidden = client.get(f"{url}?id={secret.pk}")
    missing = client.get(f"{url}?id=999999")
    assert hidden.status_code == missing.status_code == 404
    assert secret.title not in hidden.content.decode() and "77-BC" not in hidden.content.decode()
    assert hidden.content == missing.content  # nothing tells a hidden id from a missing one
    assert AccessLogEntry.objects.count() == before


def test_superuser_cannot_bulk_delete_a_tuyet_mat_entry(secret, superuser):
    reader = make_user(role=Role.STAFF, clearance=Level.TUYET_MAT)
    grant(reader, secret)
    client = _client(superuser)
    url = reverse("wagtail_bulk_action", args=("registry", "document", "delete"))
    assert client.get(f"{url}?id={secret.pk}").status_code == 404
    assert client.post(f"{url}?id={secret.pk}").status_code == 404
    assert Document.objects.filter(pk=secret.pk).exists() and Grant.objects.filter(document=secret).count() == 1
    # …and a superuser made on the server lifts no clearance.
    assert not visible_documents(superuser).filter(pk=secret.pk).exists()


def test_no_code_path_deletes_a_register_entry(secret):
    """Model guard: instance, QuerySet and cascade deletes are all refused, whoever calls."""
    with pytest.raises(RegistryError) as error:
        secret.delete()
    assert error.value.code == ErrorCode.NOT_DELETABLE
    with pytest.raises(RegistryError):
        Document.objects.filter(pk=secret.pk).delete()
    collection = Collection.get_first_root_node().add_child(name="Thùng rác")
    Document.objects.filter(pk=secret.pk).update(collection=collection)
    with pytest.raises(RegistryError), transaction.atomic():
        collection.delete()  # Wagtail's collection delete would cascade to its documents
    assert Document.objects.filter(pk=secret.pk).exists()


def test_api_has_no_delete_route(secret, superuser):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(superuser)
    response = api.delete(f"/api/v1/documents/{secret.pk}/")
    assert response.status_code in (404, 405)
    assert Document.objects.filter(pk=secret.pk).exists()


# --- Superusers, passwords, deletion of people ------------------------------------------------------------


def test_administrator_cannot_make_a_superuser_from_the_web():
    admin = make_user("quantri", role=Role.ADMIN, clearance=Level.MAT)
    client = _client(admin)
    page = client.get(reverse("wagtailusers_users:add")).content.decode()
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page
    response = client.post(reverse("wagtailusers_users:add"), {
        "username": "gian", "email": "g@example.org", "first_name": "G", "last_name": "Gian",
        "password1": "mat-khau-dai-123", "password2": "mat-khau-dai-123",
        "role": Role.STAFF, "clearance": Level.THUONG, "is_superuser": "on",
    })
    assert response.status_code == 302
    made = User.objects.get(username="gian")
    assert not made.is_superuser
    # …nor by editing one.
    edit = reverse("wagtailusers_users:edit", args=[made.pk])
    assert 'name="is_superuser"' not in client.get(edit).content.decode()
    client.post(edit, {"username": "gian", "email": "g@example.org", "first_name": "G", "last_name": "Gian",
                       "role": Role.STAFF, "clearance": Level.THUONG, "is_superuser": "on"})
    made.refresh_from_db()
    assert not made.is_superuser
    admin.refresh_from_db()
    assert not admin.is_superuser


def test_superuser_only_from_the_server_console_and_it_lifts_no_clearance(superuser, documents_by_level):
    assert superuser.is_superuser and superuser.clearance == Level.THUONG
    assert set(visible_documents(superuser).values_list("level", flat=True)) == {Level.THUONG}
    from registry.actions.people import do_add_user
    from registry.errors import PermissionDeniedError

    admin = make_user("quantri", role=Role.ADMIN, clearance=Level.MAT)
    before = AccessLogEntry.objects.count()
    with pytest.raises(PermissionDeniedError):
        do_add_user("gian2", role=Role.STAFF, clearance=Level.THUONG, superuser=True, actor=admin)
    assert not User.objects.filter(username="gian2").exists()
    refused = AccessLogEntry.objects.order_by("-seq").first()
    assert AccessLogEntry.objects.count() == before + 1 and refused.outcome == Outcome.REFUSED
    assert refused.extra["superuser"] is True


@pytest.mark.parametrize("victim_role", [Role.AUDITOR, Role.ADMIN])
def test_administrator_cannot_reset_an_auditors_or_another_admins_password(victim_role):
    admin = make_user("quantri", role=Role.ADMIN, clearance=Level.MAT)
    victim = make_user("nannhan", role=victim_role, clearance=Level.MAT, password="mat-khau-cu-123")
    client = _client(admin)
    url = reverse("wagtailusers_users:edit", args=[victim.pk])
    page = client.get(url).content.decode()
    assert 'name="password1"' not in page
    client.post(url, {"username": "nannhan", "email": "n@example.org", "first_name": "N", "last_name": "Nạn",
                      "role": victim_role, "clearance": Level.MAT,
                      "password1": "mat-khau-moi-123", "password2": "mat-khau-moi-123"})
    victim.refresh_from_db()
    assert victim.check_password("mat-khau-cu-123") and not victim.check_password("mat-khau-moi-123")


def test_administrator_still_resets_a_staff_password():
    admin = make_user("quantri", role=Role.ADMIN, clearance=Level.MAT)
    staff = make_user("canbo", role=Role.STAFF, clearance=Level.MAT, password="mat-khau-cu-123")
    client = _client(admin)
    url = reverse("wagtailusers_users:edit", args=[staff.pk])
    assert 'name="password1"' in client.get(url).content.decode()
    response = client.post(url, {"username": "canbo", "email": "c@example.org", "first_name": "C", "last_name": "B",
                                 "role": Role.STAFF, "clearance": Level.MAT,
                                 "password1": "mat-khau-moi-123", "password2": "mat-khau-moi-123"})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("mat-khau-moi-123")
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert entry.action == Action.USER_ADMIN and "password" in entry.extra["changed"]
    assert "mat-khau-moi-123" not in str(entry.extra)


def test_deleting_a_user_is_404_and_grants_stay(secret, superuser):
    reader = make_user("canbo", role=Role.STAFF, clearance=Level.TUYET_MAT)
    grant(reader, secret)
    admin = make_user("quantri", role=Role.ADMIN, clearance=Level.MAT)
    for who in (admin, superuser):
        client = _client(who)
        url = reverse("wagtailusers_users:delete", args=[reader.pk])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
        bulk = reverse("wagtail_bulk_action", args=("registry", "user", "delete"))
        assert client.post(f"{bulk}?id={reader.pk}").status_code == 404
    assert User.objects.filter(pk=reader.pk).exists() and Grant.objects.filter(user=reader).count() == 1
    with pytest.raises(RegistryError), transaction.atomic():
        reader.delete()
    assert Grant.objects.filter(user=reader).count() == 1


def test_deactivating_a_user_is_a_logged_action_that_keeps_grants(secret):
    reader = make_user("canbo", role=Role.STAFF, clearance=Level.TUYET_MAT)
    grant(reader, secret)
    admin = make_user("quantri", role=Role.ADMIN, clearance=Level.MAT)
    client = _client(admin)
    before = AccessLogEntry.objects.count()
    assert client.post(reverse("wagtailusers_users:deactivate", args=[reader.pk])).status_code == 302
    reader.refresh_from_db()
    assert not reader.is_active and Grant.objects.filter(user=reader).count() == 1
    assert AccessLogEntry.objects.count() == before + 1
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert entry.action == Action.USER_ADMIN and entry.extra == {"user": "canbo", "active": False}
    assert not visible_documents(reader).exists()
    # GET changes nothing; staff cannot do it; nobody locks themself out.
    assert client.get(reverse("wagtailusers_users:reactivate", args=[reader.pk])).status_code == 405
    assert _client(make_user(role=Role.STAFF)).post(
        reverse("wagtailusers_users:reactivate", args=[reader.pk])).status_code == 404
    before = AccessLogEntry.objects.count()
    client.post(reverse("wagtailusers_users:deactivate", args=[admin.pk]))
    admin.refresh_from_db()
    assert admin.is_active
    refused = AccessLogEntry.objects.order_by("-seq").first()
    assert AccessLogEntry.objects.count() == before + 1  # one refusal, through the guard
    assert refused.outcome == Outcome.REFUSED and refused.extra["reason"] == ErrorCode.PERMISSION_DENIED
    client.post(reverse("wagtailusers_users:reactivate", args=[reader.pk]))
    reader.refresh_from_db()
    assert reader.is_active


# --- Catalogues -------------------------------------------------------------------------------------------


def test_dossier_delete_is_refused_without_naming_its_documents(clerk):
    dossier = Dossier.objects.create(code="HS-NS-01", title="Hồ sơ nhân sự khóa mới")
    secret_doc = make_document(clerk=clerk, level=Level.TUYET_MAT, title="Kết luận tiêu chuẩn chính trị ứng viên",
                               number="91-KL/ĐU")
    Document.objects.filter(pk=secret_doc.pk).update(dossier=dossier)
    low_clerk = make_user(role=Role.CLERK, clearance=Level.THUONG)
    client = _client(low_clerk)
    url = reverse("registry_dossiers:delete", args=[dossier.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "91-KL" not in confirm.content.decode()
    response = client.post(url, follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert secret_doc.title not in body and "91-KL" not in body and "ProtectedError" not in body
    assert "Không xóa được" in body
    assert Dossier.objects.filter(pk=dossier.pk).exists()


def test_empty_catalogue_row_still_deletes():
    clerk = make_user(role=Role.CLERK, clearance=Level.MAT)
    dossier = Dossier.objects.create(code="HS-TRONG", title="Hồ sơ trống")
    response = _client(clerk).post(reverse("registry_dossiers:delete", args=[dossier.pk]))
    assert response.status_code == 302 and not Dossier.objects.filter(pk=dossier.pk).exists()


def test_expired_grant_does_not_reopen_through_wagtail_policy(secret):
    """Wagtail's own code asks our policy: an expired grant answers no, a live one yes."""
    from wagtail.permissions import policy_registry

    policy = policy_registry.get_by_type(Document)
    reader = make_user(role=Role.STAFF, clearance=Level.TUYET_MAT)
    Grant.objects.create(user=reader, document=secret, valid_until=timezone.localdate() - dt.timedelta(days=1),
                         reason="hết hạn")
    assert not policy.user_has_permission_for_instance(reader, "choose", secret)
    assert not policy.instances_user_has_any_permission_for(reader, ["choose"]).filter(pk=secret.pk).exists()
    grant(reader, secret)
    assert policy.user_has_permission_for_instance(reader, "choose", secret)
    assert not policy.user_has_permission_for_instance(reader, "delete", secret)
    assert not policy.user_has_any_permission(reader, ["add", "change", "delete"])


def test_no_password_reset_by_email():
    """Wagtail's reset-by-email flow (link on the login page, its four views) is gone."""
    client = Client()
    assert "password_reset" not in client.get(reverse("wagtailadmin_login")).content.decode()
    assert client.post(reverse("wagtailadmin_password_reset"), {"email": "baomat@example.org"}).status_code == 404


def test_user_screens_link_to_no_hidden_view():
    """No delete/history/bulk links on the people screens: those views answer 404."""
    admin = make_user("quantri", role=Role.ADMIN, clearance=Level.MAT)
    staff = make_user("canbo", role=Role.STAFF, clearance=Level.MAT)
    client = _client(admin)
    for url in (reverse("wagtailusers_users:index"), reverse("wagtailusers_users:edit", args=[staff.pk])):
        body = client.get(url).content.decode()
        assert "/admin/bulk/" not in body and "/admin/users/delete/" not in body and "/admin/users/history/" not in body
    assert reverse("wagtailusers_users:deactivate", args=[staff.pk]) in body


def test_superuser_dashboard_links_only_to_allowed_views(superuser):
    """Menus and dashboard of a superuser: no link to Wagtail's pages, images, collections, groups, reports."""
    import re

    from django.urls import Resolver404, resolve

    from registry.middleware import is_allowed

    body = _client(superuser).get("/admin/").content.decode()
    # Every admin path in the page (links and the sidebar's JSON), except the admin JavaScript's own
    # configuration (its API endpoints are not links anybody follows).
    body = re.sub(r'<script id="wagtail-config".*?</script>', "", body, flags=re.S)
    links = set(re.findall(r'"(/admin/[^"#?]*)', body))
    assert "/admin/users/" in links
    dead = []
    for link in links:
        try:
            if not is_allowed(resolve(link)):
                dead.append(link)
        except Resolver404:
            dead.append(link)
    assert not dead, dead


def test_account_page_has_no_upload(clerk):
    body = _client(clerk).get(reverse("wagtailadmin_account")).content.decode()
    assert 'type="file"' not in body and 'name="password-new_password1"' in body
