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


# Views a session may use before its second factor (by URL name); the API answers for itself
# (registry/api/authentication.py).
SECOND_FACTOR_EXEMPT = frozenset({
    "wagtailadmin_login", "wagtailadmin_logout", "registry_otp_verify", "registry_totp_enrol", "set_language",
    "wagtailadmin_javascript_catalog", "wagtailadmin_sprite", "registry_root",
})
# Views that hand out content, or a credential that reads it: they need the second factor from users
# cleared at REGISTRY_REQUIRE_2FA_FROM and above (action for the refusal's log entry).
SECOND_FACTOR_VIEWS = {
    "registry_document_download": "download",
    "registry_copy_fetch": "download",
    "registry_api_token": "user_admin",
}


class SecondFactorMiddleware:
    """The TOTP second factor (django-otp's OTPMiddleware says whether the session passed it).

    - A user with a TOTP device passes it once per session before anything else.
    - A user who must have one (cleared at ``REGISTRY_REQUIRE_2FA_FROM``+) and has none may look around but
      not read content: the attempt is refused (one guard entry) and they are sent to enrolment.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from urllib.parse import urlencode

        from registry.accounts import has_second_factor, second_factor_required, session_verified

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or session_verified(request):
            return None
        match = request.resolver_match
        name = match.view_name if match is not None else ""
        if name in SECOND_FACTOR_EXEMPT or name.startswith("api_"):
            return None
        if has_second_factor(user):
            return redirect(f"{reverse('registry_otp_verify')}?{urlencode({'next': request.get_full_path()})}")
        if name in SECOND_FACTOR_VIEWS and second_factor_required(user):
            from django.contrib import messages

            from registry.actions.accounts import refuse_without_second_factor
            from registry.audit.context import RequestContext
            from registry.constants import Action

            action = Action(SECOND_FACTOR_VIEWS[name])
            if action == Action.DOWNLOAD and request.POST.get("preview"):
                action = Action.PREVIEW
            error = refuse_without_second_factor(action, actor=user, ctx=RequestContext.from_request(request),
                                                 document_id=view_kwargs.get("pk"))
            messages.warning(request, error.message)
            return redirect("registry_totp_enrol")
        return None
