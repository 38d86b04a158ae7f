"""``registry intake``: one file, manifests, JSON shapes, error codes, reruns and concurrent bulk runs."""

import csv
import io
import json

import pytest
from django.core.management import call_command

from registry.constants import Level, Role
from registry.models import AccessLogEntry, Document
from tests.factories import make_user
from tests.intake import samples
from tests.intake.cli import last_json, referenced_files, sqlite_env, stored_files

REQUIRED = ["--direction", "den", "--level", "mat", "--number", "126-QĐ/TW", "--type", "QĐ",
            "--issuer", "Bộ Chính trị", "--date", "2018-02-28", "--title", "Quy định về bảo vệ chính trị nội bộ Đảng"]


def intake(*args):
    out = io.StringIO()
    code = 0
    try:
        call_command("intake", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


@pytest.mark.django_db
def test_single_file_json(media, vanthu, write):
    path = write("126.pdf", samples.text_pdf(marker="126"))
    code, out = intake(str(path), *REQUIRED, "--summary", "Bảo vệ chính trị nội bộ", "--urgency", "khan",
                       "--signer", "Trần Quốc Vượng", "--arrival-date", "2018-03-02", "--copies", "3", "--recall",
                       "--recipients", "Các đảng bộ trực thuộc", "--notes", "Bản gốc", "--actor", vanthu.username,
                       "--json")
    assert code == 0
    body = json.loads(out)
    document = Document.objects.get(pk=body["id"])
    assert body == {
        "id": document.pk, "register": document.register.code, "serial": document.serial, "sha256": document.sha256,
        "number": "126-QĐ/TW", "title": document.title, "level": "mat", "mime_type": "application/pdf",
        "page_count": 1,
    }
    assert (document.doc_type, document.issuer, str(document.issue_date)) == ("QĐ", "Bộ Chính trị", "2018-02-28")
    assert (document.urgency, document.copies_count, document.recall, str(document.arrival_date)) == (
        "khan", 3, True, "2018-03-02")
    assert document.signer == "Trần Quốc Vượng" and document.recipients == "Các đảng bộ trực thuộc"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra,actor_kind,code",
    [
        ([], "nobody", "unknown_user"),
        ([], "staff", "permission_denied"),
        (["--date", "28/13/2018"], "clerk", "invalid_metadata"),
        (["--level", "bi_mat"], "clerk", "invalid_metadata"),
        (["--location", "KHONG-CO"], "clerk", "unknown_location"),
    ],
)
def test_single_file_errors_as_json(media, vanthu, write, extra, actor_kind, code):
    actor = {"nobody": "khong_ton_tai", "clerk": vanthu.username,
             "staff": make_user(role=Role.STAFF, clearance=Level.TUYET_MAT).username}[actor_kind]
    path = write("x.pdf", samples.text_pdf(marker=code))
    exit_code, out = intake(str(path), *REQUIRED, *extra, "--actor", actor, "--json")
    assert exit_code == 1
    body = json.loads(out)
    assert body["error"]["code"] == code and body["error"]["message"]
    assert Document.objects.count() == 0 and AccessLogEntry.objects.filter(action="register", outcome="ok").count() == 0


