"""TOTP second factor: enrol (shows the secret once) and verify once per session."""

import pyotp
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from registry.actions.people import do_enrol_totp, do_issue_api_token
from registry.middleware import OTP_SESSION_KEY


class OtpForm(forms.Form):
    code = forms.CharField(label=_("Mã xác thực 6 số"), max_length=6, min_length=6)


@login_required
def otp_verify(request):
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if pyotp.TOTP(request.user.totp_secret).verify(form.cleaned_data["code"], valid_window=1):
            request.session[OTP_SESSION_KEY] = True
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/admin/"
            return redirect(target)
        form.add_error("code", _("Mã không đúng hoặc đã hết hạn."))
    return render(request, "registry/account/otp_verify.html", {"form": form})


# --- Enrolment -------------------------------------------------------------------------------------------

TOTP_PENDING_KEY = "registry_totp_pending"


def totp_allowed(user) -> bool:
    """Enrolment is offered to people cleared above ``mat`` (the levels that need need-to-know)."""
    from registry.constants import LEVEL_RANK, Level

    return bool(user.is_authenticated and LEVEL_RANK[user.clearance] > LEVEL_RANK[Level.MAT])


@login_required
def totp_enrol(request):
    """Show a fresh secret once (otpauth URI + the secret); save it only after a correct code."""
    from django.conf import settings
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as gettext_now

    from registry.audit.context import RequestContext

    if not totp_allowed(request.user):
        raise PermissionDenied
    if request.user.totp_secret:
        return render(request, "registry/account/totp_enrol.html", {"enrolled": True})
    form = OtpForm(request.POST or None)
    secret = request.session.get(TOTP_PENDING_KEY)
    if request.method == "POST" and secret and form.is_valid():
        if pyotp.TOTP(secret).verify(form.cleaned_data["code"], valid_window=1):
            do_enrol_totp(request.user, secret, ctx=RequestContext.from_request(request))
            request.session.pop(TOTP_PENDING_KEY, None)
            request.session[OTP_SESSION_KEY] = True
            from django.contrib import messages

            messages.success(request, gettext_now("Đã bật xác thực hai lớp."))
            return redirect("wagtailadmin_home")
        form.add_error("code", _("Mã không đúng hoặc đã hết hạn."))
    if request.method == "GET" or not secret:
        secret = pyotp.random_base32()
        request.session[TOTP_PENDING_KEY] = secret
        form = OtpForm()
    uri = pyotp.TOTP(secret).provisioning_uri(name=request.user.username, issuer_name=settings.WAGTAIL_SITE_NAME)
    response = render(request, "registry/account/totp_enrol.html", {"form": form, "secret": secret, "uri": uri})
    response["Cache-Control"] = "no-store"
    return response


# --- API token ---------------------------------------------------------------------------------------------


@login_required
def api_token(request):
    """Issue (or replace) one's own API token; the key is shown once, only in the response to the POST."""
    from rest_framework.authtoken.models import Token

    from registry.audit.context import RequestContext

    key = None
    if request.method == "POST":
        key = do_issue_api_token(request.user, actor=request.user, ctx=RequestContext.from_request(request))[0].key
    has_token = key is not None or Token.objects.filter(user=request.user).exists()
    response = render(request, "registry/account/api_token.html", {"key": key, "has_token": has_token})
    response["Cache-Control"] = "no-store"
    return response
