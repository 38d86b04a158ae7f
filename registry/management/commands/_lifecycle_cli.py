"""Shared parts of the lifecycle commands (copies, handover, loans, meetings, level, destroy, approvals,
lifecycle): actor, approval and date options, and the error shape of ``registry intake``
(``{"error": {"code", "message"}}`` with ``--json``, exit status 1)."""

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.actions.approvals import ApprovalInput, Paper
from registry.audit.context import RequestContext
from registry.errors import ErrorCode, MetadataError, NotFoundError, RegistryError
from registry.models import ApprovalPaper, Document, User


def parse_date(value, field="date"):
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise MetadataError(f"Ngày không hợp lệ: «{value}» (YYYY-MM-DD)", field=field) from None


def parse_datetime(value, field="due"):
    if value in (None, ""):
        return None
    from django.utils import timezone

    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise MetadataError(f"Thời điểm không hợp lệ: «{value}» (YYYY-MM-DD hoặc YYYY-MM-DDTHH:MM)",
                            field=field) from None
    if len(value) == 10:
        parsed = parsed.replace(hour=17)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


class LifecycleCommand(BaseCommand):
    """Subcommands call ``self._<name>(options)``; a RegistryError becomes the intake error shape."""

    command_name = ""

    def add_common(self, parser, *, actor=True, approval=False, today=True):
        parser.add_argument("--json", action="store_true", help="kết quả dạng JSON")
        if actor:
            parser.add_argument("--actor", required=True, help="người thực hiện (văn thư)")
        if today:
            parser.add_argument("--today", default="", help="ngày thực hiện YYYY-MM-DD (mặc định: hôm nay)")
        if approval:
            parser.add_argument("--approver", default="", help="người phê duyệt (tên đăng nhập)")
            parser.add_argument("--decision", default="", help="số văn bản/quyết định phê duyệt")
            parser.add_argument("--approved-on", default="", help="ngày phê duyệt YYYY-MM-DD")
            parser.add_argument("--paper", action="append", default=[],
                                help="văn bản kèm theo: [decision|council|items|minutes|other:]TỆP (lặp lại được)")

    def handle(self, *args, **options):
        try:
            if "subcommand" in options and options["subcommand"]:
                return getattr(self, "_" + options["subcommand"].replace("-", "_"))(options)
            return self.run(options)
        except RegistryError as error:
            if options.get("json"):
                self.stdout.write(json.dumps(error.as_dict(), ensure_ascii=False))
                raise SystemExit(1) from None
            raise CommandError(f"{error.code}: {error.message}") from None

    def run(self, options):
        """The act of a command without subcommands (overridden there); a command with subcommands lands here
        only when none was given."""
        raise CommandError(f"Thiếu lệnh con: xem «registry {self.command_name} --help».")

    # --- helpers ---
    def ctx(self):
        return RequestContext.for_cli(self.command_name)

    def emit(self, options, data, text):
        self.stdout.write(json.dumps(data, ensure_ascii=False, default=str) if options.get("json") else text)

    def user(self, username, field="user") -> User:
        user = User.objects.filter(username=username, is_active=True).first() if username else None
        if user is None:
            raise MetadataError(f"Không có người dùng «{username}».", field=field, code=ErrorCode.UNKNOWN_USER)
        return user

    def actor(self, options) -> User:
        return self.user(options["actor"], "actor")

    def document(self, document_id) -> Document:
        document = Document.objects.filter(pk=document_id).first()
        if document is None:
            raise NotFoundError("tài liệu")
        return document

    def today(self, options):
        return parse_date(options.get("today"), "today")

    def now(self, options):
        from registry.actions.lifecycle import _now

        return _now(today=self.today(options))

    def approval(self, options):
        if not options.get("approver"):
            return None
        papers = []
        for item in options.get("paper") or []:
            kind, _sep, path = item.partition(":") if ":" in item and item.split(":", 1)[0] in \
                ApprovalPaper.Kind.values else ("decision", ":", item)
            file = Path(path)
            if not file.is_file():
                raise MetadataError(f"Không đọc được tệp «{path}».", field="paper", code=ErrorCode.FILE_NOT_FOUND)
            papers.append(Paper(name=file.name, content=file.read_bytes(), kind=kind))
        return ApprovalInput(approver=self.user(options["approver"], "approver"), decision_ref=options["decision"],
                             approved_on=parse_date(options.get("approved_on"), "approved_on") or self.today(options),
                             papers=tuple(papers))
