"""Registry admin screens: register, list, detail, edit, void, download — paired access tests."""

import datetime as dt
import io

import pytest
from django.urls import reverse

from registry.constants import Action, Level, Outcome, Role
from registry.models import AccessLogEntry, Document
from tests.factories import grant, make_document, make_user

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Danh sách nhân sự dự kiến Ban Chấp hành khóa mới"


def log_since(seq):
    return list(AccessLogEntry.objects.filter(seq__gt=seq).order_by("seq"))


def last_seq():
    entry = AccessLogEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def small_pdf(text="Noi dung tai lieu") -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def register_post(**overrides):
    data = {
        "direction": "den", "level": Level.MAT, "urgency": "thuong", "number": "110-HD/ĐU", "doc_type": "HD",
        "issuer": "Đảng ủy Khối", "issue_date": "2020-02-24", "arrival_date": "2020-02-25",
        "title": "Hướng dẫn tổ chức đại hội", "summary": "Tổ chức đại hội các cấp", "copies_count": "2",
    }
    data.update(overrides)
    return data


# --- register -------------------------------------------------------------------------------------------


def test_register_paper_through_the_form(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("registry_document_register")).status_code == 200
    start = last_seq()
    response = client.post(reverse("registry_document_register"), register_post())
    doc = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("registry_document_detail", args=[doc.pk])
    assert doc.is_paper_only and doc.serial == 1 and doc.register.secret and doc.copies_count == 2
    assert [e.action for e in log_since(start)] == [Action.REGISTER]


