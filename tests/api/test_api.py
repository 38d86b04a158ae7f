"""API v1: token auth, register, list (visible only), detail, download, void, error shapes, schema."""

import io

import pytest
from rest_framework.test import APIClient

from registry.constants import Action, Level, Outcome, Role
from registry.models import AccessLogEntry, Document
from tests.factories import grant, make_document, make_metadata, make_user

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Phương án nhân sự Ban Thường vụ"


def api_for(user) -> APIClient:
    from tests.factories import make_api_token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    return client


def last_seq():
    entry = AccessLogEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def since(seq):
    return list(AccessLogEntry.objects.filter(seq__gt=seq).order_by("seq"))


def small_pdf(text="API") -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.save()
    return buf.getvalue()


PAPER = {"direction": "den", "level": "mat", "number": "12-KH/ĐU", "doc_type": "KH", "issuer": "Đảng ủy Khối",
         "title": "Kế hoạch tổ chức đại hội", "issue_date": "2020-03-01", "arrival_date": "2020-03-02"}


def test_unauthenticated_gets_error_shape():
    response = APIClient().get("/api/v1/documents/")
    assert response.status_code in (401, 403)
    assert set(response.json()["error"]) >= {"code", "message"}


def test_bad_token_refused():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    response = client.get("/api/v1/documents/")
    assert response.status_code == 401 and response.json()["error"]["code"] == "authentication_failed"


