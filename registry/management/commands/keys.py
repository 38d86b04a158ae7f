"""``registry keys status|rotate|seal [--limit N] [--batch N] [--keep-old] [--json]``: the encryption keys.

``seal`` encrypts what an instance made before encryption at rest holds in clear: stored objects written
as plain files, and the extracted text of mat+ documents (idempotent; run once after upgrading).
``rotate`` re-wraps every document's data key under a new key-encryption key (KEK); the stored files are
not re-encrypted. It commits batch by batch: an interrupted rotation is resumed by running it again (it
first finishes the keys still under an older KEK, and only then starts a new rotation). With the KEK in the
keys folder, ``rotate`` makes the new KEK itself and deletes the old one once nothing needs it. With the KEK
from the environment, set the new one in REGISTRY_KEK and the old one in REGISTRY_KEK_PREVIOUS, run
``rotate``, then remove REGISTRY_KEK_PREVIOUS.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from registry.errors import RegistryError


class Command(BaseCommand):
    help = "Khóa mã hóa dữ liệu: xem trạng thái, đổi khóa mã hóa chính (rotate)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["status", "rotate", "seal"])
        parser.add_argument("--limit", type=int, default=None, help="đổi tối đa N khóa dữ liệu lần này")
        parser.add_argument("--batch", type=int, default=200, help="số khóa mỗi giao dịch")
        parser.add_argument("--keep-old", action="store_true", help="giữ khóa chính cũ sau khi đổi xong")
        parser.add_argument("--actor", default="", help="tên người thực hiện ghi vào nhật ký")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        try:
            handler = {"status": self._status, "rotate": self._rotate, "seal": self._seal}[options["what"]]
            result = handler(options)
        except RegistryError as error:
            if options["json"]:
                self.stdout.write(json.dumps(error.as_dict(), ensure_ascii=False))
            raise CommandError(error.message) from error
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")

    def _seal(self, options) -> dict:
        """Encrypt what an instance made before encryption at rest still holds in clear (idempotent)."""
        from registry.vault.core import seal_legacy

        return seal_legacy()

    def _status(self, options=None) -> dict:
        from registry.models import DataKey
        from registry.vault import load_keyring

        keyring = load_keyring()
        by_kek = dict(DataKey.objects.values_list("kek_id").annotate(n=Count("id")).values_list("kek_id", "n"))
        return {"current_kek": keyring.current_id, "source": keyring.source, "known_keks": sorted(keyring.keys),
                "data_keys": sum(by_kek.values()), "by_kek": by_kek,
                "pending": sum(n for k, n in by_kek.items() if k != keyring.current_id)}

    def _rotate(self, options) -> dict:
        from registry.actions.maintenance import do_rotate_keys
        from registry.models import DataKey
        from registry.vault import keys as vault_keys

        keyring = vault_keys.load_keyring()
        started_new = None
        pending = DataKey.objects.exclude(kek_id=keyring.current_id).exists()
        if not pending:
            if keyring.source != "dir":
                raise CommandError("Khóa chính lấy từ biến môi trường: đặt khóa mới vào REGISTRY_KEK, khóa cũ vào "
                                   "REGISTRY_KEK_PREVIOUS rồi chạy lại.")
            started_new = vault_keys.add_dir_key()
        else:
            self.stderr.write("Tiếp tục lần đổi khóa chưa xong.")
        summary = do_rotate_keys(actor=options["actor"] or None, limit=options["limit"], batch=options["batch"])
        retired = []
        if summary["remaining"] == 0 and keyring.source == "dir" and not options["keep_old"]:
            retired = vault_keys.retire_dir_keys(keep=summary["kek_id"])
        elif summary["remaining"] == 0 and keyring.source != "dir":
            self.stderr.write("Đã đổi xong: hãy xóa REGISTRY_KEK_PREVIOUS khỏi cấu hình.")
        return {**summary, "new_kek": started_new, "retired": retired}
