"""OCR catch-up: documents registered while the OCR engine was missing get their text layer later.

``recognise_pending`` is what ``registry ocr --pending`` runs; each document it reads is recorded by
``do_record_ocr`` (one EDIT entry, ``extra.change == "ocr"``, in the same transaction as the change).
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
                  actor=None, ctx: RequestContext | None = None) -> Document:
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
    queue = list(Document.objects.filter(ocr_status__in=statuses).order_by("pk").values_list("pk", flat=True))
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
