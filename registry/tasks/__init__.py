"""Background tasks: one place to declare them, two ways to run them, a TaskRun row for each.

    @task("search.index_document")            declare (in registry/tasks/jobs.py)
    enqueue("search.index_document", document_id=7)   -> TaskRun, dispatched after the caller's commit

Modes (``settings.REGISTRY_TASKS``):
- ``inline-after-commit`` (the embedded default, no broker): the task runs in this process once the
  caller's transaction commits, never inside it. With ``REGISTRY_TASKS_THREAD`` on (the web server of a
  one-machine install: ``./scripts/demo`` sets it) it runs on the process's one task thread, so a clerk's
  upload does not wait for OCR; off (commands, tests), it runs in the calling thread right after the commit.
  A failure is retried a few times with a short pause, then left ``failed`` in the task list. Runs left
  queued by a process that stopped are picked up by ``registry tasks run-queued`` (and the scheduler).
- ``celery``: the TaskRun id is sent to the broker (Redis) and a worker (``registry worker``) runs it,
  retrying with exponential backoff (``REGISTRY_TASK_RETRY_BACKOFF`` seconds, doubled each time).

Tasks are idempotent (re-running one converges on the same state), so a redelivered or retried task is
harmless. Failures are visible in the admin task list (state, attempts, error) and the final failure of a
task writes one ERROR entry (``task_failed``) in the access log. Long tasks report progress.
"""

from __future__ import annotations

import inspect
import logging
import queue
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

logger = logging.getLogger(__name__)

INLINE = "inline-after-commit"
CELERY = "celery"
MODES = (INLINE, CELERY)
INLINE_PAUSE_SECONDS = 0.2  # inline retries: a short pause only, the caller's process is waiting


@dataclass(frozen=True)
class TaskSpec:
    name: str
    function: Callable
    max_attempts: int = 4
    wants_progress: bool = False
    hint: str = ""  # what an operator does when it failed for good (logged with the failure)
    on_failure: Callable | None = None  # called with the run's arguments when it failed for good


REGISTRY: dict[str, TaskSpec] = {}


def task(name: str, *, max_attempts: int = 4, hint: str = "", on_failure: Callable | None = None):
    """Declare a task. The function takes keyword arguments (JSON values) and optionally ``progress``.
    A ``document_id`` argument names the document the run is about (the task list filters on it)."""

    def decorate(function):
        wants = "progress" in inspect.signature(function).parameters
        REGISTRY[name] = TaskSpec(name, function, max_attempts, wants, hint, on_failure)
        return function

    return decorate


def mode() -> str:
    value = getattr(settings, "REGISTRY_TASKS", INLINE)
    if value not in MODES:
        raise ValueError(f"REGISTRY_TASKS must be one of {', '.join(MODES)} (got {value!r})")
    return value


def _spec(name: str) -> TaskSpec:
    from . import jobs  # noqa: F401  (declares the tasks)

    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown task {name!r}") from None


def enqueue(name: str, **kwargs):
    """Record a TaskRun and dispatch it once the current transaction commits (at once if there is none)."""
    from registry.models import TaskRun

    spec = _spec(name)
    run = TaskRun.objects.create(name=name, args=kwargs, max_attempts=spec.max_attempts,
                                 document_id=kwargs.get("document_id"))
    transaction.on_commit(lambda: dispatch(run.pk))
    return run


def dispatch(run_id: int, *, countdown: float | None = None):
    if mode() == CELERY:
        from registry.celery import run_task

        run_task.apply_async(args=[run_id], countdown=countdown)
    elif getattr(settings, "REGISTRY_TASKS_THREAD", False):
        _task_thread().queue.put(run_id)
    else:
        run_inline(run_id)


def run_inline(run_id: int, *, pause_cap: float = INLINE_PAUSE_SECONDS) -> Outcome:
    """Run one TaskRun in this thread until it is done or has failed for good (retries pause briefly)."""
    while True:
        outcome = execute(run_id)
        if outcome.retry_in is None:
            return outcome
        time.sleep(min(outcome.retry_in, pause_cap))


class _TaskThread(threading.Thread):
    """The in-process worker of ``inline-after-commit`` with ``REGISTRY_TASKS_THREAD``: one thread, one
    queue, one task at a time (on SQLite a second writer would only wait for the lock)."""

    def __init__(self):
        super().__init__(name="registry-tasks", daemon=True)
        self.queue: queue.Queue[int] = queue.Queue()

    def run(self):
        from django.db import connection

        try:
            run_queued()  # what a previous process left behind
        except Exception:
            logger.exception("tasks: could not pick up queued runs")
        finally:
            connection.close()
        while True:
            run_id = self.queue.get()
            try:
                run_inline(run_id, pause_cap=THREAD_PAUSE_SECONDS)
            except Exception:  # execute() records task failures; this is a failure to record one
                logger.exception("tasks: run #%s could not be executed", run_id)
            finally:
                connection.close()
                self.queue.task_done()


THREAD_PAUSE_SECONDS = 10.0  # the task thread keeps no one waiting: it may pause longer between retries
_thread: _TaskThread | None = None
_thread_lock = threading.Lock()


def _task_thread() -> _TaskThread:
    global _thread
    with _thread_lock:
        if _thread is None or not _thread.is_alive():
            _thread = _TaskThread()
            _thread.start()
        return _thread


