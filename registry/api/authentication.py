"""API credentials: hashed, expiring tokens (``Authorization: Token <secret>``), and the second-factor rule.

- ``HashedTokenAuthentication`` replaces ``rest_framework.authtoken``: the database holds only the SHA-256 of
  each secret (registry/actions/accounts.py issues and checks them; every refused token is logged).
- ``SecondFactorForContent`` (a default permission): a token carries no second factor, so it never reads the
  content of a document at or above ``REGISTRY_REQUIRE_2FA_FROM``; a browser session reading content
  through the API must have passed the second factor when its user needs one, as on the web. The refusal is
  one guard entry; a hidden document is left to the view, which answers 404 as for a missing one.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from registry.audit.context import RequestContext
from registry.constants import Action
from registry.errors import RegistryError

# API views that hand out a document's content (the marked copy), by URL name.
CONTENT_VIEWS = frozenset({"api_document_download"})


class HashedTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        from registry.actions.accounts import check_api_token

        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Tiêu đề Authorization phải có dạng «Token <mã>».")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            key = ""
        result = check_api_token(key, ctx=RequestContext.from_request(request))
        if isinstance(result, RegistryError):
            raise exceptions.AuthenticationFailed(result.message)
        return result

    def authenticate_header(self, request):
        return self.keyword


class HashedTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes our token header."""

    target_class = HashedTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "«Token <mã>»: token cấp trên trang Token API hoặc bằng `registry users token`."}


class SecondFactorForContent(BasePermission):
    def has_permission(self, request, view):
        from registry.accounts import level_needs_second_factor, second_factor_required, session_verified
        from registry.actions.accounts import refuse_without_second_factor
        from registry.models.people import ApiToken

        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name not in CONTENT_VIEWS or not request.user.is_authenticated:
            return True
        pk = (match.kwargs or {}).get("pk")
        preview = str(request.data.get("preview", "")).lower() in {"1", "true", "on", "yes"} \
            if hasattr(request.data, "get") else False
        action = Action.PREVIEW if preview else Action.DOWNLOAD
        ctx = RequestContext.from_request(request)
        if isinstance(request.auth, ApiToken):
            from registry.access import visible_documents

            document = visible_documents(request.user).filter(pk=pk).only("level").first()
            if document is None or not level_needs_second_factor(document.level):
                return True  # a hidden document: the view refuses it as not found
            raise refuse_without_second_factor(
                action, actor=request.user, ctx=ctx, document_id=pk,
                message="Token API không được dùng để đọc nội dung tài liệu Tối mật, Tuyệt mật. "
                        "Hãy đọc trên trang quản trị sau khi xác thực hai lớp.")
        if isinstance(request.successful_authenticator, SessionAuthentication):
            if second_factor_required(request.user) and not session_verified(request._request):
                raise refuse_without_second_factor(action, actor=request.user, ctx=ctx, document_id=pk)
        return True
