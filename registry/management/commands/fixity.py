"""``registry fixity [--sample N] [--json]``: re-hash the stored objects after decryption.

Each original must hash to the SHA-256 recorded at registration; each rendition must pass its
authentication tag and be a PDF. Reports mismatched, tampered, missing and unreadable objects, writes one
access-log entry and keeps the result for the integrity panel. Exit status 0 when clean, 1 otherwise.
"""

import json

from django.core.management.base import BaseCommand

from registry.actions.maintenance import do_fixity


class Command(BaseCommand):
    help = "Kiểm tra toàn vẹn các tệp lưu trữ (giải mã rồi băm lại)."

    def add_arguments(self, parser):
        parser.add_argument("--sample", type=int, default=None, help="chỉ kiểm tra ngẫu nhiên N tài liệu")
        parser.add_argument("--actor", default="", help="tên người thực hiện ghi vào nhật ký")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        run = do_fixity(sample=options["sample"], actor=options["actor"] or None)
        result = {
            "clean": run.clean,
            "checked": run.checked,
            "ok": run.ok,
            "sample": run.sample,
            "missing": [p for p in run.problems if p["problem"] == "missing"],
            "mismatched": [p for p in run.problems if p["problem"] != "missing"],
            "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat(),
            "fixity_run": run.pk,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            verdict = "Không có sai lệch." if run.clean else f"Có {len(run.problems)} tệp sai lệch hoặc bị thiếu."
            self.stdout.write(f"Đã kiểm tra {run.checked} tệp. {verdict}")
            for p in run.problems:
                self.stdout.write(f"  tài liệu #{p['document']}: {p['name']} — {p['problem']}")
        if not run.clean:
            raise SystemExit(1)
