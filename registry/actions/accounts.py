"""Accounts: login results, the TOTP second factor, API tokens. Each writes its access-log entry here.

- Logins: one LOGIN entry per success, one LOGIN_FAILED entry (through the guard) per failure, with the
  reason as an error code (bad password, unknown name, inactive, locked, the failure that locked).
- TOTP (django-otp): a code is checked under a row lock on the device, so parallel guesses cannot slip past
  its throttling (1, 2, 4 … seconds after each failure) or its replay protection (a code, once accepted,
  never again). Every failure writes one LOGIN_FAILED entry; after ``REGISTRY_OTP_MAX_FAILURES`` in a row
  the caller ends the session.
- API tokens: only the SHA-256 of a random secret is stored; the secret is returned once, at issue. A token
  expires after ``REGISTRY_API_TOKEN_DAYS`` and a new one revokes the old.
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from registry.actions.guard import refuse
from registry.audit.context import RequestContext
from registry.audit.log import record
from registry.constants import Action, Outcome
from registry.errors import ErrorCode, PermissionDeniedError, RegistryError

TOKEN_PREFIX = "rgt_"


def _ctx(request=None, ctx: RequestContext | None = None) -> RequestContext:
    if ctx is not None:
        return ctx
    return RequestContext.from_request(request) if request is not None else RequestContext()


def _refuse_logged(action, **kwargs) -> RegistryError:
    """One refusal entry through the guard; the error is returned (the caller decides how to answer)."""
    try:
        refuse(action, **kwargs)
    except RegistryError as error:
        return error
    raise AssertionError("refuse() always raises")  # pragma: no cover


# --- Login ---------------------------------------------------------------------------------------------


def do_log_login(user, *, request=None, ctx: RequestContext | None = None, factor: str = "password"):
    """A successful login step (the password, or the second factor): one LOGIN entry."""
    extra = {} if factor == "password" else {"factor": factor}
    return record(Action.LOGIN, actor=user, ctx=_ctx(request, ctx), outcome=Outcome.OK, extra=extra)


def do_log_login_failure(username: str, *, request=None, ctx: RequestContext | None = None,
                         was_locked: bool = False, locked_now: bool = False) -> RegistryError:
    """A failed password login: one LOGIN_FAILED entry, its reason told apart for the auditor only."""
    from registry.models import User

    user = User.objects.filter(username=username).first() if username else None
    if was_locked:
        reason = ErrorCode.ACCOUNT_LOCKED
    elif locked_now:
        reason = ErrorCode.ACCOUNT_LOCKED_NOW
    elif user is None:
        reason = ErrorCode.UNKNOWN_USER
    elif not user.is_active:
        reason = ErrorCode.INACTIVE_USER
    else:
        reason = ErrorCode.BAD_PASSWORD
    return _refuse_logged(Action.LOGIN_FAILED, actor=user if user is not None else username[:150],
                          ctx=_ctx(request, ctx), reason=reason)


# --- TOTP ------------------------------------------------------------------------------------------------


class SecondFactorError(PermissionDeniedError):
    """A refused TOTP code. ``end_session`` is set once the consecutive failures reach the limit."""

    end_session = False


def _valid_ignoring_replay(device, code: str) -> bool:
    """Is this a right code for now, whether or not it was used already? (Tells a replay from a guess.)"""
    from django_otp.oath import TOTP

    try:
        token = int(code)
    except (TypeError, ValueError):
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp()
    return bool(totp.verify(token, device.tolerance))


def do_verify_totp(user, code: str, *, ctx: RequestContext | None = None):
    """Check ``code`` against the user's confirmed TOTP device; the device on success (one LOGIN entry).

    Otherwise one LOGIN_FAILED entry and ``SecondFactorError`` (reason: throttled, replayed or invalid).
    The device row is locked for the check, so parallel attempts queue and each one counts.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    code = (code or "").strip()
    error = None
    with transaction.atomic():
        device = (TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first())
        if device is None:
            error = _refuse_logged(Action.LOGIN_FAILED, actor=user, ctx=ctx, reason=ErrorCode.OTP_INVALID,
                                   extra={"factor": "totp"},
                                   error=SecondFactorError("Chưa đăng ký xác thực hai lớp.",
                                                           code=ErrorCode.OTP_INVALID))
        else:
            allowed, _info = device.verify_is_allowed()
            replayed = allowed and _valid_ignoring_replay(device, code)
            if device.verify_token(code):  # throttling, replay (last_t) and the failure count: django-otp
                do_log_login(user, ctx=ctx, factor="totp")
                return device
            if not allowed:
                # django-otp refuses a throttled try without counting it; we count it, so hammering
                # lengthens the wait and reaches the session limit.
                device.throttle_increment(commit=True)
                reason, message = ErrorCode.OTP_THROTTLED, "Nhập sai nhiều lần. Vui lòng đợi ít giây rồi thử lại."
            elif replayed:
                reason, message = ErrorCode.OTP_REPLAYED, "Mã này đã được dùng. Hãy đợi mã mới."
            else:
                reason, message = ErrorCode.OTP_INVALID, "Mã không đúng hoặc đã hết hạn."
            error = _refuse_logged(Action.LOGIN_FAILED, actor=user, ctx=ctx, reason=reason,
                                   extra={"factor": "totp", "failures": device.throttling_failure_count},
                                   error=SecondFactorError(message, code=reason))
            error.end_session = device.throttling_failure_count >= settings.REGISTRY_OTP_MAX_FAILURES
    raise error


def new_totp_key() -> str:
    """A fresh TOTP secret (hex, as django-otp stores it), kept in the session until confirmed."""
    from django_otp.util import random_hex

    return random_hex(20)


