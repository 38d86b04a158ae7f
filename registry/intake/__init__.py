"""Intake: the one way a file becomes a registered document.

Public front door::

    register_file(source, *, filename=None, meta, actor, ctx=None) -> Document
    register_paper(meta, *, actor, ctx=None) -> Document

``source`` is a path or a binary file object (a Django ``UploadedFile``, an open file, ``BytesIO``).
The file goes through ``STEPS`` (small ordered steps, see ``registry.intake.steps``); each refusal is a
typed ``IntakeError`` (or ``DuplicateError`` naming the existing record) with a stable ``ErrorCode``.
On any failure nothing is left behind (no row, no stored file) but the refusal's one REFUSED log entry.

The parsing-heavy work runs in a child process with memory and time limits (``registry.intake.sandbox``).
What decides whether a file can be registered (open with repair, the sanitised rendition) runs here;
text extraction, OCR and the stamp layout run after the commit, as the task ``intake.process_document``
(``registry.actions.ocr.do_process_content``), queued in the registration's own transaction.
This package imports no Django models at import time, so the sandbox can load the parsers cheaply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO

from . import errors as _errors
from .errors import *  # noqa: F403  (the typed refusals are part of the front door)
from .pipeline import IntakeInput, IntakeState, Step, open_source, run_steps
from .steps import STEPS

if TYPE_CHECKING:
    import os

    from registry.actions.documents import DocumentMetadata
    from registry.audit.context import RequestContext
    from registry.models import Document

__all__ = [
    *_errors.__all__,
    "STEPS",
    "IntakeInput",
    "IntakeState",
    "Step",
    "register_file",
    "register_paper",
]


def register_file(
    source: str | os.PathLike | BinaryIO,
    *,
    filename: str | None = None,
    meta: DocumentMetadata,
    actor,
    ctx: RequestContext | None = None,
    pdf_password: str = "",
) -> Document:
    """Run a file through the intake pipeline and register it with ``meta``; returns the new Document.

    ``filename`` is the name the client gave (only its cleaned base name is kept); it defaults to the
    source's own name. ``pdf_password`` opens an encrypted PDF (never stored or logged). Raises ``IntakeError`` subclasses, ``DuplicateError``, ``MetadataError`` or
    ``PermissionDeniedError``; on any error no row or stored file is left behind, only one REFUSED entry.

    Call it outside any transaction of your own (views: no ``atomic`` around it): it commits the row and
    the stored files together, and an outer rollback after it returns could not take the files back.
    """
    from registry.actions.documents import registration_refusals_logged, validate_metadata
    from registry.errors import PermissionDeniedError
    from registry.access import Perm, can_do

    # A refusal writes one REFUSED entry (the guard), outside the pipeline's transaction.
    with registration_refusals_logged(actor=actor, ctx=ctx):
        # Cheap refusals first: no point parsing a file the actor may not register or whose metadata is bad.
        if not can_do(actor, Perm.REGISTER):
            raise PermissionDeniedError("Người dùng không có quyền đăng ký tài liệu.")
        validate_metadata(meta)
        with open_source(source, filename=filename, pdf_password=pdf_password) as state:
            state.meta = meta
            state.actor = actor
            state.ctx = ctx
            run_steps(STEPS, state)
    document = state.document
    # Text, OCR and stamp layout follow in a task ("intake.process_document"); run in this thread after
    # the commit (inline mode, outside any transaction) it has already finished: show what it stored.
    document.refresh_from_db()
    return document


def register_paper(meta: DocumentMetadata, *, actor, ctx: RequestContext | None = None) -> Document:
    """Register a paper-only document (no file): one register entry, one log entry."""
    from registry.actions.documents import do_register_document, registration_refusals_logged

    with registration_refusals_logged(actor=actor, ctx=ctx):
        return do_register_document(meta, actor=actor, ctx=ctx, stored=None)
