"""Authentication: lockout after repeated failures, role-derived permissions, login events in the access log."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.utils import timezone

from registry.constants import Role

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


class LockoutModelBackend(ModelBackend):
    """ModelBackend that refuses a locked account and locks it after too many failures."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        from registry.models import User

        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        user = User.objects.filter(username=username).first()
        if user is not None and user.locked_until and user.locked_until > timezone.now():
            _log_login(request, user, username, ok=False, reason="locked")
            return None
        result = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            if username:
                _log_login(request, None, username, ok=False, reason="unknown_user")
            return None
        with transaction.atomic():
            if result is None:
                user.failed_logins += 1
                reason = "bad_password"
                if user.failed_logins >= settings.REGISTRY_LOGIN_MAX_FAILURES:
                    user.locked_until = timezone.now() + dt.timedelta(minutes=settings.REGISTRY_LOGIN_LOCKOUT_MINUTES)
                    user.failed_logins = 0
                    reason = "locked_now"
                user.save(update_fields=["failed_logins", "locked_until"])
                _log_login(request, user, username, ok=False, reason=reason)
            else:
                if user.failed_logins or user.locked_until:
                    user.failed_logins, user.locked_until = 0, None
                    user.save(update_fields=["failed_logins", "locked_until"])
                _log_login(request, user, username, ok=True)
        return result

    def get_all_permissions(self, user_obj, obj=None):
        perms = set(super().get_all_permissions(user_obj, obj))
        if user_obj.is_active and not user_obj.is_anonymous and obj is None:
            perms |= ROLE_DJANGO_PERMS.get(getattr(user_obj, "role", ""), set())
        return perms

    def has_perm(self, user_obj, perm, obj=None):
        return user_obj.is_active and perm in self.get_all_permissions(user_obj, obj)


def _log_login(request, user, username, *, ok: bool, reason: str = ""):
    from registry.audit.context import RequestContext
    from registry.audit.log import record
    from registry.constants import Action, Outcome

    ctx = RequestContext.from_request(request) if request is not None else RequestContext()
    record(
        Action.LOGIN if ok else Action.LOGIN_FAILED,
        actor=user if user is not None else username,
        ctx=ctx,
        outcome=Outcome.OK if ok else Outcome.REFUSED,
        extra={"reason": reason} if reason else {},
    )
