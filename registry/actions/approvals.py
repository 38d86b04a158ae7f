"""Approvals of lifecycle acts, and the administration of who may give them (domain.md §5).

An act that needs an approval is given an ``ApprovalInput`` (who approved, on which date, the decision
reference, any decision papers). ``check_approval`` runs *before* the act's transaction: an act without a
valid approval is refused through the one guard (one REFUSED entry, reason ``approval_missing``,
``approver_not_authorised``, ``delegation_expired`` or ``self_approval``). ``save_approval`` then writes
the ``Approval`` row (and stores its papers) inside the act's transaction.

Whether a person may approve comes from data only: the positions they hold on that date
(``PositionHolder``) and what those positions may approve (``ApprovalAuthority``), or a written
``Delegation`` from someone who may. Authority rows are versioned: an edit retires the old row and writes
a new one that points back at it.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from registry.audit.context import RequestContext
from registry.audit.log import record
from registry.constants import Action, Level
from registry.errors import ErrorCode, MetadataError, RegistryError
from registry.models import (
    Approval,
    ApprovalAct,
    ApprovalAuthority,
    ApprovalPaper,
    Delegation,
    PositionHolder,
    Unit,
    User,
)
from registry.text import clean_line

# The access-log action under which a refused act is written, per approval act.
ACT_LOG_ACTION = {
    ApprovalAct.COPY: Action.COPY,
    ApprovalAct.HAND_OVER: Action.HAND_OVER,
    ApprovalAct.LOAN: Action.LOAN,
    ApprovalAct.MEETING: Action.LOAN,
    ApprovalAct.LEVEL_CHANGE: Action.LEVEL_CHANGE,
    ApprovalAct.EXTENSION: Action.LEVEL_CHANGE,
    ApprovalAct.DECLASSIFICATION: Action.DECLASSIFY,
    ApprovalAct.DESTRUCTION: Action.DESTROY,
    ApprovalAct.NEED_TO_KNOW_GRANT: Action.GRANT,
}

REASON_MESSAGES = {
    ErrorCode.APPROVAL_MISSING: "Việc này phải có phê duyệt của người có thẩm quyền (ghi rõ người phê duyệt).",
    ErrorCode.APPROVER_NOT_AUTHORISED: "Người phê duyệt không có thẩm quyền phê duyệt việc này đối với độ mật "
                                       "của tài liệu vào ngày phê duyệt.",
    ErrorCode.DELEGATION_EXPIRED: "Văn bản ủy quyền của người phê duyệt không còn hiệu lực vào ngày phê duyệt.",
    ErrorCode.SELF_APPROVAL: "Không ai được tự phê duyệt việc của chính mình.",
}


@dataclass(frozen=True)
class Paper:
    name: str
    content: bytes
    kind: str = ApprovalPaper.Kind.DECISION


@dataclass(frozen=True)
class ApprovalInput:
    """What the person recording an act says about its approval. ``approver``: a User or a username."""

    approver: object
    decision_ref: str = ""
    approved_on: dt.date | None = None
    papers: tuple = field(default_factory=tuple)


@dataclass(frozen=True)
class CheckedApproval:
    act: str
    level: str
    approver: User
    approved_on: dt.date
    decision_ref: str
    authority: ApprovalAuthority | None
    delegation: Delegation | None
    papers: tuple


def _user(value) -> User | None:
    if value is None or value == "":
        return None
    if isinstance(value, User):
        return value
    return User.objects.filter(username=str(value), is_active=True).first()


def direct_authority(user, act, level, on: dt.date) -> ApprovalAuthority | None:
    """The authority row by which ``user``'s positions on ``on`` let them approve ``act`` at ``level``."""
    holdings = [h for h in PositionHolder.objects.filter(user=user, valid_from__lte=on) if h.in_force_on(on)]
    if not holdings:
        return None
    rank = Level.rank(level)
    for authority in ApprovalAuthority.objects.filter(act=act, valid_from__lte=on).order_by("-valid_from", "-pk"):
        if not authority.in_force_on(on) or Level.rank(authority.max_level) < rank:
            continue
        for holding in holdings:
            if holding.position.casefold() == authority.position.casefold() and (
                authority.unit_id is None or authority.unit_id == holding.unit_id
            ):
                return authority
    return None


def resolve_authority(user, act, level, on: dt.date):
    """(authority, delegation, reason): how ``user`` may approve, or the ErrorCode why not."""
    authority = direct_authority(user, act, level, on)
    if authority is not None:
        return authority, None, None
    expired = False
    rank = Level.rank(level)
    for delegation in Delegation.objects.filter(delegate=user).select_related("delegator").order_by("-valid_from"):
        if str(act) not in delegation.acts or Level.rank(delegation.max_level) < rank:
            continue
        if not delegation.in_force_on(on):
            expired = True
            continue
        base = direct_authority(delegation.delegator, act, level, on)
        if base is not None:
            return base, delegation, None
    return None, None, ErrorCode.DELEGATION_EXPIRED if expired else ErrorCode.APPROVER_NOT_AUTHORISED


