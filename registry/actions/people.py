"""People and need-to-know grants: set up an office from the admin or a script, each change logged."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from registry.access import Perm, can_do, visible_documents
from registry.actions.guard import refusals_logged, refuse, require, require_role
from registry.audit.context import RequestContext
from registry.audit.log import record
from registry.constants import Action, Level, Role
from registry.errors import ErrorCode, MetadataError, PermissionDeniedError, RegistryError
from registry.models import Document, Dossier, Grant, Unit, User
from registry.text import clean_line


def _require(actor, perm):
    # ``actor=None`` is the local operator at the console (bootstrap, demo): trusted by having the machine.
    if actor is not None and not can_do(actor, perm):
        raise PermissionDeniedError("Người dùng không có quyền thực hiện thao tác này.")


def do_add_user(
    username: str,
    *,
    role: str,
    clearance: str,
    unit: str = "",
    password: str | None = None,
    full_name: str = "",
    email: str = "",
    superuser: bool = False,
    actor=None,
    ctx: RequestContext | None = None,
) -> User:
    """Create (or update the role/clearance/unit of) a user. ``unit`` is a unit name or code; created if new.

    ``superuser`` only from the server's console (``actor=None``): nobody makes a superuser from the web or
    the API. A console run sets it on or off; other callers never touch it. It lifts no clearance.
    """
    _require_manage_users(actor, ctx, username)
    if superuser and actor is not None:
        refuse(Action.USER_ADMIN, actor=actor, ctx=ctx, reason=ErrorCode.PERMISSION_DENIED,
               extra={"user": clean_line(username), "superuser": True},
               error=PermissionDeniedError("Chỉ có thể tạo quản trị tối cao trên máy chủ "
                                           "(registry users add --superuser)."))
    username = clean_line(username)
    if not username:
        raise MetadataError("Thiếu tên đăng nhập.", field="username")
    if role not in Role.values:
        raise MetadataError(f"Vai trò không hợp lệ: «{role}»", field="role")
    if clearance not in Level.values:
        raise MetadataError(f"Mức tiếp cận không hợp lệ: «{clearance}»", field="clearance")
    with transaction.atomic():
        unit_obj = None
        if unit:
            unit_name = clean_line(unit)
            unit_obj = Unit.objects.filter(code=unit_name).first() or Unit.objects.filter(name=unit_name).first()
            if unit_obj is None:
                unit_obj = Unit.objects.create(code=_unit_code(unit_name), name=unit_name)
        user, created = User.objects.get_or_create(username=username)
        user.role, user.clearance, user.unit = role, clearance, unit_obj
        user.is_staff = role == Role.ADMIN
        if actor is None:
            user.is_superuser = superuser
            user.is_staff = user.is_staff or superuser
        if full_name:
            parts = clean_line(full_name).rsplit(" ", 1)
            user.last_name, user.first_name = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
        if email:
            user.email = email
        if password:
            user.set_password(password)
        elif created:
            user.set_unusable_password()
        user.save()
        extra = {"user": username, "created": created, "role": role, "clearance": clearance,
                 "unit": unit_obj.code if unit_obj else ""}
        if user.is_superuser:
            extra["superuser"] = True
        record(Action.USER_ADMIN, actor=actor, ctx=ctx, extra=extra)
    return user


def _require_manage_users(actor, ctx, username="") -> None:
    # ``actor=None`` is the local operator at the console: trusted by having the machine. Others: the guard.
    if actor is not None:
        require_role(Perm.MANAGE_USERS, Action.USER_ADMIN, actor=actor, ctx=ctx,
                     extra={"user": str(username)[:150]} if username else None)


# Roles whose accounts another administrator may not take over from the web by setting their password.
PROTECTED_ACCOUNT_ROLES = (Role.AUDITOR, Role.ADMIN)


def password_protected_from(target: User, actor) -> bool:
    """May ``actor`` not set ``target``'s password from the web? True for the auditor's, another
    administrator's or a superuser's account: they change their own password (account page) or the
    server's operator does (``registry users add --password``)."""
    if actor is not None and target.pk is not None and target.pk == actor.pk:
        return False
    return target.is_superuser or target.role in PROTECTED_ACCOUNT_ROLES


