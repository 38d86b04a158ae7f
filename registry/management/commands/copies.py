"""``registry copies``: the copy register, one copy at a time (domain.md §4, §5).

    registry copies add DOC --form sao_y|sao_luc|trich_sao|chup --quantity N --approver USER --decision REF
                        --actor CLERK [--holder USER] [--recipients "…"] [--paper FILE] [--today D] [--json]
    registry copies list DOC --actor USER [--json]
    registry copies spoil DOC --number N --reason "…" --actor CLERK [--today D] [--json]
"""

from registry.actions.guard import visible_or_refuse
from registry.actions.lifecycle import do_record_copy, do_spoil_copy
from registry.actions.reading import do_view_document
from registry.constants import Action, CopyForm
from registry.management.commands._lifecycle_cli import LifecycleCommand
from registry.models import Copy


def copy_dict(c: Copy) -> dict:
    return {"number": c.number, "kind": c.kind, "state": c.state, "copy_id": c.copy_id,
            "holder": c.holder.username if c.holder_id else c.holder_name, "made_on": c.made_on.isoformat(),
            "state_on": c.state_on.isoformat() if c.state_on else None, "note": c.state_note,
            "copy_record": c.copy_record_id}


class Command(LifecycleCommand):
    help = "Sổ quản lý sao, chụp: ghi bản sao (từng bản), liệt kê, ghi bản hỏng."
    command_name = "copies"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        add = sub.add_parser("add", help="ghi một lần sao, chụp đã được phê duyệt")
        add.add_argument("document", type=int)
        add.add_argument("--form", required=True, choices=CopyForm.values)
        add.add_argument("--quantity", required=True, type=int)
        add.add_argument("--holder", default="")
        add.add_argument("--recipients", default="")
        add.add_argument("--notes", default="")
        self.add_common(add, approval=True)
        ls = sub.add_parser("list", help="các bản của một tài liệu")
        ls.add_argument("document", type=int)
        self.add_common(ls, today=False)
        sp = sub.add_parser("spoil", help="ghi một bản bị hỏng")
        sp.add_argument("document", type=int)
        sp.add_argument("--number", required=True, type=int)
        sp.add_argument("--reason", required=True)
        self.add_common(sp)

    def _add(self, o):
        actor = self.actor(o)
        doc = visible_or_refuse(Action.COPY, o["document"], actor=actor, ctx=self.ctx())
        holder = self.user(o["holder"], "holder") if o["holder"] else None
        record = do_record_copy(doc, form=o["form"], quantity=o["quantity"], approval=self.approval(o),
                                holder=holder, recipients=o["recipients"], notes=o["notes"], actor=actor,
                                ctx=self.ctx(), today=self.today(o))
        copies = [copy_dict(c) for c in record.copies.order_by("number")]
        self.emit(o, {"document": doc.pk, "copy_record": record.pk, "copies": copies},
                  f"Đã ghi {record.quantity} bản: số {', '.join(str(c['number']) for c in copies)}")

    def _list(self, o):
        actor = self.actor(o)
        doc = do_view_document(o["document"], actor=actor, ctx=self.ctx())
        copies = [copy_dict(c) for c in Copy.objects.filter(document=doc).select_related("holder")]
        self.emit(o, {"document": doc.pk, "copies": copies},
                  "\n".join(f"Bản số {c['number']}: {c['state']} — {c['holder']}" for c in copies) or "Chưa có bản.")

    def _spoil(self, o):
        actor = self.actor(o)
        doc = visible_or_refuse(Action.COPY, o["document"], actor=actor, ctx=self.ctx())
        copy = do_spoil_copy(doc, o["number"], reason=o["reason"], actor=actor, ctx=self.ctx(), today=self.today(o))
        self.emit(o, copy_dict(copy), f"Đã ghi bản số {copy.number} bị hỏng.")
