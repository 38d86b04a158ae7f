"""The second factor (TOTP, django-otp) and API tokens: thin views over registry/actions/accounts.py."""

from base64 import b32encode

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login

from registry.accounts import has_second_factor, second_factor_required, session_verified
from registry.actions.accounts import (
    SecondFactorError,
    do_enrol_totp,
    do_issue_api_token,
    do_verify_totp,
    new_totp_key,
    totp_config_url,
)
from registry.audit.context import RequestContext
from registry.constants import LEVEL_RANK, Level


class OtpForm(forms.Form):
    code = forms.CharField(label=_("Mã xác thực 6 số"), max_length=6, min_length=6)


def _safe_next(request) -> str:
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return "/admin/"
    return target


@login_required
def otp_verify(request):
    """Once per session: a code from the user's TOTP device. Each failure is logged; too many end the session."""
    if session_verified(request):
        return redirect(_safe_next(request))
    if not has_second_factor(request.user):
        return redirect("registry_totp_enrol")
    form = OtpForm(request.POST or None)
    if request.method == "POST":
        code = request.POST.get("code", "")
        try:
            device = do_verify_totp(request.user, code, ctx=RequestContext.from_request(request))
        except SecondFactorError as error:
            if error.end_session:
                logout(request)
                messages.error(request, gettext("Nhập sai mã quá nhiều lần. Vui lòng đăng nhập lại."))
                return redirect("wagtailadmin_login")
            form = OtpForm(request.POST)
            form.is_valid()
            form.add_error("code", error.message)
        else:
            otp_login(request, device)
            return redirect(_safe_next(request))
    response = render(request, "registry/account/otp_verify.html", {"form": form})
    response["Cache-Control"] = "no-store"
    return response


# --- Enrolment -------------------------------------------------------------------------------------------

TOTP_PENDING_KEY = "registry_totp_pending"


def totp_allowed(user) -> bool:
    """Enrolment is offered to people cleared above ``mat`` (the levels that need need-to-know)."""
    return bool(user.is_authenticated and LEVEL_RANK[user.clearance] > LEVEL_RANK[Level.MAT])


def totp_offer(user) -> bool:
    """Should the dashboard invite this person to set up the second factor?"""
    return totp_allowed(user) and not has_second_factor(user)


@login_required
def totp_enrol(request):
    """Show a fresh secret (otpauth URI and the key in base32); a device is saved only after a correct code."""
    if not totp_allowed(request.user):
        raise PermissionDenied
    if has_second_factor(request.user):
        return render(request, "registry/account/totp_enrol.html", {"enrolled": True})
    form = OtpForm(request.POST or None)
    key = request.session.get(TOTP_PENDING_KEY)
    if request.method == "POST" and key and form.is_valid():
        device = do_enrol_totp(request.user, key, form.cleaned_data["code"], ctx=RequestContext.from_request(request))
        if device is not None:
            request.session.pop(TOTP_PENDING_KEY, None)
            otp_login(request, device)
            messages.success(request, gettext("Đã bật xác thực hai lớp."))
            return redirect("wagtailadmin_home")
        form.add_error("code", _("Mã không đúng hoặc đã hết hạn."))
    if request.method == "GET" or not key:
        key = new_totp_key()
        request.session[TOTP_PENDING_KEY] = key
        form = OtpForm()
    secret = b32encode(bytes.fromhex(key)).decode()
    context = {"form": form, "secret": secret, "uri": totp_config_url(request.user, key),
               "required": second_factor_required(request.user)}
    response = render(request, "registry/account/totp_enrol.html", context)
    response["Cache-Control"] = "no-store"
    return response


# --- API token ---------------------------------------------------------------------------------------------


@login_required
def api_token(request):
    """Issue (or replace) one's own API token; the secret is shown once, only in the response to the POST."""
    from django.utils import timezone

    from registry.models.people import ApiToken

    key = None
    if request.method == "POST":
        token, key = do_issue_api_token(request.user, actor=request.user, ctx=RequestContext.from_request(request))
    current = (ApiToken.objects.filter(user=request.user, revoked_at__isnull=True, expires_at__gt=timezone.now())
               .order_by("-created_at").first())
    response = render(request, "registry/account/api_token.html",
                      {"key": key, "has_token": current is not None, "token": current})
    response["Cache-Control"] = "no-store"
    return response
