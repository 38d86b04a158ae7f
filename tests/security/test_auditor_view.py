"""Attacks on the auditor's view: one test per surface (issue #8, "The auditor's view follows clearance").

A `mat` auditor must learn nothing about a `tuyet_mat` document but that *something* happened: time, actor,
action, outcome and "một tài liệu trên mức được phép xem của bạn". No id, level, unit, copy id, purpose or
free text — on pages, exports (CSV, JSONL, PDF), charts, anomalies, incident reports and the CLI. Conversely
need-to-know does not narrow an auditor: a cleared auditor without a grant sees the metadata.
"""

import csv
import io
import json
import re

import pypdfium2 as pdfium
import pytest
from django.urls import reverse

from registry.actions.documents import do_edit_document
from registry.audit.anomalies import find_anomalies
from registry.audit.export import table_lines, verify_export
from registry.audit.redact import ABOVE_CLEARANCE_TEXT, Redactor
from registry.constants import Action, Level, Outcome, Role
from registry.models import AccessLogEntry, Unit
from tests.audit.helpers import CTX, local, plant, run_audit
from tests.factories import grant, make_document, make_user

pytestmark = pytest.mark.django_db

WORD = "Zebraquokka"
NUMBER = "93-NQ/ZZ"
COPY = "cpZZSECRET"
UNIT = "ZZU"
PURPOSE = "Mụcđíchbímật"
PERIOD = ("--from", "2026-03-01", "--to", "2026-03-31")


@pytest.fixture
def scene(clerk):
    Unit.objects.get_or_create(code=UNIT, defaults={"name": "Ban Thử Nghiệm Bí Mật"})
    secret = make_document(clerk=clerk, level=Level.TUYET_MAT, number=NUMBER, title=f"Phương án {WORD}", unit=UNIT)
    secret_toimat = make_document(clerk=clerk, level=Level.TOI_MAT, title="Đề án Tốimậtmẫu")
    visible = make_document(clerk=clerk, level=Level.MAT, title="Kế hoạch Mậtmẫu")
    reader = make_user("docgia_bm", clearance=Level.TUYET_MAT, unit="VP")
    grant(reader, secret)
    nosy = make_user("toimo_bm", clearance=Level.MAT, unit="VP")
    at = local(2026, 3, 10, 9, 0)
    plant(Action.VIEW, at, actor=reader, document=secret, purpose=f"{PURPOSE} {WORD}")
    plant(Action.DOWNLOAD, at, actor=reader, document=secret, purpose=PURPOSE, copy_id=COPY)
    plant(Action.VIEW, local(2026, 3, 10, 22, 0), actor=reader, document=secret, purpose=PURPOSE)  # after hours
    plant(Action.VIEW, at, actor=nosy, outcome=Outcome.REFUSED, purpose=PURPOSE,
          extra={"requested_id": str(secret.pk), "reason": "not_found"})
    plant(Action.VIEW, at, actor=nosy, outcome=Outcome.REFUSED,
          extra={"requested_id": str(visible.pk), "reason": "not_found"})
    plant(Action.VIEW, at, actor=nosy, document=visible, purpose="Chuẩn bị")
    grant(clerk, secret)
    do_edit_document(secret, {"title": "Phương án (bản sửa)"}, actor=clerk, ctx=CTX)  # extra keeps the old title
    auditor = make_user("kiemtra_bm", role=Role.AUDITOR, clearance=Level.MAT)
    return {"secret": secret, "toimat": secret_toimat, "visible": visible, "reader": reader, "nosy": nosy,
            "auditor": auditor}


def _without_suggestions(text: str) -> str:
    """Unit names in the filter's suggestion list are the office's organisation, not a document's."""
    return re.sub(r"<datalist.*?</datalist>", "", text, flags=re.S)


def _entries_table(html: str) -> str:
    match = re.search(r'<table class="audit-table" data-testid="log-entries">.*?</table>', html, flags=re.S)
    assert match, "no log table"
    return match.group(0)


def assert_clean(text: str, secret=None, *, levels=True):
    """No marker of the secret document; ``levels``: no mention of the level either (pages showing only log
    rows; a full export also carries people's clearances in user-administration entries, which are no secret)."""
    text = _without_suggestions(text)
    for marker in (WORD, NUMBER, COPY, UNIT, PURPOSE, *(("tuyet_mat", "Tuyệt mật") if levels else ())):
        assert marker not in text, f"{marker!r} leaked to the auditor"
    if secret is not None:
        assert f"/audit/document/{secret.pk}/" not in text


