"""Maintenance acts and their log entries: fixity runs, backups, restores, key rotations, failed tasks.

These are done by the system or an operator at the console, not by a person reading documents; each still
writes one access-log entry (actor: the operator's name if given, else none), so that the security officer
sees when the archive was checked, copied, restored or re-keyed, and when background work failed.
"""

from __future__ import annotations

import hashlib
import logging
import random
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from registry.audit.context import RequestContext
from registry.audit.log import record
from registry.constants import Action, Outcome
from registry.models import Document, FixityRun

logger = logging.getLogger(__name__)

MISSING = "missing"
MISMATCH = "mismatch"
INTEGRITY_FAILED = "integrity_failed"
KEY_UNAVAILABLE = "key_unavailable"
UNREADABLE = "unreadable"


def _system_ctx(ctx: RequestContext | None) -> RequestContext:
    return ctx or RequestContext()


# --- tasks ------------------------------------------------------------------------------------------------


def _task_document(document_id: int | None):
    """The Document a task run is about (None if it has none or it is gone): named in the entry, so that the
    auditor's redaction by level applies to it."""
    if document_id is None:
        return None
    return Document.objects.filter(pk=document_id).select_related("handling_unit").first()


def do_record_task_failure(run_id: int, name: str, error: str, *, ctx: RequestContext | None = None,
                           document_id: int | None = None):
    """A background task failed for good (all its attempts): one ERROR entry naming the task run (and the
    document it was about, if any)."""
    return record(Action.TASK_FAILED, actor="system", ctx=_system_ctx(ctx), outcome=Outcome.ERROR,
                  document=_task_document(document_id),
                  extra={"task": name, "task_run": run_id, "error": error[:500]})


def do_retry_task(run_id: int, *, actor, ctx: RequestContext | None = None) -> bool:
    """Run a failed task again (the task list's "Chạy lại", ``registry tasks retry``): it is queued again and
    dispatched once this commits, with one TASK_RETRY entry. False (and no entry) if the run was not failed.

    Who may do this, and on which runs, is the caller's check (the view: administrator role and a document the
    administrator may see; the console: the operator)."""
    from registry.models import TaskRun
    from registry.tasks import retry

    with transaction.atomic():
        run = TaskRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or not retry(run_id):
            return False
        record(Action.TASK_RETRY, actor=actor or "operator", ctx=_system_ctx(ctx),
               document=_task_document(run.document_id), extra={"task": run.name, "task_run": run_id})
    return True


# --- fixity -----------------------------------------------------------------------------------------------


def _check_object(name: str, expected_sha256: str | None) -> tuple[str | None, str]:
    """(problem or None, sha256 of the plain content) of one stored object, opened through the vault."""
    from registry.vault import IntegrityFailedError, KeyUnavailableError

    try:
        if not default_storage.exists(name):
            return MISSING, ""
        with default_storage.open(name, "rb") as fh:
            plain = fh.read()
    except IntegrityFailedError:
        return INTEGRITY_FAILED, ""
    except KeyUnavailableError:
        return KEY_UNAVAILABLE, ""
    except OSError:
        return UNREADABLE, ""
    digest = hashlib.sha256(plain).hexdigest()
    if expected_sha256 and digest != expected_sha256:
        return MISMATCH, digest
    if not expected_sha256 and name.endswith(".pdf") and not plain.startswith(b"%PDF"):
        return MISMATCH, digest
    return None, digest


def fixity_documents(sample: int | None = None) -> list[int]:
    ids = list(Document.objects.filter(destroyed_on__isnull=True).exclude(file="").order_by("pk")
               .values_list("pk", flat=True))
    if sample and sample < len(ids):
        ids = sorted(random.SystemRandom().sample(ids, sample))
    return ids


