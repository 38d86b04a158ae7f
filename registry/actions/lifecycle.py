"""The life of a secret after registration: copies one by one, hand-overs, loans and returns, level changes,
term extensions, declassification and destruction (domain.md §1, §5).

Every act: the one guard (``Perm.LIFECYCLE`` on a document the actor can see; a hidden document answers
``NotFoundError`` as a missing one would), then the approval check (``registry.actions.approvals``: an act
without a valid approval is refused and logged with its reason code), then one transaction that changes
the data, writes the ``Approval`` and exactly one access-log entry. Log entries carry the document's level
*before* a change, so the yearly statistics count a declassification under the level that was lifted.

The rules (base terms, extension window, notice period, summary rule) come from ``registry.rules`` by date.
Dates default to today; ``today``/``now`` arguments let the scheduled run and tests move the clock.
"""

import datetime as dt
import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from registry.access import Perm, can
from registry.actions.approvals import ApprovalInput, approval_summary, check_approval, save_approval
from registry.actions.guard import require
from registry.audit.context import RequestContext
from registry.audit.log import record
from registry.constants import LEVEL_STAMP, Action, CopyForm, Level
from registry.errors import ErrorCode, MetadataError, PermissionDeniedError, RegistryError
from registry.models import (
    ApprovalAct,
    Copy,
    CopyRecord,
    Destruction,
    Document,
    HandOver,
    LevelChange,
    Loan,
    Task,
)
from registry.registers.numbering import allocate_number
from registry.rules import rules_on
from registry.signals import document_changed, document_destroyed
from registry.text import clean_line

log = logging.getLogger(__name__)

# Kept for readers of the old constant; the value now comes from registry.rules by date.
EXTENSION_NOTICE_DAYS = rules_on().extension_window_days


def copy_sequence_key(document_id: int) -> str:
    """The one copy-number sequence of a document: paper copies and marked digital copies share it."""
    return f"copy:{document_id}"


def _guard(actor, document: Document, action: str, ctx) -> None:
    require(Perm.LIFECYCLE, action, document, actor=actor, ctx=ctx)


def _require_text(value: str, field: str, label: str) -> str:
    value = clean_line(value or "")
    if not value:
        raise MetadataError(f"Thiếu {label}.", field=field)
    return value


def _locked(document: Document) -> Document:
    return Document.objects.select_for_update(of=("self",)).select_related("handling_unit").get(pk=document.pk)


def _alive(document: Document) -> None:
    if document.destroyed_on:
        raise RegistryError("Tài liệu đã bị tiêu hủy.", code=ErrorCode.INVALID_STATE)
    if document.voided:
        raise RegistryError("Số đăng ký của tài liệu đã bị hủy.", code=ErrorCode.INVALID_STATE)


def _notify_changed(document_id: int) -> None:
    transaction.on_commit(lambda: document_changed.send(sender=Document, document_id=document_id))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _today(today) -> dt.date:
    return today or timezone.localdate()


def _now(now=None, today=None) -> dt.datetime:
    if now is not None:
        return now
    if today is not None:  # a moved clock (scheduled run, --today): midday of that day
        return timezone.make_aware(dt.datetime.combine(today, dt.time(12, 0)))
    return timezone.now()


def _pk(user):
    return getattr(user, "pk", None)


# --- copies ----------------------------------------------------------------------------------------------

def _copy_dict(c: Copy) -> dict:
    return {"number": c.number, "state": c.state, "holder": c.holder.username if c.holder_id else c.holder_name}