def test_register_file_through_the_form(client, clerk):
    client.force_login(clerk)
    upload = io.BytesIO(small_pdf())
    upload.name = "huong-dan.pdf"
    response = client.post(reverse("registry_document_register"), {**register_post(), "file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    doc = Document.objects.get()
    assert not doc.is_paper_only and doc.sha256 and doc.original_filename == "huong-dan.pdf"


def test_register_duplicate_file_keeps_the_form(client, clerk):
    client.force_login(clerk)
    content = small_pdf("trung lap")
    for i in range(2):
        upload = io.BytesIO(content)
        upload.name = "a.pdf"
        response = client.post(reverse("registry_document_register"),
                               {**register_post(number=f"{i + 1}-HD/ĐU", title=f"Tiêu đề riêng {i}"), "file": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert "duplicate" in body and "Tiêu đề riêng 1" in body  # what the clerk typed is still there
    assert Document.objects.count() == 1


def test_register_error_shown_next_to_field_and_nothing_lost(client, clerk):
    client.force_login(clerk)
    response = client.post(reverse("registry_document_register"),
                           register_post(level=Level.TUYET_MAT, summary="Nhân sự chủ chốt", title="Giữ lại tiêu đề này",
                                         arrival_date="2020-08-01"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "summary_not_allowed" in body and "Giữ lại tiêu đề này" in body
    assert response.context["form"].errors["summary"]
    assert not Document.objects.exists()


def test_register_requires_the_clerk_role(client):
    staff = make_user(role=Role.STAFF, clearance=Level.TUYET_MAT)
    client.force_login(staff)
    # Wagtail answers a PermissionDenied in its admin with a redirect to the dashboard and a message.
    for response in (client.get(reverse("registry_document_register")),
                     client.post(reverse("registry_document_register"), register_post())):
        assert response.status_code == 302 and response["Location"] == "/admin/"
    assert not Document.objects.exists()


# --- list -----------------------------------------------------------------------------------------------


def test_list_shows_only_visible_documents_and_filters(client, clerk, documents_by_level):
    staff = make_user(role=Role.STAFF, clearance=Level.MAT)
    client.force_login(staff)
    response = client.get(reverse("registry_document_list"))
    assert response.status_code == 200
    shown = {d.pk for d in response.context["page"].object_list}
    assert shown == {documents_by_level[Level.THUONG].pk, documents_by_level[Level.MAT].pk}
    assert response.context["paginator"].count == 2
    assert documents_by_level[Level.TOI_MAT].title not in response.content.decode()
    response = client.get(reverse("registry_document_list"), {"level": Level.MAT})
    assert [d.pk for d in response.context["page"].object_list] == [documents_by_level[Level.MAT].pk]
    response = client.get(reverse("registry_document_list"), {"secret": "0"})
    assert [d.pk for d in response.context["page"].object_list] == [documents_by_level[Level.THUONG].pk]
    response = client.get(reverse("registry_document_list"), {"year": "1999"})
    assert response.context["paginator"].count == 0
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert entry.action == Action.LIST and entry.result_count == 0


def test_list_filters_by_date_issuer_type_and_voided(client, clerk):
    a = make_document(clerk=clerk, level=Level.THUONG, arrival_date=dt.date(2020, 3, 1), issuer="Ban Tổ chức")
    b = make_document(clerk=clerk, level=Level.THUONG, arrival_date=dt.date(2020, 5, 1), doc_type="KH",
                      number="5-KH/ĐU")
    from registry.actions.documents import do_void_entry

    do_void_entry(b, "Vào sổ nhầm", actor=clerk)
    client.force_login(clerk)

    def ids(**params):
        return [d.pk for d in client.get(reverse("registry_document_list"), params).context["page"].object_list]

    assert ids(date_from="2020-04-01") == [b.pk]
    assert ids(date_to="2020-04-01") == [a.pk]
    assert ids(issuer="tổ chức") == [a.pk]
    assert ids(doc_type="KH") == [b.pk]
    assert ids(voided="1") == [b.pk]
    assert ids(direction="di") == []
    body = client.get(reverse("registry_document_list")).content.decode()
    assert "Vào sổ nhầm" in body and 'class="voided"' in body


def test_list_query_count_does_not_grow_with_rows(client, clerk, django_assert_max_num_queries):
    for _ in range(3):
        make_document(clerk=clerk, level=Level.MAT)
    client.force_login(clerk)
    client.get(reverse("registry_document_list"))  # warm caches (session, content types)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("registry_document_list"))
    for _ in range(12):
        make_document(clerk=clerk, level=Level.MAT)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("registry_document_list"))
    assert response.context["paginator"].count == 15


# --- detail ---------------------------------------------------------------------------------------------


def test_detail_hidden_is_404_with_a_refused_entry(client, clerk):
    doc = make_document(clerk=clerk, level=Level.TOI_MAT, title=SECRET_TITLE)
    staff = make_user(role=Role.STAFF, clearance=Level.TUYET_MAT)  # cleared but no need-to-know
    client.force_login(staff)
    start = last_seq()
    response = client.get(reverse("registry_document_detail", args=[doc.pk]))
    missing = client.get(reverse("registry_document_detail", args=[doc.pk + 1000]))
    assert response.status_code == missing.status_code == 404
    assert SECRET_TITLE not in response.content.decode()
    entries = log_since(start)
    assert [(e.action, e.outcome) for e in entries] == [(Action.VIEW, Outcome.REFUSED)] * 2
    assert entries[0].document_id is None and entries[0].document_level == ""


def test_detail_with_access_writes_exactly_one_view(client, clerk):
    doc = make_document(clerk=clerk, level=Level.TOI_MAT, title=SECRET_TITLE)
    staff = make_user(role=Role.STAFF, clearance=Level.TOI_MAT)
    grant(staff, doc)
    client.force_login(staff)
    start = last_seq()
    response = client.get(reverse("registry_document_detail", args=[doc.pk]))
    assert response.status_code == 200 and SECRET_TITLE in response.content.decode()
    entries = log_since(start)
    assert [(e.action, e.outcome, e.document_id) for e in entries] == [(Action.VIEW, Outcome.OK, doc.pk)]
    # Staff may read but not void or edit.
    assert response.context["can_read"] is False  # paper-only: nothing to download
    assert not response.context["can_void"] and not response.context["can_edit"]


# --- edit / void ----------------------------------------------------------------------------------------


def test_edit_descriptive_fields(client, clerk):
    doc = make_document(clerk=clerk, level=Level.MAT)
    client.force_login(clerk)
    assert client.get(reverse("registry_document_edit", args=[doc.pk])).status_code == 200
    data = {"title": "Tiêu đề đã sửa", "issuer": doc.issuer, "urgency": "khan", "copies_count": 3,
            "summary": doc.summary, "issue_date": "2020-02-24"}
    start = last_seq()
    response = client.post(reverse("registry_document_edit", args=[doc.pk]), data)
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.title == "Tiêu đề đã sửa" and doc.urgency == "khan" and doc.copies_count == 3
    assert [e.action for e in log_since(start)] == [Action.EDIT]


def test_edit_hidden_is_404(client, clerk):
    doc = make_document(clerk=clerk, level=Level.MAT, title=SECRET_TITLE)
    low_clerk = make_user(role=Role.CLERK, clearance=Level.THUONG)
    client.force_login(low_clerk)
    start = last_seq()
    response = client.post(reverse("registry_document_edit", args=[doc.pk]), {"title": "x", "issuer": "y",
                                                                               "urgency": "thuong", "copies_count": 1})
    assert response.status_code == 404 and SECRET_TITLE not in response.content.decode()
    assert [(e.action, e.outcome) for e in log_since(start)] == [(Action.EDIT, Outcome.REFUSED)]
    doc.refresh_from_db()
    assert doc.title == SECRET_TITLE


def test_void_with_reason(client, clerk):
    doc = make_document(clerk=clerk, level=Level.MAT)
    client.force_login(clerk)
    start = last_seq()
    response = client.post(reverse("registry_document_void", args=[doc.pk]), {"reason": "Trùng số"})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.voided and doc.void_reason == "Trùng số"
    assert [e.action for e in log_since(start)] == [Action.VOID]
    body = client.get(reverse("registry_document_detail", args=[doc.pk])).content.decode()
    assert "Trùng số" in body


def test_void_hidden_is_404_and_refused(client, clerk):
    doc = make_document(clerk=clerk, level=Level.MAT)
    low_clerk = make_user(role=Role.CLERK, clearance=Level.THUONG)
    client.force_login(low_clerk)
    start = last_seq()
    response = client.post(reverse("registry_document_void", args=[doc.pk]), {"reason": "x"})
    assert response.status_code == 404
    assert [(e.action, e.outcome) for e in log_since(start)] == [(Action.VOID, Outcome.REFUSED)]
    doc.refresh_from_db()
    assert not doc.voided


def test_staff_cannot_void(client, clerk):
    doc = make_document(clerk=clerk, level=Level.THUONG)
    staff = make_user(role=Role.STAFF, clearance=Level.MAT)
    client.force_login(staff)
    response = client.post(reverse("registry_document_void", args=[doc.pk]), {"reason": "x"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    doc.refresh_from_db()
    assert not doc.voided


# --- download -------------------------------------------------------------------------------------------


def _doc_with_file(clerk, level, **kw):
    from tests.tasks import register_file_committed as register_file
    from tests.factories import make_metadata

    return register_file(io.BytesIO(small_pdf(kw.pop("text", "Bi mat"))), filename="tai-lieu.pdf",
                         meta=make_metadata(level=level, **kw), actor=clerk)


def test_download_requires_purpose_for_toi_mat(client, clerk):
    doc = _doc_with_file(clerk, Level.TOI_MAT)
    staff = make_user(role=Role.STAFF, clearance=Level.TOI_MAT)
    grant(staff, doc)
    client.force_login(staff)
    url = reverse("registry_document_download", args=[doc.pk])
    start = last_seq()
    refused = client.post(url, {"purpose": ""})
    assert refused.status_code == 400 and refused["Content-Type"].startswith("text/html")
    assert [(e.action, e.outcome) for e in log_since(start)] == [(Action.DOWNLOAD, Outcome.REFUSED)]
    start = last_seq()
    response = client.post(url, {"purpose": "Chuẩn bị nhân sự"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF")
    entries = log_since(start)
    assert [(e.action, e.outcome, e.purpose) for e in entries] == [(Action.DOWNLOAD, Outcome.OK, "Chuẩn bị nhân sự")]


def test_download_hidden_is_404_without_content(client, clerk):
    doc = _doc_with_file(clerk, Level.TOI_MAT, title=SECRET_TITLE)
    staff = make_user(role=Role.STAFF, clearance=Level.TOI_MAT)  # no grant
    client.force_login(staff)
    start = last_seq()
    response = client.post(reverse("registry_document_download", args=[doc.pk]), {"purpose": "Xem"})
    assert response.status_code == 404
    assert b"%PDF" not in response.content and SECRET_TITLE not in response.content.decode()
    entries = log_since(start)
    assert [(e.action, e.outcome, e.document_id) for e in entries] == [(Action.DOWNLOAD, Outcome.REFUSED, None)]


def test_encrypted_copy_shows_password_once_and_link_works_once(client, clerk, settings):
    settings.REGISTRY_ENCRYPT_LEVELS = [Level.MAT]
    doc = _doc_with_file(clerk, Level.MAT)
    client.force_login(clerk)
    response = client.post(reverse("registry_document_download", args=[doc.pk]), {"purpose": "Đối chiếu"})
    assert response.status_code == 200
    password, token = response.context["password"], response.context["token"]
    assert password and password in response.content.decode()
    fetch = client.get(reverse("registry_copy_fetch", args=[token]))
    assert fetch.status_code == 200 and fetch.content.startswith(b"%PDF")
    assert fetch["Content-Disposition"].startswith("attachment;")
    assert password not in fetch.content.decode("latin-1")
    assert client.get(reverse("registry_copy_fetch", args=[token])).status_code == 404
    # Another session cannot use the token.
    other = make_user(role=Role.CLERK, clearance=Level.MAT)
    response = client.post(reverse("registry_document_download", args=[doc.pk]), {"purpose": "Đối chiếu"})
    client.force_login(other)
    assert client.get(reverse("registry_copy_fetch", args=[response.context["token"]])).status_code == 404


def test_anonymous_is_sent_to_login(client, clerk):
    doc = make_document(clerk=clerk, level=Level.THUONG)
    response = client.get(reverse("registry_document_detail", args=[doc.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_wagtail_document_views_stay_hidden(client, clerk):
    client.force_login(clerk)
    assert client.get("/admin/documents/").status_code == 404
    home = client.get("/admin/")
    assert home.status_code == 200
    body = home.content.decode()
    assert 'href="/admin/documents/"' not in body
    assert reverse("registry_document_list") in body


def test_preview_is_inline_and_logged_as_preview(client, clerk):
    doc = _doc_with_file(clerk, Level.MAT, text="xem truoc")
    client.force_login(clerk)
    start = last_seq()
    response = client.post(reverse("registry_document_download", args=[doc.pk]), {"purpose": "", "preview": "1"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff" and "default-src 'none'" in response["Content-Security-Policy"]
    assert [e.action for e in log_since(start)] == [Action.PREVIEW]


def test_edit_form_counts_as_a_view(client, clerk):
    doc = make_document(clerk=clerk, level=Level.MAT)
    client.force_login(clerk)
    start = last_seq()
    assert client.get(reverse("registry_document_edit", args=[doc.pk])).status_code == 200
    assert [(e.action, e.document_id) for e in log_since(start)] == [(Action.VIEW, doc.pk)]