def test_register_paper_json(clerk):
    response = api_for(clerk).post("/api/v1/documents/", PAPER, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["serial"] == 1 and body["paper_only"] and body["register"]["secret"]
    assert Document.objects.get().number_raw == "12-KH/ĐU"


def test_register_file_multipart_and_duplicate_409(clerk):
    client = api_for(clerk)
    content = small_pdf()
    first = client.post("/api/v1/documents/", {**PAPER, "file": io.BytesIO(content)}, format="multipart")
    assert first.status_code == 201, first.json()
    upload = io.BytesIO(content)
    upload.name = "lan2.pdf"
    again = client.post("/api/v1/documents/", {**PAPER, "number": "13-KH/ĐU", "file": upload}, format="multipart")
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "duplicate" and error["existing_id"] == first.json()["id"]


def test_register_errors_are_400_with_code(clerk):
    client = api_for(clerk)
    response = client.post("/api/v1/documents/", {**PAPER, "level": "sieu_mat"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_metadata"
    response = client.post("/api/v1/documents/", {k: v for k, v in PAPER.items() if k != "title"}, format="json")
    assert response.status_code == 400 and response.json()["error"]["field"] == "title"
    staff = make_user(role=Role.STAFF, clearance=Level.TUYET_MAT)
    response = api_for(staff).post("/api/v1/documents/", PAPER, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert not Document.objects.exists()


def test_list_visible_only_with_counts(clerk, documents_by_level):
    staff = make_user(role=Role.STAFF, clearance=Level.TUYET_MAT)
    grant(staff, documents_by_level[Level.TOI_MAT])
    response = api_for(staff).get("/api/v1/documents/")
    body = response.json()
    assert response.status_code == 200 and body["count"] == 3
    assert {d["level"] for d in body["results"]} == {Level.THUONG, Level.MAT, Level.TOI_MAT}
    filtered = api_for(staff).get("/api/v1/documents/", {"level": "mat"}).json()
    assert filtered["count"] == 1 and filtered["results"][0]["id"] == documents_by_level[Level.MAT].pk
    assert api_for(staff).get("/api/v1/documents/", {"year": "abc"}).status_code == 400
    paged = api_for(staff).get("/api/v1/documents/", {"limit": 1}).json()
    assert paged["count"] == 3 and len(paged["results"]) == 1 and paged["next"]


def test_detail_hidden_404_and_visible_one_view(clerk):
    doc = make_document(clerk=clerk, level=Level.TOI_MAT, title=SECRET_TITLE)
    staff = make_user(role=Role.STAFF, clearance=Level.TOI_MAT)
    client = api_for(staff)
    start = last_seq()
    hidden = client.get(f"/api/v1/documents/{doc.pk}/")
    missing = client.get(f"/api/v1/documents/{doc.pk + 999}/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() and hidden.json()["error"]["code"] == "not_found"
    assert SECRET_TITLE not in hidden.content.decode()
    assert [(e.action, e.outcome) for e in since(start)] == [(Action.VIEW, Outcome.REFUSED)] * 2
    grant(staff, doc)
    start = last_seq()
    response = client.get(f"/api/v1/documents/{doc.pk}/")
    assert response.status_code == 200 and response.json()["title"] == SECRET_TITLE
    assert [(e.action, e.outcome, e.document_id) for e in since(start)] == [(Action.VIEW, Outcome.OK, doc.pk)]


def test_download_purpose_and_headers(clerk, settings):
    from tests.tasks import register_file_committed as register_file

    settings.REGISTRY_ENCRYPT_LEVELS = []
    doc = register_file(io.BytesIO(small_pdf()), filename="a.pdf", meta=make_metadata(level=Level.TOI_MAT),
                        actor=clerk)
    staff = make_user(role=Role.STAFF, clearance=Level.TOI_MAT)
    client = api_for(staff)
    hidden = client.post(f"/api/v1/documents/{doc.pk}/download/", {"purpose": "x"}, format="json")
    assert hidden.status_code == 404 and b"%PDF" not in hidden.content
    grant(staff, doc)
    # A token carries no second factor: it never reads toi_mat content. A verified session does.
    refused = client.post(f"/api/v1/documents/{doc.pk}/download/", {"purpose": "x"}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "second_factor_required"
    client = APIClient()
    client.force_login(staff)  # tests/conftest.py: a session that passed the second factor
    refused = client.post(f"/api/v1/documents/{doc.pk}/download/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "purpose_required"
    start = last_seq()
    response = client.post(f"/api/v1/documents/{doc.pk}/download/", {"purpose": "Thẩm định"}, format="json")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment;") and response["X-Copy-Number"] == "1"
    assert "X-Copy-Password" not in response
    assert [(e.action, e.purpose) for e in since(start)] == [(Action.DOWNLOAD, "Thẩm định")]


def test_download_encrypted_returns_password_header(clerk, settings):
    from tests.tasks import register_file_committed as register_file

    settings.REGISTRY_ENCRYPT_LEVELS = [Level.MAT]
    doc = register_file(io.BytesIO(small_pdf("enc")), filename="b.pdf", meta=make_metadata(level=Level.MAT),
                        actor=clerk)
    response = api_for(clerk).post(f"/api/v1/documents/{doc.pk}/download/", {"purpose": "Đối chiếu"}, format="json")
    assert response.status_code == 200 and response["X-Copy-Password"]


def test_paper_only_download_is_refused(clerk):
    doc = make_document(clerk=clerk, level=Level.MAT)
    response = api_for(clerk).post(f"/api/v1/documents/{doc.pk}/download/", {"purpose": "x"}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"


def test_void(clerk):
    doc = make_document(clerk=clerk, level=Level.MAT)
    client = api_for(clerk)
    assert client.post(f"/api/v1/documents/{doc.pk}/void/", {}, format="json").status_code == 400
    response = client.post(f"/api/v1/documents/{doc.pk}/void/", {"reason": "Nhầm sổ"}, format="json")
    assert response.status_code == 200 and response.json()["voided"] and response.json()["void_reason"] == "Nhầm sổ"
    again = client.post(f"/api/v1/documents/{doc.pk}/void/", {"reason": "Lần hai"}, format="json")
    # The policy refuses voiding an entry that is already void.
    assert again.status_code == 403 and again.json()["error"]["code"] == "permission_denied"
    low = make_user(role=Role.CLERK, clearance=Level.THUONG)
    start = last_seq()
    hidden = api_for(low).post(f"/api/v1/documents/{doc.pk}/void/", {"reason": "x"}, format="json")
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"
    assert [(e.action, e.outcome) for e in since(start)] == [(Action.VOID, Outcome.REFUSED)]


def test_session_auth_works_too(client, clerk):
    make_document(clerk=clerk, level=Level.THUONG)
    client.force_login(clerk)
    assert client.get("/api/v1/documents/").json()["count"] == 1


def test_schema_is_openapi(clerk):
    response = api_for(clerk).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {"/api/v1/documents/", "/api/v1/documents/{id}/",
                                    "/api/v1/documents/{id}/download/", "/api/v1/documents/{id}/void/"}


def test_users_token_command(clerk, capsys):
    import json

    from django.core.management import call_command

    call_command("users", "token", clerk.username, "--json")
    key = json.loads(capsys.readouterr().out)["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/documents/").status_code == 200


def test_list_query_count_is_flat(clerk, django_assert_max_num_queries):
    client = api_for(clerk)
    for _ in range(3):
        make_document(clerk=clerk, level=Level.MAT)
    client.get("/api/v1/documents/")
    with django_assert_max_num_queries(25) as few:
        client.get("/api/v1/documents/")
    for _ in range(10):
        make_document(clerk=clerk, level=Level.MAT)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/documents/").json()["count"] == 13