def do_record_copy(
    document: Document,
    *,
    form: str,
    quantity: int,
    approval: ApprovalInput | None = None,
    holder=None,
    recipients: str = "",
    actor,
    ctx: RequestContext | None = None,
    notes: str = "",
    today: dt.date | None = None,
) -> CopyRecord:
    """A copy act (Sổ quản lý sao, chụp): exactly ``quantity`` copies, each a ``Copy`` with its own number
    from the document's one copy sequence (shared with marked downloads), held by ``holder`` (or the actor)."""
    _guard(actor, document, Action.COPY, ctx)
    if form not in CopyForm.values:
        raise MetadataError(f"Hình thức sao không hợp lệ: «{form}»", field="form")
    if not isinstance(quantity, int) or quantity < 1 or quantity > 1000:
        raise MetadataError("Số lượng bản sao phải từ 1 đến 1000.", field="quantity")
    day = _today(today)
    checked = check_approval(ApprovalAct.COPY, document.level, approval, actor=actor, document=document, ctx=ctx,
                             today=day)
    holder = holder or (actor if _pk(actor) else None)
    with transaction.atomic():
        locked = _locked(document)
        _alive(locked)
        approval_row = save_approval(checked, document=locked, actor=actor)
        numbers = [allocate_number(copy_sequence_key(locked.pk)) for _ in range(quantity)]
        copy = CopyRecord.objects.create(
            document=locked, made_on=day, form=form, quantity=quantity, first_copy_number=numbers[0],
            authorised_by=checked.approver.display_name, copied_by=actor if _pk(actor) else None,
            recipients=(recipients or "").strip(), notes=(notes or "").strip(), approval=approval_row,
        )
        Copy.objects.bulk_create([
            Copy(document=locked, number=n, kind=Copy.Kind.PAPER, copy_record=copy, holder=holder,
                 holder_name=(recipients or "").strip()[:255], made_on=day, state_on=day)
            for n in numbers
        ])
        record(Action.COPY, actor=actor, ctx=ctx, document=locked,
               extra={"copy_record": copy.pk, "form": form, "quantity": quantity, "copy_numbers": numbers,
                      "first_copy_number": numbers[0], "last_copy_number": numbers[-1],
                      "authorised_by": checked.approver.username, "approval": approval_summary(approval_row)})
    return copy


def register_marked_copy(document: Document, *, number: int, copy_id: str, holder, today=None) -> Copy:
    """A marked digital copy issued on download goes into the same copy register (caller's transaction,
    whose access-log entry records the download)."""
    day = _today(today)
    return Copy.objects.create(document=document, number=number, kind=Copy.Kind.MARKED, copy_id=copy_id,
                               holder=holder if _pk(holder) else None, made_on=day, state_on=day)


def _find_copy(document, number) -> Copy:
    if isinstance(number, Copy):
        return number
    copy = Copy.objects.filter(document=document, number=number).first()
    if copy is None:
        raise MetadataError(f"Không có bản số {number} của tài liệu này.", field="copy")
    return copy


def do_spoil_copy(document: Document, number, *, reason: str, actor, ctx: RequestContext | None = None,
                  today: dt.date | None = None) -> Copy:
    """Record a copy as spoiled (hỏng); it stays in the register with its number and the reason."""
    _guard(actor, document, Action.COPY, ctx)
    reason = _require_text(reason, "reason", "lý do")
    day = _today(today)
    with transaction.atomic():
        locked = _locked(document)
        copy = Copy.objects.select_for_update().get(pk=_find_copy(locked, number).pk)
        if copy.state in (Copy.State.SPOILED, Copy.State.DESTROYED):
            raise RegistryError(f"Bản số {copy.number} đã ở tình trạng «{copy.get_state_display()}».",
                                code=ErrorCode.INVALID_STATE)
        copy.state, copy.state_on, copy.state_note = Copy.State.SPOILED, day, reason
        copy.save(update_fields=["state", "state_on", "state_note"])
        record(Action.COPY, actor=actor, ctx=ctx, document=locked,
               extra={"event": "spoiled", "copy_number": copy.number, "reason": reason})
    return copy


# --- hand-overs and loans --------------------------------------------------------------------------------

