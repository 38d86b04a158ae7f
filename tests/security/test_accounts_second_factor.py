"""Attacks: a `toi_mat`/`tuyet_mat` reader with only a password read content (TOTP was optional), and API
tokens never met the second factor. Now REGISTRY_REQUIRE_2FA_FROM (default toi_mat) makes such users pass
TOTP in the session before any download or preview; the refusal is one guard entry and sends them to
enrolment (or to the code page when they have a device)."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from registry.constants import Action, Level, Outcome
from registry.models import AccessLogEntry
from tests.factories import give_second_factor, grant, login_without_second_factor, make_user
from tests.marking.pdfs import make_pdf_document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plain_copies(settings):
    settings.REGISTRY_ENCRYPT_LEVELS = []


def _last_seq():
    entry = AccessLogEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def _since(seq):
    return list(AccessLogEntry.objects.filter(seq__gt=seq).order_by("seq"))


@pytest.mark.parametrize("clearance", [Level.TOI_MAT, Level.TUYET_MAT])
@pytest.mark.parametrize("preview", [False, True])
def test_password_only_session_reads_no_content(clerk, clearance, preview):
    document = make_pdf_document(clerk=clerk, level=Level.TOI_MAT)
    reader = make_user(clearance=clearance)
    grant(reader, document)
    client = Client()
    login_without_second_factor(client, reader)
    start = _last_seq()
    data = {"purpose": "Chuẩn bị nhân sự", **({"preview": "1"} if preview else {})}
    response = client.post(reverse("registry_document_download", args=[document.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse("registry_totp_enrol")
    assert b"%PDF" not in response.content
    action = Action.PREVIEW if preview else Action.DOWNLOAD
    assert [(e.action, e.outcome, e.document_id, e.extra["reason"]) for e in _since(start)] == [
        (action, Outcome.REFUSED, document.pk, "second_factor_required")]


def test_hidden_and_missing_documents_answer_alike_without_second_factor(clerk):
    hidden = make_pdf_document(clerk=clerk, level=Level.TUYET_MAT)
    reader = make_user(clearance=Level.TOI_MAT)
    client = Client()
    login_without_second_factor(client, reader)
    start = _last_seq()
    a = client.post(reverse("registry_document_download", args=[hidden.pk]), {"purpose": "x"})
    b = client.post(reverse("registry_document_download", args=[hidden.pk + 1000]), {"purpose": "x"})
    assert (a.status_code, a["Location"]) == (b.status_code, b["Location"])
    entries = _since(start)
    assert [e.document_id for e in entries] == [None, None]
    assert [e.extra["requested_id"] for e in entries] == [str(hidden.pk), str(hidden.pk + 1000)]
    assert all(e.document_level == "" for e in entries)


def test_enrolled_but_unverified_session_is_sent_to_the_code_page(clerk):
    document = make_pdf_document(clerk=clerk, level=Level.MAT)
    reader = make_user(clearance=Level.TUYET_MAT)
    give_second_factor(reader)
    client = Client()
    login_without_second_factor(client, reader)
    response = client.post(reverse("registry_document_download", args=[document.pk]), {"purpose": "x"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("registry_otp_verify"))


def test_api_token_cannot_be_minted_without_second_factor():
    reader = make_user(clearance=Level.TOI_MAT)
    client = Client()
    login_without_second_factor(client, reader)
    start = _last_seq()
    response = client.post(reverse("registry_api_token"))
    assert response.status_code == 302 and response["Location"] == reverse("registry_totp_enrol")
    assert [(e.action, e.outcome, e.extra["reason"]) for e in _since(start)] == [
        (Action.USER_ADMIN, Outcome.REFUSED, "second_factor_required")]
    from registry.models.people import ApiToken

    assert not ApiToken.objects.filter(user=reader).exists()


def test_api_session_without_second_factor_reads_no_content(clerk):
    document = make_pdf_document(clerk=clerk, level=Level.MAT)
    reader = make_user(clearance=Level.TOI_MAT)
    api = APIClient()
    login_without_second_factor(api, reader)
    start = _last_seq()
    response = api.post(f"/api/v1/documents/{document.pk}/download/", {"purpose": "x"}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "second_factor_required"
    assert b"%PDF" not in response.content
    assert [(e.action, e.outcome, e.document_id) for e in _since(start)] == [
        (Action.DOWNLOAD, Outcome.REFUSED, document.pk)]
    api.force_login(reader)  # tests/conftest.py: verified session
    assert api.post(f"/api/v1/documents/{document.pk}/download/", {"purpose": "x"}, format="json").status_code == 200
