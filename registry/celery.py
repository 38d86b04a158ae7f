"""The Celery application (``REGISTRY_TASKS=celery``): one generic task that runs a TaskRun by id.

Worker: ``registry worker`` (or ``celery -A registry worker``); scheduler: ``registry worker --beat`` (or
``celery -A registry beat``). The broker is ``CELERY_BROKER_URL`` (Redis). Results live in TaskRun rows.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings.base")

app = Celery("registry")
app.config_from_object("django.conf:settings", namespace="CELERY")


def _beat_schedule():
    from django.conf import settings

    hours = float(getattr(settings, "REGISTRY_FIXITY_SCHEDULE_HOURS", 24))
    return {
        "fixity": {"task": "registry.scheduled", "schedule": hours * 3600,
                   "args": ["fixity.run"], "kwargs": {"sample": getattr(settings, "REGISTRY_FIXITY_SAMPLE", None)}},
        "lifecycle": {"task": "registry.scheduled", "schedule": 3600, "args": ["lifecycle.run"]},  # hourly, idempotent
        "prune": {"task": "registry.scheduled", "schedule": 24 * 3600, "args": ["tasks.prune"]},
        # Runs a stopped process left queued, and runs whose worker died mid-task (tasks are idempotent).
        "catch_up": {"task": "registry.catch_up", "schedule": 600},
    }


@app.on_after_configure.connect
def _configure(sender, **kwargs):
    sender.conf.beat_schedule = _beat_schedule()


@app.task(bind=True, name="registry.run_task", acks_late=True, max_retries=None)
def run_task(self, run_id: int):
    from registry.tasks import execute

    outcome = execute(run_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.state


@app.task(name="registry.scheduled")
def scheduled(name: str, **kwargs):
    """A beat entry: record a TaskRun (so scheduled runs show in the task list) and run it here."""
    from registry.tasks import enqueue

    run = enqueue(name, **{k: v for k, v in kwargs.items() if v is not None})
    return run.pk


@app.task(name="registry.catch_up")
def catch_up():
    from django.conf import settings

    from registry.tasks import run_queued

    return len(run_queued(older_than=600, stale_running_after=settings.REGISTRY_TASK_STALE_SECONDS))
