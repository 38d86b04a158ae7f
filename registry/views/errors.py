"""The registry's own 404 and 500 pages: Vietnamese, no technical detail, no Wagtail branding.

The 500 view renders a fixed template with no context processors: whatever broke must not break the page
that reports it, and nothing about the request (settings, paths, variables) reaches the person.
"""

from django.http import HttpResponseNotFound, HttpResponseServerError
from django.template import loader


def page_not_found(request, exception=None):
    # Same page for a missing URL, a hidden view and a document the user may not see: nothing to tell apart.
    return HttpResponseNotFound(loader.get_template("404.html").render({}, request))


def server_error(request):
    body = loader.get_template("500.html").render({"request_id": getattr(request, "request_id", "")})
    return HttpResponseServerError(body)