def pdf_text(content: bytes) -> str:
    pdf = pdfium.PdfDocument(content)
    return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))


@pytest.fixture
def auditor_client(client, scene):
    client.force_login(scene["auditor"])
    return client


def test_log_page_shows_hidden_entries_as_existing_only(auditor_client, scene):
    body = auditor_client.get(reverse("registry_audit_log")).content.decode()
    assert_clean(body, scene["secret"])
    assert ABOVE_CLEARANCE_TEXT in body and "docgia_bm" in body and "Mậtmẫu" in body


@pytest.mark.parametrize("params", [{"level": "tuyet_mat"}, {"level": "toi_mat"}, {"document": "SECRET"},
                                    {"document": "SECRET", "level": "tuyet_mat"}])
def test_filters_on_hidden_attributes_select_nothing(auditor_client, scene, params):
    params = {k: (scene["secret"].pk if v == "SECRET" else v) for k, v in params.items()}
    body = _entries_table(auditor_client.get(reverse("registry_audit_log"), params).content.decode())
    assert_clean(body, scene["secret"])
    assert ABOVE_CLEARANCE_TEXT not in body and "Không có mục nhật ký nào." in body


def test_hidden_document_history_is_404_and_logged_once(auditor_client, scene):
    before = AccessLogEntry.objects.count()
    response = auditor_client.get(reverse("registry_audit_document", args=[scene["secret"].pk]))
    assert response.status_code == 404
    assert_clean(response.content.decode())
    new = list(AccessLogEntry.objects.order_by("seq")[before:])
    assert len(new) == 1 and new[0].outcome == Outcome.REFUSED and new[0].document_id is None
    assert new[0].extra["requested_id"] == str(scene["secret"].pk) and new[0].extra["reason"] == "not_found"


def test_person_page(auditor_client, scene):
    body = auditor_client.get(reverse("registry_audit_person", args=["docgia_bm"])).content.decode()
    body = _entries_table(body)  # above the table: the person's own card (their clearance is no secret)
    assert_clean(body, scene["secret"])
    assert ABOVE_CLEARANCE_TEXT in body


def test_csv_export(auditor_client, scene, tmp_path):
    body = b"".join(auditor_client.get(reverse("registry_audit_export", args=["csv"])).streaming_content).decode()
    assert_clean(body, levels=False)
    rows = list(csv.DictReader(table_lines(body)))
    hidden = [r for r in rows if r["Tài liệu"] == ABOVE_CLEARANCE_TEXT]
    assert len(hidden) >= 6  # register, grant, 3 reads, the refusal naming it, the edit
    for row in hidden:
        assert row["Số định danh tài liệu"] == "" and row["Độ mật"] == "" and row["Mã bản sao"] == ""
        assert row["Chi tiết (JSON)"] == "" and row["Đơn vị xử lý tài liệu"] == "" and row["Mục đích"] == ""
    path = tmp_path / "e.csv"
    path.write_text(body, encoding="utf-8")
    assert verify_export(path)["ok"]


def test_jsonl_export(auditor_client, scene):
    body = b"".join(auditor_client.get(reverse("registry_audit_export", args=["jsonl"])).streaming_content).decode()
    assert_clean(body, levels=False)
    rows = [json.loads(line) for line in body.splitlines()]
    assert all(r["document_id"] != scene["secret"].pk for r in rows)
    assert all(r["document_level"] is None for r in rows if r["document_hidden"])
    assert any(r["document_hidden"] for r in rows)


