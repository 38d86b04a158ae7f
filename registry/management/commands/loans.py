"""``registry loans``: taking a document out of storage, with its approval, a due date and its return.

    registry loans add DOC --borrower USER --due YYYY-MM-DD[THH:MM] --purpose "…" --approver USER
                       --decision REF --actor CLERK [--copy N] [--today D] [--json]
    registry loans return LOAN_ID --actor CLERK [--today D] [--json]
    registry loans list [--open] [--overdue] --actor USER [--today D] [--json]
"""

from django.utils import timezone

from registry.access import visible_documents
from registry.actions.events import do_log_list
from registry.actions.guard import visible_or_refuse
from registry.actions.lifecycle import do_lend, do_return
from registry.constants import Action
from registry.errors import MetadataError
from registry.management.commands._lifecycle_cli import LifecycleCommand, parse_datetime
from registry.models import Loan


def loan_dict(loan: Loan, now=None) -> dict:
    now = now or timezone.now()
    late_at = loan.returned_at or now
    return {"id": loan.pk, "document": loan.document_id, "borrower": loan.borrower.username,
            "out_at": loan.out_at.isoformat(), "due_at": loan.due_at.isoformat(),
            "returned_at": loan.returned_at.isoformat() if loan.returned_at else None,
            "late": late_at > loan.due_at, "meeting": loan.meeting_id,
            "approver": loan.approval.approver.username if loan.approval_id else None}


class Command(LifecycleCommand):
    help = "Cho mượn tài liệu (có phê duyệt, hạn trả), ghi trả, liệt kê."
    command_name = "loans"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        add = sub.add_parser("add", help="cho mượn")
        add.add_argument("document", type=int)
        add.add_argument("--borrower", required=True)
        add.add_argument("--due", required=True)
        add.add_argument("--purpose", required=True)
        add.add_argument("--copy", type=int, default=None)
        self.add_common(add, approval=True)
        ret = sub.add_parser("return", help="ghi trả")
        ret.add_argument("loan", type=int)
        self.add_common(ret)
        ls = sub.add_parser("list", help="liệt kê")
        ls.add_argument("--open", action="store_true")
        ls.add_argument("--overdue", action="store_true")
        self.add_common(ls)

    def _add(self, o):
        actor = self.actor(o)
        doc = visible_or_refuse(Action.LOAN, o["document"], actor=actor, ctx=self.ctx())
        loan = do_lend(doc, borrower=self.user(o["borrower"], "borrower"), due_at=parse_datetime(o["due"], "due"),
                       purpose=o["purpose"], approval=self.approval(o), copy=o["copy"], actor=actor,
                       ctx=self.ctx(), now=self.now(o))
        self.emit(o, loan_dict(loan), f"Đã ghi cho mượn #{loan.pk}, hạn trả {timezone.localtime(loan.due_at):%d/%m/%Y %H:%M}")

    def _return(self, o):
        actor = self.actor(o)
        loan = Loan.objects.filter(pk=o["loan"]).select_related("document").first()
        if loan is None:
            raise MetadataError("Không có lần mượn này.", field="loan")
        visible_or_refuse(Action.RETURN, loan.document_id, actor=actor, ctx=self.ctx())
        loan = do_return(loan, actor=actor, ctx=self.ctx(), now=self.now(o))
        data = loan_dict(loan)
        self.emit(o, data, "Đã ghi trả" + (" (trễ hạn)." if data["late"] else "."))

    def _list(self, o):
        actor = self.actor(o)
        now = self.now(o)
        qs = Loan.objects.filter(document__in=visible_documents(actor)).select_related("borrower", "approval__approver")
        if o["open"] or o["overdue"]:
            qs = qs.filter(returned_at__isnull=True)
        if o["overdue"]:
            qs = qs.filter(due_at__lt=now)
        loans = [loan_dict(loan, now) for loan in qs.order_by("due_at", "pk")]
        do_log_list(actor, self.ctx(), result_count=len(loans), view="loans")  # the list names documents
        self.emit(o, {"loans": loans}, "\n".join(
            f"#{x['id']} tài liệu {x['document']} — {x['borrower']} — hạn {x['due_at']}"
            + (" — đã trả" if x["returned_at"] else "") for x in loans) or "Không có.")
