"""Existence oracles, as an attacker would try them (issue #8): a clerk cleared ``mat`` learns nothing about
a ``tuyet_mat`` document from a duplicate upload or from a number already in use — not its id, title or a
link — on the web form, the API or the CLI; both refusals are logged once, with the hidden id for the
auditor. The clerk who may see the record is still told which one it is."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from registry.constants import Action, Level
from registry.errors import DuplicateError, ErrorCode, MetadataError
from registry.intake import register_paper
from tests.tasks import register_file_committed as register_file
from tests.factories import grant
from tests.intake.samples import text_pdf
from tests.security.guard_helpers import (
    OWN_ISSUER,
    SECRET_TITLE,
    assert_names_nothing,
    head,
    low_clerk,
    one_refusal,
    plain_meta,
    secret_meta,
    top_clerk,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden_upload(tmp_path):
    """A tuyet_mat document registered from a file, and the same bytes ready to upload again."""
    data = text_pdf(marker="oracle")
    path = tmp_path / "secret.pdf"
    path.write_bytes(data)
    secret = register_file(path, meta=secret_meta(), actor=top_clerk())
    return secret, data, path


def _leaks(text: str, secret) -> list[str]:
    found = [f"#{secret.pk}", SECRET_TITLE, reverse("registry_document_detail", args=[secret.pk])]
    return [needle for needle in found if needle in text]


def test_duplicate_upload_does_not_name_a_hidden_document(hidden_upload):
    secret, _data, path = hidden_upload
    attacker = low_clerk()
    before = head()
    with pytest.raises(DuplicateError) as caught:
        register_file(path, meta=plain_meta(), actor=attacker)
    error = caught.value
    assert error.code == ErrorCode.DUPLICATE
    assert error.existing_id is None and "existing_id" not in error.as_dict()["error"]
    assert not _leaks(error.message + json.dumps(error.as_dict(), ensure_ascii=False), secret)
    entry = one_refusal(before, Action.REGISTER, ErrorCode.DUPLICATE)
    assert_names_nothing(entry, secret)
    assert entry.extra["hidden_id"] == secret.pk  # for the auditor


def test_duplicate_upload_names_a_visible_document(hidden_upload):
    secret, _data, path = hidden_upload
    holder = top_clerk("vanthu_top2")
    grant(holder, secret)
    before = head()
    with pytest.raises(DuplicateError) as caught:
        register_file(path, meta=plain_meta(), actor=holder)
    assert caught.value.existing_id == secret.pk
    assert caught.value.as_dict()["error"]["existing_id"] == secret.pk
    entry = one_refusal(before, Action.REGISTER, ErrorCode.DUPLICATE)
    assert entry.document_id == secret.pk and "hidden_id" not in entry.extra


def test_duplicate_upload_on_the_web_form_names_nothing(hidden_upload):
    secret, data, _path = hidden_upload
    web = Client()
    web.force_login(low_clerk())
    upload = io.BytesIO(data)
    upload.name = "lai.pdf"
    before = head()
    response = web.post(reverse("registry_document_register"), {
        "direction": "den", "level": Level.MAT, "urgency": "thuong", "number": "79-BC/ĐU", "doc_type": "BC",
        "issuer": OWN_ISSUER, "issue_date": "2020-02-24", "arrival_date": "2020-02-25", "title": "Thử tải lại",
        "copies_count": "1", "file": upload})
    assert response.status_code == 400
    assert "duplicate" in response.content.decode()
    assert not _leaks(response.content.decode(), secret), "the form names the hidden document"
    one_refusal(before, Action.REGISTER, ErrorCode.DUPLICATE)


def test_duplicate_upload_through_the_api_names_nothing(hidden_upload):
    secret, data, _path = hidden_upload
    api = APIClient()
    api.force_authenticate(low_clerk())
    upload = io.BytesIO(data)
    upload.name = "lai.pdf"
    before = head()
    response = api.post("/api/v1/documents/", {"direction": "den", "level": "mat", "number": "80-BC/ĐU",
                                               "doc_type": "BC", "issuer": OWN_ISSUER, "title": "Thử tải lại",
                                               "file": upload}, format="multipart")
    assert response.status_code == 409
    body = response.json()
    assert body["error"]["code"] == "duplicate" and "existing_id" not in body["error"]
    assert not _leaks(json.dumps(body, ensure_ascii=False), secret)
    one_refusal(before, Action.REGISTER, ErrorCode.DUPLICATE)


def test_duplicate_upload_on_the_command_line_names_nothing(hidden_upload):
    secret, _data, path = hidden_upload
    attacker = low_clerk()
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("intake", str(path), "--direction", "den", "--level", "mat", "--number", "81-BC/ĐU",
                     "--type", "BC", "--issuer", OWN_ISSUER, "--date", "2020-03-01", "--title", "Thử tải lại",
                     "--actor", attacker.username, "--json", stdout=out, stderr=io.StringIO())
    body = json.loads(out.getvalue())
    assert body["error"]["code"] == "duplicate" and body["error"].get("existing_id") is None
    assert not _leaks(out.getvalue(), secret)


def _outgoing_secret():
    return register_paper(secret_meta(direction="di", number="5-QĐ/ĐU", doc_type="QĐ"), actor=top_clerk())


def test_number_in_use_does_not_say_by_what():
    secret = _outgoing_secret()
    attacker = low_clerk()
    before = head()
    with pytest.raises(MetadataError) as caught:
        register_paper(plain_meta(direction="di", number="5-QĐ/ĐU", doc_type="QĐ", title="Quyết định thử"),
                       actor=attacker)
    error = caught.value
    assert error.code == ErrorCode.NUMBER_IN_USE
    assert not _leaks(error.message + json.dumps(error.as_dict(), ensure_ascii=False), secret)
    entry = one_refusal(before, Action.REGISTER, ErrorCode.NUMBER_IN_USE)
    assert_names_nothing(entry, secret)
    assert entry.extra["hidden_id"] == secret.pk


def test_number_in_use_through_the_api_says_nothing_more():
    secret = _outgoing_secret()
    api = APIClient()
    api.force_authenticate(low_clerk())
    before = head()
    response = api.post("/api/v1/documents/", {"direction": "di", "level": "mat", "number": "5-QĐ/ĐU",
                                               "doc_type": "QĐ", "issuer": OWN_ISSUER, "title": "Quyết định thử"},
                        format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "number_in_use"
    assert not _leaks(json.dumps(body, ensure_ascii=False), secret)
    assert one_refusal(before, Action.REGISTER, ErrorCode.NUMBER_IN_USE).extra["hidden_id"] == secret.pk


def test_number_in_use_of_a_visible_document_names_it_in_the_log_only():
    secret = _outgoing_secret()
    holder = top_clerk("vanthu_top3")
    grant(holder, secret)
    before = head()
    with pytest.raises(MetadataError):
        register_paper(plain_meta(direction="di", number="5-QĐ/ĐU", doc_type="QĐ"), actor=holder)
    entry = one_refusal(before, Action.REGISTER, ErrorCode.NUMBER_IN_USE)
    assert entry.document_id == secret.pk and "hidden_id" not in entry.extra
