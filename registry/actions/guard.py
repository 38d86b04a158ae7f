"""The one refusal guard: every refusal, of every kind and on every path, goes through here.

``refuse()`` writes exactly one REFUSED access-log entry of one shape and raises the typed error that the
caller turns into a 404 (web/API) or an error line (CLI). The entry's ``extra`` always holds:

- ``reason``: an ``ErrorCode`` value, so the auditor can count refusals by kind;
- ``requested_id``: only when the refused target does not exist for the actor. Such a document is named
  only by the id the actor asked for, never by its level, unit or title, and the error raised is
  ``NotFoundError``, exactly as for a missing id;
- ``hidden_id``: only when the refusal concerns *another* document the actor may not see (the record a
  duplicate upload matches, the holder of a number already in use). The auditor gets the id; the actor's
  error names nothing (see ``DuplicateError.reveal``).

The entry must survive the refusal: call the guard *before* opening the transaction of the refused change
(or let it run in its own), never inside an ``atomic()`` block that the raised error will roll back.
``refusals_logged()`` wraps a whole act from the outside for exactly that reason.
"""

from contextlib import contextmanager
from typing import NoReturn

from registry.access import Perm, can, can_do, visible_documents
from registry.audit.context import RequestContext
from registry.audit.log import record
from registry.constants import Outcome
from registry.errors import ErrorCode, NotFoundError, PermissionDeniedError, RegistryError

# Set on every error the guard raised: an outer ``refusals_logged`` must not log the same refusal twice.
LOGGED_FLAG = "refusal_logged"


def _raise(error: RegistryError) -> NoReturn:
    setattr(error, LOGGED_FLAG, True)
    raise error


def _sees(actor, document) -> bool:
    # ``actor=None`` is the local operator at the console (bootstrap, demo, ``registry grants``): trusted by
    # having the machine and its database, as in ``registry.actions.people``.
    return actor is None or can(actor, Perm.VIEW, document)


def _related_document(related):
    from registry.models import Document

    if related is None or not isinstance(related, int):
        return related
    return Document.objects.filter(pk=related).first()


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
    related=None,
    query: str = "",
) -> NoReturn:
    """Log one refusal and raise.

    ``document`` (the target of the refused act) is named in the entry only when it exists for ``actor``;
    otherwise (or when only ``requested_id`` is known) the entry carries the requested id and the raised
    error is ``NotFoundError``. ``error`` is what to raise otherwise (default: ``PermissionDeniedError``).
    ``related`` (a Document or id) is a document the refusal is *about* without being its target: named as
    the entry's document when ``actor`` may see it (and the error ``reveal()``-ed), else only as
    ``extra.hidden_id``. ``extra`` adds reason details that leak nothing about hidden documents (the
    caller's responsibility).
    """
    details = {"reason": str(reason), **(extra or {})}
    if document is not None and not isinstance(document, int) and _sees(actor, document):
        record(action, actor=actor, ctx=ctx, document=document, outcome=Outcome.REFUSED, purpose=purpose,
               query=query, extra=details)
        _raise(error or PermissionDeniedError("Người dùng không có quyền thực hiện thao tác này với tài liệu.",
                                              code=reason if reason != ErrorCode.NOT_FOUND else None))
    if requested_id is None and document is not None:
        requested_id = document if isinstance(document, int) else document.pk
    if requested_id is not None:
        # Exactly the entry of a missing id: a hidden document's refusal must not read differently.
        details = {"reason": str(ErrorCode.NOT_FOUND), "requested_id": str(requested_id)[:64]}
        record(action, actor=actor, ctx=ctx, outcome=Outcome.REFUSED, purpose=purpose, query=query, extra=details)
        _raise(NotFoundError("tài liệu"))
    named = None
    if related is not None:
        related_doc = _related_document(related)
        if related_doc is not None and _sees(actor, related_doc):
            named = related_doc
            reveal = getattr(error, "reveal", None)
            error = reveal() if reveal else error
        else:
            details["hidden_id"] = related if isinstance(related, int) else getattr(related, "pk", None)
    record(action, actor=actor, ctx=ctx, document=named, outcome=Outcome.REFUSED, purpose=purpose, query=query,
           extra=details)
    _raise(error or PermissionDeniedError("Người dùng không có quyền thực hiện thao tác này.", code=reason))


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


def require_role(perm: Perm, action, *, actor, ctx: RequestContext | None = None, query: str = "",
                 extra: dict | None = None) -> None:
    """Refuse (one entry, ``permission_denied``) unless ``actor``'s role has ``perm`` (register, print…)."""
    if not can_do(actor, perm):
        refuse(action, actor=actor, ctx=ctx, reason=ErrorCode.PERMISSION_DENIED, query=query, extra=extra,
               error=PermissionDeniedError("Người dùng không có quyền thực hiện thao tác này."))


def already_logged(error: BaseException) -> bool:
    return bool(getattr(error, LOGGED_FLAG, False))


@contextmanager
def refusals_logged(action, *, actor, ctx: RequestContext | None = None, document=None, purpose: str = ""):
    """Run an act; a ``RegistryError`` it raises that the guard has not logged yet is refused here (one entry,
    reason = the error's code, ``related_id`` of the error as ``related``) and re-raised.

    Put it *outside* the act's transaction, so that the entry survives the rollback of the refused change.
    """
    try:
        yield
    except RegistryError as error:
        if already_logged(error):
            raise
        extra = {"field": error.details["field"]} if error.details.get("field") else None
        refuse(action, actor=actor, ctx=ctx, reason=error.code, document=document, purpose=purpose,
               error=error, extra=extra, related=getattr(error, "related_id", None))


__all__ = ["already_logged", "refuse", "refusals_logged", "require", "require_role", "visible_or_refuse"]
