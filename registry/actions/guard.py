"""The one refusal guard: every refusal, of every kind and on every path, goes through here.

``refuse()`` writes exactly one REFUSED access-log entry of one shape and raises the typed error that the
caller turns into a 404 (web/API) or an error line (CLI):

- a document that does not exist for the actor is named only by the *requested id* (``extra.requested_id``),
  never by its level, unit or title, and the error raised is ``NotFoundError``, exactly as for a missing id;
- the reason is always an ``ErrorCode`` (``extra.reason``), so the auditor can count refusals by kind.

The entry must survive the refusal: call the guard *before* opening the transaction of the refused change
(or let it run in its own), never inside an ``atomic()`` block that the raised error will roll back.
"""

from typing import NoReturn

from registry.access import Perm, can, visible_documents
from registry.audit.context import RequestContext
from registry.audit.log import record
from registry.constants import Outcome
from registry.errors import ErrorCode, NotFoundError, PermissionDeniedError, RegistryError


def refuse(
    action,
    *,
    actor,
    reason: ErrorCode,
    ctx: RequestContext | None = None,
    document=None,
    requested_id=None,
    purpose: str = "",
    error: RegistryError | None = None,
    extra: dict | None = None,
) -> NoReturn:
    """Log one refusal and raise.

    ``document`` is named in the entry only when it exists for ``actor``; otherwise (or when only
    ``requested_id`` is known) the entry carries the requested id and the raised error is ``NotFoundError``.
    ``error`` is what to raise for a visible document (default: ``PermissionDeniedError``).
    ``extra`` adds reason details that leak nothing about hidden documents (the caller's responsibility).
    """
    visible = document is not None and not isinstance(document, int) and can(actor, Perm.VIEW, document)
    details = {"reason": str(reason), **(extra or {})}
    if visible:
        record(action, actor=actor, ctx=ctx, document=document, outcome=Outcome.REFUSED, purpose=purpose,
               extra=details)
        raise error or PermissionDeniedError("Người dùng không có quyền thực hiện thao tác này với tài liệu.",
                                             code=reason if reason != ErrorCode.NOT_FOUND else None)
    if requested_id is None and document is not None:
        requested_id = document if isinstance(document, int) else document.pk
    if requested_id is not None:
        details["requested_id"] = str(requested_id)[:64]
    record(action, actor=actor, ctx=ctx, outcome=Outcome.REFUSED, purpose=purpose, extra=details)
    if document is not None or requested_id is not None:
        raise NotFoundError("tài liệu")
    raise error or PermissionDeniedError("Người dùng không có quyền thực hiện thao tác này.", code=reason)


def visible_or_refuse(action, document_id, *, actor, ctx: RequestContext | None = None, purpose: str = "",
                      queryset=None):
    """The document if it exists for ``actor``; otherwise one logged refusal and ``NotFoundError``."""
    try:
        pk = int(document_id)
    except (TypeError, ValueError):
        pk = None
    document = visible_documents(actor, queryset).filter(pk=pk).first() if pk is not None else None
    if document is None:
        refuse(action, actor=actor, ctx=ctx, reason=ErrorCode.NOT_FOUND, requested_id=document_id, purpose=purpose)
    return document


def require(perm: Perm, action, document, *, actor, ctx: RequestContext | None = None, purpose: str = "",
            reason: ErrorCode = ErrorCode.PERMISSION_DENIED) -> None:
    """Refuse (one entry) unless ``actor`` may ``perm`` the ``document``; hidden documents answer not found."""
    if not can(actor, perm, document):
        refuse(action, actor=actor, ctx=ctx, reason=reason, document=document, purpose=purpose)
