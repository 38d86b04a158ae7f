"""The search API behind ``search/__init__``: trimming, re-checking, logging, and keeping the index honest.

The database is the truth and the index a projection of it. A search asks the engine with the user's
principals (so totals, facets, highlights come only from what the user may see), then re-checks the hits
through ``registry.access.visible_documents`` in one query and takes displayed fields from the database.
A hit the database refuses means the index is stale for it: that row is re-indexed at once and the search
asked again, so a stale index cannot show a document above the user's clearance.
"""

import logging

from django.core.signals import setting_changed
from django.urls import NoReverseMatch, get_urlconf, reverse

from registry.access import Perm, can_do, principals, visible_documents
from registry.actions.events import View, do_log_search
from registry.actions.guard import refuse
from registry.audit.context import RequestContext
from registry.constants import Action
from registry.errors import ErrorCode, PermissionDeniedError
from search.backends import get_backend
from search.highlight import safe_fragment
from search.projection import SUGGEST_SEPARATOR, database_versions, iter_rows
from search.query import plan_query, suggestion_prefix
from search.types import DEFAULT_PER_PAGE, MAX_PER_PAGE, DriftReport, Hit, SearchFilters, SearchResults

logger = logging.getLogger(__name__)
MAX_SUGGESTIONS = 20


_URL_SENTINEL = 987654321987
_url_templates: dict = {}


def document_url(pk: int) -> str:
    """The record's detail page (``registry_document_detail``), or "#" while no such view is installed.

    Reversing once per URLconf with a sentinel id and substituting keeps a results page from paying a
    full ``reverse`` per hit.
    """
    urlconf = get_urlconf()
    if urlconf not in _url_templates:
        try:
            _url_templates[urlconf] = reverse("registry_document_detail", args=[_URL_SENTINEL])
        except NoReverseMatch:
            _url_templates[urlconf] = None
    template = _url_templates[urlconf]
    return template.replace(str(_URL_SENTINEL), str(int(pk))) if template else "#"


def _forget_url_templates(**_kwargs):
    _url_templates.clear()


setting_changed.connect(_forget_url_templates)


# -- indexing ------------------------------------------------------------------------------------------------
def index_document(document_or_id) -> bool:
    """Project one document into the index (or drop it if it no longer exists). True if indexed."""
    pk = getattr(document_or_id, "pk", document_or_id)
    rows = list(iter_rows([pk]))
    backend = get_backend()
    if rows:
        backend.index_rows(rows)
        return True
    backend.delete_ids([pk])
    return False


INDEX_BATCH = 500


def index_documents(ids) -> int:
    """Project many documents (in batches); ids no longer in the database are dropped from the index."""
    ids = list(ids)
    backend = get_backend()
    found, batch = set(), []
    for row in iter_rows(ids):
        found.add(row["id"])
        batch.append(row)
        if len(batch) >= INDEX_BATCH:
            backend.index_rows(batch)
            batch = []
    backend.index_rows(batch)
    gone = [pk for pk in ids if pk not in found]
    if gone:
        backend.delete_ids(gone)
    return len(found)


def remove_document(document_id: int) -> None:
    get_backend().delete_ids([int(document_id)])


def rebuild(progress=None) -> int:
    """Rebuild the whole index from the database; ``progress(n)`` is called per row (tqdm's update)."""
    return get_backend().rebuild(iter_rows(), progress=progress)


def status(*, deep: bool = False) -> DriftReport:
    """Drift between database and index: missing, stale (older ``updated_at``, or a different content digest
    when ``deep``) and orphaned rows."""
    backend = get_backend()
    truth = database_versions()
    indexed = backend.indexed_versions()
    missing = sorted(pk for pk in truth if pk not in indexed)
    orphaned = sorted(pk for pk in indexed if pk not in truth)
    stale = sorted(pk for pk, updated in truth.items() if pk in indexed and indexed[pk][0] != updated)
    if deep:
        stale_set = set(stale)
        for row in iter_rows():
            if row["id"] in indexed and indexed[row["id"]][1] != row["digest"]:
                stale_set.add(row["id"])
        stale = sorted(stale_set)
    return DriftReport(len(truth), len(indexed), missing, stale, orphaned, backend=backend.name)


def reconcile(*, deep: bool = False) -> DriftReport:
    """Repair drift: index missing and stale documents, drop orphans. Returns the drift found before."""
    report = status(deep=deep)
    if report.missing or report.stale:
        index_documents(report.missing + report.stale)
    if report.orphaned:
        get_backend().delete_ids(report.orphaned)
    return report


