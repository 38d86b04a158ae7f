"""The intake steps, in order. Each does one thing to an ``IntakeState`` or refuses the file.

Cheap refusals come first (name, size, duplicate, type), the parsing in a sandboxed child
next, and storing + registering last, in one database transaction, so that a refused or failed file
leaves no row, no log entry and no stored file.

Django models are imported inside the steps that need them: this module is also loaded by the sandbox's
forkserver, which has no Django app registry.
"""

from __future__ import annotations

import logging

from django.conf import settings

from . import ocr, parsers
from .errors import (
    DuplicateError,
    EmptyFileError,
    FileTooLargeError,
    StorageFailedError,
    UnsupportedTypeError,
)
from .filenames import clean_filename
from .messages import unsupported_type_message
from .formats import PDF, kind_of, might_be_pdf, sniff
from .pipeline import Step, sha256_of
from .sandbox import run_limited

log = logging.getLogger(__name__)


class CheckFilename(Step):
    """Keep only a clean base name of what the client called the file (see ``filenames.clean_filename``)."""

    name = "filename"

    def run(self):
        self.state.filename = clean_filename(self.state.input.original_filename)


class CheckSize(Step):
    name = "size"

    def run(self):
        size = self.state.input.size
        if size == 0:
            raise EmptyFileError("Tệp rỗng (0 byte).")
        limit = settings.REGISTRY_MAX_UPLOAD_BYTES
        if size > limit:
            raise FileTooLargeError(
                f"Tệp {size:,} byte vượt quá dung lượng cho phép ({limit:,} byte).", size=size, limit=limit
            )


class HashContent(Step):
    name = "hash"

    def run(self):
        self.state.sha256 = sha256_of(self.state.input.path)


class RefuseDuplicate(Step):
    """The same bytes registered twice is one document: name the existing record, store nothing."""

    name = "duplicate"

    def run(self):
        from registry.models import Document

        existing = Document.objects.filter(sha256=self.state.sha256).values_list("pk", flat=True).first()
        if existing:
            raise DuplicateError(existing, self.state.sha256)


class SniffType(Step):
    """The real type, from the content, checked against the allowlist in ``formats.ALLOWED``.

    libmagic guesses from the first bytes; where a parser can prove the type, the content wins: a PDF
    whose ``%PDF-`` header is missing or buried (libmagic: text or data) that a PDF reader opens is a PDF.
    """

    name = "type"

    def run(self):
        path = self.state.input.path
        mime = sniff(path)
        if mime != PDF and might_be_pdf(path, mime):
            proved = run_limited(
                parsers.prove_pdf, str(path),
                timeout=settings.REGISTRY_INTAKE_TIMEOUT_SECONDS, memory=settings.REGISTRY_INTAKE_MEMORY_BYTES,
                reuse=getattr(settings, "REGISTRY_INTAKE_WORKER_FILES", 1),
            )
            if proved:
                mime = PDF
        accepted = kind_of(mime)
        if accepted is None:
            raise UnsupportedTypeError(
                unsupported_type_message(mime),  # plain words; the MIME type stays in the details
                mime_type=mime,
            )
        self.state.mime_type = mime
        self.state.kind, self.state.extension = accepted


class Analyse(Step):
    """Open with repair and build the sanitised rendition, with the page count: in a child with memory and
    time limits. This is the part of reading a file that decides whether it can be registered at all, so it
    runs while the clerk waits; the text, OCR and stamp layout come after the commit, in a task
    (``intake.process_document``). An encrypted PDF is opened here with the clerk's password, which is
    never kept: the task works from the rendition, which needs none.

    A PDF is refused only when no reader can use it (``pdf_damaged``, or ``pdf_truncated`` when its end is
    missing); what the readers repaired, and the sender's restrictions, are kept for the record.
    """

    name = "analyse"

    def run(self):
        state = self.state
        analysis = run_limited(
            parsers.analyse, str(state.input.path), state.kind, str(state.rendition_target),
            state.input.pdf_password if state.kind == "pdf" else "", False,
            timeout=settings.REGISTRY_INTAKE_TIMEOUT_SECONDS, memory=settings.REGISTRY_INTAKE_MEMORY_BYTES,
            reuse=getattr(settings, "REGISTRY_INTAKE_WORKER_FILES", 1),
        )
        state.page_count = analysis.page_count
        state.rendition_path = state.rendition_target if analysis.rendition else None
        state.repair_warnings = tuple(analysis.warnings)
        state.pdf_restrictions = analysis.restrictions
        # A scan, or a PDF of large pictures: OCR if its rendition turns out to hold no text (decided by the task)
        state.needs_ocr = bool(state.rendition_path) and (state.kind == "image" or analysis.needs_ocr)
        state.ocr_status = "pending" if state.needs_ocr else ""


