"""The clerk's safety nets: a number the issuer already has asks for a confirmation (web, CLI, manifest, API)
and never reveals a hidden document; the register list's filter matches as search does; errors read in plain
Vietnamese with the code small beside them; a file already uploaded is kept for the corrected resubmission;
the PDF password is never shown again, stored or logged."""

import io
import json
import os
import stat
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from registry.constants import Level, Role
from registry.models import AccessLogEntry, Document
from registry.views import held_files
from tests.factories import grant, make_document, make_user
from tests.intake import samples

pytestmark = pytest.mark.django_db

REGISTER = "registry_document_register"


def form_data(**overrides):
    data = {"direction": "den", "level": Level.MAT, "urgency": "thuong", "number": "35-NQ/TW", "doc_type": "NQ",
            "issuer": "Ban Chấp hành Trung ương", "issue_date": "2019-03-20", "arrival_date": "2019-03-25",
            "title": "Nghị quyết về công tác chuẩn bị đại hội", "copies_count": "1"}
    data.update(overrides)
    return data


def upload(data: bytes, name="tai-lieu.pdf"):
    f = io.BytesIO(data)
    f.name = name
    return f


# --- same number, same issuer ------------------------------------------------------------------------------


def test_web_same_number_warns_then_registers_on_confirmation(client, clerk):
    client.force_login(clerk)
    first = client.post(reverse(REGISTER), form_data())
    assert first.status_code == 302
    existing = Document.objects.get()
    # Another spelling of the same number, the issuer typed without diacritics: still the same document.
    again = client.post(reverse(REGISTER), form_data(number="35 NQ TW", issuer="ban chap hanh trung uong",
                                                     title="Bản thứ hai"))
    assert again.status_code == 400
    body = again.content.decode()
    assert "Ban Chấp hành Trung ương" not in body.split("Chưa đăng ký được tài liệu.")[0]  # nothing leaked before
    assert "Vẫn đăng ký (bản thứ hai của cùng văn bản)" in body and 'type="checkbox"' in body
    assert f"#{existing.pk}" in body and "same_number" in body
    assert again.context["form"].errors["number"]
    assert Document.objects.count() == 1
    confirmed = client.post(reverse(REGISTER), form_data(number="35 NQ TW", issuer="ban chap hanh trung uong",
                                                         title="Bản thứ hai", allow_same_number="on"))
    assert confirmed.status_code == 302
    assert Document.objects.count() == 2


def test_first_form_hides_the_confirmation(client, clerk):
    client.force_login(clerk)
    body = client.get(reverse(REGISTER)).content.decode()
    assert 'name="allow_same_number"' in body and "Vẫn đăng ký (bản thứ hai" not in body
    assert 'type="hidden" name="allow_same_number"' in body


def test_other_issuer_voided_entry_or_other_number_do_not_warn(client, clerk):
    from registry.actions.documents import do_void_entry

    client.force_login(clerk)
    voided = make_document(clerk=clerk, number="7-KL/TW", issuer="Bộ Chính trị", level=Level.MAT)
    do_void_entry(voided, "Nhập nhầm", actor=clerk)
    make_document(clerk=clerk, number="8-KL/TW", issuer="Bộ Chính trị", level=Level.MAT)
    make_document(clerk=clerk, number="9-KL/TW", issuer="Ban Bí thư", level=Level.MAT)
    for number in ("7-KL/TW", "9-KL/TW", "80-KL/TW"):
        response = client.post(reverse(REGISTER), form_data(number=number, doc_type="KL", issuer="Bộ Chính trị"))
        assert response.status_code == 302, (number, response.content.decode()[:500])


def test_hidden_document_is_not_revealed(client, clerk):
    """A same-number document the clerk may not see (toi_mat, no need-to-know) gives no warning at all."""
    hidden = make_document(clerk=clerk, number="12-BC/ĐU", issuer="Đảng ủy Khối", level=Level.TOI_MAT,
                           title="Báo cáo nhân sự mật")
    client.force_login(clerk)
    response = client.post(reverse(REGISTER), form_data(number="12-BC/ĐU", doc_type="BC", issuer="Đảng ủy Khối"))
    assert response.status_code == 302
    assert Document.objects.count() == 2
    entries = AccessLogEntry.objects.filter(outcome="refused")
    assert not entries.exists()
    # With a grant the same registration warns (the rule is "visible", not "exists").
    grant(clerk, hidden)
    response = client.post(reverse(REGISTER), form_data(number="12-BC/ĐU", doc_type="BC", issuer="Đảng ủy Khối",
                                                        title="Lần ba"))
    assert response.status_code == 400 and f"#{hidden.pk}" in response.content.decode()