def test_pdf_export(auditor_client, scene):
    response = auditor_client.get(reverse("registry_audit_export", args=["pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert_clean(text)
    assert "NHẬT KÝ SỬ DỤNG" in text


def test_charts(auditor_client, scene):
    body = auditor_client.get(reverse("registry_audit_charts"), {"from": "2026-03-01", "to": "2026-03-31"})
    body = body.content.decode()
    assert_clean(body, scene["secret"])


def test_anomalies_page_and_cli(auditor_client, scene):
    found = find_anomalies(local(2026, 3, 10), local(2026, 3, 11), kinds=["after_hours"])
    assert found and scene["secret"].pk in found[0].documents  # the positive control
    body = auditor_client.get(reverse("registry_audit_anomalies"), {"from": "2026-03-10", "to": "2026-03-10"})
    body = body.content.decode()
    assert_clean(body, scene["secret"])
    assert "trên mức được phép xem của bạn" in body
    code, data = run_audit("anomalies", *PERIOD, "--as", "kiemtra_bm")
    assert code == 0
    assert_clean(json.dumps(data, ensure_ascii=False))
    late = [a for a in data["anomalies"] if a["kind"] == "after_hours"]
    assert late and late[0]["documents"] == [] and late[0]["hidden_documents"] == 1


def test_incident_report_web_and_cli(auditor_client, scene, tmp_path):
    for fmt in ("pdf", "csv"):
        response = auditor_client.get(reverse("registry_audit_incident", args=[scene["secret"].pk, fmt]))
        assert response.status_code == 404
    out = tmp_path / "i.pdf"
    before = AccessLogEntry.objects.count()
    code, data = run_audit("incident", "--document", str(scene["secret"].pk), "--out", str(out), "--as", "kiemtra_bm")
    assert code == 2 and data["error"]["code"] == "not_found" and not out.exists()
    assert_clean(json.dumps(data, ensure_ascii=False))
    new = list(AccessLogEntry.objects.order_by("seq")[before:])
    assert [(e.outcome, e.document_id, e.extra.get("requested_id")) for e in new] == [
        (Outcome.REFUSED, None, str(scene["secret"].pk))]
    # The visible document's incident report lists the refusal that named it, with no hidden entry in it.
    response = auditor_client.get(reverse("registry_audit_incident", args=[scene["visible"].pk, "pdf"]))
    text = pdf_text(response.content)
    assert_clean(text)
    assert "toimo_bm" in text and "Bị từ chối" in text


def test_cli_report_and_export(scene, tmp_path):
    code, data = run_audit("report", *PERIOD, "--json", "--as", "kiemtra_bm")
    assert code == 0
    assert_clean(json.dumps(data, ensure_ascii=False), levels=False)
    hidden = [r for r in data["entries"] if r["document_hidden"]]
    assert hidden and all(r["document_id"] is None and r["requested_id"] is None for r in hidden)
    for fmt in ("csv", "jsonl"):
        out = tmp_path / f"x.{fmt}"
        code, _data = run_audit("export", *PERIOD, "--format", fmt, "--out", str(out), "--as", "kiemtra_bm")
        assert code == 0
        assert_clean(out.read_text(encoding="utf-8"), levels=False)
        assert verify_export(out)["ok"]


def test_need_to_know_does_not_narrow_a_cleared_auditor(client, scene):
    """A tuyet_mat auditor without any grant sees every document's metadata, refusals included."""
    top = make_user("kiemtra_tm", role=Role.AUDITOR, clearance=Level.TUYET_MAT)
    client.force_login(top)
    body = client.get(reverse("registry_audit_log")).content.decode()
    assert WORD in body or "bản sửa" in body
    assert COPY in body and PURPOSE in body and "Tuyệt mật" in body  # the positive control
    toimat = client.get(reverse("registry_audit_document", args=[scene["toimat"].pk]))
    assert toimat.status_code == 200 and "Tốimậtmẫu" in toimat.content.decode()


def test_refusal_rows_name_the_requested_document_when_visible(client, scene):
    top = make_user("kiemtra_tm2", role=Role.AUDITOR, clearance=Level.TUYET_MAT)
    client.force_login(top)
    body = client.get(reverse("registry_audit_log"), {"document": scene["secret"].pk}).content.decode()
    assert "toimo_bm" in body and "Bị từ chối" in body and NUMBER in body  # the refusal found by ?document=
    rows = Redactor(top)
    refusal = AccessLogEntry.objects.filter(actor_username="toimo_bm", outcome=Outcome.REFUSED,
                                            extra__requested_id=str(scene["secret"].pk)).get()
    row = rows.row(refusal)
    assert row["requested_id"] == scene["secret"].pk and row["document_number"] == NUMBER
    # For the mat auditor the same refusal is a hidden entry; the one naming a visible document is shown.
    mat = Redactor(scene["auditor"])
    assert mat.row(refusal)["document_hidden"] and mat.row(refusal)["requested_id"] is None
    shown = AccessLogEntry.objects.get(actor_username="toimo_bm", extra__requested_id=str(scene["visible"].pk))
    assert mat.row(shown)["requested_id"] == scene["visible"].pk


def test_level_column_shows_the_vietnamese_label(auditor_client, scene):
    body = auditor_client.get(reverse("registry_audit_log"), {"document": scene["visible"].pk}).content.decode()
    assert ">Mật</span>" in body and ">mat</span>" not in body


def test_audit_package_writes_the_log_only_through_actions():
    """Only registry/audit/log.py defines record(); every audit page, command and report calls
    registry.actions.auditing."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "registry" / "audit"
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "log.py" and path.parent == root:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"(?<![\w.])record\(", text) or "from registry.audit.log import" in text:
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
