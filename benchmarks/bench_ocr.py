"""OCR throughput: our intake's OCR against bare ``ocrmypdf`` on the same scanned pages.

    .venv/bin/python benchmarks/bench_ocr.py [--pages 6] [--dpi 300]

Makes ``pages`` Vietnamese scans (bundled DejaVu text at ``dpi``, noise, slight skew; Pillow), as one
image-only PDF per page, then times
  * bare: the ``ocrmypdf`` command (``-l vie+eng``, one job, output PDF) on each file;
  * intake: ``registry.intake.register_file`` on each file into a temporary REGISTRY_HOME (type, open
    with repair, rendition, OCR in the sandbox with its limits, sanitising the searchable PDF, NFC text,
    storage, register row and log entry).
It prints pages/second for both and the ratio.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=6, help="scanned pages (default 6)")
    parser.add_argument("--dpi", type=int, default=300, help="scan resolution (default 300)")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    home = workdir / "home"
    home.mkdir()
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REGISTRY_STORAGE", None)
    os.environ.update(REGISTRY_HOME=str(home), DJANGO_SETTINGS_MODULE="registry.settings.base",
                      REGISTRY_LOG_LEVEL="ERROR")
    sys.path.insert(0, str(ROOT))
    try:
        import datetime as dt

        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
        from registry.actions.documents import DocumentMetadata
        from registry.actions.people import do_add_user
        from registry.intake import register_file
        from registry.intake.ocr import engine_available
        from registry.intake.sandbox import run_limited
        from registry.intake.parsers import clean_text
        from tests.intake import samples

        if not engine_available() or not shutil.which("ocrmypdf", path=f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"):
            print("OCR engine missing (tesseract-ocr, tesseract-ocr-vie, ocrmypdf): nothing to measure")
            return 1
        ocrmypdf = shutil.which("ocrmypdf", path=f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}")
        files = []
        for n in range(args.pages):
            lines = [*samples.SCAN_LINES, f"Trang {n + 1}: Thực hiện Quy định số {100 + n}-QĐ/TW của Bộ Chính trị"]
            scan = samples.vietnamese_scan("PNG", lines=lines, dpi=args.dpi, skew=1.2 if n % 2 else -0.8,
                                           width_inches=6.5)
            path = workdir / f"scan-{n + 1:03d}.pdf"
            path.write_bytes(samples.image_only_pdf(scan, dpi=args.dpi))
            files.append(path)
        print(f"{len(files)} scanned pages at {args.dpi} dpi")

        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        started = time.perf_counter()
        for path in files:
            subprocess.run([ocrmypdf, "-q", "-l", "vie+eng", "--jobs", "1", "--output-type", "pdf", "--optimize", "0",
                            str(path), str(path.with_suffix(".bare.pdf"))], env=env, check=True)
        bare = time.perf_counter() - started

        clerk = do_add_user("bench_ocr", role="clerk", clearance="tuyet_mat", unit="Văn phòng", password="bench-pass-1")
        run_limited(clean_text, "khởi động", timeout=30, memory=1 << 30)  # start the forkserver, as a server would
        started = time.perf_counter()
        recognised = 0
        for n, path in enumerate(files):
            meta = DocumentMetadata(direction="den", level="mat", number=f"{n + 1}-CV/QUET", doc_type="CV",
                                    issuer="Văn phòng Đảng ủy", title=f"Bản quét số {n + 1}",
                                    issue_date=dt.date(2024, 3, 1), arrival_date=dt.date(2024, 3, 4))
            document = register_file(path, meta=meta, actor=clerk)
            recognised += document.ocr_status == "done"
        intake = time.perf_counter() - started
        assert recognised == len(files), f"only {recognised} of {len(files)} recognised"
        n = len(files)
        print(f"bare ocrmypdf  : {n / bare:6.3f} pages/s  ({bare / n:5.2f} s per page)")
        print(f"intake with OCR: {n / intake:6.3f} pages/s  ({intake / n:5.2f} s per page)")
        print(f"ratio intake/bare throughput: {bare / intake:.2f}×")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
