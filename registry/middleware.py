"""Request id for the access log; TOTP second factor; deny by default in the admin.

``AdminAllowListMiddleware`` answers 404 to every resolved URL that is not on the registry's allow-list:
Wagtail's and Django's own views (bulk actions, documents, choosers, reports, collections, workflows,
pages, images, snippets, password reset by email, user delete, and whatever a future Wagtail adds) know
nothing of clearance or the access log, so they do not exist, for superusers too.
"""

import uuid

from django.http import Http404
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse


class RequestIdMiddleware:
    """A request id made by the server: a client's X-Request-Id is forensic data it does not get to choose."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-Id"] = request.request_id
        return response


# --- Deny by default ------------------------------------------------------------------------------------

# Wagtail and Django views the registry uses, by URL name ("namespace:name" when namespaced).
ALLOWED_VIEWS = frozenset({
    "registry_root",  # / → /admin/
    "wagtailadmin_home",  # the dashboard (our panels only, see views/admin_hooks.py)
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_account",  # one's own name, language, theme and password
    "wagtailadmin_javascript_catalog",  # the admin's translated strings (jsi18n)
    "wagtailadmin_sprite",  # the admin's icons
    "wagtailadmin_dismissibles",  # remembers collapsed menus and dismissed hints, per user
    "set_language",  # django.conf.urls.i18n
    "api_schema",  # the OpenAPI schema of our API (registry/api)
    # People: list, add, edit, deactivate. Never delete, history, usage, copy (registry/views/users.py).
    "wagtailusers_users:index",
    "wagtailusers_users:index_results",
    "wagtailusers_users:add",
    "wagtailusers_users:edit",
    "wagtailusers_users:deactivate",
    "wagtailusers_users:reactivate",
})
# Our catalogue screens are Wagtail ModelViewSets under a "registry_*" namespace: list, add, edit and delete
# (refused while the row is in use). Their history, usage (what refers to a row), copy and inspect views are
# Wagtail's and stay hidden.
VIEWSET_ACTIONS = frozenset({"index", "index_results", "add", "edit", "delete"})
# Views written in these packages are the registry's own (they ask the clearance policy and log).
OWN_MODULES = ("registry.", "search.")
OWN_PREFIXES = ("registry_", "api_")


def is_allowed(match) -> bool:
    """Is the resolved view on the allow-list? Anything unnamed or unknown is not."""
    if match.view_name in ALLOWED_VIEWS:
        return True
    head = match.namespaces[0] if match.namespaces else (match.url_name or "")
    if not head.startswith(OWN_PREFIXES):
        return False
    module = getattr(getattr(match.func, "view_class", match.func), "__module__", "") or ""
    if module.startswith(OWN_MODULES):
        return True
    return bool(match.namespaces) and match.url_name in VIEWSET_ACTIONS


class AdminAllowListMiddleware:
    """404 for every URL whose view is not on the allow-list, whoever asks (superusers too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)  # Django answers its own (our) 404
        if not is_allowed(match):
            raise Http404("Not found")
        return self.get_response(request)


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
