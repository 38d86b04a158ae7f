"""Reading a document: the metadata view and the marked copy (download, preview, print).

Every read goes through the clearance policy and writes exactly one access-log entry; every refusal writes
one REFUSED entry. A document that does not exist for the reader is refused with ``NotFoundError`` and its
log entry names only the requested id (in ``extra``), never its level or title, so the log leaks nothing
that a missing document would not. A marked copy is returned only after its log entry is committed in the
same transaction as its copy number.
"""

from dataclasses import dataclass

from django.db import transaction

from registry.access import Perm, can, can_do, requires_purpose
from registry.actions.guard import refuse, visible_or_refuse
from registry.audit.context import RequestContext
from registry.audit.log import record
from registry.constants import Action, Outcome
from registry.errors import ErrorCode, PermissionDeniedError, RegistryError
from registry.models import Document
from registry.registers.numbering import allocate_number
from registry.text import clean_line
from registry.vault import IntegrityFailedError, KeyUnavailableError

COPY_ACTIONS = frozenset({Action.DOWNLOAD, Action.PREVIEW, Action.PRINT})


@dataclass(frozen=True)
class MarkedCopy:
    content: bytes  # the stamped (optionally encrypted) PDF
    filename: str
    copy_id: str  # unique, recorded in the log entry
    copy_number: int  # "Bản số: N"
    password: str | None  # one-time password when encrypted (shown once)
    entry_id: int  # the access-log entry


def copy_sequence_key(document_id: int) -> str:
    return f"copy:{document_id}"


def _visible_or_refuse(action, document_id, *, actor, ctx, purpose="") -> Document:
    """The document if it exists for ``actor``; else the guard's one refusal (requested id only) and 404."""
    return visible_or_refuse(action, document_id, actor=actor, ctx=ctx, purpose=purpose,
                             queryset=Document.objects.select_related("handling_unit"))


def _refuse(action, document, error: RegistryError, *, actor, ctx, purpose=""):
    refuse(action, actor=actor, ctx=ctx, reason=error.code, document=document, purpose=purpose, error=error)


def _fail(action, document, error: RegistryError, *, actor, ctx, purpose=""):
    """Log an attempt that failed for a reason other than the policy (damaged or missing file) and raise."""
    record(action, actor=actor, ctx=ctx, document=document, outcome=Outcome.ERROR, purpose=purpose,
           extra={"reason": str(error.code)})
    raise error


def _source_pdf(document: Document) -> bytes | None:
    """The sanitised rendition; the original only when it is itself a PDF."""
    if document.rendition:
        field = document.rendition
    elif document.file and (document.mime_type == "application/pdf" or document.file.name.lower().endswith(".pdf")):
        field = document.file
    else:
        return None
    with field.open("rb") as fh:
        return fh.read()


def _copy_filename(document: Document, copy_number: int) -> str:
    return f"tai-lieu-{document.pk}-ban-so-{copy_number}.pdf"


