"""``registry destroy``: destroy a document by council decision; the content goes, the record stays.

    registry destroy DOC --council "…" --approver USER --decision REF --actor CLERK [--items "…"]
                     [--minutes REF] [--paper council:FILE --paper items:FILE --paper minutes:FILE …]
                     [--today D] [--json]
"""

from registry.actions.guard import visible_or_refuse
from registry.actions.lifecycle import do_destroy
from registry.constants import Action
from registry.management.commands._lifecycle_cli import LifecycleCommand


class Command(LifecycleCommand):
    help = "Tiêu hủy tài liệu theo quyết định (hồ sơ tiêu hủy được giữ, nội dung bị xóa hẳn)."
    command_name = "destroy"

    def add_arguments(self, parser):
        parser.add_argument("document", type=int)
        parser.add_argument("--council", required=True, help="hội đồng tiêu hủy")
        parser.add_argument("--items", default="", help="danh mục tài liệu tiêu hủy")
        parser.add_argument("--minutes", default="", help="số biên bản tiêu hủy")
        self.add_common(parser, approval=True)

    def run(self, o):
        actor = self.actor(o)
        doc = visible_or_refuse(Action.DESTROY, o["document"], actor=actor, ctx=self.ctx())
        # The purge runs on commit of the act's own transaction, before the command answers.
        destruction = do_destroy(doc, approval=self.approval(o), council=o["council"], items=o["items"],
                                 minutes_ref=o["minutes"], destroyed_on=self.today(o), actor=actor, ctx=self.ctx(),
                                 today=self.today(o))
        destruction.refresh_from_db()
        self.emit(o, {"document": doc.pk, "destruction": destruction.pk,
                      "destroyed_on": destruction.destroyed_on.isoformat(), "decision_ref": destruction.decision_ref,
                      "purged": destruction.purged_at is not None},
                  f"Đã tiêu hủy tài liệu #{doc.pk} theo {destruction.decision_ref}.")