def do_hand_over(
    document: Document,
    *,
    recipient: str = "",
    recipient_user=None,
    acknowledged: bool = False,
    approval: ApprovalInput | None = None,
    copy=None,
    actor,
    ctx: RequestContext | None = None,
    notes: str = "",
    today: dt.date | None = None,
) -> HandOver:
    """Hand a document (or one copy of it) to a person or body (Sổ chuyển giao). Needs an approval; the
    recipient's acknowledgement is recorded now (signed on paper) or later by the recipient."""
    _guard(actor, document, Action.HAND_OVER, ctx)
    recipient = _require_text(recipient or (recipient_user.username if recipient_user else ""),
                              "recipient", "người/nơi nhận")
    if recipient_user is not None and not can(recipient_user, Perm.VIEW, document):
        raise PermissionDeniedError("Người nhận không đủ điều kiện tiếp cận tài liệu này.")
    day = _today(today)
    checked = check_approval(ApprovalAct.HAND_OVER, document.level, approval, actor=actor, document=document,
                             beneficiaries=[recipient_user], ctx=ctx, today=day)
    with transaction.atomic():
        locked = _locked(document)
        _alive(locked)
        the_copy = None
        if copy is not None:
            the_copy = Copy.objects.select_for_update().get(pk=_find_copy(locked, copy).pk)
            if the_copy.state not in (Copy.State.HELD, Copy.State.RETURNED):
                raise RegistryError(f"Bản số {the_copy.number} không còn trong tay để chuyển giao.",
                                    code=ErrorCode.INVALID_STATE)
            the_copy.state, the_copy.state_on = Copy.State.HANDED_OVER, day
            the_copy.holder, the_copy.holder_name = recipient_user, recipient
            the_copy.save(update_fields=["state", "state_on", "holder", "holder_name"])
        approval_row = save_approval(checked, document=locked, actor=actor)
        hand_over = HandOver.objects.create(
            document=locked, handed_on=day, recipient=recipient, recipient_user=recipient_user,
            acknowledged=bool(acknowledged), handed_by=actor if _pk(actor) else None, notes=(notes or "").strip(),
            approval=approval_row, copy=the_copy, acknowledged_at=_now(today=day) if acknowledged else None,
        )
        if recipient_user is not None and not acknowledged:  # the recipient signs for it on their task list
            Task.objects.create(key=f"ack:{hand_over.pk}", kind=Task.Kind.ACKNOWLEDGE, document=locked,
                                assignee=recipient_user, due_on=day + dt.timedelta(days=1), created_on=day,
                                title=f"Ký nhận tài liệu số {locked.number_raw or locked.pk} được chuyển giao"[:500],
                                details={"hand_over": hand_over.pk})
        record(Action.HAND_OVER, actor=actor, ctx=ctx, document=locked,
               extra={"hand_over": hand_over.pk, "recipient": recipient,
                      "recipient_user": recipient_user.username if recipient_user else None,
                      "acknowledged": bool(acknowledged), "copy_number": the_copy.number if the_copy else None,
                      "approval": approval_summary(approval_row)})
    return hand_over


def do_acknowledge_hand_over(hand_over: HandOver, *, actor, ctx: RequestContext | None = None,
                             now: dt.datetime | None = None) -> HandOver:
    """The recipient acknowledges receipt (ký nhận). Only the named recipient may."""
    from registry.actions.guard import refuse

    if hand_over.recipient_user_id is None or hand_over.recipient_user_id != _pk(actor):
        refuse(Action.HAND_OVER, actor=actor, ctx=ctx, reason=ErrorCode.PERMISSION_DENIED,
               document=hand_over.document,
               error=PermissionDeniedError("Chỉ người nhận có tên mới ký nhận được."))
    with transaction.atomic():
        locked = HandOver.objects.select_for_update(of=("self",)).select_related("document").get(pk=hand_over.pk)
        if locked.acknowledged:
            raise RegistryError("Đã ký nhận.", code=ErrorCode.INVALID_STATE)
        locked.acknowledged, locked.acknowledged_at = True, _now(now)
        locked.save(update_fields=["acknowledged", "acknowledged_at"])
        Task.objects.filter(key=f"ack:{locked.pk}", done_at__isnull=True).update(done_at=locked.acknowledged_at)
        record(Action.HAND_OVER, actor=actor, ctx=ctx, document=locked.document,
               extra={"hand_over": locked.pk, "event": "acknowledged"})
    return locked


