"""What a clerk waits for: registration with its slow half handed to the task layer, against doing it all at once.

    .venv/bin/python benchmarks/bench_intake_request.py [--files 10] [--pages 100] [--scans 2]

For each file (text PDFs of ``--pages`` pages, and one-page Vietnamese scans when Tesseract is installed):
  * handed off: ``register_file`` with ``REGISTRY_TASKS_THREAD`` on, as the one-machine web server runs it;
    the time until it returns is what the upload request costs; the task thread then reads the text (OCR for
    scans), indexes it and lays out the stamps; the time until it is idle is "processed";
  * all at once: the same registration with the task run in the calling thread right after the commit, which
    is what the request cost when intake read the text itself.
Prints medians per kind and the ratio request/all-at-once (lower is better). SQLite, local disk, a temporary
REGISTRY_HOME; the top level imports nothing heavy (the intake sandbox re-imports this file in each child).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def text_pdf(pages: int, n: int) -> bytes:
    import io

    from reportlab.pdfgen import canvas

    from registry.fonts import register_reportlab_fonts

    regular, _bold = register_reportlab_fonts()
    line = ("Ban Thường vụ Đảng ủy hướng dẫn rà soát, thẩm tra, xác minh lịch sử chính trị của nhân sự dự kiến "
            "tham gia cấp ủy nhiệm kỳ 2025–2030")
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595, 842))
    for page in range(pages):
        pdf.setFont(regular, 10)
        pdf.drawString(56, 800, f"Văn bản {n} — trang {page + 1}")
        for row in range(45):
            pdf.drawString(56, 780 - row * 16, line[(row + page) % 20:][:100])
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10, help="text PDFs per mode (default 10)")
    parser.add_argument("--pages", type=int, default=100, help="pages per text PDF (default 100)")
    parser.add_argument("--scans", type=int, default=2, help="scans per mode, if OCR is installed (default 2)")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="bench-intake-request-"))
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REGISTRY_STORAGE", None)
    os.environ["REGISTRY_HOME"] = str(workdir / "home")
    os.environ["DJANGO_SETTINGS_MODULE"] = "registry.settings.base"
    os.environ.setdefault("REGISTRY_LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(ROOT))
    import datetime as dt
    import itertools

    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)

    from registry import tasks
    from registry.actions.documents import DocumentMetadata
    from registry.actions.people import do_add_user
    from registry.intake import ocr, register_file
    from registry.intake.parsers import clean_text
    from registry.intake.sandbox import run_limited
    from registry.models import Document

    clerk = do_add_user("bench", role="clerk", clearance="tuyet_mat", unit="Văn phòng", password="bench-pass-1")
    numbers = itertools.count(1)
    run_limited(clean_text, "khởi động", timeout=30, memory=1 << 30)  # the sandbox starts once, as in a server

    def meta():
        n = next(numbers)
        return DocumentMetadata(direction="den", level="mat", number=f"{n}-HD/ĐU", doc_type="HD",
                                issuer="Đảng ủy Bộ Công Thương", title=f"Hướng dẫn rà soát nhân sự số {n}",
                                issue_date=dt.date(2024, 3, 1), arrival_date=dt.date(2024, 3, 4))

    sources = workdir / "sources"
    sources.mkdir()
    kinds = {"text PDF": [], "scan": []}
    for n in range(2 * args.files):
        path = sources / f"van-ban-{n}.pdf"
        path.write_bytes(text_pdf(args.pages, n))
        kinds["text PDF"].append(path)
    if ocr.engine_available() and args.scans:
        sys.path.insert(0, str(ROOT / "tests"))
        from tests.intake import samples

        for n in range(2 * args.scans):
            path = sources / f"scan-{n}.png"
            path.write_bytes(samples.vietnamese_scan("PNG", dpi=200, skew=0.5 + n / 10))
            kinds["scan"].append(path)
    else:
        print("(no Tesseract with Vietnamese: scans skipped)")

    print(f"{'kind':10} {'request, handed off':>20} {'processed':>10} {'all at once':>12} {'ratio':>6}")
    for kind, paths in kinds.items():
        if not paths:
            continue
        half = len(paths) // 2
        request, processed, together = [], [], []
        settings.REGISTRY_TASKS_THREAD = True
        for path in paths[:half]:
            started = time.perf_counter()
            document = register_file(path, meta=meta(), actor=clerk)
            request.append(time.perf_counter() - started)
            tasks.wait_idle(600)
            processed.append(time.perf_counter() - started)
            assert Document.objects.get(pk=document.pk).content_status == "done"
        settings.REGISTRY_TASKS_THREAD = False
        for path in paths[half:]:
            started = time.perf_counter()
            document = register_file(path, meta=meta(), actor=clerk)
            together.append(time.perf_counter() - started)
            assert document.content_status == "done"
        r, p, t = (statistics.median(v) for v in (request, processed, together))
        print(f"{kind:10} {r * 1000:17.0f} ms {p * 1000:7.0f} ms {t * 1000:9.0f} ms {r / t:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
