"""Intake throughput: the real pipeline against the raw cost of the same work done with the libraries.

    .venv/bin/python benchmarks/bench_intake.py [--count 1000] [--pages 10]

Generates ``count`` ten-page PDFs with Vietnamese text (reportlab + the bundled DejaVu font) in a temporary
folder, then times
  * raw: for each file, sniff the type (libmagic), SHA-256, pikepdf open + check + save of a page copy,
    pypdfium2 text extraction and writing the original bytes — in this process, no isolation, no database;
  * pipeline: ``registry.intake.register_file`` for each file into a temporary REGISTRY_HOME on SQLite
    (every step: name, size, hash, duplicate check, type, truncation, sandboxed child with limits,
    sanitised rendition, text, content-addressed storage, register row, serial, chained log entry).
It prints documents/second for both and the ratio, first on clean PDFs, then on a second set where one
file in three is damaged but readable (garbage cross-reference offsets, a missing end, a wrong /Size): the
raw side opens those with qpdf's recovery as the pipeline does.

The top level imports nothing heavy: the intake sandbox re-imports this file in each child.
"""

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def generate(folder: Path, count: int, pages: int, *, first: int = 0, damaged_every: int = 0) -> list[Path]:
    import io

    from reportlab.pdfgen import canvas

    from registry.fonts import register_reportlab_fonts

    regular, bold = register_reportlab_fonts()
    paragraph = ("Thực hiện Quy định số 126-QĐ/TW ngày 28/02/2018 của Bộ Chính trị về một số vấn đề bảo vệ "
                 "chính trị nội bộ Đảng, Ban Thường vụ Đảng ủy hướng dẫn rà soát, thẩm tra, xác minh lịch sử "
                 "chính trị và chính trị hiện nay của nhân sự dự kiến tham gia cấp ủy nhiệm kỳ 2025–2030.")
    words = paragraph.split()
    paths = []
    for n in range(first, first + count):
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=(595, 842))
        for page in range(pages):
            pdf.setFont(bold, 13)
            pdf.drawString(56, 790, f"ĐẢNG ỦY BỘ CÔNG THƯƠNG — Văn bản số {n + 1}-HD/ĐU — trang {page + 1}")
            pdf.setFont(regular, 10)
            y = 760
            for line in range(40):
                start = (n + page + line) % len(words)
                text = " ".join(words[start:] + words[:start])[:105]
                pdf.drawString(56, y, text)
                y -= 17
            pdf.showPage()
        pdf.save()
        path = folder / f"van-ban-{n + 1:05d}.pdf"
        data = buffer.getvalue()
        if damaged_every and n % damaged_every == 0:
            data = damage(data, n // damaged_every)
        path.write_bytes(data)
        paths.append(path)
    return paths


def damage(data: bytes, kind: int) -> bytes:
    """Damage a PDF the way real senders' software does, in a way every reader repairs."""
    data = bytearray(data)
    if kind % 3 == 0:  # cross-reference offsets all wrong
        start, end = data.rindex(b"\nxref\n") + 1, data.rindex(b"trailer")
        for i in range(start + 5, end):
            if data[i : i + 1].isdigit():
                data[i] = ord("7")
    elif kind % 3 == 1:  # cut after the last object: no xref, no startxref, no %%EOF
        data = data[: data.rindex(b"endobj") + 6]
    else:  # object count off
        at = data.rindex(b"/Size ")
        data[at + 6 : at + 8] = b"99"
    return bytes(data)


class _Deferred(list):
    seconds = 0.0


@contextlib.contextmanager
def deferred_stamp_layout():
    """Marking analyses each new rendition's stamp layout on commit (``registry.marking.stored_layout``):
    like search indexing, that is another package's cost; it runs after the block and is timed apart."""
    from registry.marking.stored_layout import ensure_stamp_layout
    from registry.signals import document_changed

    uid = "registry.marking.ensure_stamp_layout"
    ids = _Deferred()
    connected = document_changed.disconnect(dispatch_uid=uid)
    try:
        yield ids
    finally:
        if connected:
            document_changed.connect(ensure_stamp_layout, dispatch_uid=uid)
            started = time.perf_counter()
            for document_id in ids:
                ensure_stamp_layout(document_id=document_id)
            ids.seconds = time.perf_counter() - started


def raw_pass(paths: list[Path], out: Path, *, strict: bool = True) -> float:
    import hashlib

    import magic
    import pikepdf
    import pypdfium2 as pdfium

    sniffer = magic.Magic(mime=True)
    started = time.perf_counter()
    for path in paths:
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        assert sniffer.from_file(str(path)) == "application/pdf"
        rendition = out / f"{digest}.r.pdf"
        with pikepdf.open(path, attempt_recovery=True) as pdf:
            problems = pdf.check_pdf_syntax()
            assert not strict or not problems
            copy = pikepdf.Pdf.new()
            copy.pages.extend(pdf.pages)
            copy.save(rendition)
        document = pdfium.PdfDocument(str(rendition))
        text = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            text.append(textpage.get_text_range())
            textpage.close()
            page.close()
        document.close()
        (out / digest).write_bytes(data)
    return time.perf_counter() - started


class Pipeline:
    """The real intake: ``register_file`` for each file, search indexing deferred to one batch at the end
    (it is the search package's cost, reported apart)."""

    def __init__(self, count: int):
        import datetime as dt

        from registry.actions.documents import DocumentMetadata
        from registry.actions.people import do_add_user
        from registry.intake.parsers import clean_text
        from registry.intake.sandbox import run_limited

        self.clerk = do_add_user("bench", role="clerk", clearance="tuyet_mat", unit="Văn phòng",
                                 password="bench-pass-1")
        count *= 2  # a clean set and a mixed set
        self.metas = iter([
            DocumentMetadata(direction="den", level="mat", number=f"{n + 1}-HD/ĐU", doc_type="HD",
                             issuer="Đảng ủy Bộ Công Thương", title=f"Hướng dẫn rà soát nhân sự số {n + 1}",
                             issue_date=dt.date(2024, 3, 1), arrival_date=dt.date(2024, 3, 4))
            for n in range(count)
        ])
        self.ids: list[int] = []
        # The sandbox's forkserver starts once per process: start it before timing, as a server would.
        run_limited(clean_text, "khởi động", timeout=30, memory=1 << 30)

    def run(self, paths: list[Path]) -> float:
        from registry.intake import register_file

        started = time.perf_counter()
        for path in paths:
            self.ids.append(register_file(path, meta=next(self.metas), actor=self.clerk).pk)
        return time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="number of PDFs (default 1000)")
    parser.add_argument("--pages", type=int, default=10, help="pages per PDF (default 10)")
    parser.add_argument("--block", type=int, default=50, help="files per alternating raw/pipeline block")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    home = workdir / "home"
    home.mkdir()
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REGISTRY_STORAGE", None)
    os.environ["REGISTRY_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "registry.settings.base"
    os.environ.setdefault("REGISTRY_LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(ROOT))
    try:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", interactive=False, verbosity=0)

        sources = workdir / "sources"
        sources.mkdir()
        started = time.perf_counter()
        paths = generate(sources, args.count, args.pages)
        generated = time.perf_counter() - started
        size = sum(p.stat().st_size for p in paths)
        print(f"generated {len(paths)} PDFs × {args.pages} pages ({size / len(paths) / 1024:.0f} KiB each) "
              f"in {generated:.1f}s")

        raw_out = workdir / "raw"
        raw_out.mkdir()
        from registry.intake.manifest import deferred_search_indexing

        intake = Pipeline(len(paths))
        mixed_sources = workdir / "mixed"
        mixed_sources.mkdir()
        mixed = generate(mixed_sources, args.count, args.pages, first=args.count, damaged_every=3)
        lines = []
        for label, files, strict in (("clean PDFs", paths, True), ("mix, 1 in 3 damaged-but-readable", mixed, False)):
            # Raw and pipeline alternate block by block, so that both see the same machine load.
            raw = pipeline = 0.0
            before = len(intake.ids)
            with deferred_search_indexing() as to_index, deferred_stamp_layout() as layout_ids:
                for start in range(0, len(files), args.block):
                    block = files[start : start + args.block]
                    raw += raw_pass(block, raw_out, strict=strict)
                    pipeline += intake.run(block)
                to_index.extend(intake.ids[before:])
                layout_ids.extend(intake.ids[before:])
                index_started = time.perf_counter()
            indexing = time.perf_counter() - index_started - layout_ids.seconds
            n = len(files)
            print(f"[{label}]")
            print(f"raw libraries : {n / raw:8.1f} documents/s  ({raw / n * 1000:6.1f} ms per document)")
            print(f"intake pipeline: {n / pipeline:8.1f} documents/s  ({pipeline / n * 1000:6.1f} ms per document)")
            print(f"throughput pipeline/raw: {raw / pipeline:.2f}×  (time ratio {pipeline / raw:.2f}, overhead "
                  f"{(pipeline - raw) / n * 1000:.1f} ms per document)")
            print(f"(search indexing of the {n} documents afterwards, one batch: {indexing:.1f}s; marking's stamp "
                  f"layout afterwards: {layout_ids.seconds:.1f}s — with it inline, throughput "
                  f"{raw / (pipeline + layout_ids.seconds):.2f}×)")
            lines.append((label, raw / pipeline))

        from registry.models import Document

        registered = Document.objects.exclude(sha256=None).count()
        assert registered == 2 * len(paths), f"only {registered} of {2 * len(paths)} registered"
        for label, ratio in lines:
            print(f"{label}: pipeline throughput {ratio:.2f}× the bare libraries")
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
