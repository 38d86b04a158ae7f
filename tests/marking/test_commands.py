"""`registry open` and `registry trace`: the download button from the command line, and tracing a leak."""

import io
import json
import os
import stat

import pikepdf
import pytest
from django.core.management import call_command

from registry.constants import Action, Level, Outcome, Role
from registry.models import AccessLogEntry
from tests.factories import grant, make_user
from tests.marking.pdfs import make_pdf_document

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    try:
        call_command(*args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def last_entry():
    return AccessLogEntry.objects.order_by("-seq").first()


@pytest.fixture
def secret_doc(clerk):
    return make_pdf_document(clerk=clerk, level=Level.TOI_MAT, pages=3, recall=True)


@pytest.fixture
def reader(secret_doc):
    user = make_user("docgia", role=Role.STAFF, clearance=Level.TOI_MAT)
    user.first_name, user.last_name = "An", "Trần Văn"
    user.save()
    grant(user, secret_doc)
    return user


def test_open_writes_a_marked_copy_and_one_entry(secret_doc, reader, tmp_path):
    target = tmp_path / "ban.pdf"
    before = last_entry().seq
    code, output = run("open", str(secret_doc.pk), "--as", "docgia", "--purpose", "Chuẩn bị họp",
                       "--out", str(target), "--json")
    assert code == 0
    shown = json.loads(output)
    assert shown == {"copy_id": shown["copy_id"], "copy_number": 1, "out": str(target), "password": None}
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    with pikepdf.open(target) as pdf:
        assert len(pdf.pages) == 3
    (entry,) = AccessLogEntry.objects.filter(seq__gt=before)
    assert (entry.action, entry.outcome, entry.copy_id, entry.purpose) == (
        Action.DOWNLOAD, Outcome.OK, shown["copy_id"], "Chuẩn bị họp")


def test_open_refuses_without_purpose(secret_doc, reader, tmp_path):
    code, output = run("open", str(secret_doc.pk), "--as", "docgia", "--out", str(tmp_path / "x.pdf"))
    assert code == 2 and json.loads(output)["error"]["code"] == "purpose_required"
    assert not (tmp_path / "x.pdf").exists()
    assert last_entry().outcome == Outcome.REFUSED


def test_open_hidden_answers_like_missing(secret_doc, tmp_path):
    make_user("thap", role=Role.STAFF, clearance=Level.MAT)
    outputs = []
    for doc_id in (secret_doc.pk, secret_doc.pk + 999):
        code, output = run("open", str(doc_id), "--as", "thap", "--purpose", "x", "--out", str(tmp_path / "x.pdf"))
        assert code == 2
        outputs.append(json.loads(output))
        entry = last_entry()
        assert entry.outcome == Outcome.REFUSED and entry.document_id is None and entry.document_level == ""
    assert outputs[0] == outputs[1] and outputs[0]["error"]["code"] == "not_found"
    assert secret_doc.title not in json.dumps(outputs[0], ensure_ascii=False)


def test_open_encrypts_per_level(secret_doc, reader, tmp_path, settings):
    settings.REGISTRY_ENCRYPT_LEVELS = [Level.TOI_MAT]
    target = tmp_path / "enc.pdf"
    code, output = run("open", str(secret_doc.pk), "--as", "docgia", "--purpose", "Họp", "--out", str(target),
                       "--json")
    password = json.loads(output)["password"]
    assert code == 0 and password
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(target)
    with pikepdf.open(target, password=password) as pdf:
        assert pdf.is_encrypted
    assert last_entry().extra["encrypted"] is True


def test_trace_finds_the_entry_of_a_leaked_copy(secret_doc, reader, tmp_path):
    target = tmp_path / "lo.pdf"
    run("open", str(secret_doc.pk), "--as", "docgia", "--purpose", "Thẩm định", "--out", str(target))
    issued = last_entry()
    code, output = run("trace", str(target), "--json")
    assert code == 0
    found = json.loads(output)
    assert found["copy_id"] == issued.copy_id
    assert found["entry"]["id"] == issued.pk and found["entry"]["username"] == "docgia"
    assert found["entry"]["full_name"] == "Trần Văn An" and found["entry"]["purpose"] == "Thẩm định"
    assert found["entry"]["copy_number"] == 1
    assert found["document"]["id"] == secret_doc.pk and found["document"]["title"] == secret_doc.title
    traced = last_entry()
    assert traced.action == Action.TRACE and traced.copy_id == issued.copy_id and traced.extra["entry_id"] == issued.pk


def test_trace_obeys_the_auditors_clearance(secret_doc, reader, tmp_path):
    target = tmp_path / "lo.pdf"
    run("open", str(secret_doc.pk), "--as", "docgia", "--purpose", "Thẩm định", "--out", str(target))
    make_user("kiemtra_mat", role=Role.AUDITOR, clearance=Level.MAT)
    code, output = run("trace", str(target), "--json", "--as", "kiemtra_mat")
    assert code == 0
    found = json.loads(output)
    assert found["document"] == {"id": None, "withheld": True}  # not even the id (issue #8)
    assert found["entry"]["purpose"] is None and found["entry"]["copy_number"] is None
    assert secret_doc.title not in output
    assert last_entry().document_id is None
    code, output = run("trace", str(target), "--json", "--as", "docgia")
    assert code == 2 and json.loads(output)["error"]["code"] == "permission_denied"


def test_trace_unknown_copy_id_is_an_error(tmp_path, clerk):
    from tests.marking.pdfs import make_pdf

    plain = tmp_path / "khac.pdf"
    plain.write_bytes(make_pdf(1))
    code, output = run("trace", str(plain), "--json")
    assert code == 2 and json.loads(output)["error"]["code"] == "not_found"
    assert last_entry().action == Action.TRACE and last_entry().outcome == Outcome.ERROR