def do_lend(
    document: Document,
    *,
    borrower,
    due_at: dt.datetime,
    purpose: str,
    approval: ApprovalInput | None = None,
    meeting_ends_at: dt.datetime | None = None,
    copy=None,
    actor,
    ctx: RequestContext | None = None,
    now: dt.datetime | None = None,
    _meeting=None,
) -> Loan:
    """Take a document out of storage for ``borrower`` until ``due_at`` (or hand it out for a meeting).

    The borrower must be able to see the document (clearance and need-to-know); an approval by someone
    else than the borrower and the clerk is required.
    """
    action_act = ApprovalAct.MEETING if _meeting is not None else ApprovalAct.LOAN
    _guard(actor, document, Action.LOAN, ctx)
    purpose = _require_text(purpose, "purpose", "mục đích mượn")
    if not can(borrower, Perm.VIEW, document):
        raise PermissionDeniedError("Người mượn không đủ điều kiện tiếp cận tài liệu này.")
    now = _now(now)
    if due_at <= now:
        raise MetadataError("Hạn trả phải sau thời điểm mượn.", field="due_at")
    if meeting_ends_at is not None and meeting_ends_at <= now and _meeting is None:
        raise MetadataError("Thời điểm kết thúc phiên họp đã qua.", field="meeting_ends_at")
    checked = approval if _meeting is not None else check_approval(
        action_act, document.level, approval, actor=actor, document=document, beneficiaries=[borrower], ctx=ctx,
        today=timezone.localtime(now).date())
    with transaction.atomic():
        locked = _locked(document)
        _alive(locked)
        approval_row = checked if _meeting is not None else save_approval(checked, document=locked, actor=actor)
        the_copy = _find_copy(locked, copy) if copy is not None else None
        loan = Loan.objects.create(
            document=locked, borrower=borrower, approved_by=approval_row.approver, purpose=purpose, out_at=now,
            due_at=due_at, meeting_ends_at=meeting_ends_at, approval=approval_row, copy=the_copy,
            meeting=_meeting, recall=bool(_meeting is not None or locked.recall),
        )
        record(Action.LOAN, actor=actor, ctx=ctx, document=locked, purpose=purpose,
               extra={"loan": loan.pk, "borrower": borrower.username, "approved_by": approval_row.approver.username,
                      "due_at": due_at.isoformat(), "meeting": _meeting.pk if _meeting else None,
                      "meeting_ends_at": meeting_ends_at.isoformat() if meeting_ends_at else None,
                      "approval": approval_summary(approval_row)})
    return loan


def do_return(loan: Loan, *, actor, ctx: RequestContext | None = None, now: dt.datetime | None = None) -> Loan:
    """Record the return of a lent document (late if after its due date or the meeting's end)."""
    _guard(actor, loan.document, Action.RETURN, ctx)
    with transaction.atomic():
        locked = Loan.objects.select_for_update(of=("self",)).select_related("document", "borrower").get(pk=loan.pk)
        if locked.returned_at is not None:
            raise RegistryError("Tài liệu đã được trả.", code=ErrorCode.INVALID_STATE)
        locked.returned_at = _now(now)
        locked.save(update_fields=["returned_at"])
        late = locked.returned_at > locked.due_at or bool(
            locked.meeting_ends_at and locked.returned_at > locked.meeting_ends_at
        )
        Task.objects.filter(key__in=[f"loan:{locked.pk}:overdue", f"loan:{locked.pk}:reminder",
                                     f"recall:{locked.pk}"], done_at__isnull=True).update(done_at=locked.returned_at)
        record(Action.RETURN, actor=actor, ctx=ctx, document=locked.document,
               extra={"loan": locked.pk, "borrower": locked.borrower.username, "late": late,
                      "meeting": locked.meeting_id})
    return locked


# --- level changes, extensions, declassification ---------------------------------------------------------

def holders_of(document: Document) -> list[tuple[str, object]]:
    """Who holds the document or a copy of it: (key, user or None with a name) pairs, each once."""
    seen, out = set(), []

    def add(user, name=""):
        key = f"u{user.pk}" if user is not None else f"n:{name}"
        if key not in seen and (user is not None or name):
            seen.add(key)
            out.append((key, user, name or (user.display_name if user else "")))

    for c in Copy.objects.filter(document=document, state__in=[Copy.State.HELD, Copy.State.HANDED_OVER]) \
            .select_related("holder"):
        add(c.holder, c.holder_name)
    for h in HandOver.objects.filter(document=document).select_related("recipient_user"):
        add(h.recipient_user, h.recipient)
    for loan in Loan.objects.filter(document=document, returned_at__isnull=True).select_related("borrower"):
        add(loan.borrower)
    return out


def _notify_holders(document: Document, change: LevelChange, day: dt.date) -> int:
    """Notice tasks to every holder, due within the notice period of the rules in force (idempotent)."""
    rules = rules_on(day)
    due = day + dt.timedelta(days=rules.notice_days)
    label = {LevelChange.Kind.ADJUST: "điều chỉnh độ mật", LevelChange.Kind.EXTEND: "gia hạn thời hạn bảo vệ",
             LevelChange.Kind.DECLASSIFY: "giải mật"}[change.kind]
    created = 0
    for key, user, name in holders_of(document):
        _task, made = Task.objects.get_or_create(
            key=f"notice:{change.pk}:{key}"[:160],
            defaults={"kind": Task.Kind.NOTICE, "document": document, "assignee": user, "due_on": due,
                      "created_on": day,
                      "title": f"Thông báo {label} tài liệu số {document.number_raw or document.pk} cho {name}"[:500],
                      "details": {"level_change": change.pk, "holder": name}},
        )
        created += made
    return created


