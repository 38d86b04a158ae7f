"""Background tasks: one place to declare them, two ways to run them, a TaskRun row for each.

    @task("search.index_document")            declare (in registry/tasks/jobs.py)
    enqueue("search.index_document", document_id=7)   -> TaskRun, dispatched after the caller's commit

Modes (``settings.REGISTRY_TASKS``):
- ``inline-after-commit`` (the embedded default, no broker): the task runs in this process from
  ``transaction.on_commit``, never inside the request's transaction; a failure is retried at once a few
  times with a short pause, then left ``failed`` in the task list.
- ``celery``: the TaskRun id is sent to the broker (Redis) and a worker (``registry worker``) runs it,
  retrying with exponential backoff (``REGISTRY_TASK_RETRY_BACKOFF`` seconds, doubled each time).

Tasks are idempotent (re-running one converges on the same state), so a redelivered or retried task is
harmless. Failures are visible in the admin task list (state, attempts, error) and the final failure of a
task writes one ERROR entry (``task_failed``) in the access log. Long tasks report progress.
"""

from __future__ import annotations

import inspect
import logging
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


REGISTRY: dict[str, TaskSpec] = {}


def task(name: str, *, max_attempts: int = 4, hint: str = ""):
    """Declare a task. The function takes keyword arguments (JSON values) and optionally ``progress``."""

    def decorate(function):
        wants = "progress" in inspect.signature(function).parameters
        REGISTRY[name] = TaskSpec(name, function, max_attempts, wants, hint)
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
    run = TaskRun.objects.create(name=name, args=kwargs, max_attempts=spec.max_attempts)
    transaction.on_commit(lambda: dispatch(run.pk))
    return run


def dispatch(run_id: int, *, countdown: float | None = None):
    if mode() == CELERY:
        from registry.celery import run_task

        run_task.apply_async(args=[run_id], countdown=countdown)
        return
    while True:
        outcome = execute(run_id)
        if outcome.retry_in is None:
            return
        time.sleep(min(outcome.retry_in, INLINE_PAUSE_SECONDS))


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
    if run is None or run.state in (TaskState.DONE, TaskState.FAILED):
        return Outcome(run.state if run else "missing")
    spec = _spec(run.name)
    TaskRun.objects.filter(pk=run_id).update(state=TaskState.RUNNING, attempts=F("attempts") + 1,
                                             started_at=timezone.now())
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
        logger.error("task %s #%s failed for good after %s attempts: %s%s", run.name, run_id, attempts, error,
                     f"; {spec.hint}" if spec.hint else "")
        from registry.actions.maintenance import do_record_task_failure

        try:
            do_record_task_failure(run_id, run.name, error)
        except Exception:
            logger.exception("task %s #%s: the failure could not be logged", run.name, run_id)
        return Outcome(TaskState.FAILED)
    TaskRun.objects.filter(pk=run_id).update(state=TaskState.DONE, error="", finished_at=timezone.now(),
                                             result=_jsonable(result))
    return Outcome(TaskState.DONE)


def retry(run_id: int):
    """Put a failed run back in the queue (the admin's "run again")."""
    from registry.models import TaskRun, TaskState

    TaskRun.objects.filter(pk=run_id, state=TaskState.FAILED).update(
        state=TaskState.QUEUED, attempts=0, finished_at=None)
    transaction.on_commit(lambda: dispatch(run_id))


def _jsonable(value):
    import json

    try:
        json.dumps(value)
        return value
    except TypeError:
        return str(value)


__all__ = ["CELERY", "INLINE", "MODES", "REGISTRY", "dispatch", "enqueue", "execute", "mode", "retry", "task"]
