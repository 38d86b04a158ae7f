"""Stamping a 100-page document: registry.marking against the bare reportlab + pikepdf overlay.

    .venv/bin/python benchmarks/bench_stamp.py [--pages 100] [--repeat 5]

The bare baseline draws one overlay page with reportlab (same font, same kind of stamp), calls pikepdf's
``Page.add_overlay`` on each page and saves. registry.marking does the same work plus what a marked copy needs
(upright placement per page geometry, copy id in the metadata). Prints both median times and the ratio;
the target is a ratio of at most 1.5.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("REGISTRY_HOME", tempfile.mkdtemp(prefix="registry-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings.base")

import django  # noqa: E402

django.setup()

import pikepdf  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from registry.fonts import register_reportlab_fonts  # noqa: E402
from registry.marking import Marks, new_copy_id, stamp_pdf  # noqa: E402
from registry.marking.layout import analyse_pdf  # noqa: E402

PARAGRAPH = ("Căn cứ Điều lệ Đảng, Đảng ủy hướng dẫn việc chuẩn bị nhân sự, văn kiện và tổ chức đại hội đảng bộ "
             "các cấp nhiệm kỳ 2025-2030; rà soát tiêu chuẩn chính trị của cán bộ dự kiến giới thiệu. ")


def source_document(pages: int) -> bytes:
    regular, _bold = register_reportlab_fonts()
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4)
    for number in range(1, pages + 1):
        canvas.setFont(regular, 10)
        y = 780
        for line in range(48):
            canvas.drawString(56, y, f"{number}.{line} {PARAGRAPH[:95]}")
            y -= 15
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def bare_overlay(source: bytes, marks: Marks) -> bytes:
    regular, bold = register_reportlab_fonts()
    overlay = io.BytesIO()
    canvas = Canvas(overlay, pagesize=A4)
    width, height = A4
    canvas.setFillColorRGB(0.8, 0, 0)
    canvas.setStrokeColorRGB(0.8, 0, 0)
    canvas.rect(18, height - 50, 110, 32)
    canvas.rect(21, height - 47, 104, 26)
    canvas.setFont(bold, 16)
    canvas.drawString(30, height - 40, marks.level_stamp)
    canvas.setFont(bold, 11)
    canvas.drawString(18, height - 66, marks.copy_number_text)
    canvas.setFont(regular, 7)
    canvas.drawString(18, 9, marks.trace_line)
    canvas.showPage()
    canvas.save()
    with pikepdf.open(io.BytesIO(source)) as pdf, pikepdf.open(overlay) as stamp:
        for page in pdf.pages:
            page.add_overlay(stamp.pages[0])
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    source = source_document(args.pages)
    marks = Marks(level="toi_mat", copy_number=3, copy_id=new_copy_id(), username="nguyenvana",
                  full_name="Nguyễn Văn A")
    # The layout (clear areas of every page) is found once, when the rendition is built, and stored with it.
    layout = analyse_pdf(source)
    bare_overlay(source, marks), stamp_pdf(source, marks, stamp_layout=layout)  # warm up: fonts, imports
    analysis = timed(lambda: analyse_pdf(source), args.repeat)
    bare = timed(lambda: bare_overlay(source, marks), args.repeat)
    ours = timed(lambda: stamp_pdf(source, marks, stamp_layout=layout), args.repeat)
    ratio = ours / bare
    print(f"document: {args.pages} pages, {len(source) / 1024:.0f} KiB; median of {args.repeat} runs")
    print(f"layout analysis, once per rendition:  {analysis * 1000:8.1f} ms ({analysis * 1000 / args.pages:.2f} ms/page)")
    print(f"bare reportlab + pikepdf add_overlay: {bare * 1000:8.1f} ms (fixed corner, over whatever is there)")
    print(f"registry.marking.stamp_pdf:          {ours * 1000:8.1f} ms (clear areas per page, stored layout)")
    print(f"ratio: {ratio:.2f}x (target <= 1.5x) {'OK' if ratio <= 1.5 else 'OVER TARGET'}")
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