def _not_future(approval, decided_on, today, field="decided_on"):
    """A decision or approval dated after today (the moved clock's today) is refused before anything else."""
    limit = _today(today) + dt.timedelta(days=1)
    for day in (decided_on, getattr(approval, "approved_on", None)):
        if isinstance(day, dt.date) and day > limit:
            raise MetadataError("Ngày quyết định ở tương lai.", field=field)


def _decision_day(checked, decided_on):
    decided_on = decided_on or checked.approved_on
    if not isinstance(decided_on, dt.date):
        raise MetadataError("Thiếu ngày quyết định.", field="decided_on")
    return decided_on


def _term_years(level, years, decided_on):
    cap = rules_on(decided_on).max_term(level)
    if years is None:
        return cap
    if not isinstance(years, int) or years < 1 or (cap and years > cap):
        raise MetadataError(f"Thời hạn bảo vệ của độ mật này từ 1 đến {cap} năm.", field="years",
                            code=ErrorCode.TERM_NOT_ALLOWED)
    return years


def _summary_allowed(document: Document, level: str, day: dt.date) -> bool:
    """The tuyet_mat summary rule on ``day``: 2020 — only with a recorded authorisation; 2026 — never."""
    if level != Level.TUYET_MAT:
        return True
    rule = rules_on(day).tuyet_mat_summary
    return rule == "authorised_only" and bool(document.summary_authorised_by)


def do_change_level(
    document: Document,
    *,
    to_level: str,
    approval: ApprovalInput | None = None,
    decided_on: dt.date | None = None,
    years: int | None = None,
    reason: str = "",
    actor,
    ctx: RequestContext | None = None,
    today: dt.date | None = None,
) -> LevelChange:
    """Adjust a document's level up or down (not to ``thuong``: that is ``do_declassify``).

    The term restarts from the decision with the new level's base term (or ``years``, at most that). The
    approver needs authority for the higher of the two levels. Raising to ``tuyet_mat`` clears a summary
    the rules then in force do not allow. Holders get notices.
    """
    _guard(actor, document, Action.LEVEL_CHANGE, ctx)
    if to_level not in Level.values or to_level == Level.THUONG:
        raise MetadataError(f"Độ mật mới không hợp lệ: «{to_level}» (giải mật dùng thao tác riêng)",
                            field="to_level")
    if Level.rank(to_level) > Level.rank(actor.clearance):
        raise PermissionDeniedError("Không thể nâng độ mật vượt quá mức được tiếp cận của người thực hiện.")
    if document.level == to_level:
        raise MetadataError("Độ mật mới trùng độ mật hiện tại.", field="to_level")
    top = max(document.level, to_level, key=Level.rank)
    _not_future(approval, decided_on, today, "decided_on")
    checked = check_approval(ApprovalAct.LEVEL_CHANGE, top, approval, actor=actor, document=document, ctx=ctx,
                             today=decided_on)
    decided_on = _decision_day(checked, decided_on)
    years = _term_years(to_level, years, decided_on)
    with transaction.atomic():
        locked = _locked(document)
        _alive(locked)
        from_level, from_expiry = locked.level, locked.protection_expires_on
        clear_summary = bool(locked.summary) and not _summary_allowed(locked, to_level, decided_on)
        approval_row = save_approval(checked, document=locked, actor=actor)
        locked.level = to_level
        locked.level_decided_on = decided_on
        locked.protection_years = years
        locked.protection_expires_on = _add_years(decided_on, years)
        fields = ["level", "level_decided_on", "protection_years", "protection_expires_on", "updated_at"]
        if clear_summary:
            locked.summary = ""
            fields.append("summary")
        locked.save(update_fields=fields)
        change = LevelChange.objects.create(
            document=locked, kind=LevelChange.Kind.ADJUST, from_level=from_level, to_level=to_level,
            decided_on=decided_on, decision_ref=checked.decision_ref, approved_by=checked.approver.display_name,
            recorded_by=actor, reason=(reason or "").strip(), approval=approval_row, from_expiry=from_expiry,
            to_expiry=locked.protection_expires_on, summary_cleared=clear_summary,
        )
        notices = _notify_holders(locked, change, decided_on)
        record(Action.LEVEL_CHANGE, actor=actor, ctx=ctx, document=locked, document_level=from_level,
               extra={"level_change": change.pk, "kind": change.kind, "from_level": from_level,
                      "to_level": to_level, "decision_ref": checked.decision_ref,
                      "approved_by": checked.approver.username, "decided_on": decided_on.isoformat(),
                      "to_expiry": locked.protection_expires_on.isoformat(), "summary_cleared": clear_summary,
                      "notices": notices, "approval": approval_summary(approval_row)})
        _notify_changed(locked.pk)
    return change


