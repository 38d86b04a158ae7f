"""``registry users``: add people and issue API tokens from the console (the local operator).

    registry users add USERNAME --role clerk|staff|auditor|admin --clearance LEVEL --unit "…"
                       [--password …] [--full-name …] [--email …] [--superuser] [--json]
    registry users add USERNAME --superuser      (role admin, clearance thuong unless given)
    registry users token USERNAME [--json]
    registry users unlock USERNAME [--json]        (before the login lockout's cool-off ends)
    registry users reset-2fa USERNAME [--json]     (a lost TOTP device: the person enrols again)
"""

import json

from django.core.management.base import BaseCommand, CommandError

from registry.actions.people import do_add_user
from registry.audit.context import RequestContext
from registry.constants import Level, Role
from registry.errors import RegistryError
from registry.models import User


class Command(BaseCommand):
    help = "Quản lý người dùng: thêm người dùng, cấp token API."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        add = sub.add_parser("add", help="thêm hoặc cập nhật một người dùng")
        add.add_argument("username")
        add.add_argument("--role", choices=Role.values)
        add.add_argument("--clearance", choices=Level.values)
        add.add_argument("--superuser", action="store_true",
                         help="quản trị tối cao (chỉ tạo được trên máy chủ; không nâng mức được tiếp cận)")
        add.add_argument("--unit", default="")
        add.add_argument("--password", default=None)
        add.add_argument("--full-name", default="")
        add.add_argument("--email", default="")
        add.add_argument("--json", action="store_true")
        token = sub.add_parser("token", help="cấp token API mới cho một người dùng (token cũ hết hiệu lực)")
        token.add_argument("username")
        token.add_argument("--rotate", action="store_true", help="(luôn như vậy) thu hồi token cũ và cấp token mới")
        token.add_argument("--json", action="store_true")
        for name, text in (("unlock", "mở khóa đăng nhập (trước khi hết thời gian khóa)"),
                           ("reset-2fa", "xóa thiết bị xác thực hai lớp (mất điện thoại): đăng ký lại")):
            account = sub.add_parser(name, help=text)
            account.add_argument("username")
            account.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        try:
            if options["subcommand"] == "add":
                return self._add(options)
            if options["subcommand"] in ("unlock", "reset-2fa"):
                return self._account(options)
            return self._token(options)
        except RegistryError as error:
            if options.get("json"):
                self.stdout.write(json.dumps(error.as_dict(), ensure_ascii=False))
                raise SystemExit(1) from None
            raise CommandError(f"{error.code}: {error.message}") from None

    def _add(self, options):
        role, clearance = options["role"], options["clearance"]
        if options["superuser"]:
            # Superuser status opens Wagtail's screens, never a document: clearance stays what is given.
            role, clearance = role or Role.ADMIN, clearance or Level.THUONG
        elif not role or not clearance:
            raise CommandError("Cần --role và --clearance (hoặc --superuser).")
        user = do_add_user(options["username"], role=role, clearance=clearance,
                           unit=options["unit"], password=options["password"], full_name=options["full_name"],
                           email=options["email"], superuser=options["superuser"], actor=None,
                           ctx=RequestContext.for_cli("users add"))
        result = {"id": user.pk, "username": user.username, "role": user.role, "clearance": user.clearance,
                  "unit": user.unit.code if user.unit_id else ""}
        if user.is_superuser:
            result["superuser"] = True
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(f"{user.username}: {user.get_role_display()}, mức {user.get_clearance_display()}")

    def _token(self, options):
        from registry.actions.accounts import do_issue_api_token

        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            from registry.errors import ErrorCode

            raise RegistryError(f"Không có người dùng «{options['username']}».", code=ErrorCode.UNKNOWN_USER)
        # Only a hash is stored, so an existing token cannot be shown again: every call issues a new one.
        token, secret = do_issue_api_token(user, ctx=RequestContext.for_cli("users token"))
        if options["json"]:
            self.stdout.write(json.dumps({"username": user.username, "token": secret, "created": True,
                                          "expires": token.expires_at.isoformat()}))
        else:
            self.stdout.write(secret)

    def _account(self, options):
        from registry.actions.accounts import do_reset_second_factor, do_unlock_login
        from registry.errors import ErrorCode

        ctx = RequestContext.for_cli(f"users {options['subcommand']}")
        username = options["username"]
        if options["subcommand"] == "unlock":
            count = do_unlock_login(username, ctx=ctx)
        else:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise RegistryError(f"Không có người dùng «{username}».", code=ErrorCode.UNKNOWN_USER)
            count = do_reset_second_factor(user, ctx=ctx)
        if options["json"]:
            self.stdout.write(json.dumps({"username": username, options["subcommand"]: True, "removed": count}))
        else:
            self.stdout.write(f"{username}: {options['subcommand']} ({count})")
