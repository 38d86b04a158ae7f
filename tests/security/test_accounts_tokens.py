"""Attacks on API tokens: they were stored in clear (anyone reading the database could act as anyone), never
expired, and read toi_mat content without a second factor. Now only a SHA-256 is stored, a token expires
after REGISTRY_API_TOKEN_DAYS, and content at or above REGISTRY_REQUIRE_2FA_FROM is refused to tokens
(one guard entry; a hidden document still answers 404 exactly like a missing one)."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from registry.actions.accounts import do_issue_api_token
from registry.constants import Action, Level, Outcome, Role
from registry.models import AccessLogEntry
from tests.factories import grant, make_user
from tests.marking.pdfs import make_pdf_document

pytestmark = pytest.mark.django_db


def _api(secret) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def _last_seq():
    entry = AccessLogEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def _since(seq):
    return list(AccessLogEntry.objects.filter(seq__gt=seq).order_by("seq"))


def _database_text() -> str:
    """Every text value of every table, as someone with a copy of the database would read it."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            chunks.extend(str(value) for row in cursor.fetchall() for value in row if value is not None)
    return "\n".join(chunks)


def test_no_token_secret_is_stored_in_the_database(clerk, capsys):
    _token, web_secret = do_issue_api_token(clerk, actor=clerk)
    call_command("users", "token", clerk.username, "--json")
    cli_secret = json.loads(capsys.readouterr().out)["token"]
    assert _api(cli_secret).get("/api/v1/documents/").status_code == 200
    text = _database_text()
    for secret in (web_secret, cli_secret):
        assert secret not in text and secret[len("rgt_"):] not in text
    assert "authtoken_token" not in connection.introspection.table_names() or not _rows("authtoken_token")


def _rows(table):
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        return cursor.fetchone()[0]


def test_api_token_reading_toi_mat_content_is_refused_and_logged(clerk, settings):
    settings.REGISTRY_ENCRYPT_LEVELS = []
    reader = make_user(role=Role.STAFF, clearance=Level.TUYET_MAT)
    visible = {level: make_pdf_document(clerk=clerk, level=level) for level in (Level.TOI_MAT, Level.TUYET_MAT)}
    for document in visible.values():
        grant(reader, document)
    hidden = make_pdf_document(clerk=clerk, level=Level.TOI_MAT)  # no grant: does not exist for the reader
    api = _api(do_issue_api_token(reader)[1])
    for level, document in visible.items():
        start = _last_seq()
        response = api.post(f"/api/v1/documents/{document.pk}/download/", {"purpose": "Đọc"}, format="json")
        assert response.status_code == 403 and b"%PDF" not in response.content
        error = response.json()["error"]
        assert error["code"] == "second_factor_required" and "xác thực hai lớp" in error["message"]
        assert [(e.action, e.outcome, e.document_id, e.extra["reason"]) for e in _since(start)] == [
            (Action.DOWNLOAD, Outcome.REFUSED, document.pk, "second_factor_required")], level
    missing = api.post(f"/api/v1/documents/{hidden.pk + 999}/download/", {"purpose": "Đọc"}, format="json")
    start = _last_seq()
    refused = api.post(f"/api/v1/documents/{hidden.pk}/download/", {"purpose": "Đọc"}, format="json")
    assert refused.status_code == missing.status_code == 404 and refused.json() == missing.json()
    assert [(e.outcome, e.document_id, e.extra.get("requested_id")) for e in _since(start)] == [
        (Outcome.REFUSED, None, str(hidden.pk))]


def test_expired_and_replaced_tokens_are_refused_and_logged(clerk):
    from registry.models.people import ApiToken

    token, secret = do_issue_api_token(clerk)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    start = _last_seq()
    assert _api(secret).get("/api/v1/documents/").status_code == 401
    _newer, newer_secret = do_issue_api_token(clerk)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + dt.timedelta(days=1))
    assert _api(secret).get("/api/v1/documents/").status_code == 401  # revoked by the newer one
    assert _api(newer_secret).get("/api/v1/documents/").status_code == 200
    assert _api("rgt_" + "x" * 43).get("/api/v1/documents/").status_code == 401
    failures = [e for e in _since(start) if e.action == Action.LOGIN_FAILED]
    assert [(e.actor_id, e.extra["reason"]) for e in failures] == [
        (clerk.pk, "token_expired"), (clerk.pk, "token_invalid"), (None, "token_invalid")]
