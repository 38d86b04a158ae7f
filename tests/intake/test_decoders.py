"""The outcome of a file does not depend on which optional decoders the machine has.

The same manifest is registered twice through the CLI: once with the machine's PATH (jbig2dec, Ghostscript,
Tesseract present) and once with a PATH holding none of them. Each file must come out the same: registered
with the same page count and text, or refused with the same code. (OCR is the one thing the engine
changes, and it never changes the outcome: without it a scan registers flagged "pending".)"""

import csv
import os
import shutil
import sqlite3

import pytest

from tests.intake import samples
from tests.intake.cli import CORPUS, last_json, registry, sqlite_env

# File handling only: the database pass adds nothing, so it runs once (in the SQLite pass).
pytestmark = [pytest.mark.slow, pytest.mark.db_agnostic]


def outcomes(home, manifest, path_variable):
    env = sqlite_env(home, PATH=path_variable, REGISTRY_INTAKE_TIMEOUT_SECONDS=20)
    result = registry(["intake", "--manifest", str(manifest), "--actor", "vanthu", "--json"], env, timeout=900)
    assert result.returncode in (0, 1), result.stderr[-3000:]
    summary = last_json(result.stdout)
    with sqlite3.connect(home / "registry.sqlite3") as db:
        rows = {pk: (pages, ocr) for pk, pages, ocr in db.execute("SELECT id, page_count, ocr_status FROM registry_document")}
    found = {r["file"]: ("registered", rows[r["id"]][0]) for r in summary["registered"]}
    found.update({r["file"]: (r["code"], None) for r in summary["refused"]})
    ocr = {r["file"]: rows[r["id"]][1] for r in summary["registered"]}
    return found, ocr


def test_outcome_is_the_same_with_and_without_optional_decoders(migrated_home, tmp_path):
    assert shutil.which("jbig2dec"), "jbig2dec (Debian) is installed by scripts/test and the Dockerfile"
    folder = tmp_path / "files"
    folder.mkdir()
    files = {
        "jbig2-broken.pdf": samples.jbig2_pdf(),
        "jbig2-globals.pdf": samples.jbig2_pdf(b"\x00" * 40, globals_data=b"\x00\x01garbage", marker="globals"),
        "scan-to-pdf.pdf": samples.image_only_pdf(),
        "scan.png": samples.vietnamese_scan(),
        "damaged.pdf": samples.damaged_pdf(),
        "unreadable.pdf": samples.unreadable_pdf(),
    }
    paths = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    if CORPUS.exists():  # and a slice of the real-world corpus
        step = int(os.environ.get("REGISTRY_DECODER_CORPUS_STEP", 15))  # 1: the whole corpus
        paths += sorted(p for p in CORPUS.resolve().rglob("*") if p.is_file())[::step]
    manifest = tmp_path / "m.csv"
    with open(manifest, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["file", "direction", "level", "number", "type", "issuer", "date", "title"])
        for n, path in enumerate(paths, start=1):
            writer.writerow([str(path), "den", "mat", f"{n}-CV/GM", "CV", "Kho thử", "2024-01-02", f"Tệp {path.name}"])

    results = []
    for label, path_variable in (("with", "/usr/local/bin:/usr/bin:/bin"), ("without", str(tmp_path / "empty"))):
        home = tmp_path / label
        home.mkdir()
        for item in migrated_home.glob("registry.sqlite3*"):
            shutil.copy2(item, home / item.name)
        results.append(outcomes(home, manifest, path_variable))
    (with_tools, ocr_with), (without_tools, ocr_without) = results
    assert with_tools == without_tools
    assert with_tools[str(folder / "jbig2-broken.pdf")] == ("registered", 1)
    assert with_tools[str(folder / "unreadable.pdf")][0] == "pdf_damaged"
    assert ocr_with[str(folder / "scan.png")] == "done" and ocr_without[str(folder / "scan.png")] == "pending"