def do_extend_term(
    document: Document,
    *,
    years: int,
    approval: ApprovalInput | None = None,
    decided_on: dt.date | None = None,
    reason: str = "",
    actor,
    ctx: RequestContext | None = None,
    today: dt.date | None = None,
) -> LevelChange:
    """Extend the protection term: at most the level's base term, decided at least the rules' window
    (60 days) before expiry."""
    _guard(actor, document, Action.LEVEL_CHANGE, ctx)
    _not_future(approval, decided_on, today, "decided_on")
    checked = check_approval(ApprovalAct.EXTENSION, document.level, approval, actor=actor, document=document,
                             ctx=ctx, today=decided_on)
    decided_on = _decision_day(checked, decided_on)
    rules = rules_on(decided_on)
    with transaction.atomic():
        locked = _locked(document)
        _alive(locked)
        if locked.level == Level.THUONG or not locked.protection_expires_on:
            raise RegistryError("Tài liệu không có thời hạn bảo vệ để gia hạn.", code=ErrorCode.INVALID_STATE)
        cap = rules.extension_max_years.get(locked.level) or rules.base_term(locked.level)
        if not isinstance(years, int) or years < 1 or years > cap:
            raise MetadataError(f"Mỗi lần gia hạn từ 1 đến {cap} năm.", field="years",
                                code=ErrorCode.TERM_NOT_ALLOWED)
        window = rules.extension_window_days
        if decided_on > locked.protection_expires_on - dt.timedelta(days=window):
            raise MetadataError(f"Quyết định gia hạn phải có trước khi hết hạn ít nhất {window} ngày.",
                                field="decided_on")
        old_expiry = locked.protection_expires_on
        approval_row = save_approval(checked, document=locked, actor=actor)
        locked.protection_expires_on = _add_years(old_expiry, years)
        locked.protection_years = (locked.protection_years or cap) + years
        locked.save(update_fields=["protection_expires_on", "protection_years", "updated_at"])
        change = LevelChange.objects.create(
            document=locked, kind=LevelChange.Kind.EXTEND, from_level=locked.level, to_level=locked.level,
            decided_on=decided_on, decision_ref=checked.decision_ref, approved_by=checked.approver.display_name,
            recorded_by=actor, reason=(reason or "").strip(), approval=approval_row, from_expiry=old_expiry,
            to_expiry=locked.protection_expires_on,
        )
        Task.objects.filter(key=f"extension:{locked.pk}:{old_expiry.isoformat()}", done_at__isnull=True) \
            .update(done_at=timezone.now())
        notices = _notify_holders(locked, change, decided_on)
        record(Action.LEVEL_CHANGE, actor=actor, ctx=ctx, document=locked,
               extra={"level_change": change.pk, "kind": change.kind, "years": years,
                      "from_expiry": old_expiry.isoformat(), "to_expiry": locked.protection_expires_on.isoformat(),
                      "decision_ref": checked.decision_ref, "approved_by": checked.approver.username,
                      "decided_on": decided_on.isoformat(), "notices": notices,
                      "approval": approval_summary(approval_row)})
        _notify_changed(locked.pk)
    return change


def _declassify_locked(locked, *, decided_on, decision_ref, approved_by, approval_row, actor, ctx, reason,
                       automatic):
    from_level = locked.level
    locked.level = Level.THUONG
    locked.declassified_on = decided_on
    locked.save(update_fields=["level", "declassified_on", "updated_at"])
    change = LevelChange.objects.create(
        document=locked, kind=LevelChange.Kind.DECLASSIFY, from_level=from_level, to_level=Level.THUONG,
        decided_on=decided_on, decision_ref=decision_ref, approved_by=approved_by, recorded_by=actor,
        reason=(reason or "").strip(), approval=approval_row, from_expiry=locked.protection_expires_on,
        automatic=automatic,
    )
    notices = _notify_holders(locked, change, decided_on)
    record(Action.DECLASSIFY, actor=actor, ctx=ctx, document=locked, document_level=from_level,
           extra={"level_change": change.pk, "from_level": from_level, "decision_ref": decision_ref,
                  "approved_by": approval_row.approver.username if approval_row else None,
                  "decided_on": decided_on.isoformat(), "automatic": automatic, "notices": notices,
                  "approval": approval_summary(approval_row)})
    _notify_changed(locked.pk)
    return change


