"""``registry restore IN [--force-keys] [--json]``: bring back an instance from ``registry backup``.

Into an empty instance (SQLite: the database file is replaced; PostgreSQL: an empty database). Every member
is checked against the manifest's SHA-256 before anything changes. Keys in the backup are put back (an
existing, different key is kept unless ``--force-keys``). The search index is rebuilt from the restored
database. Check afterwards with ``registry audit verify`` and ``registry fixity``.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.actions.maintenance import do_log_restore

from ._backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Khôi phục hệ thống từ một tệp sao lưu."

    def add_arguments(self, parser):
        parser.add_argument("source", help="tệp sao lưu")
        parser.add_argument("--force-keys", action="store_true", help="thay khóa đang có bằng khóa trong bản sao lưu")
        parser.add_argument("--actor", default="", help="tên người thực hiện ghi vào nhật ký")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        source = Path(options["source"]).resolve()
        if not source.is_file():
            raise CommandError(f"Không tìm thấy tệp sao lưu {source}")
        try:
            result = restore_backup(source, force_keys=options["force_keys"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        do_log_restore(actor=options["actor"] or None, source=str(source),
                       counts={"objects": result["objects"], "indexed": result["indexed"]})
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(f"Đã khôi phục {result['objects']} tệp lưu trữ; chỉ mục tìm kiếm: {result['indexed']} tài liệu.")