# -- searching -----------------------------------------------------------------------------------------------
def _check_allowed(user, ctx, query, action_extra):
    if not can_do(user, Perm.SEARCH):
        error = PermissionDeniedError("Người dùng không có quyền tìm kiếm.")
        if getattr(user, "is_authenticated", False):
            refuse(Action.SEARCH, actor=user, ctx=ctx, reason=ErrorCode.PERMISSION_DENIED, query=query,
                   extra=action_extra, error=error)
        raise error


def search(query: str = "", user=None, filters: SearchFilters | dict | None = None, facets: bool = True,
           page: int = 1, *, per_page: int = DEFAULT_PER_PAGE, ctx: RequestContext | None = None) -> SearchResults:
    """Search what ``user`` may see. Writes exactly one access-log entry (Action.SEARCH).

    Hits carry score and HTML-safe highlights (``<mark>`` only); total and facet counts are computed
    inside the clearance-trimmed engine query. Raises PermissionDeniedError for a user without search.
    """
    if not isinstance(filters, SearchFilters):
        filters = SearchFilters.from_mapping(filters)
    page = max(1, int(page or 1))
    per_page = max(1, min(MAX_PER_PAGE, int(per_page or DEFAULT_PER_PAGE)))
    plan = plan_query(query)
    extra = {"filters": filters.as_dict(), "page": page}
    _check_allowed(user, ctx, plan.text, extra)
    who = principals(user)
    backend = get_backend()
    extra["backend"] = backend.name
    if who.empty:
        results = SearchResults(plan.text, 0, [], {}, page, per_page, filters)
    else:
        results = _search_checked(backend, plan, who, user, filters, facets, page, per_page)
    do_log_search(user, ctx, query=plan.text, result_count=results.total, extra=extra)
    return results


# Displayed fields come from the database (the truth), not from the index.
_HIT_FIELDS = ("id", "number_raw", "title", "level", "doc_type", "issuer", "issue_date", "direction", "voided")


def _search_checked(backend, plan, who, user, filters, facets, page, per_page):
    offset = (page - 1) * per_page
    for _attempt in range(2):
        found = backend.search(plan, who, filters, offset=offset, limit=per_page, facets=facets)
        ids = [h.id for h in found.hits]
        rows = {row["id"]: row for row in visible_documents(user).filter(pk__in=ids).order_by().values(*_HIT_FIELDS)
                } if ids else {}
        refused = [pk for pk in ids if pk not in rows]
        if not refused:
            break
        # The index disagrees with the database for these rows: repair them, then ask again once.
        logger.warning("search index stale for documents %s; re-indexing", refused)
        index_documents(refused)
    total = found.total - len(refused)
    hits = []
    for engine_hit in found.hits:
        doc = rows.get(engine_hit.id)
        if doc is None:
            continue
        hits.append(Hit(
            id=doc["id"], number=doc["number_raw"], title=doc["title"], level=doc["level"], score=engine_hit.score,
            highlight={k: safe_fragment(v) for k, v in engine_hit.highlight.items()},
            doc_type=doc["doc_type"], issuer=doc["issuer"], issue_date=doc["issue_date"],
            direction=doc["direction"], voided=doc["voided"], url=document_url(doc["id"]),
        ))
    return SearchResults(plan.text, max(total, len(hits)), hits, found.facets, page, per_page, filters)


def autocomplete(prefix: str, user, limit: int = 8, *, ctx: RequestContext | None = None) -> list[dict]:
    """Completions of the last word typed, drawn only from documents ``user`` may see.

    Returns [{"text": completed query, "word": the word as written, "count": visible documents}]. Each call
    that asks the engine writes one SEARCH entry (``extra.view = "autocomplete"``), not one per word.
    """
    if not can_do(user, Perm.SEARCH):
        return []
    head, last, folded = suggestion_prefix(prefix)
    if not folded:
        return []
    who = principals(user)
    if who.empty:
        return []
    limit = max(1, min(MAX_SUGGESTIONS, int(limit)))
    entries = get_backend().suggest(folded, who, limit=limit * 5)
    typed = last.lower()
    wants_exact = typed != folded  # typed with diacritics: only words written that way
    counts: dict[str, int] = {}
    for entry, count in entries:
        word = entry.split(SUGGEST_SEPARATOR)[-1]
        if wants_exact and not word.lower().startswith(typed):
            continue
        counts[word] = counts.get(word, 0) + count
    ranked = sorted(counts.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[:limit]
    do_log_search(user, ctx, query=prefix, result_count=len(ranked), extra={"view": View.AUTOCOMPLETE})
    return [{"text": head + word, "word": word, "count": count} for word, count in ranked]