def do_read_document(
    document_id,
    *,
    actor,
    purpose: str = "",
    action=Action.DOWNLOAD,
    ctx: RequestContext | None = None,
) -> MarkedCopy:
    """Produce a marked copy of a document for ``actor`` and log it (one entry).

    Raises NotFoundError (hidden or missing: same message), PermissionDeniedError (role or paper-only),
    RegistryError(PURPOSE_REQUIRED) for toi_mat/tuyet_mat without a stated purpose. Each refusal writes one
    REFUSED entry. The copy is returned only if its entry was written (same transaction as its number).
    """
    from registry.marking import StampError, encryption_required, new_copy_id, new_password

    action = Action(action)
    if action not in COPY_ACTIONS:
        raise ValueError(f"{action} is not a read of content")
    ctx = ctx or RequestContext()
    purpose = clean_line(purpose or "")
    document = _visible_or_refuse(action, document_id, actor=actor, ctx=ctx, purpose=purpose)
    if not can(actor, Perm.READ_CONTENT, document):
        message = "Người dùng không có quyền đọc nội dung tài liệu này."
        if can_do(actor, Perm.READ_CONTENT):
            if document.destroyed_on:
                message = "Tài liệu đã bị tiêu hủy, không còn bản để đọc."
            elif document.is_paper_only:
                message = "Tài liệu này chỉ có bản giấy, không có bản điện tử."
        _refuse(action, document, PermissionDeniedError(message), actor=actor, ctx=ctx, purpose=purpose)
    if requires_purpose(document) and not purpose:
        _refuse(action, document,
                RegistryError("Phải nêu mục đích sử dụng trước khi đọc tài liệu Tối mật, Tuyệt mật.",
                              code=ErrorCode.PURPOSE_REQUIRED),
                actor=actor, ctx=ctx, purpose=purpose)
    try:
        source = _source_pdf(document)
    except (IntegrityFailedError, KeyUnavailableError) as error:  # a tampered object is refused, on record
        _fail(action, document, error, actor=actor, ctx=ctx, purpose=purpose)
    except OSError:
        _fail(action, document, RegistryError("Không đọc được tệp tài liệu trong kho lưu trữ.",
                                              code=ErrorCode.STORAGE_FAILED), actor=actor, ctx=ctx, purpose=purpose)
    if source is None:
        _refuse(action, document,
                RegistryError("Tài liệu chưa có bản đọc PDF.", code=ErrorCode.INVALID_STATE),
                actor=actor, ctx=ctx, purpose=purpose)
    from registry.actions.lifecycle import register_marked_copy

    password = new_password() if encryption_required(document.level) else None
    copy_id = new_copy_id()
    # The number and its entry commit in one short transaction; the stamping (slow) happens after it, so it
    # never holds the database's write lock. A copy that then fails to stamp is recorded as a failure.
    with transaction.atomic():
        # One sequence per document, shared with the copy register: a marked copy is a copy like any other.
        copy_number = allocate_number(copy_sequence_key(document.pk))
        register_marked_copy(document, number=copy_number, copy_id=copy_id, holder=actor)
        entry = record(action, actor=actor, ctx=ctx, document=document, purpose=purpose, copy_id=copy_id,
                       extra={"copy_number": copy_number, "encrypted": password is not None})
    try:
        content = _stamp_copy(document, source, actor=actor, copy_number=copy_number, copy_id=copy_id,
                              when=entry.at, password=password)
    except StampError as error:  # a damaged rendition: the number was issued, no copy was made
        record(action, actor=actor, ctx=ctx, document=document, outcome=Outcome.ERROR, purpose=purpose,
               copy_id=copy_id, extra={"reason": str(error.code), "copy_number": copy_number, "stamped": False})
        raise
    return MarkedCopy(
        content=content,
        filename=_copy_filename(document, copy_number),
        copy_id=copy_id,
        copy_number=copy_number,
        password=password,
        entry_id=entry.pk,
    )


def _stamp_copy(document, source, *, actor, copy_number, copy_id, when, password) -> bytes:
    """Stamp one copy whose number and entry are already committed (outside any transaction)."""
    from registry.actions.lifecycle import declassified_stamp
    from registry.marking import Marks, stamp_pdf

    marks = Marks(
        level=document.level,
        copy_number=copy_number,
        copy_id=copy_id,
        username=getattr(actor, "username", ""),
        full_name=actor.get_full_name() if hasattr(actor, "get_full_name") else "",
        when=when,
        recall=document.recall,
        named_addressee_only=document.named_addressee_only,
        declassified=declassified_stamp(document),
    )
    from registry.marking.stored_layout import layout_for

    return stamp_pdf(source, marks, password=password, stamp_layout=layout_for(document, source))


def do_view_document(document_id, *, actor, ctx: RequestContext | None = None) -> Document:
    """The metadata view of a document: policy check and one VIEW entry (REFUSED + NotFoundError if hidden)."""
    ctx = ctx or RequestContext()
    document = _visible_or_refuse(Action.VIEW, document_id, actor=actor, ctx=ctx)
    record(Action.VIEW, actor=actor, ctx=ctx, document=document)
    return document


__all__ = ["COPY_ACTIONS", "MarkedCopy", "copy_sequence_key", "do_read_document", "do_view_document"]
