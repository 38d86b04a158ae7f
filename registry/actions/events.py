"""Read entries of screens and commands that show documents without changing them: listings, the dashboard,
autocomplete, the register-book list, searches, book printouts and copy tracing.

One entry per request, never one per row: what was asked (``query``), how many visible rows answered
(``result_count``) and which screen (``extra.view``). Views and commands call these; they never call
``record()`` themselves (only ``registry/actions/`` and ``registry/audit/log.py`` write the log).
"""

from registry.audit.context import RequestContext
from registry.audit.log import record
from registry.constants import Action, Outcome

QUERY_LIMIT = 2000


class View:
    """Names of the screens that write LIST/SEARCH entries (``extra.view``)."""

    DOCUMENTS = "documents"
    API_DOCUMENTS = "api_documents"
    DASHBOARD = "dashboard"
    BOOKS = "books"
    GRANTS = "grants"
    AUTOCOMPLETE = "autocomplete"


def do_log_list(actor, ctx: RequestContext | None, *, query: str = "", result_count: int, view: str = View.DOCUMENTS,
                extra: dict | None = None):
    """One LIST entry for a screen that showed ``result_count`` visible documents (titles, numbers)."""
    return record(Action.LIST, actor=actor, ctx=ctx, query=(query or "")[:QUERY_LIMIT], result_count=result_count,
                  extra={"view": view, **(extra or {})})


def do_log_search(actor, ctx: RequestContext | None, *, query: str, result_count: int, extra: dict | None = None):
    """One SEARCH entry (search page, API, CLI, autocomplete)."""
    return record(Action.SEARCH, actor=actor, ctx=ctx, query=(query or "")[:QUERY_LIMIT], result_count=result_count,
                  extra=extra or {})


def do_log_book_print(actor, ctx: RequestContext | None, *, result_count: int, extra: dict):
    """One BOOK_PRINT entry; ``actor=None`` is the local operator at the console."""
    return record(Action.BOOK_PRINT, actor=actor, ctx=ctx, result_count=result_count, extra=extra)


def do_log_trace(actor, ctx: RequestContext | None, *, copy_id: str, document=None, found: bool, entry_id=None):
    """One TRACE entry for a copy-id lookup; ``document`` only when the tracing person may see it."""
    if not found:
        return record(Action.TRACE, actor=actor, ctx=ctx, outcome=Outcome.ERROR, copy_id=copy_id or "",
                      extra={"found": False})
    return record(Action.TRACE, actor=actor, ctx=ctx, document=document, copy_id=copy_id,
                  extra={"found": True, "entry_id": entry_id})


__all__ = ["View", "do_log_book_print", "do_log_list", "do_log_search", "do_log_trace"]


def do_log_view(document, *, actor, ctx: RequestContext | None):
    """One VIEW entry for a screen that shows a document the caller already checked (a lifecycle form)."""
    return record(Action.VIEW, actor=actor, ctx=ctx, document=document)
