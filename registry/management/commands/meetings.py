"""``registry meetings``: congress mode — delegates, materials handed to each, reconciliation after.

    registry meetings add --title "…" [--session "…"] --starts YYYY-MM-DDTHH:MM --ends YYYY-MM-DDTHH:MM
                          --delegate USER [--delegate USER …] --actor CLERK [--json]
    registry meetings hand-out MEETING_ID --document DOC --delegate USER [...] --approver USER --decision REF
                               --actor CLERK [--today D] [--json]
    registry meetings reconcile MEETING_ID [--returned USER:DOC …] --actor CLERK [--today D] [--json]
"""

from registry.actions.guard import visible_or_refuse
from registry.actions.meetings import do_add_meeting, do_hand_out, do_reconcile
from registry.constants import Action
from registry.errors import MetadataError
from registry.management.commands._lifecycle_cli import LifecycleCommand, parse_datetime
from registry.models import Meeting


class Command(LifecycleCommand):
    help = "Cuộc họp: đại biểu, tài liệu phát cho từng đại biểu, đối chiếu thu hồi sau phiên họp."
    command_name = "meetings"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        add = sub.add_parser("add")
        add.add_argument("--title", required=True)
        add.add_argument("--session", default="")
        add.add_argument("--starts", required=True)
        add.add_argument("--ends", required=True)
        add.add_argument("--delegate", action="append", default=[])
        self.add_common(add, today=False)
        out = sub.add_parser("hand-out")
        out.add_argument("meeting", type=int)
        out.add_argument("--document", type=int, required=True)
        out.add_argument("--delegate", action="append", default=[])
        self.add_common(out, approval=True)
        rec = sub.add_parser("reconcile")
        rec.add_argument("meeting", type=int)
        rec.add_argument("--returned", action="append", default=[], help="USER:DOC đã nộp lại")
        self.add_common(rec)

    def _meeting(self, pk) -> Meeting:
        meeting = Meeting.objects.filter(pk=pk).first()
        if meeting is None:
            raise MetadataError("Không có cuộc họp này.", field="meeting")
        return meeting

    def _add(self, o):
        meeting = do_add_meeting(title=o["title"], session=o["session"], starts_at=parse_datetime(o["starts"], "starts"),
                                 ends_at=parse_datetime(o["ends"], "ends"),
                                 delegates=[self.user(u, "delegate") for u in o["delegate"]], actor=self.actor(o),
                                 ctx=self.ctx())
        self.emit(o, {"id": meeting.pk, "title": meeting.title, "session": meeting.session,
                      "delegates": sorted(meeting.delegates.values_list("username", flat=True))},
                  f"Đã tạo cuộc họp #{meeting.pk}.")

    def _hand_out(self, o):
        actor = self.actor(o)
        meeting = self._meeting(o["meeting"])
        doc = visible_or_refuse(Action.LOAN, o["document"], actor=actor, ctx=self.ctx())
        delegates = [self.user(u, "delegate") for u in o["delegate"]] or list(meeting.delegates.all())
        loans = do_hand_out(meeting, doc, delegates=delegates, approval=self.approval(o), actor=actor,
                            ctx=self.ctx(), now=self.now(o))
        self.emit(o, {"meeting": meeting.pk, "document": doc.pk,
                      "loans": [{"id": x.pk, "delegate": x.borrower.username} for x in loans]},
                  f"Đã phát tài liệu cho {len(loans)} đại biểu.")

    def _reconcile(self, o):
        actor = self.actor(o)
        meeting = self._meeting(o["meeting"])
        returned = []
        for item in o["returned"]:
            username, _sep, doc = item.partition(":")
            if not doc.isdigit():
                raise MetadataError(f"«{item}»: cần dạng USER:DOC", field="returned")
            returned.append((self.user(username, "returned"), int(doc)))
        result = do_reconcile(meeting, returned=returned, actor=actor, ctx=self.ctx(), now=self.now(o))
        self.emit(o, {"meeting": meeting.pk, "delegates": result}, "\n".join(
            f"{r['delegate']}: nhận {len(r['handed'])}, nộp lại {len(r['returned'])}, thiếu {r['missing']}"
            for r in result))
