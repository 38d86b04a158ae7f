"""Congress mode (domain.md §7): a meeting with a session and named delegates; materials handed to each
delegate are flagged for recall and reconciled per delegate after the session. What did not come back
becomes a recall task for the clerk and a ``not_returned`` anomaly for the security officer.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from registry.access import Perm, can_do
from registry.actions.approvals import ApprovalInput, check_approval, save_approval
from registry.actions.guard import refuse
from registry.actions.lifecycle import _guard, _now, do_lend, do_return
from registry.audit.context import RequestContext
from registry.audit.log import record
from registry.constants import Action
from registry.errors import ErrorCode, MetadataError, RegistryError
from registry.models import ApprovalAct, Loan, Meeting, Task
from registry.text import clean_line


def do_add_meeting(*, title, session="", starts_at, ends_at, delegates, actor, ctx: RequestContext | None = None):
    if not can_do(actor, Perm.REGISTER):
        refuse(Action.LOAN, actor=actor, ctx=ctx, reason=ErrorCode.PERMISSION_DENIED, extra={"what": "meeting"})
    title = clean_line(title or "")
    if not title:
        raise MetadataError("Thiếu tên cuộc họp.", field="title")
    if ends_at <= starts_at:
        raise MetadataError("Thời điểm kết thúc phải sau thời điểm bắt đầu.", field="ends_at")
    delegates = list(delegates)
    if not delegates:
        raise MetadataError("Cuộc họp phải có đại biểu.", field="delegates")
    with transaction.atomic():
        meeting = Meeting.objects.create(title=title, session=clean_line(session or ""), starts_at=starts_at,
                                         ends_at=ends_at, created_by=actor if getattr(actor, "pk", None) else None)
        meeting.delegates.set(delegates)
        record(Action.LOAN, actor=actor, ctx=ctx,
               extra={"meeting": meeting.pk, "event": "meeting_added", "title": title,
                      "delegates": sorted(d.username for d in delegates)})
    return meeting


def do_hand_out(meeting: Meeting, document, *, delegates, approval: ApprovalInput | None, actor,
                ctx: RequestContext | None = None, now=None) -> list[Loan]:
    """Hand a document to each named delegate for the session: one loan each, due at the meeting's end,
    flagged for recall. One approval (act ``meeting``) covers the hand-out."""
    _guard(actor, document, Action.LOAN, ctx)
    delegates = list(delegates)
    named = set(meeting.delegates.values_list("pk", flat=True))
    strangers = [d.username for d in delegates if d.pk not in named]
    if strangers:
        raise MetadataError(f"Không phải đại biểu của cuộc họp: {', '.join(strangers)}", field="delegates")
    now = _now(now)
    checked = check_approval(ApprovalAct.MEETING, document.level, approval, actor=actor, document=document,
                             beneficiaries=delegates, ctx=ctx, today=timezone.localtime(now).date())
    with transaction.atomic():
        approval_row = save_approval(checked, document=document, actor=actor)
        loans = [
            do_lend(document, borrower=d, due_at=max(meeting.ends_at, now + dt.timedelta(minutes=1)),
                    purpose=f"Sử dụng tại {meeting}", approval=approval_row, meeting_ends_at=meeting.ends_at,
                    actor=actor, ctx=ctx, now=now, _meeting=meeting)
            for d in delegates
        ]
    return loans


def reconciliation(meeting: Meeting) -> list[dict]:
    """Per delegate: what was handed, what came back, what is missing."""
    out = []
    loans = list(Loan.objects.filter(meeting=meeting).select_related("document", "borrower"))
    for delegate in meeting.delegates.order_by("username"):
        mine = [loan for loan in loans if loan.borrower_id == delegate.pk]
        out.append({
            "delegate": delegate.username,
            "handed": [loan.document_id for loan in mine],
            "returned": [loan.document_id for loan in mine if loan.returned_at],
            "missing": [loan.document_id for loan in mine if not loan.returned_at],
        })
    return out


def do_reconcile(meeting: Meeting, *, returned, actor, ctx: RequestContext | None = None, now=None) -> list[dict]:
    """After the session: ``returned`` is a list of (delegate, document id) pairs brought back now. Each is
    recorded as a return; whatever is still out becomes a recall task (due the next day) and stays an
    open loan, so the security officer sees it as ``not_returned``."""
    now = _now(now)
    if now < meeting.ends_at:
        raise RegistryError("Chỉ đối chiếu sau khi phiên họp kết thúc.", code=ErrorCode.INVALID_STATE)
    open_loans = {(loan.borrower_id, loan.document_id): loan
                  for loan in Loan.objects.filter(meeting=meeting, returned_at__isnull=True)
                  .select_related("document", "borrower")}
    for delegate, document_id in returned:
        loan = open_loans.pop((delegate.pk, int(document_id)), None)
        if loan is not None:
            do_return(loan, actor=actor, ctx=ctx, now=now)
    day = timezone.localtime(now).date()
    with transaction.atomic():
        for loan in open_loans.values():
            Loan.objects.filter(pk=loan.pk, missing_on__isnull=True).update(missing_on=day)
            Task.objects.get_or_create(
                key=f"recall:{loan.pk}",
                defaults={"kind": Task.Kind.RECALL, "document": loan.document, "assignee": None,
                          "due_on": day + dt.timedelta(days=1), "created_on": day,
                          "title": f"Thu hồi tài liệu số {loan.document.number_raw or loan.document_id} "
                                   f"từ đại biểu {loan.borrower.display_name} ({meeting})"[:500],
                          "details": {"meeting": meeting.pk, "loan": loan.pk, "delegate": loan.borrower.username}},
            )
        Meeting.objects.filter(pk=meeting.pk).update(reconciled_at=now)
        result = reconciliation(meeting)
        record(Action.RETURN, actor=actor, ctx=ctx,
               extra={"meeting": meeting.pk, "event": "reconciled",
                      "missing": sum(len(r["missing"]) for r in result)})
    return result


__all__ = ["do_add_meeting", "do_hand_out", "do_reconcile", "reconciliation"]
