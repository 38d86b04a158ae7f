"""``registry handover``: hand a document (or one copy) over, with its approval (Sổ chuyển giao).

    registry handover DOC (--to USER | --recipient "Ban …") --approver USER --decision REF --actor CLERK
                      [--copy N] [--acknowledged] [--notes "…"] [--today D] [--json]
    registry handover --acknowledge HANDOVER_ID --actor RECIPIENT [--json]
"""

from registry.actions.guard import visible_or_refuse
from registry.actions.lifecycle import do_acknowledge_hand_over, do_hand_over
from registry.constants import Action
from registry.errors import MetadataError
from registry.management.commands._lifecycle_cli import LifecycleCommand
from registry.models import HandOver


def hand_over_dict(h: HandOver) -> dict:
    return {"id": h.pk, "document": h.document_id, "handed_on": h.handed_on.isoformat(), "recipient": h.recipient,
            "recipient_user": h.recipient_user.username if h.recipient_user_id else None,
            "acknowledged": h.acknowledged, "copy_number": h.copy.number if h.copy_id else None,
            "approver": h.approval.approver.username if h.approval_id else None}


class Command(LifecycleCommand):
    help = "Ghi chuyển giao tài liệu (có phê duyệt, người nhận ký nhận)."
    command_name = "handover"

    def add_arguments(self, parser):
        parser.add_argument("document", type=int, nargs="?")
        parser.add_argument("--to", default="", help="người nhận (tên đăng nhập)")
        parser.add_argument("--recipient", default="", help="người/nơi nhận (ghi tên)")
        parser.add_argument("--copy", type=int, default=None, help="bản số được chuyển giao")
        parser.add_argument("--acknowledged", action="store_true", help="người nhận đã ký nhận (trên giấy)")
        parser.add_argument("--acknowledge", type=int, default=None, help="người nhận ký nhận lần chuyển giao ID")
        parser.add_argument("--notes", default="")
        self.add_common(parser, approval=True)

    def run(self, o):
        actor = self.actor(o)
        if o["acknowledge"]:
            hand_over = HandOver.objects.filter(pk=o["acknowledge"]).select_related("document").first()
            if hand_over is None:
                raise MetadataError("Không có lần chuyển giao này.", field="acknowledge")
            visible_or_refuse(Action.HAND_OVER, hand_over.document_id, actor=actor, ctx=self.ctx())
            hand_over = do_acknowledge_hand_over(hand_over, actor=actor, ctx=self.ctx(), now=self.now(o))
            return self.emit(o, hand_over_dict(hand_over), "Đã ký nhận.")
        if o["document"] is None:
            raise MetadataError("Thiếu mã tài liệu.", field="document")
        doc = visible_or_refuse(Action.HAND_OVER, o["document"], actor=actor, ctx=self.ctx())
        to = self.user(o["to"], "to") if o["to"] else None
        hand_over = do_hand_over(doc, recipient=o["recipient"], recipient_user=to, acknowledged=o["acknowledged"],
                                 approval=self.approval(o), copy=o["copy"], notes=o["notes"], actor=actor,
                                 ctx=self.ctx(), today=self.today(o))
        self.emit(o, hand_over_dict(hand_over), f"Đã ghi chuyển giao #{hand_over.pk} cho {hand_over.recipient}.")