def do_save_user_form(form, *, created: bool, actor, ctx: RequestContext | None = None) -> User:
    """Save the admin's user form (Wagtail's user screens) and log the change, in one transaction.

    Superuser status and groups are never taken from the web (the forms do not carry them, and whatever
    the database held is kept); a protected account's password is not changed here.
    """
    _require_manage_users(actor, ctx, form.instance.username)
    with transaction.atomic():
        instance = form.instance
        if instance.pk:
            before = User.objects.select_for_update().get(pk=instance.pk)
            kept_superuser, kept_password = before.is_superuser, before.password
            protected = password_protected_from(before, actor)
        else:
            kept_superuser, kept_password, protected = False, None, False
        user = form.save(commit=False)
        user.is_superuser = kept_superuser
        if protected:
            user.password = kept_password
        user.is_staff = user.role == Role.ADMIN or user.is_superuser
        user.save()
        changed = sorted(name for name in form.changed_data if not (protected and name.startswith("password")))
        changed = ["password" if name.startswith("password") else name for name in changed]
        record(Action.USER_ADMIN, actor=actor, ctx=ctx,
               extra={"user": user.username, "created": created, "role": user.role, "clearance": user.clearance,
                      "unit": user.unit.code if user.unit_id else "", "changed": sorted(set(changed))})
    return user


def do_set_user_active(user: User, active: bool, *, actor, ctx: RequestContext | None = None) -> User:
    """Deactivate (or reactivate) a user: people are never deleted; their grants and history stay.

    A deactivated user cannot log in, and the clearance policy lets them see nothing.
    """
    _require_manage_users(actor, ctx, user.username)
    refused = None
    if actor is not None and actor.pk == user.pk:
        refused = PermissionDeniedError("Không thể tự khóa hoặc mở tài khoản của chính mình.")
    elif actor is not None and user.is_superuser and not actor.is_superuser:
        refused = PermissionDeniedError("Tài khoản quản trị tối cao chỉ được quản lý trên máy chủ.")
    elif user.is_active == active:
        refused = RegistryError("Tài khoản đã ở trạng thái này.", code=ErrorCode.INVALID_STATE)
    if refused is not None:
        refuse(Action.USER_ADMIN, actor=actor, ctx=ctx, reason=refused.code, error=refused,
               extra={"user": user.username, "active": active})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.is_active = active
        user.save(update_fields=["is_active"])
        record(Action.USER_ADMIN, actor=actor, ctx=ctx,
               extra={"user": user.username, "active": active})
    return user


def _unit_code(name: str) -> str:
    from registry.text import fold

    words = [w for w in fold(name).upper().split() if w.isalnum()]
    base = "".join(w[0] for w in words)[:16] or "DV"
    code, n = base, 1
    while Unit.objects.filter(code=code).exists():
        n += 1
        code = f"{base}{n}"
    return code


def hidden_in_dossier(actor, dossier: Dossier) -> bool:
    """Does ``dossier`` hold a document that does not exist for ``actor``? (Its cover shows its level anyway.)"""
    visible = visible_documents(actor).filter(dossier=dossier).values("pk")
    return Document.objects.filter(dossier=dossier).exclude(pk__in=visible).exists()


def _check_grant_target(actor, *, document, dossier, ctx) -> None:
    """Nobody grants (or revokes) what they cannot see: a document hidden from the actor is refused as not
    found (requested id only); a dossier holding anything hidden from the actor is refused as not theirs to
    give. ``actor=None`` is the local operator at the console."""
    if actor is None:
        return
    if document is not None:
        require(Perm.VIEW, Action.GRANT, document, actor=actor, ctx=ctx, reason=ErrorCode.NOT_FOUND)
    if dossier is not None and hidden_in_dossier(actor, dossier):
        refuse(Action.GRANT, actor=actor, ctx=ctx, reason=ErrorCode.PERMISSION_DENIED,
               extra={"dossier": dossier.code},
               error=PermissionDeniedError("Hồ sơ này có tài liệu ngoài phạm vi tiếp cận của người cấp quyền: "
                                           "không thể cấp quyền đối với cả hồ sơ.", code=ErrorCode.PERMISSION_DENIED))


