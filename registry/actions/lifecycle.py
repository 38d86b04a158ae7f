"""The life of a secret after registration: copies, hand-overs, loans and returns, level changes, term
extensions, declassification and destruction (domain.md §1, §5).

Every action checks the clearance policy (``Perm.LIFECYCLE`` on a document the actor can see), changes the
data and writes exactly one access-log entry in the same transaction. A document the actor may not see
answers ``NotFoundError`` exactly as a missing one would; the refused attempt itself is logged (outcome
``refused``) without any of the document's content. Log entries carry the document's level *before* the
change, so the yearly statistics count a declassification under the level that was lifted.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from registry.access import Perm, can
from registry.audit.context import RequestContext
from registry.audit.log import record
from registry.constants import LEVEL_BASE_TERM_YEARS, Action, CopyForm, Level, Outcome
from registry.errors import ErrorCode, MetadataError, NotFoundError, PermissionDeniedError, RegistryError
from registry.models import CopyRecord, Destruction, Document, HandOver, LevelChange, Loan
from registry.signals import document_changed
from registry.text import clean_line

# An extension must be decided this many days before the term expires (domain.md §1, "verify").
EXTENSION_NOTICE_DAYS = 60


def _guard(actor, document: Document, action: str, ctx) -> None:
    """Refuse (and log the refusal) unless ``actor`` may run lifecycle actions on ``document``."""
    if can(actor, Perm.LIFECYCLE, document):
        return
    visible = can(actor, Perm.VIEW, document)
    # The refusal is kept even though the caller's transaction (if any) will not commit the change.
    record(action, actor=actor, ctx=ctx, document=document, outcome=Outcome.REFUSED,
           extra={"reason": "permission" if visible else "not_found"})
    if not visible:
        raise NotFoundError()
    raise PermissionDeniedError("Người dùng không có quyền thực hiện thao tác này với tài liệu.")


def _require_text(value: str, field: str, label: str) -> str:
    value = clean_line(value or "")
    if not value:
        raise MetadataError(f"Thiếu {label}.", field=field)
    return value


def _locked(document: Document) -> Document:
    return Document.objects.select_for_update().select_related("handling_unit").get(pk=document.pk)


def _alive(document: Document) -> None:
    if document.destroyed_on:
        raise RegistryError("Tài liệu đã bị tiêu hủy.", code=ErrorCode.INVALID_STATE)


def _notify_changed(document_id: int) -> None:
    transaction.on_commit(lambda: document_changed.send(sender=Document, document_id=document_id))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def do_record_copy(
    document: Document,
    *,
    form: str,
    quantity: int,
    authorised_by: str,
    recipients: str = "",
    actor,
    ctx: RequestContext | None = None,
    notes: str = "",
) -> CopyRecord:
    """Record copies made of a document (Sổ quản lý sao, chụp); copy numbers continue from earlier copies."""
    _guard(actor, document, Action.COPY, ctx)
    if form not in CopyForm.values:
        raise MetadataError(f"Hình thức sao không hợp lệ: «{form}»", field="form")
    if not isinstance(quantity, int) or quantity < 1 or quantity > 1000:
        raise MetadataError("Số lượng bản sao phải từ 1 đến 1000.", field="quantity")
    authorised_by = _require_text(authorised_by, "authorised_by", "người cho phép sao")
    with transaction.atomic():
        locked = _locked(document)
        _alive(locked)
        last = 0
        for first, qty in CopyRecord.objects.filter(document=locked).values_list("first_copy_number", "quantity"):
            last = max(last, first + qty - 1)
        copy = CopyRecord.objects.create(
            document=locked, made_on=timezone.localdate(), form=form, quantity=quantity,
            first_copy_number=last + 1, authorised_by=authorised_by, copied_by=actor,
            recipients=(recipients or "").strip(), notes=(notes or "").strip(),
        )
        record(Action.COPY, actor=actor, ctx=ctx, document=locked,
               extra={"copy_record": copy.pk, "form": form, "quantity": quantity,
                      "first_copy_number": copy.first_copy_number, "last_copy_number": last + quantity,
                      "authorised_by": authorised_by})
    return copy


def do_hand_over(
    document: Document,
    *,
    recipient: str,
    recipient_user=None,
    acknowledged: bool,
    actor,
    ctx: RequestContext | None = None,
    notes: str = "",
) -> HandOver:
    """Record handing a document to a person or body (Sổ chuyển giao)."""
    _guard(actor, document, Action.HAND_OVER, ctx)
    recipient = _require_text(recipient or (recipient_user.username if recipient_user else ""),
                              "recipient", "người/nơi nhận")
    if recipient_user is not None and not can(recipient_user, Perm.VIEW, document):
        raise PermissionDeniedError("Người nhận không đủ điều kiện tiếp cận tài liệu này.")
    with transaction.atomic():
        locked = _locked(document)
        _alive(locked)
        hand_over = HandOver.objects.create(
            document=locked, handed_on=timezone.localdate(), recipient=recipient, recipient_user=recipient_user,
            acknowledged=bool(acknowledged), handed_by=actor, notes=(notes or "").strip(),
        )
        record(Action.HAND_OVER, actor=actor, ctx=ctx, document=locked,
               extra={"hand_over": hand_over.pk, "recipient": recipient,
                      "recipient_user": recipient_user.username if recipient_user else None,
                      "acknowledged": bool(acknowledged)})
    return hand_over


def do_lend(
    document: Document,
    *,
    borrower,
    due_at: dt.datetime,
    purpose: str,
    meeting_ends_at: dt.datetime | None = None,
    approved_by,
    actor,
    ctx: RequestContext | None = None,
) -> Loan:
    """Take a document out of storage for ``borrower`` until ``due_at`` (or hand it out for a meeting).

    The borrower must be able to see the document (clearance and need-to-know).
    """
    _guard(actor, document, Action.LOAN, ctx)
    purpose = _require_text(purpose, "purpose", "mục đích mượn")
    if approved_by is None:
        raise MetadataError("Thiếu người phê duyệt.", field="approved_by")
    if not can(borrower, Perm.VIEW, document):
        raise PermissionDeniedError("Người mượn không đủ điều kiện tiếp cận tài liệu này.")
    now = timezone.now()
    if due_at <= now:
        raise MetadataError("Hạn trả phải sau thời điểm mượn.", field="due_at")
    if meeting_ends_at is not None and meeting_ends_at <= now:
        raise MetadataError("Thời điểm kết thúc phiên họp đã qua.", field="meeting_ends_at")
    with transaction.atomic():
        locked = _locked(document)
        _alive(locked)
        loan = Loan.objects.create(
            document=locked, borrower=borrower, approved_by=approved_by, purpose=purpose, out_at=now,
            due_at=due_at, meeting_ends_at=meeting_ends_at,
        )
        record(Action.LOAN, actor=actor, ctx=ctx, document=locked, purpose=purpose,
               extra={"loan": loan.pk, "borrower": borrower.username, "approved_by": approved_by.username,
                      "due_at": due_at.isoformat(),
                      "meeting_ends_at": meeting_ends_at.isoformat() if meeting_ends_at else None})
    return loan


def do_return(loan: Loan, *, actor, ctx: RequestContext | None = None) -> Loan:
    """Record the return of a lent document."""
    _guard(actor, loan.document, Action.RETURN, ctx)
    with transaction.atomic():
        locked = Loan.objects.select_for_update().select_related("document", "borrower").get(pk=loan.pk)
        if locked.returned_at is not None:
            raise RegistryError("Tài liệu đã được trả.", code=ErrorCode.INVALID_STATE)
        locked.returned_at = timezone.now()
        locked.save(update_fields=["returned_at"])
        late = locked.returned_at > locked.due_at or bool(
            locked.meeting_ends_at and locked.returned_at > locked.meeting_ends_at
        )
        record(Action.RETURN, actor=actor, ctx=ctx, document=locked.document,
               extra={"loan": locked.pk, "borrower": locked.borrower.username, "late": late})
    return locked


def _decision(decision_ref, approved_by, decided_on):
    decision_ref = _require_text(decision_ref, "decision_ref", "số quyết định")
    approved_by = _require_text(approved_by, "approved_by", "người phê duyệt")
    if not isinstance(decided_on, dt.date):
        raise MetadataError("Thiếu ngày quyết định.", field="decided_on")
    if decided_on > timezone.localdate() + dt.timedelta(days=1):
        raise MetadataError("Ngày quyết định ở tương lai.", field="decided_on")
    return decision_ref, approved_by


def do_change_level(
    document: Document,
    *,
    to_level: str,
    decision_ref: str,
    approved_by: str,
    decided_on: dt.date,
    reason: str = "",
    actor,
    ctx: RequestContext | None = None,
) -> LevelChange:
    """Adjust a document's level up or down (not to ``thuong``: that is ``do_declassify``).

    The protection term restarts from ``decided_on`` with the new level's base term.
    """
    _guard(actor, document, Action.LEVEL_CHANGE, ctx)
    if to_level not in Level.values or to_level == Level.THUONG:
        raise MetadataError(f"Độ mật mới không hợp lệ: «{to_level}» (giải mật dùng thao tác riêng)",
                            field="to_level")
    if Level.rank(to_level) > Level.rank(actor.clearance):
        raise PermissionDeniedError("Không thể nâng độ mật vượt quá mức được tiếp cận của người thực hiện.")
    decision_ref, approved_by = _decision(decision_ref, approved_by, decided_on)
    with transaction.atomic():
        locked = _locked(document)
        _alive(locked)
        from_level = locked.level
        if from_level == to_level:
            raise MetadataError("Độ mật mới trùng độ mật hiện tại.", field="to_level")
        change = LevelChange.objects.create(
            document=locked, kind=LevelChange.Kind.ADJUST, from_level=from_level, to_level=to_level,
            decided_on=decided_on, decision_ref=decision_ref, approved_by=approved_by, recorded_by=actor,
            reason=(reason or "").strip(),
        )
        years = LEVEL_BASE_TERM_YEARS[to_level]
        locked.level = to_level
        locked.level_decided_on = decided_on
        locked.protection_years = years
        locked.protection_expires_on = _add_years(decided_on, years)
        locked.save(update_fields=["level", "level_decided_on", "protection_years", "protection_expires_on",
                                   "updated_at"])
        record(Action.LEVEL_CHANGE, actor=actor, ctx=ctx, document=locked, document_level=from_level,
               extra={"level_change": change.pk, "kind": change.kind, "from_level": from_level,
                      "to_level": to_level, "decision_ref": decision_ref, "approved_by": approved_by,
                      "decided_on": decided_on.isoformat()})
        _notify_changed(locked.pk)
    return change


def do_extend_term(
    document: Document,
    *,
    years: int,
    decision_ref: str,
    approved_by: str,
    decided_on: dt.date,
    reason: str = "",
    actor,
    ctx: RequestContext | None = None,
) -> LevelChange:
    """Extend the protection term: at most the level's base term, decided at least 60 days before expiry."""
    _guard(actor, document, Action.LEVEL_CHANGE, ctx)
    decision_ref, approved_by = _decision(decision_ref, approved_by, decided_on)
    with transaction.atomic():
        locked = _locked(document)
        _alive(locked)
        if locked.level == Level.THUONG or not locked.protection_expires_on:
            raise RegistryError("Tài liệu không có thời hạn bảo vệ để gia hạn.", code=ErrorCode.INVALID_STATE)
        base = LEVEL_BASE_TERM_YEARS[locked.level]
        if not isinstance(years, int) or years < 1 or years > base:
            raise MetadataError(f"Mỗi lần gia hạn từ 1 đến {base} năm.", field="years")
        if decided_on > locked.protection_expires_on - dt.timedelta(days=EXTENSION_NOTICE_DAYS):
            raise MetadataError(
                f"Quyết định gia hạn phải có trước khi hết hạn ít nhất {EXTENSION_NOTICE_DAYS} ngày.",
                field="decided_on",
            )
        old_expiry = locked.protection_expires_on
        change = LevelChange.objects.create(
            document=locked, kind=LevelChange.Kind.EXTEND, from_level=locked.level, to_level=locked.level,
            decided_on=decided_on, decision_ref=decision_ref, approved_by=approved_by, recorded_by=actor,
            reason=(reason or "").strip(),
        )
        locked.protection_expires_on = _add_years(old_expiry, years)
        locked.protection_years = (locked.protection_years or base) + years
        locked.save(update_fields=["protection_expires_on", "protection_years", "updated_at"])
        record(Action.LEVEL_CHANGE, actor=actor, ctx=ctx, document=locked,
               extra={"level_change": change.pk, "kind": change.kind, "years": years,
                      "from_expiry": old_expiry.isoformat(), "to_expiry": locked.protection_expires_on.isoformat(),
                      "decision_ref": decision_ref, "approved_by": approved_by,
                      "decided_on": decided_on.isoformat()})
        _notify_changed(locked.pk)
    return change


