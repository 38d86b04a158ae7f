"""Intake hands its slow half to the task layer: the request registers (checks, sanitised rendition, row, stored
original, a queued ``intake.process_document`` in the same transaction); text, OCR, the index and the stamp
layout come after the commit. Idempotent, retried, visible when it fails, caught up after a crash."""

import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

import search
from registry import tasks
from registry.actions.ocr import do_process_content
from registry.constants import Action, Level, Outcome, Role
from registry.intake import parsers, register_file
from registry.models import AccessLogEntry, Document, TaskRun, TaskState
from registry.vault import document_text
from search.backends import reset_backend
from tests.factories import make_metadata, make_user
from tests.intake import samples
from tests.intake.conftest import media, vanthu, write  # noqa: F401  (the intake fixtures)
from tests.tasks import committed

MARKER = "Hướng dẫn rà soát tiêu chuẩn chính trị"


@pytest.fixture
def index(tmp_path):
    reset_backend()
    with override_settings(REGISTRY_SEARCH={"BACKEND": "embedded", "INDEX_DIR": str(tmp_path / "index")}):
        yield
    reset_backend()


@pytest.fixture
def reader(db):
    return make_user("canbo_tasks", role=Role.STAFF, clearance=Level.MAT)


def _runs(name="intake.process_document"):
    return list(TaskRun.objects.filter(name=name).order_by("id"))


@pytest.mark.django_db
def test_the_request_registers_and_queues_the_text_for_after_the_commit(media, vanthu, write, index, reader):
    path = write("huong-dan.pdf", samples.text_pdf(pages=3))
    with committed():
        document = register_file(path, meta=make_metadata(level=Level.MAT), actor=vanthu)
        # Before the commit: registered and stored, the text not read yet, its task queued with the row.
        assert document.pk and document.rendition and document.page_count == 3
        row = Document.objects.get(pk=document.pk)
        assert row.content_status == "pending" and row.extracted_text == "" and row.stamp_layout is None
        [run] = _runs()
        assert run.state == TaskState.QUEUED and run.document_id == document.pk
    row = Document.objects.get(pk=document.pk)
    assert row.content_status == "done" and MARKER in document_text(row)
    assert row.stamp_layout and row.stamp_layout["rendition"] == row.rendition.name
    assert TaskRun.objects.get(pk=run.pk).state == TaskState.DONE
    assert document.pk in [hit.id for hit in search.search("ra soat tieu chuan", reader).hits]
    # One REGISTER entry: reading the text is derived work, not a read by a person.
    assert list(AccessLogEntry.objects.filter(document_id=document.pk).values_list("action", flat=True)) == [
        Action.REGISTER]


@pytest.mark.django_db
def test_processing_twice_changes_nothing(media, vanthu, write):
    with committed():
        document = register_file(write("a.pdf", samples.text_pdf(marker="HAILAN")), meta=make_metadata(),
                                 actor=vanthu)
    before = Document.objects.get(pk=document.pk)
    assert do_process_content(document.pk) == {"skipped": "already processed"}
    after = Document.objects.get(pk=document.pk)
    assert (after.extracted_text, after.rendition.name, after.content_status) == (
        before.extracted_text, before.rendition.name, "done")


@pytest.mark.django_db
def test_a_failing_task_is_retried_then_shown_failed_and_can_run_again(media, vanthu, write, monkeypatch):
    calls = []

    def broken(*args):
        calls.append(args)
        raise RuntimeError("trình đọc hỏng")

    monkeypatch.setattr(parsers, "content_text", broken)
    monkeypatch.setattr("registry.intake.sandbox.run_limited", lambda fn, *a, **kw: fn(*a))
    with committed():
        document = register_file(write("b.pdf", samples.text_pdf(marker="LOI")), meta=make_metadata(),
                                 actor=vanthu)
    [run] = _runs()
    assert run.state == TaskState.FAILED and run.attempts == run.max_attempts == len(calls) == 4
    assert "trình đọc hỏng" in run.error
    assert Document.objects.get(pk=document.pk).content_status == "failed"
    [failure] = AccessLogEntry.objects.filter(action=Action.TASK_FAILED)
    assert failure.outcome == Outcome.ERROR and failure.extra["task_run"] == run.pk

    monkeypatch.undo()
    with committed():
        assert tasks.retry(run.pk)
    run.refresh_from_db()
    assert run.state == TaskState.DONE and run.attempts == 1
    row = Document.objects.get(pk=document.pk)
    assert row.content_status == "done" and "LOI" in document_text(row)