def do_declassify(
    document: Document,
    *,
    approval: ApprovalInput | None = None,
    decided_on: dt.date | None = None,
    reason: str = "",
    actor,
    ctx: RequestContext | None = None,
    today: dt.date | None = None,
) -> LevelChange:
    """Declassify (giải mật) by decision: the level becomes ``thuong``; the history stays."""
    _guard(actor, document, Action.DECLASSIFY, ctx)
    _not_future(approval, decided_on, today, "decided_on")
    checked = check_approval(ApprovalAct.DECLASSIFICATION, document.level, approval, actor=actor,
                             document=document, ctx=ctx, today=decided_on)
    decided_on = _decision_day(checked, decided_on)
    if not checked.decision_ref:
        raise MetadataError("Thiếu số quyết định giải mật.", field="decision_ref")
    with transaction.atomic():
        locked = _locked(document)
        _alive(locked)
        if locked.level == Level.THUONG:
            raise RegistryError("Tài liệu không mang độ mật.", code=ErrorCode.INVALID_STATE)
        approval_row = save_approval(checked, document=locked, actor=actor)
        return _declassify_locked(locked, decided_on=decided_on, decision_ref=checked.decision_ref,
                                  approved_by=checked.approver.display_name, approval_row=approval_row,
                                  actor=actor, ctx=ctx, reason=reason, automatic=False)


AUTO_DECISION = "Hết thời hạn bảo vệ"


def do_auto_declassify(document: Document, *, today: dt.date, ctx: RequestContext | None = None):
    """Declassify a document whose protection term has ended (the law decides; no approver). Idempotent:
    a document already declassified, destroyed or not yet expired is left alone (returns None)."""
    with transaction.atomic():
        locked = _locked(document)
        if (locked.level == Level.THUONG or locked.destroyed_on or not locked.protection_expires_on
                or locked.protection_expires_on > today):
            return None
        day = locked.protection_expires_on
        return _declassify_locked(locked, decided_on=day, decision_ref=f"{AUTO_DECISION} ({day:%d/%m/%Y})",
                                  approved_by=AUTO_DECISION, approval_row=None, actor=None, ctx=ctx,
                                  reason="", automatic=True)


def declassified_stamp(document: Document) -> str:
    """"GIẢI MẬT" with the date and decision, for copies rendered after declassification; else ""."""
    if document.level != Level.THUONG or not document.declassified_on:
        return ""
    change = document.level_changes.filter(kind=LevelChange.Kind.DECLASSIFY).order_by("-pk").first()
    ref = f" — {change.decision_ref}" if change and change.decision_ref else ""
    return f"GIẢI MẬT ngày {document.declassified_on:%d/%m/%Y}{ref}"


# --- destruction -----------------------------------------------------------------------------------------

