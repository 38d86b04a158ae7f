"""Search of the registry: the public front door. Everything else in this package is private.

    index_document(document_or_id) -> bool      project one document into the index (after commit)
    index_documents(ids) -> int                 many at once (batched); ids gone from the database are dropped
    remove_document(document_id) -> None
    search(query, user, filters=None, facets=True, page=1, *, per_page=20, ctx=None) -> SearchResults
    autocomplete(prefix, user, limit=8, *, ctx=None) -> [{"text", "word", "count"}]  (logged once per call)
    rebuild(progress=None) -> int               whole index from the database (atomic for readers)
    status(deep=False) -> DriftReport           missing / stale / orphaned rows
    reconcile(deep=False) -> DriftReport        repairs the drift it reports

Backends come from ``settings.REGISTRY_SEARCH``: BACKEND ("embedded" tantivy by default, "elasticsearch"),
INDEX_DIR, ELASTICSEARCH_URL, INDEX_PREFIX, and optionally ELASTICSEARCH_OPTIONS (client keyword arguments),
REFRESH (Elasticsearch refresh on write, default "wait_for") and AUTO_INDEX (index on commit, default True).
Every search is trimmed to the user's clearance inside the engine and logged once (Action.SEARCH).
"""

# The app package is imported while Django loads apps, before models exist: resolve names on first use.
_EXPORTS = {
    "Capability": "search.backends.base",
    "DriftReport": "search.types",
    "Hit": "search.types",
    "SearchFilters": "search.types",
    "SearchResults": "search.types",
    "autocomplete": "search.service",
    "get_backend": "search.backends",
    "index_document": "search.service",
    "index_documents": "search.service",
    "rebuild": "search.service",
    "reconcile": "search.service",
    "remove_document": "search.service",
    "search": "search.service",
    "status": "search.service",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        import importlib

        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'search' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