def approval_problem(act, level, approval: ApprovalInput | None, *, actor, beneficiaries=(), today=None):
    """(ErrorCode or None, CheckedApproval or None): what is wrong with an approval, without logging."""
    if approval is None or not approval.approver:
        return ErrorCode.APPROVAL_MISSING, None
    approver = _user(approval.approver)
    if approver is None:
        return ErrorCode.APPROVER_NOT_AUTHORISED, None
    people = {getattr(actor, "pk", None), *(getattr(b, "pk", None) for b in beneficiaries if b is not None)}
    if approver.pk in people - {None}:
        return ErrorCode.SELF_APPROVAL, None
    on = approval.approved_on or today or timezone.localdate()
    authority, delegation, reason = resolve_authority(approver, act, level, on)
    if reason:
        return reason, None
    return None, CheckedApproval(act=str(act), level=str(level), approver=approver, approved_on=on,
                                 decision_ref=clean_line(approval.decision_ref or "")[:128], authority=authority,
                                 delegation=delegation, papers=tuple(approval.papers or ()))


def check_approval(act, level, approval: ApprovalInput | None, *, actor, document=None, beneficiaries=(),
                   ctx: RequestContext | None = None, today=None) -> CheckedApproval:
    """A valid approval, or one logged refusal (the one guard) and ``RegistryError`` with the reason code.

    Call outside the act's transaction so that the refusal's entry survives.
    """
    from registry.actions.guard import refuse

    reason, checked = approval_problem(act, level, approval, actor=actor, beneficiaries=beneficiaries, today=today)
    if reason is None:
        return checked
    approver = getattr(approval, "approver", None) if approval else None
    refuse(ACT_LOG_ACTION[ApprovalAct(act)], actor=actor, ctx=ctx, reason=reason, document=document,
           error=RegistryError(REASON_MESSAGES[reason], code=reason),
           extra={"approval_act": str(act), "approver": getattr(approver, "username", approver) or ""})


