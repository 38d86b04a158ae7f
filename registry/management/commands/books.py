"""``registry books print``: print a register book as PDF or CSV (domain.md §4).

    registry books print --direction den|di --secret|--ordinary --year 2020 --format pdf|csv --out FILE [--as USERNAME]

With ``--as USERNAME`` the printout holds only what that user may see (exactly as in the admin) and the
BOOK_PRINT entry names that user. Without it, the local operator — the person who has the machine and its
database — prints the full official book; the entry has no actor and its user agent names the OS user.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.access import Perm
from registry.actions.guard import require_role
from registry.audit.context import RequestContext
from registry.constants import Action
from registry.errors import PermissionDeniedError
from registry.models import RegisterBook, User
from registry.registers.books import FORMATS, LOCAL_OPERATOR, print_book


class Command(BaseCommand):
    help = "In sổ đăng ký (PDF hoặc CSV)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        p = sub.add_parser("print", help="In một sổ đăng ký")
        p.add_argument("--book", default="", choices=["", "copies", "handovers", "use"],
                       help="sổ vòng đời: sao chụp, chuyển giao, sử dụng bản lưu (thay cho --direction)")
        p.add_argument("--direction", choices=["den", "di"])
        kind = p.add_mutually_exclusive_group()
        kind.add_argument("--secret", dest="secret", action="store_true", help="sổ đăng ký bí mật nhà nước")
        kind.add_argument("--ordinary", dest="secret", action="store_false", help="sổ văn bản thường")
        p.set_defaults(secret=None)
        p.add_argument("--year", required=True, type=int)
        p.add_argument("--book-number", type=int, default=1)
        p.add_argument("--format", dest="fmt", choices=sorted(FORMATS), default="pdf")
        p.add_argument("--out", required=True, help="tệp đầu ra")
        p.add_argument("--as", dest="as_user", default="", help="in với phạm vi tiếp cận của người dùng này")
        p.add_argument("--json", action="store_true", help="print a JSON summary")

    def handle(self, *args, **options):
        if options["book"]:
            return self._lifecycle_book(options)
        if not options["direction"] or options["secret"] is None:
            raise CommandError("Cần --direction và --secret hoặc --ordinary (hoặc --book).")
        book = RegisterBook.objects.filter(direction=options["direction"], secret=options["secret"],
                                           year=options["year"], book_number=options["book_number"]).first()
        if book is None:
            raise CommandError("Không có sổ này.")
        if options["as_user"]:
            user = User.objects.filter(username=options["as_user"], is_active=True).first()
            if user is None:
                raise CommandError(f"Không có người dùng «{options['as_user']}».")
            try:  # the refusal is logged (one entry), as on the web
                require_role(Perm.PRINT_BOOK, Action.BOOK_PRINT, actor=user, ctx=RequestContext.for_cli("books print"),
                             extra={"book_id": str(book.pk)})
            except PermissionDeniedError:
                raise CommandError(f"Người dùng «{user.username}» không có quyền in sổ.") from None
        else:
            user = LOCAL_OPERATOR
        printed = print_book(book, user, fmt=options["fmt"], ctx=RequestContext.for_cli("books print"))
        out = Path(options["out"])
        out.write_bytes(printed.content)
        summary = {"book": book.code, "title": str(book.title), "format": options["fmt"], "rows": printed.rows,
                   "out": str(out), "log_entry": printed.entry_id}
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self.stdout.write(f"{book.title}: {printed.rows} mục → {out}")

    def _lifecycle_book(self, options):
        """The copy, hand-over and use-of-archived-copy registers (registry.registers.lifecycle_books)."""
        from registry.registers.lifecycle_books import print_register

        user = LOCAL_OPERATOR
        if options["as_user"]:
            user = User.objects.filter(username=options["as_user"], is_active=True).first()
            if user is None:
                raise CommandError(f"Không có người dùng «{options['as_user']}».")
            try:  # the refusal is logged (one entry)
                require_role(Perm.PRINT_BOOK, Action.BOOK_PRINT, actor=user, ctx=RequestContext.for_cli("books print"),
                             extra={"book": options["book"]})
            except PermissionDeniedError:
                raise CommandError(f"Người dùng «{user.username}» không có quyền in sổ.") from None
        printed = print_register(options["book"], options["year"], user, fmt=options["fmt"],
                                 ctx=RequestContext.for_cli("books print"))
        out = Path(options["out"])
        out.write_bytes(printed.content)
        summary = {"book": options["book"], "year": options["year"], "format": options["fmt"], "rows": printed.rows,
                   "out": str(out), "log_entry": printed.entry_id}
        self.stdout.write(json.dumps(summary, ensure_ascii=False) if options["json"]
                          else f"{printed.filename}: {printed.rows} dòng → {out}")
