"""``registry ocr --pending [--failed] [--actor NAME] [--json]``: read scans registered before OCR was here.

Documents registered while the OCR engine (Tesseract with Vietnamese data, OCRmyPDF) was missing carry
the flag "chưa nhận dạng chữ (OCR)". This command gives each one its text layer, searchable text and a
new sanitised rendition, through ``registry.actions.ocr`` (one log entry per document). Exit status 0
when every document was read, 1 otherwise (engine still missing, or some failed).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from registry.actions.ocr import recognise_pending


class Command(BaseCommand):
    help = "Nhận dạng chữ (OCR) cho các bản quét đã đăng ký khi chưa có bộ nhận dạng."

    def add_arguments(self, parser):
        parser.add_argument("--pending", action="store_true", help="đọc các tài liệu đang chờ nhận dạng chữ")
        parser.add_argument("--failed", action="store_true", help="thử lại cả các tài liệu nhận dạng không thành công")
        parser.add_argument("--actor", help="tên đăng nhập ghi vào nhật ký (mặc định: hệ thống)")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args, **options):
        from registry.models import User

        if not options["pending"] and not options["failed"]:
            raise CommandError("Cần --pending (hoặc --failed).")
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"Không có người dùng «{options['actor']}».")
        summary = recognise_pending(include_failed=options["failed"], actor=actor)
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        elif not summary["engine"]:
            self.stderr.write(f"Chưa có bộ nhận dạng chữ (tesseract-ocr, tesseract-ocr-vie, ocrmypdf): "
                              f"{len(summary['pending'])} tài liệu vẫn chờ.")
        else:
            self.stdout.write(f"Đã nhận dạng chữ {len(summary['done'])} tài liệu; "
                              f"không thành công {len(summary['failed'])}.")
        if not summary["engine"] or summary["failed"]:
            raise SystemExit(1)