@pytest.mark.django_db
def test_a_run_is_claimed_once(media, vanthu, write):
    document = register_file(write("c.pdf", samples.text_pdf(marker="MOTLAN")), meta=make_metadata(), actor=vanthu)
    [run] = _runs()  # queued; its on-commit dispatch never fires inside the test's transaction
    TaskRun.objects.filter(pk=run.pk).update(state=TaskState.RUNNING)  # another worker has it
    assert tasks.execute(run.pk).state == TaskState.RUNNING
    assert Document.objects.get(pk=document.pk).content_status == "pending"
    TaskRun.objects.filter(pk=run.pk).update(state=TaskState.QUEUED)
    assert tasks.execute(run.pk).state == TaskState.DONE
    assert tasks.execute(run.pk).state == TaskState.DONE  # a redelivery: nothing more
    assert TaskRun.objects.get(pk=run.pk).attempts == 1


@pytest.mark.django_db
def test_runs_left_behind_by_a_stopped_process_are_caught_up(media, vanthu, write):
    document = register_file(write("d.pdf", samples.text_pdf(marker="CONLAI")), meta=make_metadata(), actor=vanthu)
    [run] = _runs()
    assert Document.objects.get(pk=document.pk).content_status == "pending"  # the process "died" here
    call_command("tasks", "run-queued")
    assert TaskRun.objects.get(pk=run.pk).state == TaskState.DONE
    assert "CONLAI" in document_text(Document.objects.get(pk=document.pk))
    # A run stuck "running" (its worker killed mid-task) is run again once it is stale.
    TaskRun.objects.filter(pk=run.pk).update(state=TaskState.RUNNING)
    Document.objects.filter(pk=document.pk).update(content_status="pending", extracted_text="")
    assert tasks.run_queued(stale_running_after=3600) == []
    assert tasks.run_queued(stale_running_after=0) == [run.pk]
    assert "CONLAI" in document_text(Document.objects.get(pk=document.pk))


@pytest.mark.django_db
def test_a_scan_is_recognised_by_the_task_not_the_request(media, vanthu, write, monkeypatch):
    from registry.intake import ocr

    if not ocr.engine_available():
        pytest.skip("Tesseract with Vietnamese is not installed")
    with committed():
        document = register_file(write("scan.png", samples.vietnamese_scan("PNG", dpi=200, skew=0.5)),
                                 meta=make_metadata(), actor=vanthu)
        assert Document.objects.get(pk=document.pk).ocr_status == "pending"  # not read in the request
    row = Document.objects.get(pk=document.pk)
    assert (row.ocr_status, row.content_status) == ("done", "done")
    assert "chính trị" in document_text(row)
    # OCR replaced the rendition: recorded as the catch-up records it (one EDIT entry, change "ocr").
    assert AccessLogEntry.objects.filter(document_id=document.pk, action=Action.EDIT,
                                         extra__change="ocr").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_server_thread_lets_the_upload_return_first(media, vanthu, write, settings, monkeypatch):
    """REGISTRY_TASKS_THREAD (the one-machine web server): registration returns while the text is still
    being read on the process's task thread; the thread then finishes it."""
    settings.REGISTRY_TASKS_THREAD = True
    release = threading.Event()
    real = do_process_content

    def slow(document_id, progress=None):
        release.wait(30)
        return real(document_id, progress=progress)

    monkeypatch.setattr("registry.actions.ocr.do_process_content", slow)
    started = time.monotonic()
    document = register_file(write("e.pdf", samples.text_pdf(marker="NENLUONG")), meta=make_metadata(),
                             actor=vanthu)
    assert time.monotonic() - started < 25
    assert document.content_status == "pending"  # returned before the task ran
    release.set()
    assert tasks.wait_idle(60)
    row = Document.objects.get(pk=document.pk)
    assert row.content_status == "done" and "NENLUONG" in document_text(row)
    connection.close()