def wait_idle(timeout: float = 60.0) -> bool:
    """Wait until the in-process task thread has nothing left to do (tests, orderly shutdown)."""
    thread = _thread
    if thread is None:
        return True
    deadline = time.monotonic() + timeout
    while thread.queue.unfinished_tasks:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def run_queued(*, older_than: float = 0.0, stale_running_after: float | None = None) -> list[int]:
    """Dispatch runs left queued or waiting to retry (e.g. by a process that stopped before running them),
    oldest first; with ``stale_running_after`` (seconds) also runs stuck "running" that long (a worker
    killed mid-task: tasks are idempotent, so running them again is safe). Returns the run ids dispatched."""
    import datetime as dt

    from registry.models import TaskRun, TaskState

    now = timezone.now()
    waiting = TaskRun.objects.filter(state__in=[TaskState.QUEUED, TaskState.RETRYING],
                                     created_at__lte=now - dt.timedelta(seconds=older_than))
    ids = list(waiting.order_by("created_at", "id").values_list("pk", flat=True))
    if stale_running_after is not None:
        stuck = TaskRun.objects.filter(state=TaskState.RUNNING,
                                       started_at__lte=now - dt.timedelta(seconds=stale_running_after))
        stuck_ids = list(stuck.values_list("pk", flat=True))
        TaskRun.objects.filter(pk__in=stuck_ids, state=TaskState.RUNNING).update(state=TaskState.RETRYING)
        ids += stuck_ids
    for run_id in ids:
        dispatch(run_id)
    return ids


@dataclass(frozen=True)
class Outcome:
    state: str
    retry_in: float | None = None


def _progress_writer(run_id: int):
    last = [0.0]

    def progress(done: int, total: int):
        from registry.models import TaskRun

        now = time.monotonic()
        if now - last[0] < 0.5 and done < total:
            return  # at most two progress writes a second
        last[0] = now
        TaskRun.objects.filter(pk=run_id).update(progress_done=max(0, int(done)), progress_total=max(0, int(total)))

    return progress


def execute(run_id: int) -> Outcome:
    """Run one TaskRun now (in this process) and record what happened. Safe to call again for a run that
    is already done (a redelivery): it does nothing."""
    from registry.models import TaskRun, TaskState

    run = TaskRun.objects.filter(pk=run_id).first()
    if run is None or run.state not in (TaskState.QUEUED, TaskState.RETRYING):
        return Outcome(run.state if run else "missing")
    spec = _spec(run.name)
    # Claim the run: of two workers handed the same run (a redelivery, a catch-up), one runs it.
    claimed = TaskRun.objects.filter(pk=run_id, state=run.state, attempts=run.attempts).update(
        state=TaskState.RUNNING, attempts=F("attempts") + 1, started_at=timezone.now())
    if not claimed:
        return Outcome(TaskState.RUNNING)
    attempts = run.attempts + 1
    kwargs = dict(run.args or {})
    if spec.wants_progress:
        kwargs["progress"] = _progress_writer(run_id)
    try:
        result = spec.function(**kwargs)
    except Exception as exc:  # any failure: recorded, retried, then visible as failed
        error = f"{type(exc).__name__}: {exc}"
        logger.warning("task %s #%s failed (attempt %s/%s): %s", run.name, run_id, attempts, run.max_attempts, error)
        detail = error + "\n" + "".join(traceback.format_exception(exc, limit=-6))[-4000:]
        if attempts < run.max_attempts:
            TaskRun.objects.filter(pk=run_id).update(state=TaskState.RETRYING, error=detail)
            backoff = float(getattr(settings, "REGISTRY_TASK_RETRY_BACKOFF", 30))
            return Outcome(TaskState.RETRYING, retry_in=backoff * 2 ** (attempts - 1))
        TaskRun.objects.filter(pk=run_id).update(state=TaskState.FAILED, error=detail, finished_at=timezone.now())
        if spec.on_failure is not None:
            try:
                spec.on_failure(**dict(run.args or {}))
            except Exception:
                logger.exception("task %s #%s: its failure handler failed", run.name, run_id)
        logger.error("task %s #%s failed for good after %s attempts: %s%s", run.name, run_id, attempts, error,
                     f"; {spec.hint}" if spec.hint else "")
        from registry.actions.maintenance import do_record_task_failure

        try:
            do_record_task_failure(run_id, run.name, error, document_id=run.document_id)
        except Exception:
            logger.exception("task %s #%s: the failure could not be logged", run.name, run_id)
        return Outcome(TaskState.FAILED)
    TaskRun.objects.filter(pk=run_id).update(state=TaskState.DONE, error="", finished_at=timezone.now(),
                                             result=_jsonable(result))
    return Outcome(TaskState.DONE)


def retry(run_id: int) -> bool:
    """Put a failed run back in the queue (the task list's "run again"; the caller logs it). Returns whether
    the run was failed and is now queued."""
    from registry.models import TaskRun, TaskState

    requeued = TaskRun.objects.filter(pk=run_id, state=TaskState.FAILED).update(
        state=TaskState.QUEUED, attempts=0, finished_at=None, progress_done=0, progress_total=0)
    if requeued:
        transaction.on_commit(lambda: dispatch(run_id))
    return bool(requeued)


def _jsonable(value):
    import json

    try:
        json.dumps(value)
        return value
    except TypeError:
        return str(value)


__all__ = ["CELERY", "INLINE", "MODES", "REGISTRY", "dispatch", "enqueue", "execute", "mode", "retry", "run_inline",
           "run_queued", "task", "wait_idle"]
