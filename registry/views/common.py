"""Helpers shared by the registry's admin views: request context, safe file responses, one-time copies.

Refusals are not handled here: views call ``registry.actions.guard`` (one logged entry) and turn its
``NotFoundError`` into ``Http404`` (``not_found``).
"""

import secrets
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from registry.audit.context import RequestContext
from registry.errors import NotFoundError

# Served files are opaque downloads: never sniffed, never rendered with scripts, never cached.
FILE_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"
# An inline preview must still open in the browser's own PDF viewer, which a sandbox would block.
PREVIEW_CSP = "default-src 'none'; frame-ancestors 'self'"


def ctx_of(request) -> RequestContext:
    return RequestContext.from_request(request)


def not_found():
    """The one 404 of a document that does not exist for the user (hidden or missing: the same answer)."""
    return Http404("Không tìm thấy")


def visible_or_404(request, pk, action, **kwargs):
    """``guard.visible_or_refuse`` for a view: the document, or one REFUSED entry (requested id) and 404."""
    from registry.actions.guard import visible_or_refuse

    try:
        return visible_or_refuse(action, pk, actor=request.user, ctx=ctx_of(request), **kwargs)
    except NotFoundError:
        raise not_found() from None


def file_response(content: bytes, *, filename: str, content_type: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    ascii_name = filename.encode("ascii", "ignore").decode() or "tai-lieu"
    response["Content-Disposition"] = f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PREVIEW_CSP if inline else FILE_CSP
    response["Cache-Control"] = "no-store, max-age=0"
    response["Pragma"] = "no-cache"
    response["Referrer-Policy"] = "no-referrer"
    response["Content-Length"] = str(len(content))
    return response


class AdminPage(WagtailAdminTemplateMixin, TemplateView):
    """A Wagtail admin page with our breadcrumbs; subclasses implement get/post and call ``render``."""

    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def render(self, **context):
        return self.render_to_response(self.get_context_data(**context))


# One-time encrypted copies: the encrypted bytes wait in REGISTRY_HOME/outbox under a random token kept in
# the user's session; the first fetch deletes them. The password is never stored: it is shown once.
OUTBOX_SESSION_KEY = "registry_outbox"
OUTBOX_TTL_SECONDS = 10 * 60


def _outbox_dir() -> Path:
    path = Path(settings.REGISTRY_HOME) / "outbox"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def outbox_sweep():
    """Delete copies nobody fetched in time."""
    limit = time.time() - OUTBOX_TTL_SECONDS
    for item in _outbox_dir().glob("*.bin"):
        try:
            if item.stat().st_mtime < limit:
                item.unlink()
        except FileNotFoundError:
            pass


def outbox_put(request, content: bytes, filename: str) -> str:
    outbox_sweep()
    token = secrets.token_urlsafe(24)
    from registry.vault import seal_blob

    # sealed at rest with its own key, wrapped by the KEK (registry.vault): the outbox holds no readable copy
    (_outbox_dir() / f"{token}.bin").write_bytes(seal_blob(content, token))
    box = dict(request.session.get(OUTBOX_SESSION_KEY, {}))
    box[token] = {"filename": filename, "expires": time.time() + OUTBOX_TTL_SECONDS}
    request.session[OUTBOX_SESSION_KEY] = box
    return token


def outbox_take(request, token: str) -> tuple[bytes, str]:
    """The waiting copy for this session's token, removed on the way out; 404 otherwise."""
    box = dict(request.session.get(OUTBOX_SESSION_KEY, {}))
    item = box.pop(token, None)
    request.session[OUTBOX_SESSION_KEY] = box
    if item is None or not token.replace("-", "").replace("_", "").isalnum():
        raise Http404("Không tìm thấy")
    path = _outbox_dir() / f"{token}.bin"
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise Http404("Không tìm thấy") from None
    path.unlink(missing_ok=True)
    if item["expires"] < time.time():
        raise Http404("Không tìm thấy")
    from registry.vault import IntegrityFailedError, KeyUnavailableError, open_blob

    try:
        content = open_blob(content, token)
    except (IntegrityFailedError, KeyUnavailableError):
        raise Http404("Không tìm thấy") from None
    return content, item["filename"]
