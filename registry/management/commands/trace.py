"""``registry trace FILE.pdf [--json] [--as USERNAME] [--password PW]``: whose copy is this?

Reads the copy id back from a leaked marked copy (metadata, else visible text) and prints the log entry that
issued it: who, which document, when, for what purpose. The lookup is itself logged (TRACE). With ``--as`` the
user must be an auditor, who (as on every audit surface, ``registry.audit.redact``) sees the document and the
entry's details up to their clearance; for a document above it, only who took the copy, when and how — no
document id, level, unit, copy number, purpose or address. Without it (the operator at the server) the entry
is printed in full.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from registry.access import Perm, can_do
from registry.actions.events import do_log_trace
from registry.audit.context import RequestContext
from registry.audit.redact import ABOVE_CLEARANCE_TEXT, Redactor
from registry.constants import CONTENT_ACTIONS, Outcome
from registry.errors import ErrorCode, NotFoundError, PermissionDeniedError, RegistryError
from registry.marking import read_copy_id

EXIT_ERROR = 2


def _document_info(document, hidden: bool) -> dict:
    if document is None:
        return {"id": None}
    if hidden:
        # Above the auditor's clearance: not even the id (the auditor's view of the log says no more).
        return {"id": None, "withheld": True}
    return {
        "id": document.pk,
        "number": document.number_raw,
        "title": document.title,
        "level": document.level,
        "issuer": document.issuer,
        "register": document.register.code if document.register_id else "",
        "serial": document.serial,
    }


def trace(data: bytes, *, viewer=None, password: str | None = None, ctx: RequestContext | None = None) -> dict:
    """The log entry that issued the copy in ``data``; raises NotFoundError for an unknown or missing copy id."""
    from registry.models import AccessLogEntry, Document, User

    copy_id = read_copy_id(data, password=password)
    entry = (
        AccessLogEntry.objects.filter(copy_id=copy_id, outcome=Outcome.OK, action__in=list(CONTENT_ACTIONS))
        .order_by("seq")
        .first()
        if copy_id
        else None
    )
    if entry is None:
        do_log_trace(viewer, ctx, copy_id=copy_id or "", found=False)
        raise NotFoundError("mã bản sao" if copy_id else "mã bản sao trong tệp")
    document = Document.objects.filter(pk=entry.document_id).select_related("register").first()
    hidden = viewer is not None and Redactor(viewer).entry_hidden(entry)
    do_log_trace(viewer, ctx, copy_id=copy_id, document=None if hidden else document, found=True,
                 entry_id=entry.pk)
    person = User.objects.filter(pk=entry.actor_id).first() if entry.actor_id else None
    details = {
        "unit": entry.actor_unit,
        "ip": entry.ip,
        "purpose": entry.purpose,
        "copy_number": (entry.extra or {}).get("copy_number"),
    }
    if hidden:
        details = dict.fromkeys(details)
    return {
        "copy_id": copy_id,
        "entry": {
            "id": entry.pk,
            "seq": entry.seq,
            "at": timezone.localtime(entry.at).isoformat(),
            "action": entry.action,
            "username": entry.actor_username,
            "full_name": person.get_full_name() if person else "",
            **details,
        },
        "document": _document_info(document, hidden),
    }


class Command(BaseCommand):
    help = "Truy vết bản sao bị lộ: đọc mã bản sao trong tệp PDF và in mục nhật ký đã cấp bản đó."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.pdf")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
        parser.add_argument("--as", dest="as_user", metavar="USERNAME", help="cán bộ bảo vệ bí mật thực hiện")
        parser.add_argument("--password", help="mật khẩu mở tệp, nếu bản sao đã được mã hóa")

    def handle(self, *args, **options):
        from registry.models import User

        try:
            viewer = None
            if options["as_user"]:
                viewer = User.objects.filter(username=options["as_user"]).select_related("unit").first()
                if viewer is None:
                    raise RegistryError(f"Không có người dùng «{options['as_user']}».", code=ErrorCode.UNKNOWN_USER)
                if not can_do(viewer, Perm.AUDIT):
                    raise PermissionDeniedError("Người dùng không có quyền truy vết bản sao.")
            path = Path(options["file"])
            if not path.is_file():
                raise RegistryError(f"Không có tệp «{path}».", code=ErrorCode.FILE_NOT_FOUND)
            result = trace(path.read_bytes(), viewer=viewer, password=options["password"],
                           ctx=RequestContext.for_cli("trace"))
        except RegistryError as error:
            self.stdout.write(json.dumps(error.as_dict(), ensure_ascii=False))
            sys.exit(EXIT_ERROR)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        entry, document = result["entry"], result["document"]
        who = entry["username"] + (f" ({entry['full_name']})" if entry["full_name"] else "")
        if document.get("withheld"):
            what = ABOVE_CLEARANCE_TEXT
        elif "title" not in document:
            what = "tài liệu không còn trong sổ"
        else:
            what = f"{document['number']} {document['title']} [{document['level']}]"
        self.stdout.write(f"Bản sao {result['copy_id']} (bản số {entry['copy_number'] or '—'}): cấp cho {who} lúc "
                          f"{entry['at']}, {what}, mục đích: {entry['purpose'] or '—'}, nhật ký #{entry['id']}.")
