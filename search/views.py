"""Staff search screens in the Wagtail admin: the search page and its autocomplete endpoint.

Views parse input, call the search API (which trims to clearance and writes the access log), and render.
"""

from urllib.parse import urlencode

from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

import search
from registry.audit.context import RequestContext
from registry.access import visible_levels
from registry.constants import DOCUMENT_TYPE_LABELS, Direction, Level
from registry.errors import PermissionDeniedError

FACET_TITLES = {"level": "Độ mật", "doc_type": "Tên loại", "issuer": "Cơ quan ban hành", "direction": "Loại",
                "year": "Năm"}
# Facet field -> GET parameter it filters with (year narrows the date range)
FACET_PARAMS = {"level": "level", "doc_type": "type", "issuer": "issuer", "direction": "direction"}
LEVEL_LABELS = dict(Level.choices)
DIRECTION_LABELS = dict(Direction.choices)


def _label(field, value):
    if field == "level":
        return LEVEL_LABELS.get(value, value)
    if field == "doc_type":
        return f"{DOCUMENT_TYPE_LABELS.get(value, value)} ({value})"
    if field == "direction":
        return DIRECTION_LABELS.get(value, value)
    return value


def _link(params, **changes):
    query = params.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = value
    if "page" not in changes:  # a new filter starts again at page 1
        query.pop("page", None)
    return "?" + query.urlencode()


def storage_tree() -> list[dict]:
    """The office's storage places in tree order (store › room › cabinet › shelf › box), indented by depth."""
    from registry.models import StorageLocation

    places = list(StorageLocation.objects.only("pk", "code", "name", "parent_id"))
    children = {}
    for place in places:
        children.setdefault(place.parent_id, []).append(place)
    ordered, stack = [], [(p, 0) for p in sorted(children.get(None, []), key=lambda p: p.code, reverse=True)]
    while stack:
        place, depth = stack.pop()
        ordered.append({"code": place.code, "name": place.name, "indent": "\u00a0\u00a0\u00a0" * depth})
        stack.extend((c, depth + 1) for c in sorted(children.get(place.pk, []), key=lambda p: p.code, reverse=True))
    return ordered


def _facet_groups(results, params):
    groups = []
    for field, counts in (results.facets or {}).items():
        if not counts:
            continue
        items = []
        for value, count in counts.items():
            if field == "year":
                href = _link(params, **{"from": f"{value}-01-01", "to": f"{value}-12-31"})
                active = params.get("from") == f"{value}-01-01" and params.get("to") == f"{value}-12-31"
            else:
                name = FACET_PARAMS[field]
                active = value in params.getlist(name)
                href = _link(params, **{name: "" if active else value})
            items.append({"label": _label(field, value), "count": count, "href": href, "active": active})
        groups.append({"title": FACET_TITLES.get(field, field), "items": items})
    return groups


@require_GET
def search_view(request):
    params = request.GET.copy()
    query = params.get("q", "")
    error = ""
    try:
        filters = search.SearchFilters.from_mapping({key: params.getlist(key) if key in ("level", "type") else
                                                     params.get(key, "") for key in
                                                     ("level", "type", "issuer", "direction", "from", "to",
                                                      "register", "place")})
    except ValueError as exc:
        filters, error = search.SearchFilters(), str(exc)
    try:
        page = int(params.get("page") or 1)
    except ValueError:
        page = 1
    try:
        results = search.search(query, request.user, filters, page=page, ctx=RequestContext.from_request(request))
    except PermissionDeniedError:
        return HttpResponseForbidden(_("Bạn không có quyền tìm kiếm."))
    for hit in results.hits:
        hit.level_label = LEVEL_LABELS.get(hit.level, hit.level)
        hit.type_label = DOCUMENT_TYPE_LABELS.get(hit.doc_type, hit.doc_type)
    context = {
        "query": query,
        "results": results,
        "error": error,
        "facet_groups": _facet_groups(results, params),
        "filters": filters,
        # Only the levels this person can ever see: a filter that can never match is noise (and a hint).
        "levels": [(value, label) for value, label in Level.choices if value in visible_levels(request.user)],
        "places": storage_tree(),
        "directions": Direction.choices,
        "selected_levels": params.getlist("level"),
        "prev_href": _link(params, page=str(results.page - 1)) if results.page > 1 else "",
        "next_href": _link(params, page=str(results.page + 1)) if results.page < results.pages else "",
        "clear_href": "?" + urlencode({"q": query}) if query else "?",
    }
    return render(request, "search/index.html", context)


@require_GET
def autocomplete_view(request):
    """JSON suggestions, trimmed to what the user may see: {"suggestions": [{"text", "word", "count"}]}."""
    suggestions = search.autocomplete(request.GET.get("q", "")[:100], request.user,
                                      ctx=RequestContext.from_request(request))
    return JsonResponse({"suggestions": suggestions})
