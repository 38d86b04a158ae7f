"""The registry's background tasks. Each is idempotent: running it twice converges on the same state."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from . import task


@task("search.index_document", max_attempts=5, hint="run `registry search reconcile`")
def index_document(document_id: int):
    """Project one document into the search index (an upsert; a document gone from the database is dropped)."""
    from search import index_documents

    return {"indexed": index_documents([document_id])}


@task("search.remove_document", max_attempts=5, hint="run `registry search reconcile`")
def remove_document(document_id: int):
    from search import remove_document as remove

    remove(document_id)
    return {"removed": document_id}


@task("search.rebuild", max_attempts=2)
def rebuild_index(progress=None):
    from search import rebuild

    return {"indexed": rebuild(progress=progress)}


@task("intake.ocr_pending", max_attempts=3)
def ocr_pending(include_failed: bool = False, progress=None):
    """Text extraction by OCR for scans registered while the engine was missing (registry.actions.ocr)."""
    from registry.actions.ocr import recognise_pending

    summary = recognise_pending(include_failed=include_failed, progress=progress)
    return {k: (len(v) if isinstance(v, list) else v) for k, v in summary.items()}


def _content_failed(document_id: int, **kwargs):
    from registry.actions.ocr import mark_content_failed

    mark_content_failed(document_id)


@task("intake.process_document", max_attempts=4, on_failure=_content_failed,
      hint="the document stays registered with its original; run it again from the task list")
def process_document(document_id: int, progress=None):
    """The background half of intake: text, OCR of a scan without text, then index and stamp layout."""
    from registry.actions.ocr import do_process_content

    return do_process_content(document_id, progress=progress)


@task("intake.rebuild_rendition", max_attempts=3)
def rebuild_rendition(document_id: int):
    """Rebuild the sanitised rendition and the extracted text of a stored document from its original (in
    the intake sandbox); a document that already has both is left as it is."""
    from registry.actions.maintenance import do_rebuild_rendition

    return do_rebuild_rendition(document_id)


@task("fixity.run", max_attempts=2)
def fixity(sample: int | None = None, progress=None):
    from registry.actions.maintenance import do_fixity

    run = do_fixity(sample=sample, progress=progress)
    return {"fixity_run": run.pk, "checked": run.checked, "problems": len(run.problems)}


@task("lifecycle.run", max_attempts=3)
def lifecycle_run():
    """The scheduled lifecycle pass (`registry lifecycle run`: declassification at term end, notices,
    extensions); idempotent, so a retried or repeated run changes nothing more."""
    from registry.actions.secrecy import run_lifecycle
    from registry.audit.context import RequestContext

    report = run_lifecycle(ctx=RequestContext.for_cli("lifecycle run (worker)"))
    return {k: (len(v) if isinstance(v, list) else v) for k, v in report.items()}


@task("export.audit_log", max_attempts=2)
def export_audit_log(auditor: str, format: str = "jsonl", filters: list[str] | None = None):
    """A large audit-log export (``registry audit export --background``), written to REGISTRY_HOME/exports.
    The export itself is logged by the audit command, as when the auditor runs it by hand."""
    import io
    import secrets

    from django.core.management import call_command

    folder = Path(settings.REGISTRY_HOME) / "exports"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    out = folder / f"audit-{secrets.token_hex(6)}.{format if format in ('csv', 'pdf') else 'jsonl'}"
    said = io.StringIO()
    try:
        call_command("audit", "export", "--as", auditor, "--format", format, "--out", str(out), *(filters or []),
                     stdout=said)
    except SystemExit:  # the command refused (its JSON error says why): a failed run, not a dead worker
        raise RuntimeError(said.getvalue()[-500:]) from None
    return {"out": str(out)}


@task("tasks.prune", max_attempts=2)
def prune(days: int = 30):
    """Forget finished task runs older than ``days`` (failed ones stay until someone looks at them)."""
    import datetime as dt

    from django.utils import timezone

    from registry.models import TaskRun, TaskState

    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted, _ = TaskRun.objects.filter(state=TaskState.DONE, finished_at__lt=cutoff).delete()
    return {"deleted": deleted}
