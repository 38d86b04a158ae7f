"""Authentication: lockout (django-axes), role-derived permissions, and who needs a second factor.

Lockout is django-axes with its database handler: failures are counted per username in one AccessAttempt
row, updated under ``SELECT … FOR UPDATE`` with an ``F()`` increment, so parallel wrong passwords are all
counted and the account locks; a success resets the count. Unknown names are counted and locked the same
way, so a lock tells nothing about whether a name exists. Every failure is written to our access log once,
by ``LoggingAxesHandler`` (after axes has counted it, so the entry says whether it locked the account).

Every login attempt costs one password hash, whatever its outcome: ModelBackend hashes for an unknown name
and for a wrong password; ``LockoutBackend`` hashes for a locked name before refusing. So a locked account
answers in the same time as an unknown name or a wrong password.
"""

import datetime as dt

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password
from django.db import transaction

from registry.constants import LEVEL_RANK, Role

# Django/Wagtail permissions that follow from a role. Document access never comes from here: that is the
# clearance policy's job (registry.access); these only open the admin screens a role works in.
ROLE_DJANGO_PERMS = {
    Role.CLERK: {"wagtailadmin.access_admin"},
    Role.STAFF: {"wagtailadmin.access_admin"},
    Role.AUDITOR: {"wagtailadmin.access_admin"},
    Role.ADMIN: {
        "wagtailadmin.access_admin",
        "registry.add_user",
        "registry.change_user",
        "registry.view_user",
        "auth.add_group",
        "auth.change_group",
        "auth.view_group",
    },
}


# --- Lockout (django-axes) ---------------------------------------------------------------------------------


def failure_limit(request=None, credentials=None) -> int:
    """AXES_FAILURE_LIMIT: read at each attempt, so the setting can change without a restart (and in tests)."""
    return settings.REGISTRY_LOGIN_MAX_FAILURES


def cool_off(request=None) -> dt.timedelta:
    """AXES_COOLOFF_TIME: how long a locked name stays locked after its last counted failure."""
    return dt.timedelta(minutes=settings.REGISTRY_LOGIN_LOCKOUT_MINUTES)


def is_locked(username: str) -> bool:
    """Is this name locked out now? (Tests and the console; the login path asks axes itself.)"""
    from axes.models import AccessAttempt
    from django.db.models import Sum
    from django.utils import timezone

    failures = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=timezone.now() - cool_off()
    ).aggregate(n=Sum("failures_since_start"))["n"] or 0
    return failures >= failure_limit()


def lockout_response(request, original_response=None, credentials=None):
    """A locked name gets the login page with its usual error, exactly as a wrong password does."""
    if original_response is not None:
        return original_response
    from django.http import HttpResponse

    return HttpResponse(status=200)


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check (first backend). A refusal for a locked name costs one password hash too."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            make_password(password or "")  # the cost of the hash that a wrong password or an unknown name pays
            raise


class RoleModelBackend(ModelBackend):
    """The password check; a success is logged. Permissions of the admin screens follow the role."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            from registry.actions.accounts import do_log_login

            do_log_login(user, request=request)
        return user

    def get_all_permissions(self, user_obj, obj=None):
        perms = set(super().get_all_permissions(user_obj, obj))
        if user_obj.is_active and not user_obj.is_anonymous and obj is None:
            perms |= ROLE_DJANGO_PERMS.get(getattr(user_obj, "role", ""), set())
        return perms

    def has_perm(self, user_obj, perm, obj=None):
        return user_obj.is_active and perm in self.get_all_permissions(user_obj, obj)


class LoggingAxesHandler(AxesDatabaseHandler):
    """axes' database handler, plus one access-log entry per failed login, in the same transaction."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        from registry.actions.accounts import do_log_login_failure

        username = (credentials or {}).get("username") or ""
        was_locked = bool(getattr(request, "axes_locked_out", False))
        with transaction.atomic():
            super().user_login_failed(sender, credentials, request, **kwargs)
            locked_now = not was_locked and bool(getattr(request, "axes_locked_out", False))
            do_log_login_failure(username, request=request, was_locked=was_locked, locked_now=locked_now)


# --- Second factor --------------------------------------------------------------------------------------


def _threshold_rank() -> int | None:
    level = getattr(settings, "REGISTRY_REQUIRE_2FA_FROM", "") or ""
    return LEVEL_RANK.get(level) if level else None


def second_factor_required(user) -> bool:
    """Must this user pass a second factor in the session before reading content? (cleared at the threshold+)"""
    rank = _threshold_rank()
    return bool(
        rank is not None
        and getattr(user, "is_authenticated", False)
        and LEVEL_RANK.get(getattr(user, "clearance", ""), 0) >= rank
    )


def level_needs_second_factor(level: str) -> bool:
    """Is content of this level readable only with a second factor? (API tokens never carry one.)"""
    rank = _threshold_rank()
    return rank is not None and LEVEL_RANK.get(str(level), 0) >= rank


def totp_device(user, *, confirmed: bool = True):
    """The user's TOTP device (django-otp), or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not getattr(user, "is_authenticated", False):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def has_second_factor(user) -> bool:
    return totp_device(user) is not None


def session_verified(request) -> bool:
    """Has this session passed the second factor (django-otp's OTPMiddleware decides)?"""
    user = getattr(request, "user", None)
    is_verified = getattr(user, "is_verified", None)
    return bool(callable(is_verified) and is_verified())
