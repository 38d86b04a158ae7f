"""The document type: a code or the Vietnamese name, with or without diacritics, any case, on every surface;
an unknown type is refused with the list of accepted ones; Thông tư's code reads as Thông tư (TTư), and the
old TTg is still accepted from old scripts and migrated in existing rows."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from registry.actions.documents import DocumentMetadata, validate_metadata
from registry.constants import DOCUMENT_TYPE_LABELS, resolve_document_type
from registry.errors import MetadataError
from registry.models import Document
from tests.factories import make_document, make_metadata
from tests.intake import samples


@pytest.mark.parametrize("typed,code", [
    ("Luật", "L"), ("luat", "L"), ("LUAT", "L"), ("L", "L"), ("l", "L"),
    ("Nghị quyết", "NQ"), ("nghi quyet", "NQ"), ("NGHỊ QUYẾT", "NQ"), ("NQ", "NQ"), ("nq", "NQ"),
    ("  Nghị   quyết ", "NQ"),
    ("Thông tư", "TTư"), ("thong tu", "TTư"), ("TTư", "TTư"), ("ttu", "TTư"), ("TTg", "TTư"), ("ttg", "TTư"),
    ("Thông tri", "TT"), ("TT", "TT"), ("Tờ trình", "TTr"), ("ttr", "TTr"),
    ("QĐ", "QĐ"), ("qd", "QĐ"), ("Quyết định", "QĐ"), ("quyet dinh", "QĐ"),
    ("QĐi", "QĐi"), ("QDI", "QĐi"), ("Quy định", "QĐi"), ("quy dinh", "QĐi"),
    ("ĐA", "ĐA"), ("de an", "ĐA"), ("Công văn", "CV"),
])
def test_type_resolves_from_code_or_name(typed, code):
    assert resolve_document_type(typed) == code


@pytest.mark.parametrize("typed", ["", "Nghị quyết số", "XYZ", "thong", "Quyết"])
def test_unknown_type_does_not_resolve(typed):
    assert resolve_document_type(typed) is None


def test_thong_tu_code_reads_as_thong_tu():
    assert str(DOCUMENT_TYPE_LABELS["TTư"]) == "Thông tư"
    assert "TTg" not in DOCUMENT_TYPE_LABELS


@pytest.mark.django_db
def test_unknown_type_lists_the_accepted_ones():
    with pytest.raises(MetadataError) as caught:
        validate_metadata(make_metadata(doc_type="Thông cáo"))
    assert caught.value.field == "doc_type"
    for shown in ("«Thông cáo»", "NQ (Nghị quyết)", "TTư (Thông tư)", "L (Luật)", "QĐi (Quy định)"):
        assert shown in caught.value.message


@pytest.mark.django_db
def test_metadata_keeps_the_code(clerk):
    doc = make_document(clerk=clerk, doc_type="nghi quyet")
    assert doc.doc_type == "NQ" and doc.type_label == "Nghị quyết"
    assert make_document(clerk=clerk, doc_type="TTg").doc_type == "TTư"


def run_intake(*args):
    out = io.StringIO()
    code = 0
    try:
        call_command("intake", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def cli_args(number, type_, actor):
    return ["--direction", "den", "--level", "mat", "--number", number, "--type", type_, "--issuer", "Quốc hội",
            "--date", "2018-11-15", "--title", "Luật Bảo vệ bí mật nhà nước", "--actor", actor, "--json"]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["Luật", "luat", "LUAT"])
def test_cli_type_by_name(media, vanthu, write, typed):
    path = write("luat.pdf", samples.text_pdf(marker=f"luat {typed}"))
    code, out = run_intake(str(path), *cli_args("29/2018/QH14", typed, vanthu.username))
    assert code == 0, out
    assert Document.objects.get(pk=json.loads(out)["id"]).doc_type == "L"


@pytest.mark.django_db
def test_cli_unknown_type_is_refused_with_the_list(media, vanthu, write):
    path = write("x.pdf", samples.text_pdf(marker="unknown type"))
    code, out = run_intake(str(path), *cli_args("1/2018/QH14", "Sắc lệnh", vanthu.username))
    error = json.loads(out)["error"]
    assert code == 1 and error["code"] == "invalid_metadata" and error["field"] == "doc_type"
    assert "Luật" in error["message"] and "Nghị quyết" in error["message"]
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_manifest_type_by_name(media, vanthu, tmp_path):
    (tmp_path / "a.pdf").write_bytes(samples.text_pdf(marker="manifest nq"))
    (tmp_path / "b.pdf").write_bytes(samples.text_pdf(marker="manifest tt"))
    (tmp_path / "list.csv").write_text(
        "file,direction,level,number,type,issuer,date,title\n"
        "a.pdf,den,mat,35-NQ/TW,nghi quyet,Ban Chấp hành Trung ương,2019-03-20,Nghị quyết về chuẩn bị đại hội\n"
        "b.pdf,den,thuong,24/2020/TT-BCA,TTg,Bộ Công an,2020-03-10,Thông tư biểu mẫu\n", encoding="utf-8")
    code, out = run_intake("--manifest", str(tmp_path / "list.csv"), "--actor", vanthu.username, "--json",
                           "--no-progress")
    assert code == 0, out
    ids = [r["id"] for r in json.loads(out)["registered"]]
    assert [Document.objects.get(pk=i).doc_type for i in ids] == ["NQ", "TTư"]


@pytest.mark.django_db
def test_web_form_and_api_accept_names(client, clerk):
    client.force_login(clerk)
    data = {"direction": "den", "level": "mat", "urgency": "thuong", "number": "35-NQ/TW", "doc_type": "Nghị quyết",
            "issuer": "Ban Chấp hành Trung ương", "title": "Nghị quyết về công tác chuẩn bị", "copies_count": "1"}
    response = client.post(reverse("registry_document_register"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    api = APIClient()
    api.force_authenticate(user=clerk)
    response = api.post("/api/v1/documents/", {**data, "number": "36-NQ/TW", "doc_type": "nghi quyet"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["doc_type"] == "NQ"
    response = api.post("/api/v1/documents/", {**data, "number": "37-NQ/TW", "doc_type": "khong co"}, format="json")
    assert response.status_code == 400 and "Nghị quyết" in response.json()["error"]["message"]
    assert sorted(Document.objects.values_list("doc_type", flat=True)) == ["NQ", "NQ"]
    # The list's type filter takes a name too.
    assert api.get("/api/v1/documents/", {"doc_type": "nghi quyet"}).json()["count"] == 2
    assert api.get("/api/v1/documents/", {"doc_type": "Luật"}).json()["count"] == 0


@pytest.mark.django_db
def test_migration_moves_ttg_rows_and_fills_match_text(clerk):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("registry.migrations.0009_intake_form")
    doc = make_document(clerk=clerk, doc_type="TTư", number="24/2020/TT-BCA", title="Thông tư biểu mẫu")
    Document.objects.filter(pk=doc.pk).update(doc_type="TTg", match_text="")  # a row as the old code left it
    migration.forwards(apps, None)
    doc.refresh_from_db()
    assert doc.doc_type == "TTư"
    assert "thong tu bieu mau" in doc.match_text and doc.match_text.startswith("24 2020 tt bca")
    migration.backwards(apps, None)
    assert Document.objects.get(pk=doc.pk).doc_type == "TTg"


def test_metadata_from_mapping_resolves_nothing_until_validated():
    # from_mapping keeps what was typed; validate_metadata (every path) turns it into the code.
    meta = DocumentMetadata.from_mapping({"direction": "den", "level": "mat", "number": "1-NQ/TW",
                                          "doc_type": "nghi quyet", "issuer": "TW", "title": "x"})
    assert meta.doc_type == "nghi quyet"
