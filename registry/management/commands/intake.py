"""``registry intake``: register one file, or every row of a CSV manifest, through the intake pipeline.

    registry intake FILE --direction den --level mat --number "126-QĐ/TW" --type QĐ \\
        --issuer "Bộ Chính trị" --date 2018-02-28 --title "…" --actor vanthu [--json]
    registry intake --manifest FILE.csv --actor vanthu [--json]
    registry intake --manifest-template > danh-sach.csv

The metadata options come from the registration schema (``registry.intake.schema``), as do the web form,
the API and the manifest columns. ``--pdf-password -`` asks for the password without echoing it.

With ``--json`` a single file prints ``{"id", "register", "serial", "sha256", …}`` or
``{"error": {"code", "message"}}``; a manifest prints ``{"registered": […], "refused": […],
"duplicates": […]}``. The exit status is 0 when nothing was refused, 1 otherwise.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.access import Perm
from registry.audit.context import RequestContext
from registry.actions.documents import DocumentMetadata
from registry.errors import ErrorCode, RegistryError
from registry.intake import register_file
from registry.intake.manifest import manifest_header, record_summary, run_manifest
from registry.intake.schema import CLI_FIELDS, Kind, cli_help, split_values
from registry.models import User


class Command(BaseCommand):
    help = "Đăng ký tài liệu từ tệp (hoặc từ danh sách CSV) qua quy trình tiếp nhận."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="tệp cần đăng ký (PDF, DOCX, ODT, văn bản, ảnh quét)")
        parser.add_argument("--manifest", help="danh sách CSV: file,direction,level,number,type,issuer,date,title,…")
        parser.add_argument("--actor", help="tên đăng nhập của văn thư đăng ký (bắt buộc khi đăng ký)")
        parser.add_argument("--filename", help="tên tệp gốc để lưu (mặc định: tên của FILE)")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
        parser.add_argument("--no-progress", action="store_true", help="không hiện thanh tiến trình")
        parser.add_argument("--manifest-template", action="store_true",
                            help="in dòng tiêu đề của tệp danh sách CSV (mọi cột nhận được) rồi thoát")
        for spec in CLI_FIELDS:
            if spec.kind == Kind.BOOLEAN:
                parser.add_argument(spec.option, dest=spec.dest, action="store_true", default=None,
                                    help=cli_help(spec))
            else:
                parser.add_argument(spec.option, dest=spec.dest, metavar=spec.metavar, help=cli_help(spec))

    def handle(self, *args, **options):
        as_json = options["json"]
        if options["manifest_template"]:
            from registry.csv_safe import safe_writer

            safe_writer(self.stdout).writerow(manifest_header())
            return
        try:
            if bool(options["file"]) == bool(options["manifest"]):
                raise CommandError("Cần đúng một trong hai: FILE hoặc --manifest FILE.csv")
            if not options["actor"]:
                raise CommandError("Cần --actor: tên đăng nhập của văn thư đăng ký.")
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
        from registry.actions.guard import require_role  # the refusal is logged (one entry)
        from registry.constants import Action

        require_role(Perm.REGISTER, Action.REGISTER, actor=actor, ctx=RequestContext.for_cli("intake"))
        return actor

    def _single(self, options, actor, as_json) -> int:
        given = {spec.name: options[spec.dest] for spec in CLI_FIELDS if options.get(spec.dest) is not None}
        if given.get("pdf_password") == "-":
            import getpass

            given["pdf_password"] = getpass.getpass("Mật khẩu tệp PDF: ")
        values, intake_options, _file = split_values(given)
        meta = DocumentMetadata.from_mapping(values)
        path = Path(options["file"])
        try:
            document = register_file(path, filename=options["filename"] or path.name, meta=meta, actor=actor,
                                     ctx=RequestContext.for_cli("intake"), **intake_options)
        except RegistryError as exc:
            if exc.code == ErrorCode.SAME_NUMBER:
                exc.message += " Dòng lệnh: thêm --allow-same-number."
            raise
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
                # existing_id is None when the actor may not see that record (the guard decided).
                known = (f": đã có tài liệu #{item['existing_id']}" if item.get("existing_id")
                         else ": đã đăng ký trước đó")
                self.stdout.write(f"  trùng    {item['file']}{known}")
        return 1 if summary["refused"] else 0

    def _fail(self, body, as_json):
        if as_json:
            self.stdout.write(json.dumps(body, ensure_ascii=False))
        else:
            error = body["error"]
            self.stderr.write(f"Lỗi [{error['code']}]: {error['message']}")