def do_add_grant(
    user: User,
    *,
    until: dt.date,
    reason: str,
    document: Document | None = None,
    dossier: Dossier | None = None,
    actor=None,
    ctx: RequestContext | None = None,
    approval=None,
) -> Grant:
    """Grant need-to-know on a document or a dossier until a date.

    A grant that opens ``tuyet_mat`` content needs a second person's approval (``approval``: an
    ``ApprovalInput`` by someone with authority for ``need_to_know_grant``, neither the granter nor the
    grantee), recorded with the grant; the console operator (``actor=None``) may record it too.

    Nobody grants what they cannot see (a document, or every document of a dossier), and nobody grants to
    themselves. Every refusal writes one REFUSED entry (``actions.guard``).
    """
    if actor is not None:
        require_role(Perm.GRANT, Action.GRANT, actor=actor, ctx=ctx)
    if actor is not None and getattr(actor, "pk", None) == user.pk:
        refuse(Action.GRANT, actor=actor, ctx=ctx, reason=ErrorCode.PERMISSION_DENIED, extra={"self_grant": True},
               error=PermissionDeniedError("Không được tự cấp quyền tiếp cận cho chính mình."))
    if document is not None or dossier is not None:
        _check_grant_target(actor, document=document, dossier=dossier, ctx=ctx)
    checked = _grant_approval(user, document=document, dossier=dossier, approval=approval, actor=actor, ctx=ctx)
    with refusals_logged(Action.GRANT, actor=actor, ctx=ctx, document=document):
        return _add_grant(user, until=until, reason=reason, document=document, dossier=dossier, actor=actor,
                          ctx=ctx, checked=checked)


def _grant_approval(user, *, document, dossier, approval, actor, ctx):
    """The second person's approval of a grant opening tuyet_mat content (issue #8), or None if not needed."""
    from registry.actions.approvals import check_approval
    from registry.models import ApprovalAct

    top = document.level if document is not None else (
        Level.TUYET_MAT if dossier is not None and dossier.documents.filter(level=Level.TUYET_MAT).exists() else "")
    if top != Level.TUYET_MAT or (actor is None and approval is None):
        return None
    return check_approval(ApprovalAct.NEED_TO_KNOW_GRANT, Level.TUYET_MAT, approval, actor=actor, document=document,
                          beneficiaries=[user], ctx=ctx)


def _add_grant(user, *, until, reason, document, dossier, actor, ctx, checked=None):
    reason = clean_line(reason)
    if not reason:
        raise MetadataError("Phải ghi lý do cấp quyền.", field="reason")
    if (document is None) == (dossier is None):
        raise MetadataError("Chọn đúng một tài liệu hoặc một hồ sơ.", field="document")
    if until < timezone.localdate():
        raise MetadataError("Ngày hết hiệu lực đã qua.", field="until")
    with transaction.atomic():
        grant = Grant.objects.create(user=user, document=document, dossier=dossier, valid_until=until,
                                     reason=reason, granted_by=actor)
        extra = {"grantee": user.username, "until": until.isoformat(),
                 "dossier": dossier.code if dossier else None, "reason": reason}
        if checked is not None:
            from registry.actions.approvals import approval_summary, save_approval

            extra["approval"] = approval_summary(save_approval(checked, document=document, actor=actor))
        record(Action.GRANT, actor=actor, ctx=ctx, document=document, extra=extra)
    return grant


def do_revoke_grant(grant: Grant, *, actor=None, ctx: RequestContext | None = None) -> Grant:
    """Revoke a grant; the revoking person must see what it opens, as for granting. Refusals are logged."""
    if actor is not None:
        require_role(Perm.GRANT, Action.GRANT, actor=actor, ctx=ctx)
    _check_grant_target(actor, document=grant.document, dossier=grant.dossier, ctx=ctx)
    if grant.revoked_at:
        refuse(Action.GRANT, actor=actor, ctx=ctx, reason=ErrorCode.INVALID_STATE, document=grant.document,
               extra={"grant": grant.pk},
               error=RegistryError("Quyền này đã bị thu hồi.", code=ErrorCode.INVALID_STATE))
    with transaction.atomic():
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        record(Action.GRANT, actor=actor, ctx=ctx, document=grant.document,
               extra={"grantee": grant.user.username, "revoked": True})
    return grant


# TOTP enrolment and API tokens: registry/actions/accounts.py
