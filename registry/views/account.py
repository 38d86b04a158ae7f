"""TOTP second factor: enrol (shows the secret once) and verify once per session."""

import pyotp
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

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
