"""``registry level``: adjust a level, extend a term, declassify — each with its approval.

    registry level change DOC --to mat|toi_mat|tuyet_mat [--years N] --approver USER --decision REF --actor CLERK
    registry level extend DOC --years N --approver USER --decision REF --actor CLERK
    registry level declassify DOC --approver USER --decision REF --actor CLERK
    (all: [--approved-on D] [--decided-on D] [--reason "…"] [--paper FILE] [--today D] [--json])
"""

from registry.actions.guard import visible_or_refuse
from registry.actions.lifecycle import do_change_level, do_declassify, do_extend_term
from registry.constants import Action, Level
from registry.management.commands._lifecycle_cli import LifecycleCommand, parse_date
from registry.models import Document, LevelChange


def change_dict(c: LevelChange) -> dict:
    doc = Document.objects.get(pk=c.document_id)
    return {"id": c.pk, "document": c.document_id, "kind": c.kind, "from_level": c.from_level,
            "to_level": c.to_level, "decided_on": c.decided_on.isoformat(), "decision_ref": c.decision_ref,
            "approver": c.approval.approver.username if c.approval_id else None,
            "expires_on": doc.protection_expires_on.isoformat() if doc.protection_expires_on else None,
            "summary_cleared": c.summary_cleared}


class Command(LifecycleCommand):
    help = "Điều chỉnh độ mật, gia hạn thời hạn bảo vệ, giải mật (có phê duyệt)."
    command_name = "level"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        for name in ("change", "extend", "declassify"):
            p = sub.add_parser(name)
            p.add_argument("document", type=int)
            if name == "change":
                p.add_argument("--to", required=True, choices=[v for v in Level.values if v != Level.THUONG])
                p.add_argument("--years", type=int, default=None)
            if name == "extend":
                p.add_argument("--years", type=int, required=True)
            p.add_argument("--decided-on", default="")
            p.add_argument("--reason", default="")
            self.add_common(p, approval=True)

    def _common(self, o, action):
        actor = self.actor(o)
        doc = visible_or_refuse(action, o["document"], actor=actor, ctx=self.ctx())
        decided = parse_date(o["decided_on"], "decided_on") or parse_date(o["approved_on"], "approved_on") \
            or self.today(o)
        return actor, doc, decided

    def _change(self, o):
        actor, doc, decided = self._common(o, Action.LEVEL_CHANGE)
        change = do_change_level(doc, to_level=o["to"], years=o["years"], approval=self.approval(o),
                                 decided_on=decided, reason=o["reason"], actor=actor, ctx=self.ctx(),
                                 today=self.today(o))
        self.emit(o, change_dict(change), f"Đã điều chỉnh độ mật: {change.from_level} → {change.to_level}.")

    def _extend(self, o):
        actor, doc, decided = self._common(o, Action.LEVEL_CHANGE)
        change = do_extend_term(doc, years=o["years"], approval=self.approval(o), decided_on=decided,
                                reason=o["reason"], actor=actor, ctx=self.ctx(), today=self.today(o))
        data = change_dict(change)
        self.emit(o, data, f"Đã gia hạn đến {data['expires_on']}.")

    def _declassify(self, o):
        actor, doc, decided = self._common(o, Action.DECLASSIFY)
        change = do_declassify(doc, approval=self.approval(o), decided_on=decided, reason=o["reason"], actor=actor,
                               ctx=self.ctx(), today=self.today(o))
        self.emit(o, change_dict(change), "Đã giải mật.")
