"""``registry grants``: need-to-know grants from the console (the local operator).

    registry grants add --user USERNAME (--document ID | --dossier CODE) --until YYYY-MM-DD --reason "…" [--json]
    registry grants list [--user USERNAME] [--all] [--json]
    registry grants revoke ID [--json]
"""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from registry.actions.people import do_add_grant, do_revoke_grant
from registry.audit.context import RequestContext
from registry.errors import ErrorCode, MetadataError, RegistryError
from registry.models import Document, Dossier, Grant, User


def _grant_dict(g: Grant) -> dict:
    return {"id": g.pk, "user": g.user.username, "document": g.document_id,
            "dossier": g.dossier.code if g.dossier_id else None, "until": g.valid_until.isoformat(),
            "reason": g.reason, "revoked": g.revoked_at is not None}


class Command(BaseCommand):
    help = "Quản lý quyền tiếp cận (cần biết) đối với tài liệu Tối mật, Tuyệt mật."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        add = sub.add_parser("add", help="cấp quyền")
        add.add_argument("--user", required=True)
        target = add.add_mutually_exclusive_group(required=True)
        target.add_argument("--document", type=int)
        target.add_argument("--dossier")
        add.add_argument("--until", required=True, help="YYYY-MM-DD")
        add.add_argument("--reason", required=True)
        add.add_argument("--approver", default="", help="người phê duyệt (bắt buộc với tài liệu Tuyệt mật trên web)")
        add.add_argument("--decision", default="", help="số văn bản phê duyệt")
        add.add_argument("--json", action="store_true")
        ls = sub.add_parser("list", help="liệt kê quyền còn hiệu lực")
        ls.add_argument("--user", default="")
        ls.add_argument("--all", action="store_true", help="cả quyền đã thu hồi, hết hạn")
        ls.add_argument("--json", action="store_true")
        rv = sub.add_parser("revoke", help="thu hồi quyền")
        rv.add_argument("id", type=int)
        rv.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        try:
            return getattr(self, "_" + options["subcommand"])(options)
        except RegistryError as error:
            if options.get("json"):
                self.stdout.write(json.dumps(error.as_dict(), ensure_ascii=False))
                raise SystemExit(1) from None
            raise CommandError(f"{error.code}: {error.message}") from None

    def _emit(self, options, data, text):
        self.stdout.write(json.dumps(data, ensure_ascii=False) if options["json"] else text)

    def _add(self, options):
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise RegistryError(f"Không có người dùng «{options['user']}».", code=ErrorCode.UNKNOWN_USER)
        try:
            until = dt.date.fromisoformat(options["until"])
        except ValueError:
            raise MetadataError(f"Ngày không hợp lệ: «{options['until']}» (YYYY-MM-DD)", field="until") from None
        document = dossier = None
        if options["document"]:
            document = Document.objects.filter(pk=options["document"]).first()
            if document is None:
                raise RegistryError("Không tìm thấy (tài liệu).", code=ErrorCode.NOT_FOUND)
        else:
            dossier = Dossier.objects.filter(code=options["dossier"]).first()
            if dossier is None:
                raise MetadataError(f"Không có hồ sơ «{options['dossier']}»", field="dossier",
                                    code=ErrorCode.UNKNOWN_DOSSIER)
        approval = None
        if options["approver"]:  # a second person's approval, recorded with the grant (tuyet_mat)
            from registry.actions.approvals import ApprovalInput

            approval = ApprovalInput(approver=options["approver"], decision_ref=options["decision"])
        grant = do_add_grant(user, until=until, reason=options["reason"], document=document, dossier=dossier,
                             actor=None, ctx=RequestContext.for_cli("grants add"), approval=approval)
        self._emit(options, _grant_dict(grant), f"Đã cấp quyền #{grant.pk} cho {user.username} đến {until:%d/%m/%Y}")

    def _list(self, options):
        qs = Grant.objects.select_related("user", "dossier").order_by("id")
        if options["user"]:
            qs = qs.filter(user__username=options["user"])
        if not options["all"]:
            qs = qs.filter(revoked_at__isnull=True, valid_until__gte=timezone.localdate())
        rows = [_grant_dict(g) for g in qs]
        text = "\n".join(
            f"#{r['id']} {r['user']} → {'tài liệu ' + str(r['document']) if r['document'] else 'hồ sơ ' + r['dossier']}"
            f" đến {r['until']}{' (đã thu hồi)' if r['revoked'] else ''}: {r['reason']}" for r in rows
        ) or "Không có quyền nào."
        self._emit(options, rows, text)

    def _revoke(self, options):
        grant = Grant.objects.select_related("user", "dossier").filter(pk=options["id"]).first()
        if grant is None:
            raise RegistryError(f"Không có quyền #{options['id']}.", code=ErrorCode.NOT_FOUND)
        grant = do_revoke_grant(grant, actor=None, ctx=RequestContext.for_cli("grants revoke"))
        self._emit(options, _grant_dict(grant), f"Đã thu hồi quyền #{grant.pk}")
