"""``registry open DOC_ID --as USERNAME [--purpose …] --out FILE.pdf [--action download|preview|print] [--json]``

What the download button does, from the command line: the same policy checks, the same single log entry,
the same marked (and, per level, encrypted) copy. A document the user may not see answers exactly as one
that does not exist: {"error": {"code": "not_found", …}} and a non-zero exit.
"""

import json
import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from registry.actions.reading import do_read_document
from registry.audit.context import RequestContext
from registry.constants import Action
from registry.errors import ErrorCode, RegistryError

EXIT_ERROR = 2
ACTIONS = {"download": Action.DOWNLOAD, "preview": Action.PREVIEW, "print": Action.PRINT}


def write_private(path: Path, content: bytes) -> None:
    """Write a marked copy readable by its owner only (it is a classified copy)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)


class Command(BaseCommand):
    help = "Lấy một bản sao có đóng dấu của tài liệu (như nút Tải xuống): kiểm tra quyền, ghi nhật ký, đóng dấu."

    def add_arguments(self, parser):
        parser.add_argument("document_id", metavar="DOC_ID")
        parser.add_argument("--as", dest="as_user", required=True, metavar="USERNAME", help="người đọc")
        parser.add_argument("--purpose", default="", help="mục đích sử dụng (bắt buộc với Tối mật, Tuyệt mật)")
        parser.add_argument("--out", required=True, metavar="FILE.pdf", help="tệp PDF ghi bản sao")
        parser.add_argument("--action", choices=sorted(ACTIONS), default="download")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args, **options):
        from registry.models import User

        try:
            reader = User.objects.filter(username=options["as_user"]).select_related("unit").first()
            if reader is None:
                raise RegistryError(f"Không có người dùng «{options['as_user']}».", code=ErrorCode.UNKNOWN_USER)
            out = Path(options["out"])
            if not out.parent.is_dir():
                raise RegistryError(f"Không có thư mục «{out.parent}».", code=ErrorCode.FILE_NOT_FOUND)
            copy = do_read_document(options["document_id"], actor=reader, purpose=options["purpose"],
                                    action=ACTIONS[options["action"]], ctx=RequestContext.for_cli("open"))
        except RegistryError as error:
            self.stdout.write(json.dumps(error.as_dict(), ensure_ascii=False))
            sys.exit(EXIT_ERROR)
        write_private(out, copy.content)
        if options["json"]:
            self.stdout.write(json.dumps({"copy_id": copy.copy_id, "copy_number": copy.copy_number,
                                          "out": str(out), "password": copy.password}, ensure_ascii=False))
            return
        self.stdout.write(f"Đã ghi bản số {copy.copy_number} (mã {copy.copy_id}) vào {out}.")
        if copy.password:
            self.stdout.write(f"Mật khẩu mở tệp (chỉ hiện một lần): {copy.password}")
