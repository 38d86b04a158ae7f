"""Request id for the access log; TOTP second factor; Wagtail views that would bypass the clearance policy."""

import re
import uuid

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

# Wagtail's own document views (listing, chooser, serve, usage) know nothing of clearance: they are never
# reachable. Our registry views replace them (registry/views).
_HIDDEN = re.compile(r"^/(admin/documents/|documents/|admin/api/)")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming[:64] if re.fullmatch(r"[\w.-]{8,64}", incoming or "") else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-Id"] = request.request_id
        return response


class DefaultLanguageMiddleware:
    """Vietnamese unless the person chose otherwise (language cookie, session or Wagtail preference).

    The browser's Accept-Language is ignored: an office's machines are often set up in English, but the
    registry's language is the office's.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class HiddenWagtailViewsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _HIDDEN.match(request.path_info):
            raise Http404("Not found")
        return self.get_response(request)


OTP_SESSION_KEY = "registry_otp_verified"
_OTP_EXEMPT = re.compile(r"^/(admin/login/|admin/logout/|account/otp/|static/)")


class SecondFactorMiddleware:
    """A user enrolled in TOTP must pass it once per session before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.totp_secret
            and not request.session.get(OTP_SESSION_KEY)
            and not _OTP_EXEMPT.match(request.path_info)
        ):
            return redirect(f"{reverse('registry_otp_verify')}?next={request.get_full_path()}")
        return self.get_response(request)