def run_intake(*args):
    out = io.StringIO()
    code = 0
    try:
        call_command("intake", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


CLI = ["--direction", "den", "--level", "mat", "--number", "126-QĐ/TW", "--type", "QĐ", "--issuer", "Bộ Chính trị",
       "--date", "2018-02-28", "--title", "Quy định về bảo vệ chính trị nội bộ Đảng", "--json"]


def test_cli_same_number_needs_allow_same_number(media, vanthu, write):
    first = write("a.pdf", samples.text_pdf(marker="copy one"))
    second = write("b.pdf", samples.text_pdf(marker="copy two"))
    code, out = run_intake(str(first), *CLI, "--actor", vanthu.username)
    assert code == 0
    first_id = json.loads(out)["id"]
    code, out = run_intake(str(second), *CLI, "--actor", vanthu.username)
    error = json.loads(out)["error"]
    assert code == 1 and error["code"] == "same_number" and error["existing_ids"] == [first_id]
    assert "--allow-same-number" in error["message"]
    assert Document.objects.count() == 1
    code, out = run_intake(str(second), *CLI, "--allow-same-number", "--actor", vanthu.username)
    assert code == 0 and Document.objects.count() == 2


def test_manifest_same_number_column_and_rerun(media, vanthu, tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.pdf").write_bytes(samples.text_pdf(marker=f"manifest {name}"))
    manifest = tmp_path / "list.csv"
    manifest.write_text(
        "file,direction,level,number,type,issuer,date,title,allow_same_number\n"
        "a.pdf,den,mat,35-NQ/TW,NQ,Ban Chấp hành Trung ương,2019-03-20,Bản 1,\n"
        "b.pdf,den,mat,35-NQ/TW,NQ,Ban Chấp hành Trung ương,2019-03-20,Bản 2,\n"
        "c.pdf,den,mat,35-NQ/TW,NQ,Ban Chấp hành Trung ương,2019-03-20,Bản 3,1\n", encoding="utf-8")
    code, out = run_intake("--manifest", str(manifest), "--actor", vanthu.username, "--json", "--no-progress")
    summary = json.loads(out)
    assert code == 1
    assert [r["file"] for r in summary["registered"]] == ["a.pdf", "c.pdf"]
    [refused] = summary["refused"]
    assert refused["file"] == "b.pdf" and refused["code"] == "same_number"
    assert "allow_same_number" in refused["message"]
    # Rerun: what was registered is a duplicate (bytes first), never a same-number refusal.
    code, out = run_intake("--manifest", str(manifest), "--actor", vanthu.username, "--json", "--no-progress")
    again = json.loads(out)
    assert {d["file"] for d in again["duplicates"]} == {"a.pdf", "c.pdf"}
    assert [r["code"] for r in again["refused"]] == ["same_number"] and again["registered"] == []


def test_manifest_unknown_column_stops_before_any_row(media, vanthu, tmp_path):
    (tmp_path / "a.pdf").write_bytes(samples.text_pdf(marker="typo column"))
    manifest = tmp_path / "list.csv"
    manifest.write_text("file,direction,level,number,type,issuer,date,title,allow_same_numbr\n"
                        "a.pdf,den,mat,1-NQ/TW,NQ,TW,2019-03-20,Một,1\n", encoding="utf-8")
    code, out = run_intake("--manifest", str(manifest), "--actor", vanthu.username, "--json", "--no-progress")
    error = json.loads(out)["error"]
    assert code == 1 and "allow_same_numbr" in error["message"] and "allow_same_number" in error["message"]
    assert not Document.objects.exists()


def test_api_same_number(clerk):
    api = APIClient()
    api.force_authenticate(user=clerk)
    data = {k: v for k, v in form_data().items() if k != "copies_count"}
    assert api.post("/api/v1/documents/", data, format="json").status_code == 201
    response = api.post("/api/v1/documents/", data, format="json")
    error = response.json()["error"]
    assert response.status_code == 400 and error["code"] == "same_number" and error["field"] == "number"
    assert error["existing_ids"] == [Document.objects.get().pk]
    response = api.post("/api/v1/documents/", {**data, "allow_same_number": True}, format="json")
    assert response.status_code == 201 and Document.objects.count() == 2


# --- the list filter ----------------------------------------------------------------------------------------


def test_list_filter_matches_like_search_and_stays_visible(client, clerk):
    qd = make_document(clerk=clerk, number="126-QĐ/TW", doc_type="QĐ", issuer="Bộ Chính trị", level=Level.MAT,
                       title="Quy định về bảo vệ chính trị nội bộ Đảng")
    nq = make_document(clerk=clerk, number="35-NQ/TW", doc_type="NQ", level=Level.THUONG,
                       title="Nghị quyết về công tác chuẩn bị đại hội")
    hidden = make_document(clerk=clerk, number="36-NQ/TW", doc_type="NQ", level=Level.TOI_MAT,
                           title="Nghị quyết nhân sự khóa mới")
    other = make_document(clerk=clerk, number="5-KH/ĐU", doc_type="KH", level=Level.MAT, title="Kế hoạch tổ chức")
    # Near misses of "126-QĐ/TW": another number that starts with 126, another type that starts with QĐ.
    near = {make_document(clerk=clerk, number="1260-QĐ/TW", doc_type="QĐ", level=Level.MAT, title="Một").pk,
            make_document(clerk=clerk, number="126-QĐi/TW", doc_type="QĐi", level=Level.MAT, title="Hai").pk}
    staff = make_user(role=Role.STAFF, clearance=Level.TUYET_MAT)
    client.force_login(staff)

    def shown(q):
        response = client.get(reverse("registry_document_list"), {"q": q})
        assert response.status_code == 200
        return {d.pk for d in response.context["page"].object_list}

    for q in ("126 QD TW", "126-QĐ/TW", "QĐ 126", "126/qd-tw", "bao ve chinh tri", "BẢO VỆ", '"chinh tri noi bo"'):
        assert shown(q) == {qd.pk}, q
    for q in ("nghi quyet", "Nghị quyết", "NGHI QUYET", "35 NQ TW", "NQ 35"):
        assert shown(q) == {nq.pk}, q
    assert hidden.pk not in shown("nghi quyet nhan su") and shown("nhan su khoa moi") == set()
    assert shown("ke hoach") == shown("ke hoa") == {other.pk}  # words match from their start
    assert shown("126 QDi TW") == {min(near) + 1} and shown("1260 qd tw") == {min(near)}
    assert shown('"quyet chuan"') == set()  # a phrase keeps its word order
    # The API's list filter is the same form.
    api = APIClient()
    api.force_authenticate(user=staff)
    assert [d["id"] for d in api.get("/api/v1/documents/", {"q": "126 QD TW"}).json()["results"]] == [qd.pk]
    grant(staff, hidden)
    assert shown("nghi quyet") == {nq.pk, hidden.pk}


def test_match_text_follows_edits(clerk):
    from registry.actions.documents import do_edit_document

    doc = make_document(clerk=clerk, title="Báo cáo chính trị", level=Level.MAT)
    do_edit_document(doc, {"title": "Tờ trình nhân sự"}, actor=clerk)
    doc.refresh_from_db()
    assert "to trinh nhan su" in doc.match_text and "bao cao chinh tri" not in doc.match_text


# --- plain errors -------------------------------------------------------------------------------------------


def test_errors_are_plain_vietnamese_with_the_code_small(client, clerk):
    import zipfile

    client.force_login(clerk)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", "không phải tài liệu")
    response = client.post(reverse(REGISTER), {**form_data(), "file": upload(archive.getvalue(), "a.pdf")})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Tệp không phải loại được nhận (tệp nén ZIP)" in body
    assert "application/zip" not in body
    assert '<small class="registry-error-code">' in body and "<code>unsupported_type</code>" in body
    # A metadata error names the field by its label, never by its internal name.
    response = client.post(reverse(REGISTER), form_data(level=Level.TUYET_MAT, summary="Không được ghi",
                                                        issue_date="2020-08-01", arrival_date="2020-08-01"))
    assert "<code>summary_not_allowed</code>" in response.content.decode()


def test_metadata_messages_use_labels():
    from registry.actions.documents import DocumentMetadata
    from registry.errors import MetadataError

    with pytest.raises(MetadataError) as caught:
        DocumentMetadata.from_mapping({"direction": "den", "level": "mat", "number": "1-NQ/TW", "doc_type": "NQ",
                                       "issuer": "TW", "title": "x", "issue_date": "31/02/2020"})
    assert caught.value.message.startswith("Ngày tháng văn bản") and "issue_date" not in caught.value.message
    with pytest.raises(MetadataError) as caught:
        DocumentMetadata.from_mapping({"direction": "den"})
    assert "Độ mật" in caught.value.message and "doc_type" not in caught.value.message


# --- the file kept for the corrected resubmission -----------------------------------------------------------


@pytest.fixture(autouse=True)
def private_home(settings, tmp_path):
    """A REGISTRY_HOME of this test's own, so the held files seen are this test's."""
    settings.REGISTRY_HOME = tmp_path / "home"
    settings.REGISTRY_HOME.mkdir(mode=0o700)


def held_folder(settings):
    return settings.REGISTRY_HOME / "held"


def test_file_is_kept_for_the_corrected_resubmission(client, clerk, settings, media):
    client.force_login(clerk)
    content = samples.text_pdf(marker="giữ tệp")
    response = client.post(reverse(REGISTER), {**form_data(title=""), "file": upload(content, "nghi-quyet.pdf")})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Đã giữ tệp: nghi-quyet.pdf" in body
    token = response.context["form"].data["held_file"]
    assert f'value="{token}"' in body
    [kept] = held_folder(settings).glob("*.bin")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and kept.read_bytes() == content
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert not Document.objects.exists()
    # Resubmitted without choosing the file again.
    response = client.post(reverse(REGISTER), {**form_data(), "held_file": token})
    assert response.status_code == 302, response.content.decode()[:3000]
    doc = Document.objects.get()
    assert doc.original_filename == "nghi-quyet.pdf" and not doc.is_paper_only
    import hashlib

    assert doc.sha256 == hashlib.sha256(content).hexdigest()
    assert not kept.exists() and token not in client.session.get(held_files.SESSION_KEY, {})


def test_held_file_is_bound_to_the_session_and_expires(client, clerk, settings, media):
    client.force_login(clerk)
    response = client.post(reverse(REGISTER), {**form_data(title=""), "file": upload(samples.text_pdf(marker="s"))})
    token = response.context["form"].data["held_file"]
    # The same clerk in another session (another browser) cannot use it, and it is not registered as paper.
    other = Client()
    other.force_login(clerk)
    response = other.post(reverse(REGISTER), {**form_data(), "held_file": token})
    assert response.status_code == 400 and "hãy chọn lại tệp" in response.content.decode()
    assert not Document.objects.exists()
    # Past its time, the owner's session cannot use it either; the bytes are gone.
    held = dict(client.session[held_files.SESSION_KEY])
    held[token] = {**held[token], "expires": time.time() - 1}
    session = client.session
    session[held_files.SESSION_KEY] = held
    session.save()
    response = client.post(reverse(REGISTER), {**form_data(), "held_file": token})
    assert response.status_code == 400 and "hãy chọn lại tệp" in response.content.decode()
    assert not Document.objects.exists() and not list(held_folder(settings).glob("*.bin"))


def test_sweep_removes_old_held_files(client, clerk, settings, media):
    client.force_login(clerk)
    client.post(reverse(REGISTER), {**form_data(title=""), "file": upload(samples.text_pdf(marker="old"))})
    [kept] = held_folder(settings).glob("*.bin")
    old = time.time() - held_files.HELD_TTL_SECONDS - 5
    os.utime(kept, (old, old))
    held_files.sweep()
    assert not kept.exists()


def test_refused_file_is_not_kept(client, clerk, settings, media):
    client.force_login(clerk)
    response = client.post(reverse(REGISTER), {**form_data(), "file": upload(samples.ELF_HEADER * 4, "x.pdf")})
    assert response.status_code == 400 and "Đã giữ tệp" not in response.content.decode()
    assert not list(held_folder(settings).glob("*.bin"))


def test_a_new_file_replaces_the_held_one(client, clerk, settings, media):
    client.force_login(clerk)
    response = client.post(reverse(REGISTER), {**form_data(title=""), "file": upload(samples.text_pdf(marker="1"))})
    token = response.context["form"].data["held_file"]
    response = client.post(reverse(REGISTER), {**form_data(), "held_file": token,
                                               "file": upload(samples.text_pdf(marker="2"), "moi.pdf")})
    assert response.status_code == 302
    assert Document.objects.get().original_filename == "moi.pdf"
    assert not list(held_folder(settings).glob("*.bin"))


# --- the PDF password ----------------------------------------------------------------------------------------


def test_pdf_password_web_never_shown_again_stored_or_logged(client, clerk, settings, media):
    password = "Mk-bi-mat-2024"
    client.force_login(clerk)
    locked = samples.encrypted_pdf(user=password)
    # First without the password: refused as encrypted, the file is kept, the clerk types the password only.
    response = client.post(reverse(REGISTER), {**form_data(), "file": upload(locked, "khoa.pdf")})
    assert response.status_code == 400 and "<code>pdf_encrypted</code>" in response.content.decode()
    token = response.context["form"].data["held_file"]
    # A wrong password: refused; the password typed is not rendered back.
    response = client.post(reverse(REGISTER), {**form_data(), "held_file": token, "pdf_password": "sai-mat-khau"})
    assert response.status_code == 400 and "sai-mat-khau" not in response.content.decode()
    response = client.post(reverse(REGISTER), {**form_data(), "held_file": token, "pdf_password": password})
    assert response.status_code == 302, response.content.decode()[:3000]
    doc = Document.objects.get()
    assert doc.original_filename == "khoa.pdf"
    for entry in AccessLogEntry.objects.all():
        assert password not in json.dumps([entry.extra, entry.query, entry.purpose], ensure_ascii=False, default=str)
    assert password not in json.dumps(
        {f.name: str(getattr(doc, f.attname)) for f in Document._meta.concrete_fields}, ensure_ascii=False)


def test_pdf_password_cli_and_manifest(media, vanthu, write, tmp_path):
    path = write("khoa.pdf", samples.encrypted_pdf(user="mk-cli"))
    code, out = run_intake(str(path), *CLI, "--actor", vanthu.username)
    assert code == 1 and json.loads(out)["error"]["code"] == "pdf_encrypted"
    code, out = run_intake(str(path), *CLI, "--pdf-password", "mk-cli", "--actor", vanthu.username)
    assert code == 0, out
    (tmp_path / "k2.pdf").write_bytes(samples.encrypted_pdf(user="mk-csv"))
    (tmp_path / "list.csv").write_text(
        "file,direction,level,number,type,issuer,date,title,pdf_password\n"
        "k2.pdf,den,mat,2-NQ/TW,NQ,TW,2019-03-20,Tệp khóa,mk-csv\n", encoding="utf-8")
    code, out = run_intake("--manifest", str(tmp_path / "list.csv"), "--actor", vanthu.username, "--json",
                           "--no-progress")
    assert code == 0, out
    assert "mk-csv" not in out and "mk-cli" not in out


def test_edit_errors_show_the_code_small(client, clerk, settings):
    settings.REGISTRY_SUMMARY_RULES = [{"effective": "2000-01-01", "tuyet_mat_summary": "never"}]
    doc = make_document(clerk=clerk, level=Level.TUYET_MAT, title="Tài liệu tuyệt mật")
    grant(clerk, doc)
    client.force_login(clerk)
    response = client.post(reverse("registry_document_edit", args=[doc.pk]), {
        "title": doc.title, "issuer": doc.issuer, "urgency": doc.urgency, "copies_count": "1",
        "summary": "Không được ghi"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Chưa lưu được thay đổi." in body and "<code>summary_not_allowed</code>" in body
    assert response.context["form"].errors["summary"]
    # The edit form's labels are the registration schema's.
    assert response.context["form"].fields["storage_location"].label == "Vị trí lưu trữ"


def test_pdf_password_dash_asks_without_echo(media, vanthu, write, monkeypatch):
    import getpass

    asked = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": asked.append(prompt) or "mk-hoi")
    path = write("khoa.pdf", samples.encrypted_pdf(user="mk-hoi"))
    code, out = run_intake(str(path), *CLI, "--pdf-password", "-", "--actor", vanthu.username)
    assert code == 0, out
    assert asked and "mk-hoi" not in out