def save_approval(checked: CheckedApproval, *, document=None, actor) -> Approval:
    """Write the approval and its papers; inside the act's transaction."""
    approval = Approval.objects.create(
        act=checked.act, document=document, level=checked.level, approver=checked.approver,
        approved_on=checked.approved_on, decision_ref=checked.decision_ref, authority=checked.authority,
        delegation=checked.delegation, recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    for paper in checked.papers:
        content = paper.content if isinstance(paper.content, bytes) else paper.content.read()
        digest = hashlib.sha256(content).hexdigest()
        stored = ApprovalPaper(approval=approval, kind=paper.kind, original_filename=clean_line(paper.name)[:255],
                               sha256=digest, size=len(content))
        stored.file.save(f"{digest[:2]}/{digest}", ContentFile(content), save=False)
        stored.save()
    return approval


def approval_summary(approval: Approval | None) -> dict | None:
    """The approval as it goes into a log entry's ``extra``."""
    if approval is None:
        return None
    return {"id": approval.pk, "approver": approval.approver.username, "approved_on": approval.approved_on.isoformat(),
            "decision_ref": approval.decision_ref, "delegation": approval.delegation_id,
            "papers": [p.sha256 for p in approval.papers.all()]}


# --- Administration of the authority data (admin screens and ``registry approvals``) ---------------------

def _admin_only(actor):
    from registry.access import Perm, can_do

    if actor is not None and not can_do(actor, Perm.MANAGE_USERS):
        from registry.actions.guard import refuse

        refuse(Action.USER_ADMIN, actor=actor, reason=ErrorCode.PERMISSION_DENIED,
               extra={"what": "approval_authority"})


def _unit(code):
    if not code:
        return None
    if isinstance(code, Unit):
        return code
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise MetadataError(f"Không có đơn vị «{code}».", field="unit", code=ErrorCode.UNKNOWN_UNIT)
    return unit


def _dates(valid_from, valid_until):
    valid_from = valid_from or timezone.localdate()
    if valid_until and valid_until < valid_from:
        raise MetadataError("Ngày hết hiệu lực phải sau ngày bắt đầu.", field="valid_until")
    return valid_from, valid_until


def do_add_authority(*, act, max_level, position, unit=None, valid_from=None, valid_until=None, basis="",
                     previous: ApprovalAuthority | None = None, actor=None, ctx=None) -> ApprovalAuthority:
    """Add an authority row (or a new version of ``previous``, which is retired in the same transaction)."""
    _admin_only(actor)
    if act not in ApprovalAct.values:
        raise MetadataError(f"Việc không hợp lệ: «{act}»", field="act")
    if max_level not in Level.values:
        raise MetadataError(f"Độ mật không hợp lệ: «{max_level}»", field="max_level")
    position = clean_line(position or "")
    if not position:
        raise MetadataError("Thiếu chức vụ.", field="position")
    valid_from, valid_until = _dates(valid_from, valid_until)
    with transaction.atomic():
        if previous is not None:
            previous = ApprovalAuthority.objects.select_for_update().get(pk=previous.pk)
            if previous.retired_at is not None:
                raise RegistryError("Bản này đã được thay thế.", code=ErrorCode.INVALID_STATE)
            previous.retired_at = timezone.now()
            previous.save(update_fields=["retired_at"])
        row = ApprovalAuthority.objects.create(
            act=act, max_level=max_level, position=position, unit=_unit(unit), valid_from=valid_from,
            valid_until=valid_until, basis=clean_line(basis or ""), previous=previous,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        record(Action.USER_ADMIN, actor=actor, ctx=ctx,
               extra={"approval_authority": row.pk, "previous": previous.pk if previous else None, "act": act,
                      "max_level": max_level, "position": position, "unit": row.unit.code if row.unit else None,
                      "valid_from": valid_from.isoformat(),
                      "valid_until": valid_until.isoformat() if valid_until else None})
    return row


def do_retire_authority(row, *, actor=None, ctx=None):
    _admin_only(actor)
    with transaction.atomic():
        row = type(row).objects.select_for_update().get(pk=row.pk)
        if row.retired_at is None:
            row.retired_at = timezone.now()
            row.save(update_fields=["retired_at"])
        record(Action.USER_ADMIN, actor=actor, ctx=ctx,
               extra={"retired": type(row).__name__, "id": row.pk})
    return row


def do_add_position(user, *, position, unit=None, valid_from=None, valid_until=None, actor=None,
                    ctx=None) -> PositionHolder:
    _admin_only(actor)
    position = clean_line(position or "")
    if not position:
        raise MetadataError("Thiếu chức vụ.", field="position")
    valid_from, valid_until = _dates(valid_from, valid_until)
    with transaction.atomic():
        row = PositionHolder.objects.create(user=user, position=position, unit=_unit(unit), valid_from=valid_from,
                                            valid_until=valid_until,
                                            created_by=actor if getattr(actor, "pk", None) else None)
        record(Action.USER_ADMIN, actor=actor, ctx=ctx,
               extra={"position_holder": row.pk, "user": user.username, "position": position,
                      "valid_from": valid_from.isoformat(),
                      "valid_until": valid_until.isoformat() if valid_until else None})
    return row


def do_add_delegation(*, delegator, delegate, acts, max_level, reference, valid_from=None, valid_until=None,
                      actor=None, ctx=None) -> Delegation:
    _admin_only(actor)
    acts = [str(a) for a in acts]
    bad = [a for a in acts if a not in ApprovalAct.values]
    if not acts or bad:
        raise MetadataError(f"Phạm vi ủy quyền không hợp lệ: {', '.join(bad) or '(trống)'}", field="acts")
    if max_level not in Level.values:
        raise MetadataError(f"Độ mật không hợp lệ: «{max_level}»", field="max_level")
    if delegator.pk == delegate.pk:
        raise MetadataError("Không thể tự ủy quyền cho chính mình.", field="delegate")
    reference = clean_line(reference or "")
    if not reference:
        raise MetadataError("Thiếu số văn bản ủy quyền.", field="reference")
    valid_from, valid_until = _dates(valid_from, valid_until)
    with transaction.atomic():
        row = Delegation.objects.create(delegator=delegator, delegate=delegate, acts=acts, max_level=max_level,
                                        reference=reference, valid_from=valid_from, valid_until=valid_until,
                                        created_by=actor if getattr(actor, "pk", None) else None)
        record(Action.USER_ADMIN, actor=actor, ctx=ctx,
               extra={"delegation": row.pk, "delegator": delegator.username, "delegate": delegate.username,
                      "acts": acts, "max_level": max_level, "reference": reference,
                      "valid_from": valid_from.isoformat(),
                      "valid_until": valid_until.isoformat() if valid_until else None})
    return row


__all__ = [
    "ApprovalInput",
    "CheckedApproval",
    "Paper",
    "approval_problem",
    "approval_summary",
    "check_approval",
    "do_add_authority",
    "do_add_delegation",
    "do_add_position",
    "do_retire_authority",
    "resolve_authority",
    "save_approval",
]
