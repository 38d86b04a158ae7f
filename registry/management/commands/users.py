"""``registry users``: add people and issue API tokens from the console (the local operator).

    registry users add USERNAME --role clerk|staff|auditor|admin --clearance LEVEL --unit "…"
                       [--password …] [--full-name …] [--email …] [--json]
    registry users token USERNAME [--json]
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
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--clearance", required=True, choices=Level.values)
        add.add_argument("--unit", default="")
        add.add_argument("--password", default=None)
        add.add_argument("--full-name", default="")
        add.add_argument("--email", default="")
        add.add_argument("--json", action="store_true")
        token = sub.add_parser("token", help="cấp (hoặc xem) token API của một người dùng")
        token.add_argument("username")
        token.add_argument("--rotate", action="store_true", help="thu hồi token cũ và cấp token mới")
        token.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        try:
            if options["subcommand"] == "add":
                return self._add(options)
            return self._token(options)
        except RegistryError as error:
            if options.get("json"):
                self.stdout.write(json.dumps(error.as_dict(), ensure_ascii=False))
                raise SystemExit(1) from None
            raise CommandError(f"{error.code}: {error.message}") from None

    def _add(self, options):
        user = do_add_user(options["username"], role=options["role"], clearance=options["clearance"],
                           unit=options["unit"], password=options["password"], full_name=options["full_name"],
                           email=options["email"], actor=None, ctx=RequestContext.for_cli("users add"))
        result = {"id": user.pk, "username": user.username, "role": user.role, "clearance": user.clearance,
                  "unit": user.unit.code if user.unit_id else ""}
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(f"{user.username}: {user.get_role_display()}, mức {user.get_clearance_display()}")

    def _token(self, options):
        from registry.actions.people import do_issue_api_token

        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            from registry.errors import ErrorCode

            raise RegistryError(f"Không có người dùng «{options['username']}».", code=ErrorCode.UNKNOWN_USER)
        token, created = do_issue_api_token(user, rotate=options["rotate"], ctx=RequestContext.for_cli("users token"))
        if options["json"]:
            self.stdout.write(json.dumps({"username": user.username, "token": token.key, "created": created}))
        else:
            self.stdout.write(token.key)