@pytest.mark.django_db
def test_single_file_refusal_and_duplicate(media, vanthu, write):
    bad = write("virus.pdf", samples.ELF_HEADER * 4)
    code, out = intake(str(bad), *REQUIRED, "--actor", vanthu.username, "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "unsupported_type"
    good = write("ok.pdf", samples.text_pdf(marker="dup"))
    _, out = intake(str(good), *REQUIRED, "--actor", vanthu.username, "--json")
    first = json.loads(out)["id"]
    code, out = intake(str(good), *REQUIRED, "--actor", vanthu.username, "--json")
    assert code == 1
    assert json.loads(out)["error"] == {
        "code": "duplicate", "message": json.loads(out)["error"]["message"], "existing_id": first,
        "sha256": Document.objects.get(pk=first).sha256}


def write_manifest(folder, rows, header=("file", "direction", "level", "number", "type", "issuer", "date", "title")):
    path = folder / "manifest.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def row(name, n, **over):
    values = {"file": name, "direction": "den", "level": "mat", "number": f"{n}-HD/ĐU", "type": "HD",
              "issuer": "Đảng ủy Bộ Công Thương", "date": "2020-02-24", "title": f"Hướng dẫn số {n}"}
    values.update(over)
    return list(values.values())


@pytest.mark.django_db
def test_manifest_json_shape_bad_rows_and_rerun(media, vanthu, tmp_path):
    folder = tmp_path / "lot"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.pdf").write_bytes(samples.text_pdf(marker="a"))
    (folder / "b.docx").write_bytes(samples.docx_bytes())
    (folder / "c.pdf").write_bytes(samples.truncated_pdf())
    absolute = tmp_path / "elsewhere.txt"
    absolute.write_text("Thông báo kết luận của Ban Thường vụ", encoding="utf-8")
    manifest = write_manifest(folder, [
        row("sub/a.pdf", 1),
        row("b.docx", 2),
        row("c.pdf", 3),
        row(str(absolute), 4),
        row("missing.pdf", 5),
        row("sub/a.pdf", 6),  # same bytes again in the same run
        row("b.docx", 7, date="2020-02-31"),
        row("", 8),
        row("b.docx", 9, title=""),
    ])
    code, out = intake("--manifest", str(manifest), "--actor", vanthu.username, "--json", "--no-progress")
    assert code == 1
    summary = json.loads(out)
    assert set(summary) == {"registered", "refused", "duplicates"}
    assert [r["file"] for r in summary["registered"]] == ["sub/a.pdf", "b.docx", str(absolute)]
    for item in summary["registered"]:
        assert set(item) >= {"file", "id", "serial", "register", "sha256"}
        assert Document.objects.get(pk=item["id"]).serial == item["serial"]
    refused = {(r["file"], r["code"]) for r in summary["refused"]}
    assert refused == {("c.pdf", "pdf_truncated"), ("missing.pdf", "file_not_found"), ("b.docx", "invalid_metadata"),
                       ("", "invalid_metadata")}
    assert len(summary["refused"]) == 5 and all(r["message"] for r in summary["refused"])
    assert summary["duplicates"] == [{"file": "sub/a.pdf", "existing_id": summary["registered"][0]["id"]}]

    files = {n for n in (media / "originals").rglob("*") if n.is_file()}
    code, out = intake("--manifest", str(manifest), "--actor", vanthu.username, "--json", "--no-progress")
    again = json.loads(out)
    assert again["registered"] == []
    assert {d["file"] for d in again["duplicates"]} == {"sub/a.pdf", "b.docx", str(absolute)}
    assert {n for n in (media / "originals").rglob("*") if n.is_file()} == files


@pytest.mark.django_db
def test_manifest_optional_columns_and_spellings(media, vanthu, tmp_path):
    (tmp_path / "a.pdf").write_bytes(samples.text_pdf(marker="optional"))
    header = ("File", "direction", "level", "number", "type", "issuer", "date", "title", "arrival-date", "copies",
              "recall", "signer", "summary", "urgency")
    manifest = write_manifest(tmp_path, [row("a.pdf", 11) + ["2020-03-01", "2", "x", "Nguyễn Văn A",
                                                             "Trích yếu", "hoa_toc"]], header=header)
    code, out = intake("--manifest", str(manifest), "--actor", vanthu.username, "--json", "--no-progress")
    assert code == 0, out
    document = Document.objects.get(pk=json.loads(out)["registered"][0]["id"])
    assert (str(document.arrival_date), document.copies_count, document.recall, document.urgency) == (
        "2020-03-01", 2, True, "hoa_toc")


@pytest.mark.django_db
def test_manifest_defers_search_indexing_to_one_batch(media, vanthu, tmp_path, settings, monkeypatch):
    import search.service

    batches = []
    monkeypatch.setattr(search.service, "index_documents", lambda ids: batches.append(list(ids)) or len(ids))
    settings.REGISTRY_SEARCH = {**settings.REGISTRY_SEARCH, "AUTO_INDEX": True}
    for i in range(3):
        (tmp_path / f"{i}.pdf").write_bytes(samples.text_pdf(marker=f"batch {i}"))
    manifest = write_manifest(tmp_path, [row(f"{i}.pdf", 20 + i) for i in range(3)])
    code, out = intake("--manifest", str(manifest), "--actor", vanthu.username, "--json", "--no-progress")
    assert code == 0
    assert batches == [[r["id"] for r in json.loads(out)["registered"]]]
    assert settings.REGISTRY_SEARCH["AUTO_INDEX"] is True


@pytest.mark.slow
def test_two_concurrent_manifest_runs_on_sqlite(home, tmp_path):
    """Two bulk intakes at once into the same registers: every file once, serials unique and gapless."""
    import subprocess
    import sys

    from tests.intake.cli import ROOT

    lots = []
    for lot in ("one", "two"):
        folder = tmp_path / lot
        folder.mkdir()
        rows = []
        for i in range(15):
            (folder / f"{i}.pdf").write_bytes(samples.text_pdf(marker=f"{lot}-{i}"))
            # each lot its own numbers: the same number from the same issuer twice would ask for a confirmation
            rows.append(row(f"{i}.pdf", (0 if lot == "one" else 1000) + i))
        # a few files shared by both lots: exactly one run registers each, the other sees a duplicate
        for i in range(5):
            (folder / f"shared{i}.pdf").write_bytes(samples.text_pdf(marker=f"shared-{i}"))
            rows.append(row(f"shared{i}.pdf", 100 + i))
        lots.append(write_manifest(folder, rows))
    env = sqlite_env(home)
    procs = [subprocess.Popen([sys.executable, "-m", "registry.cli", "intake", "--manifest", str(m), "--actor",
                               "vanthu", "--json"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for m in lots]
    results = [p.communicate(timeout=300) for p in procs]
    summaries = [last_json(out) for out, _err in results]
    assert all(p.returncode == 0 for p in procs), [(s.get("refused"), err[-2000:]) for s, (_out, err) in zip(summaries, results)]
    registered = [r for s in summaries for r in s["registered"]]
    duplicates = [d for s in summaries for d in s["duplicates"]]
    assert len(registered) == 35 and len(duplicates) == 5
    assert sorted(r["serial"] for r in registered) == list(range(1, 36))
    assert stored_files(home) == referenced_files(home)
