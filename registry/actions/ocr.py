"""A registered file's content: its text, its OCR text layer, and the OCR catch-up.

``do_process_content`` is the background half of intake (task ``intake.process_document``, queued in the
registration's transaction): text from the sanitised rendition (or, for word-processing files, the original),
OCR when a scan turns out to hold no text, then the search index and the stamp layout through
``document_changed``. Text is derived data (like the index): storing it writes no entry. OCR replaces the
rendition, so it is recorded as the catch-up records it: one EDIT entry, ``extra.change == "ocr"``, in the
same transaction as the change (``do_record_ocr``).

``recognise_pending`` is what ``registry ocr --pending`` runs for scans registered while the engine was missing.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from registry.audit.context import RequestContext
from registry.audit.log import record
from registry.constants import Action
from registry.models import Document

log = logging.getLogger(__name__)


def _seal(document: Document, text: str) -> str:
    try:
        from registry.vault import seal_document_text
    except ImportError:  # no encryption at rest in this build
        return text
    return seal_document_text(document.sha256, document.level, text)


def do_record_ocr(document: Document, *, status: str, text: str = "", rendition: Path | None = None,
                  actor=None, ctx: RequestContext | None = None, processed: bool = False) -> Document:
    """Store the OCR outcome of ``document``: its searchable rendition and text when ``status == "done"``.

    The new rendition is stored under a new name and the old one removed only after the commit, so a
    failure leaves the document exactly as it was.
    """
    from registry.actions.documents import _notify_changed

    old_name = document.rendition.name if document.rendition else ""
    new_name = ""
    if status == "done" and rendition is not None:
        base = f"renditions/{document.sha256[:2]}/{document.sha256[2:4]}/{document.sha256}-ocr.pdf"
        with open(rendition, "rb") as f:
            new_name = default_storage.save(base, File(f, name=base))
    try:
        with transaction.atomic():
            fields = ["ocr_status"]
            document.ocr_status = status
            if processed:  # the intake task's OCR: the content is now as complete as it will get
                document.content_status = "done"
                fields.append("content_status")
                if status != "done" and text:
                    document.extracted_text = _seal(document, text)
                    fields.append("extracted_text")
            if status == "done":
                document.extracted_text = _seal(document, text)
                fields.append("extracted_text")
                if new_name:
                    document.rendition.name = new_name
                    fields.append("rendition")
            document.save(update_fields=fields)
            record(Action.EDIT, actor=actor, ctx=ctx, document=document,
                   extra={"change": "ocr", "ocr_status": status})
            _notify_changed(document.pk)
    except BaseException:
        if new_name:
            default_storage.delete(new_name)
        raise
    if new_name and old_name and old_name != new_name:
        transaction.on_commit(lambda: default_storage.delete(old_name))
    return document


def recognise_pending(*, include_failed: bool = False, actor=None, ctx: RequestContext | None = None,
                      progress=None) -> dict:
    """OCR every document flagged pending (and failed, if asked); returns what happened, by document id."""
    from registry.intake import ocr
    from registry.intake.errors import IntakeError
    from registry.intake.steps import run_ocr

    statuses = ["pending", "failed"] if include_failed else ["pending"]
    # Documents still waiting for their intake task are that task's to read (it OCRs them if need be).
    queue = list(Document.objects.filter(ocr_status__in=statuses).exclude(content_status="pending")
                 .order_by("pk").values_list("pk", flat=True))
    summary = {"engine": ocr.engine_available(), "done": [], "failed": [], "pending": []}
    if not summary["engine"]:
        summary["pending"] = queue
        return summary
    for pk in queue:
        document = Document.objects.get(pk=pk)
        folder = Path(tempfile.mkdtemp(prefix="registry-ocr-"))
        try:
            source, target = folder / "rendition.pdf", folder / "rendition-ocr.pdf"
            with default_storage.open(document.rendition.name, "rb") as f, open(source, "wb") as out:
                shutil.copyfileobj(f, out)
            try:
                result = run_ocr(source, target)
            except IntakeError as exc:
                log.warning("ocr: document %s failed (%s)", pk, exc.code)
                do_record_ocr(document, status="failed", actor=actor, ctx=ctx)
                summary["failed"].append(pk)
            else:
                do_record_ocr(document, status="done", text=result.text, rendition=target, actor=actor, ctx=ctx)
                summary["done"].append(pk)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if progress:
            progress(pk)
    return summary


# --- the background half of intake ------------------------------------------------------------------------


def do_process_content(document_id: int, *, progress=None) -> dict:
    """Text (and OCR if a scan has none) for a registered file; idempotent: a processed document is skipped.

    Reads run in the intake sandbox (time and memory limits). The result is stored in one short transaction
    on the locked row; a document destroyed meanwhile is left alone.
    """
    from django.conf import settings

    from registry.intake import ocr, parsers
    from registry.intake.errors import IntakeError
    from registry.intake.formats import kind_of
    from registry.intake.sandbox import run_limited
    from registry.intake.steps import run_ocr

    document = Document.objects.filter(pk=document_id).first()
    if document is None or not document.file or document.destroyed_on:
        return {"skipped": "no stored file"}
    if document.content_status == "done":
        return {"skipped": "already processed"}
    accepted = kind_of(document.mime_type or "")
    if accepted is None:
        _finish_without_text(document_id)
        return {"skipped": f"no reader for {document.mime_type}"}
    kind, extension = accepted
    steps = 3 if document.ocr_status == "pending" else 2
    report = progress or (lambda done, total: None)
    folder = Path(tempfile.mkdtemp(prefix="registry-content-"))
    try:
        original, rendition = folder / f"original.{extension}", folder / "rendition.pdf"
        if kind not in ("pdf", "image") or not document.rendition:
            _copy_out(document.file.name, original)
        if document.rendition:
            _copy_out(document.rendition.name, rendition)
        report(1, steps)
        text = run_limited(parsers.content_text, str(original), kind, str(rendition),
                           timeout=settings.REGISTRY_INTAKE_TIMEOUT_SECONDS,
                           memory=settings.REGISTRY_INTAKE_MEMORY_BYTES,
                           reuse=getattr(settings, "REGISTRY_INTAKE_WORKER_FILES", 1))
        report(2, steps)
        ocr_status = document.ocr_status
        if ocr_status == "pending" and text.strip():
            ocr_status = ""  # large pictures, but text too: nothing to recognise
        if ocr_status == "pending" and document.rendition and ocr.engine_available():
            target = folder / "rendition-ocr.pdf"
            try:
                result = run_ocr(rendition, target)
            except IntakeError as exc:  # OCR never refuses: the document stays readable, flagged
                log.warning("content: OCR failed for document %s (%s)", document_id, exc.code)
                do_record_ocr(document, status="failed", processed=True)
                return {"text_chars": 0, "ocr": "failed"}
            finally:
                report(3, steps)
            do_record_ocr(document, status="done", text=result.text, rendition=target, processed=True)
            return {"text_chars": len(result.text), "ocr": "done"}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    _store_text(document_id, text, ocr_status)
    report(steps, steps)
    return {"text_chars": len(text), "ocr": ocr_status or "not needed"}


def _copy_out(name: str, target: Path) -> None:
    with default_storage.open(name, "rb") as f, open(target, "wb") as out:  # opened (decrypted) by the storage
        shutil.copyfileobj(f, out)


def _store_text(document_id: int, text: str, ocr_status: str) -> None:
    from registry.actions.documents import _notify_changed

    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.destroyed_on or not document.file:
            return
        document.extracted_text = _seal(document, text)
        document.ocr_status = ocr_status
        document.content_status = "done"
        document.save(update_fields=["extracted_text", "ocr_status", "content_status"])
        _notify_changed(document_id)  # search index (text), stamp layout


def _finish_without_text(document_id: int) -> None:
    Document.objects.filter(pk=document_id, content_status="pending").update(content_status="done")


def mark_content_failed(document_id: int, **kwargs) -> None:
    """The task gave up (its ERROR entry is written by the task layer): say so on the record."""
    Document.objects.filter(pk=document_id).exclude(content_status="done").update(content_status="failed")
