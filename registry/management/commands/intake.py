"""``registry intake``: register one file, or every row of a CSV manifest, through the intake pipeline.

    registry intake FILE --direction den --level mat --number "126-QĐ/TW" --type QĐ \\
        --issuer "Bộ Chính trị" --date 2018-02-28 --title "…" --actor vanthu [--json]
    registry intake --manifest FILE.csv --actor vanthu [--json]

With ``--json`` a single file prints ``{"id", "register", "serial", "sha256", …}`` or
``{"error": {"code", "message"}}``; a manifest prints ``{"registered": […], "refused": […],
"duplicates": […]}``. The exit status is 0 when nothing was refused, 1 otherwise.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.access import Perm, can_do
from registry.audit.context import RequestContext
from registry.errors import ErrorCode, PermissionDeniedError, RegistryError
from registry.intake import register_file
from registry.intake.manifest import metadata_from_row, record_summary, run_manifest
from registry.models import User

# (option, CSV column / metadata key, help) for the metadata options; flags are handled apart.
METADATA_OPTIONS = (
    ("--direction", "direction", "den (đến) hoặc di (đi)"),
    ("--level", "level", "độ mật: thuong, mat, toi_mat, tuyet_mat"),
    ("--number", "number", "số, ký hiệu, ví dụ 126-QĐ/TW; 'auto' để cấp số văn bản đi tiếp theo"),
    ("--sequence", "sequence", "dãy số khi --number auto: party (theo loại, nhiệm kỳ) hoặc congress (Đại hội)"),
    ("--type", "type", "tên loại (viết tắt), ví dụ QĐ, HD, NQ"),
    ("--issuer", "issuer", "cơ quan ban hành"),
    ("--date", "date", "ngày tháng văn bản (YYYY-MM-DD)"),
    ("--title", "title", "tên/tiêu đề tài liệu"),
    ("--summary", "summary", "trích yếu"),
    ("--urgency", "urgency", "độ khẩn: thuong, khan, thuong_khan, hoa_toc"),
    ("--location", "location", "mã vị trí lưu trữ"),
    ("--signer", "signer", "người ký"),
    ("--arrival-date", "arrival_date", "ngày đến (YYYY-MM-DD)"),
    ("--recipients", "recipients", "nơi nhận"),
    ("--copies", "copies", "số lượng bản"),
    ("--dossier", "dossier", "mã hồ sơ"),
    ("--unit", "unit", "mã đơn vị xử lý/lưu"),
    ("--notes", "notes", "ghi chú"),
    ("--level-decided-on", "level_decided_on", "ngày xác định độ mật (YYYY-MM-DD)"),
    ("--protection-years", "protection_years", "thời hạn bảo vệ (năm)"),
    ("--summary-authorised-by", "summary_authorised_by", "người cho phép ghi trích yếu (Tuyệt mật)"),
)
FLAG_OPTIONS = (
    ("--recall", "recall", "tài liệu thu hồi"),
    ("--named", "named", "chỉ người có tên mới được bóc bì"),
)


class Command(BaseCommand):
    help = "Đăng ký tài liệu từ tệp (hoặc từ danh sách CSV) qua quy trình tiếp nhận."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="tệp cần đăng ký (PDF, DOCX, ODT, văn bản, ảnh quét)")
        parser.add_argument("--manifest", help="danh sách CSV: file,direction,level,number,type,issuer,date,title,…")
        parser.add_argument("--actor", required=True, help="tên đăng nhập của văn thư đăng ký")
        parser.add_argument("--filename", help="tên tệp gốc để lưu (mặc định: tên của FILE)")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
        parser.add_argument("--no-progress", action="store_true", help="không hiện thanh tiến trình")
        for option, dest, text in METADATA_OPTIONS:
            parser.add_argument(option, dest=f"meta_{dest}", help=text)
        for option, dest, text in FLAG_OPTIONS:
            parser.add_argument(option, dest=f"meta_{dest}", action="store_true", default=None, help=text)

    def handle(self, *args, **options):
        as_json = options["json"]
        try:
            if bool(options["file"]) == bool(options["manifest"]):
                raise CommandError("Cần đúng một trong hai: FILE hoặc --manifest FILE.csv")
            actor = self._actor(options["actor"])
            if options["manifest"]:
                code = self._manifest(options, actor, as_json)
            else:
                code = self._single(options, actor, as_json)
        except RegistryError as exc:
            self._fail(exc.as_dict(), as_json)
            code = 1
        if code:
            sys.exit(code)

    def _actor(self, username):
        actor = User.objects.filter(username=username).first()
        if actor is None:
            raise RegistryError(f"Không có người dùng «{username}».", code=ErrorCode.UNKNOWN_USER)
        if not can_do(actor, Perm.REGISTER):
            raise PermissionDeniedError(f"Người dùng «{username}» không có quyền đăng ký tài liệu.")
        return actor

    def _single(self, options, actor, as_json) -> int:
        fields = {dest[len("meta_"):]: value for dest, value in options.items()
                  if dest.startswith("meta_") and value is not None}
        meta = metadata_from_row(fields)
        path = Path(options["file"])
        document = register_file(path, filename=options["filename"] or path.name, meta=meta, actor=actor,
                                 ctx=RequestContext.for_cli("intake"))
        result = {
            **record_summary(document),
            "number": document.number_raw,
            "title": document.title,
            "level": document.level,
            "mime_type": document.mime_type,
            "page_count": document.page_count,
        }
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(
                f"Đã đăng ký #{document.pk}: sổ {result['register']}, số thứ tự {document.serial}, "
                f"SHA-256 {document.sha256}"
            )
        return 0

    def _manifest(self, options, actor, as_json) -> int:
        summary = run_manifest(Path(options["manifest"]), actor=actor, ctx=RequestContext.for_cli("intake --manifest"),
                               progress=not options["no_progress"])
        if as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self.stdout.write(
                f"Đã đăng ký: {len(summary['registered'])} · Từ chối: {len(summary['refused'])} · "
                f"Trùng (bỏ qua): {len(summary['duplicates'])}"
            )
            for item in summary["refused"]:
                self.stdout.write(f"  từ chối  {item['file']}: [{item['code']}] {item['message']}")
            for item in summary["duplicates"]:
                self.stdout.write(f"  trùng    {item['file']}: đã có tài liệu #{item['existing_id']}")
        return 1 if summary["refused"] else 0

    def _fail(self, body, as_json):
        if as_json:
            self.stdout.write(json.dumps(body, ensure_ascii=False))
        else:
            error = body["error"]
            self.stderr.write(f"Lỗi [{error['code']}]: {error['message']}")