def run_ocr(source, target):
    """OCR the image PDF ``source`` into the sanitised searchable PDF ``target`` in a fresh sandbox child."""
    return run_limited(
        ocr.recognise, str(source), str(target),
        float(getattr(settings, "REGISTRY_OCR_PAGE_TIMEOUT_SECONDS", 180)),
        timeout=getattr(settings, "REGISTRY_OCR_TIMEOUT_SECONDS", 600),
        memory=getattr(settings, "REGISTRY_OCR_MEMORY_BYTES", 2 * 1024 * 1024 * 1024),
        reuse=1,
    )


def original_name(sha256: str, extension: str) -> str:
    return f"originals/{sha256[:2]}/{sha256[2:4]}/{sha256}.{extension}"


def rendition_name(sha256: str) -> str:
    return f"renditions/{sha256[:2]}/{sha256[2:4]}/{sha256}.pdf"


class StoreAndRegister(Step):
    """Register the entry and store the bytes (content-addressed) in one transaction.

    The files are written after the row is inserted and before the transaction commits; if anything
    fails, the files this run created are deleted while the row (and its unique sha256) still holds off a
    concurrent intake of the same bytes, then the transaction rolls back. A file that already existed is
    never deleted: it may belong to a registered document.
    """

    name = "register"

    def run(self):
        from django.db import IntegrityError, transaction

        from registry.actions.documents import StoredFile, do_register_document
        from registry.models import Document
        from registry.tasks import enqueue

        state = self.state
        stored = StoredFile(
            name=original_name(state.sha256, state.extension),
            sha256=state.sha256,
            size=state.input.size,
            mime_type=state.mime_type,
            original_filename=state.filename,
            rendition_name=rendition_name(state.sha256) if state.rendition_path else "",
            page_count=state.page_count,
            repair_warnings=state.repair_warnings,
            pdf_restrictions=state.pdf_restrictions,
            ocr_status=state.ocr_status,
            content_status="pending",  # text, OCR and stamp layout: the task enqueued below, after the commit
        )
        try:
            with transaction.atomic():
                document = do_register_document(state.meta, actor=state.actor, ctx=state.ctx, stored=stored)
                # Queued in the same transaction: a registered file always has its processing on record.
                enqueue("intake.process_document", document_id=document.pk)
                try:
                    self._put(stored.name, state.input.path)
                    if state.rendition_path:
                        self._put(stored.rendition_name, state.rendition_path)
                except BaseException:
                    self.cleanup()
                    raise
        except IntegrityError:
            self.cleanup()
            # A concurrent intake of the same bytes committed first: report it as the duplicate it is.
            existing = Document.objects.filter(sha256=state.sha256).values_list("pk", flat=True).first()
            if existing:
                raise DuplicateError(existing, state.sha256) from None
            raise
        except BaseException:
            self.cleanup()  # e.g. the COMMIT itself failed
            raise
        state.document = document

    def _put(self, name, path):
        from django.core.files import File
        from django.core.files.storage import default_storage

        try:
            if default_storage.exists(name):
                return  # same name, same bytes: already stored (by a registered document, or a moment ago)
            with open(path, "rb") as f:
                saved = default_storage.save(name, File(f, name=name))
            self.state.created.append(saved)
            if saved != name:  # a concurrent intake stored the same bytes between exists() and save()
                default_storage.delete(saved)
                self.state.created.remove(saved)
        except Exception as exc:
            raise StorageFailedError(f"Không lưu được tệp vào kho lưu trữ: {exc}") from exc

    def cleanup(self):
        from django.core.files.storage import default_storage

        while self.state.created:
            name = self.state.created.pop()
            try:
                default_storage.delete(name)
            except Exception:
                log.exception("intake: could not remove %s after a failed registration", name)


STEPS = (
    CheckFilename,
    CheckSize,
    HashContent,
    RefuseDuplicate,
    SniffType,
    Analyse,
    StoreAndRegister,
)