def do_declassify(
    document: Document,
    *,
    decision_ref: str,
    approved_by: str,
    decided_on: dt.date,
    reason: str = "",
    actor,
    ctx: RequestContext | None = None,
) -> LevelChange:
    """Declassify (giải mật): the level becomes ``thuong``; the history stays in LevelChange and the log."""
    _guard(actor, document, Action.DECLASSIFY, ctx)
    decision_ref, approved_by = _decision(decision_ref, approved_by, decided_on)
    with transaction.atomic():
        locked = _locked(document)
        _alive(locked)
        from_level = locked.level
        if from_level == Level.THUONG:
            raise RegistryError("Tài liệu không mang độ mật.", code=ErrorCode.INVALID_STATE)
        change = LevelChange.objects.create(
            document=locked, kind=LevelChange.Kind.DECLASSIFY, from_level=from_level, to_level=Level.THUONG,
            decided_on=decided_on, decision_ref=decision_ref, approved_by=approved_by, recorded_by=actor,
            reason=(reason or "").strip(),
        )
        locked.level = Level.THUONG
        locked.declassified_on = decided_on
        locked.save(update_fields=["level", "declassified_on", "updated_at"])
        record(Action.DECLASSIFY, actor=actor, ctx=ctx, document=locked, document_level=from_level,
               extra={"level_change": change.pk, "from_level": from_level, "decision_ref": decision_ref,
                      "approved_by": approved_by, "decided_on": decided_on.isoformat()})
        _notify_changed(locked.pk)
    return change