def do_destroy(
    document: Document,
    *,
    approval: ApprovalInput | None = None,
    council: str,
    items: str = "",
    minutes_ref: str = "",
    destroyed_on: dt.date | None = None,
    actor,
    ctx: RequestContext | None = None,
    today: dt.date | None = None,
) -> Destruction:
    """Destroy a document by council decision. The destruction file (council, item list, minutes, the
    decision and its papers) is kept; the content is removed for good after commit (``purge_destroyed``):
    original, rendition, cached marked copies, extracted text and the search index entry. The register
    entry and its whole history survive, marked destroyed."""
    _guard(actor, document, Action.DESTROY, ctx)
    council = _require_text(council, "council", "hội đồng tiêu hủy")
    _not_future(approval, destroyed_on, today, "destroyed_on")
    checked = check_approval(ApprovalAct.DESTRUCTION, document.level, approval, actor=actor, document=document,
                             ctx=ctx, today=destroyed_on)
    destroyed_on = destroyed_on or checked.approved_on
    if not checked.decision_ref:
        raise MetadataError("Thiếu số quyết định tiêu hủy.", field="decision_ref")
    with transaction.atomic():
        locked = _locked(document)
        if locked.destroyed_on:
            raise RegistryError("Tài liệu đã bị tiêu hủy.", code=ErrorCode.INVALID_STATE)
        if Loan.objects.filter(document=locked, returned_at__isnull=True).exists():
            raise RegistryError("Tài liệu đang được cho mượn, chưa thể tiêu hủy.", code=ErrorCode.INVALID_STATE)
        approval_row = save_approval(checked, document=locked, actor=actor)
        destruction = Destruction.objects.create(
            document=locked, destroyed_on=destroyed_on, decision_ref=checked.decision_ref, council=council,
            approved_by=checked.approver.display_name, recorded_by=actor, minutes_ref=clean_line(minutes_ref or ""),
            items=(items or "").strip(), approval=approval_row,
        )
        copies = Copy.objects.filter(document=locked).exclude(state=Copy.State.DESTROYED)
        copies.update(state=Copy.State.DESTROYED, state_on=destroyed_on)
        locked.destroyed_on = destroyed_on
        # Content-derived text goes now, in the same transaction; files go after commit.
        locked.extracted_text = ""
        locked.save(update_fields=["destroyed_on", "extracted_text", "updated_at"])
        record(Action.DESTROY, actor=actor, ctx=ctx, document=locked,
               extra={"destruction": destruction.pk, "decision_ref": checked.decision_ref,
                      "approved_by": checked.approver.username, "council": council,
                      "minutes_ref": destruction.minutes_ref, "destroyed_on": destroyed_on.isoformat(),
                      "approval": approval_summary(approval_row)})
        pk = locked.pk
        # robust: a failed purge does not undo the recorded act; `lifecycle run` finishes it (purged_at is empty)
        transaction.on_commit(lambda: purge_destroyed(pk), robust=True)
    return destruction


def _delete_field_file(field) -> None:
    if field and field.name:
        storage, name = field.storage, field.name
        try:
            if storage.exists(name):
                storage.delete(name)
        except OSError:
            log.exception("could not delete %s", name)
            raise


def _purge_outbox() -> int:
    """Cached one-time marked copies are not labelled by document: drop them all (they expire in minutes)."""
    outbox = Path(settings.REGISTRY_HOME) / "outbox"
    removed = 0
    if outbox.is_dir():
        for item in outbox.iterdir():
            if item.is_file():
                item.unlink(missing_ok=True)
                removed += 1
    return removed


def purge_destroyed(document_id: int) -> bool:
    """Remove a destroyed document's content for good (idempotent; rerun by ``lifecycle run`` after a
    crash). Sends ``document_destroyed`` once the content is gone."""
    import search

    document = Document.objects.filter(pk=document_id, destroyed_on__isnull=False).first()
    if document is None:
        return False
    destruction = Destruction.objects.filter(document=document).first()
    if destruction is not None and destruction.purged_at is not None and not (document.file or document.rendition):
        return False
    _delete_field_file(document.file)
    _delete_field_file(document.rendition)
    _purge_outbox()
    Document.objects.filter(pk=document.pk).update(file="", rendition="", extracted_text="",
                                                   file_size=None, file_hash="")
    try:
        search.remove_document(document.pk)
        # A deleted entry stays in the index's segment files until they merge: rebuild from the database
        # (which no longer holds the text) so that no byte of it is left on disk. Destruction is rare.
        if getattr(settings, "REGISTRY_DESTROY_REBUILDS_INDEX", True):
            search.rebuild()
    except Exception:  # the next rebuild/reconcile repairs the index from the database
        log.exception("search index removal failed for %s", document.pk)
    if destruction is not None:
        Destruction.objects.filter(pk=destruction.pk).update(purged_at=timezone.now())
    document_destroyed.send(sender=Document, document_id=document.pk)
    return True


__all__ = [
    "EXTENSION_NOTICE_DAYS",
    "LEVEL_STAMP",
    "copy_sequence_key",
    "declassified_stamp",
    "do_acknowledge_hand_over",
    "do_auto_declassify",
    "do_change_level",
    "do_declassify",
    "do_destroy",
    "do_extend_term",
    "do_hand_over",
    "do_lend",
    "do_record_copy",
    "do_return",
    "do_spoil_copy",
    "holders_of",
    "purge_destroyed",
    "register_marked_copy",
]