def totp_config_url(user, key_hex: str) -> str:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice(user=user, key=key_hex, name="TOTP").config_url


def do_enrol_totp(user, key_hex: str, code: str, *, ctx: RequestContext | None = None):
    """Save a TOTP device after a correct code from it; logged in the same transaction. None if the code is wrong."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    try:
        token = int((code or "").strip())
    except ValueError:
        return None
    totp = TOTP(bytes.fromhex(key_hex), 30, 0, 6, 0)
    totp.time = timezone.now().timestamp()
    if not totp.verify(token, 1):
        return None
    with transaction.atomic():
        if TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).exists():
            return None  # one device per person; replacing it is an administrator's act
        device = TOTPDevice.objects.create(user=user, name="TOTP", key=key_hex, confirmed=True, tolerance=1,
                                           last_t=totp.t())  # the confirming code is used up
        record(Action.USER_ADMIN, actor=user, ctx=ctx, extra={"user": user.username, "totp": "enrolled"})
    return device


def refuse_without_second_factor(action, *, actor, ctx: RequestContext | None = None, document_id=None,
                                 message: str = "") -> RegistryError:
    """A read of content (or a credential) refused for want of a second factor: one entry, the error returned.

    A document the actor may see is named; any other only by the requested id (it answers the same way).
    """
    from registry.access import visible_documents

    document = None
    if document_id is not None:
        try:
            document = visible_documents(actor).filter(pk=int(document_id)).first()
        except (TypeError, ValueError):
            document = None
    message = message or "Phải xác thực hai lớp trước khi đọc nội dung tài liệu."
    error = PermissionDeniedError(message, code=ErrorCode.SECOND_FACTOR_REQUIRED)
    if document is not None:
        return _refuse_logged(action, actor=actor, ctx=ctx, reason=ErrorCode.SECOND_FACTOR_REQUIRED,
                              document=document, error=error)
    extra = {"requested_id": str(document_id)[:64]} if document_id is not None else None
    return _refuse_logged(action, actor=actor, ctx=ctx, reason=ErrorCode.SECOND_FACTOR_REQUIRED, error=error,
                          extra=extra)


# --- API tokens ------------------------------------------------------------------------------------------


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def do_issue_api_token(user, *, actor=None, ctx: RequestContext | None = None, rotate: bool = True):
    """A new API token for ``user``; any earlier one stops working. Returns (token, secret): the secret is
    shown once and is not stored anywhere (only its SHA-256). ``actor`` is who asked (None: the console).

    ``rotate`` is accepted for the console's ``--rotate``: a stored hash cannot be shown again, so every
    issue is a new token.
    """
    from registry.models.people import ApiToken

    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    expires = now + dt.timedelta(days=settings.REGISTRY_API_TOKEN_DAYS)
    with transaction.atomic():
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        token = ApiToken.objects.create(user=user, key_hash=hash_token(secret), prefix=secret[:10],
                                        created_at=now, expires_at=expires)
        record(Action.USER_ADMIN, actor=actor, ctx=ctx,
               extra={"user": user.username, "api_token": "issued", "expires": expires.date().isoformat()})
    return token, secret


def do_revoke_api_tokens(user, *, actor=None, ctx: RequestContext | None = None) -> int:
    from registry.models.people import ApiToken

    with transaction.atomic():
        count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        record(Action.USER_ADMIN, actor=actor, ctx=ctx, extra={"user": user.username, "api_token": "revoked"})
    return count


def check_api_token(key: str, *, ctx: RequestContext | None = None):
    """The (user, token) of a valid API token; otherwise one LOGIN_FAILED entry and the error returned.

    The lookup is by hash, so neither the stored value nor the comparison's timing tells anything about a
    secret. The log names the user only when the token was theirs (expired or revoked).
    """
    from registry.models.people import ApiToken

    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(key)).first() if key else None
    now = timezone.now()
    if token is not None and token.revoked_at is None and token.expires_at > now and token.user.is_active:
        return token.user, token
    if token is None:
        return _refuse_logged(Action.LOGIN_FAILED, actor="", ctx=ctx, reason=ErrorCode.TOKEN_INVALID,
                              extra={"factor": "api_token"},
                              error=RegistryError("Token không hợp lệ.", code=ErrorCode.TOKEN_INVALID))
    expired = token.expires_at <= now and token.revoked_at is None
    reason = ErrorCode.TOKEN_EXPIRED if expired else ErrorCode.TOKEN_INVALID
    message = "Token đã hết hạn. Hãy tạo token mới." if expired else "Token không hợp lệ."
    return _refuse_logged(Action.LOGIN_FAILED, actor=token.user, ctx=ctx, reason=reason,
                          extra={"factor": "api_token", "token": token.prefix},
                          error=RegistryError(message, code=reason))


# --- Console: unlock, lost device ---------------------------------------------------------------------


def do_unlock_login(username: str, *, actor=None, ctx: RequestContext | None = None) -> int:
    """Clear a name's failed-login count before its cool-off ends (django-axes' rows); logged."""
    from axes.models import AccessAttempt

    with transaction.atomic():
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        record(Action.USER_ADMIN, actor=actor, ctx=ctx, extra={"user": username, "login": "unlocked"})
    return count


def do_reset_second_factor(user, *, actor=None, ctx: RequestContext | None = None) -> int:
    """Remove a person's TOTP devices (a lost phone): they enrol again at their next login; logged."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        count, _ = TOTPDevice.objects.filter(user=user).delete()
        record(Action.USER_ADMIN, actor=actor, ctx=ctx, extra={"user": user.username, "totp": "reset"})
    return count