def do_destroy(
    document: Document,
    *,
    decision_ref: str,
    council: str,
    approved_by: str,
    minutes_ref: str = "",
    destroyed_on: dt.date,
    actor,
    ctx: RequestContext | None = None,
) -> Destruction:
    """Record the destruction of a document. The register entry and its history survive."""
    _guard(actor, document, Action.DESTROY, ctx)
    decision_ref, approved_by = _decision(decision_ref, approved_by, destroyed_on)
    with transaction.atomic():
        locked = _locked(document)
        _alive(locked)
        if Loan.objects.filter(document=locked, returned_at__isnull=True).exists():
            raise RegistryError("Tài liệu đang được cho mượn, chưa thể tiêu hủy.", code=ErrorCode.INVALID_STATE)
        destruction = Destruction.objects.create(
            document=locked, destroyed_on=destroyed_on, decision_ref=decision_ref, council=(council or "").strip(),
            approved_by=approved_by, recorded_by=actor, minutes_ref=clean_line(minutes_ref or ""),
        )
        locked.destroyed_on = destroyed_on
        locked.save(update_fields=["destroyed_on", "updated_at"])
        record(Action.DESTROY, actor=actor, ctx=ctx, document=locked,
               extra={"destruction": destruction.pk, "decision_ref": decision_ref, "approved_by": approved_by,
                      "minutes_ref": destruction.minutes_ref, "destroyed_on": destroyed_on.isoformat()})
        _notify_changed(locked.pk)
    return destruction