def do_fixity(*, sample: int | None = None, actor=None, ctx: RequestContext | None = None,
              progress=None) -> FixityRun:
    """Re-hash every stored object (or a random sample of ``sample`` documents) after decryption.

    The original must hash to the document's recorded SHA-256; a rendition must open (its authentication
    tag is its checksum) and be a PDF. Problems: missing, mismatch, integrity_failed (a changed byte),
    key_unavailable, unreadable. Writes one FIXITY entry (ERROR when anything is wrong) and a FixityRun.
    """
    started = timezone.now()
    ids = fixity_documents(sample)
    problems, checked, ok = [], 0, 0
    for position, document_id in enumerate(ids, 1):
        doc = Document.objects.filter(pk=document_id).values("file", "rendition", "sha256").first()
        if doc is None:
            continue
        for name, expected in ((doc["file"], doc["sha256"]), (doc["rendition"], None)):
            if not name:
                continue
            checked += 1
            problem, _digest = _check_object(name, expected)
            if problem:
                problems.append({"document": document_id, "name": name, "problem": problem})
            else:
                ok += 1
        if progress:
            progress(position, len(ids))
    with transaction.atomic():
        run = FixityRun.objects.create(started_at=started, finished_at=timezone.now(), sample=sample,
                                       checked=checked, ok=ok, problems=problems)
        record(Action.FIXITY, actor=actor or "system", ctx=_system_ctx(ctx),
               outcome=Outcome.ERROR if problems else Outcome.OK,
               extra={"fixity_run": run.pk, "checked": checked, "ok": ok, "problems": len(problems),
                      "sample": sample, "documents": [p["document"] for p in problems][:50]})
    return run


def last_fixity() -> FixityRun | None:
    return FixityRun.objects.order_by("-finished_at", "-pk").first()


# --- backup, restore, keys --------------------------------------------------------------------------------


def do_log_backup(*, actor=None, ctx: RequestContext | None = None, out: str, counts: dict, with_keys: bool):
    return record(Action.BACKUP, actor=actor or "system", ctx=_system_ctx(ctx),
                  extra={"out": Path(out).name, "with_keys": with_keys, **counts})


def do_log_restore(*, actor=None, ctx: RequestContext | None = None, source: str, counts: dict):
    return record(Action.RESTORE, actor=actor or "system", ctx=_system_ctx(ctx),
                  extra={"source": Path(source).name, **counts})


def do_rotate_keys(*, actor=None, ctx: RequestContext | None = None, limit: int | None = None,
                   batch: int = 200, progress=None) -> dict:
    """Re-wrap every data key under the current KEK (registry.vault.rewrap_pending) and log the run."""
    from registry.vault import rewrap_pending

    summary = rewrap_pending(batch=batch, limit=limit, progress=progress)
    record(Action.KEY_ROTATE, actor=actor or "system", ctx=_system_ctx(ctx), extra=dict(summary))
    return summary


# --- renditions (task) ------------------------------------------------------------------------------------


def do_rebuild_rendition(document_id: int) -> dict:
    """Rebuild a missing rendition / text of a stored document from its original, in the intake sandbox.
    Derived data only (like the search index): no entry; the document is re-indexed after."""
    from django.conf import settings

    from registry.intake import parsers
    from registry.intake.formats import kind_of
    from registry.intake.sandbox import run_limited
    from registry.intake.steps import rendition_name
    from registry.tasks import enqueue
    from registry.vault import seal_document_text

    doc = Document.objects.filter(pk=document_id).first()
    if doc is None or not doc.file or doc.destroyed_on:
        return {"skipped": "no stored original"}
    if doc.rendition and doc.extracted_text:
        return {"skipped": "already complete"}
    accepted = kind_of(doc.mime_type or "")
    if accepted is None:
        return {"skipped": f"type {doc.mime_type} has no rendition"}
    kind, extension = accepted
    with tempfile.TemporaryDirectory(prefix="registry-rendition-") as work:
        source = Path(work) / f"original.{extension}"
        with default_storage.open(doc.file.name, "rb") as fh:
            source.write_bytes(fh.read())
        target = Path(work) / "rendition.pdf"
        analysis = run_limited(parsers.analyse, str(source), kind, str(target),
                               timeout=settings.REGISTRY_INTAKE_TIMEOUT_SECONDS,
                               memory=settings.REGISTRY_INTAKE_MEMORY_BYTES)
        changes = {}
        if not doc.rendition and analysis.rendition and target.exists():
            name = rendition_name(doc.sha256)
            if not default_storage.exists(name):
                name = default_storage.save(name, ContentFile(target.read_bytes(), name=name))
            changes["rendition"] = name
        if not doc.extracted_text and analysis.text:
            changes["extracted_text"] = seal_document_text(doc.sha256, doc.level, analysis.text)
        if analysis.page_count and not doc.page_count:
            changes["page_count"] = analysis.page_count
    if changes:
        Document.objects.filter(pk=document_id).update(**changes)
        enqueue("search.index_document", document_id=document_id)
    return {"changed": sorted(changes)}
