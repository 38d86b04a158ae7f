"""``registry backup OUT [--include-keys] [--json]``: a consistent copy of this instance in one tar file.

Holds the database (SQLite: the online backup API; PostgreSQL: a logical dump in one transaction), every
stored object the database names (as stored: encrypted), and the public keys of the signed checkpoints.
The secret keys (the key-encryption key of the stored files, the checkpoint signing key) go in only with
``--include-keys``: such a backup opens every secret document and must be kept like the keys themselves.
Without them, restoring needs the keys from their own safe place (REGISTRY_KEK / the keys folder).
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.actions.maintenance import do_log_backup

from ._backup import BackupError, make_backup

KEYS_WARNING = ("CẢNH BÁO: bản sao lưu này chứa khóa mã hóa và khóa ký. Ai có tệp này đọc được mọi tài liệu "
                "mật đã lưu: hãy cất giữ nó như chính các khóa, tách khỏi các bản sao lưu thường.")


class Command(BaseCommand):
    help = "Sao lưu toàn bộ hệ thống (cơ sở dữ liệu, tệp lưu trữ, khóa công khai) vào một tệp."

    def add_arguments(self, parser):
        parser.add_argument("out", help="tệp sao lưu (.tar hoặc .tar.gz)")
        parser.add_argument("--include-keys", action="store_true", help="kèm cả khóa bí mật (cảnh báo!)")
        parser.add_argument("--actor", default="", help="tên người thực hiện ghi vào nhật ký")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        out = Path(options["out"]).resolve()
        if options["include_keys"]:
            sys.stderr.write(KEYS_WARNING + "\n")
        try:
            manifest = make_backup(out, include_keys=options["include_keys"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = {"objects": manifest["objects"], "missing_objects": len(manifest["missing_objects"]),
                  "vendor": manifest["vendor"]}
        do_log_backup(actor=options["actor"] or None, out=str(out), counts=counts,
                      with_keys=options["include_keys"])
        result = {"out": str(out), "include_keys": options["include_keys"], **counts,
                  "missing": manifest["missing_objects"]}
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(f"Đã sao lưu vào {out}: {manifest['objects']} tệp lưu trữ.")
            for name in manifest["missing_objects"]:
                self.stdout.write(f"  thiếu tệp: {name}")
