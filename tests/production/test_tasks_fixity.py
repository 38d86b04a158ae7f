"""The task layer (inline after commit, retries, failures on record, progress) and `registry fixity`."""

import io
import json

import pytest
from django.core.management import call_command
from django.template import Context, Template

from registry import tasks
from registry.constants import Action, Level, Outcome
from tests.tasks import register_file_committed as register_file
from registry.models import AccessLogEntry, FixityRun, TaskRun, TaskState
from tests.factories import make_metadata
from tests.intake import samples

pytestmark = pytest.mark.django_db
calls = []


@tasks.task("test.ok")
def _ok(value: int, progress=None):
    calls.append(value)
    if progress:
        progress(1, 2)
        progress(2, 2)
    return {"value": value}


@tasks.task("test.flaky", max_attempts=3)
def _flaky(fail_times: int):
    calls.append("flaky")
    if calls.count("flaky") <= fail_times:
        raise RuntimeError("not yet")
    return "ok"


@pytest.fixture(autouse=True)
def _reset(settings):
    settings.REGISTRY_TASKS = tasks.INLINE
    settings.REGISTRY_TASK_RETRY_BACKOFF = 0.01
    calls.clear()


def test_inline_task_runs_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = tasks.enqueue("test.ok", value=7)
    assert calls == [] and TaskRun.objects.get(pk=run.pk).state == TaskState.QUEUED
    for callback in callbacks:
        callback()
    run.refresh_from_db()
    assert calls == [7] and run.state == TaskState.DONE and run.result == {"value": 7}
    assert (run.progress_done, run.progress_total, run.attempts) == (2, 2, 1)
    tasks.execute(run.pk)  # a redelivery does nothing
    assert calls == [7]


def test_retried_then_done(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = tasks.enqueue("test.flaky", fail_times=2)
    run.refresh_from_db()
    assert run.state == TaskState.DONE and run.attempts == 3


def test_final_failure_is_visible_and_logged(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = tasks.enqueue("test.flaky", fail_times=10)
    run.refresh_from_db()
    assert run.state == TaskState.FAILED and run.attempts == 3 and "RuntimeError: not yet" in run.error
    entry = AccessLogEntry.objects.get(action=Action.TASK_FAILED)
    assert entry.outcome == Outcome.ERROR and entry.extra["task_run"] == run.pk


def test_task_list_shows_failures(client, django_capture_on_commit_callbacks):
    from tests.factories import give_second_factor, make_user, mark_second_factor_passed
    from registry.constants import Role

    with django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue("test.flaky", fail_times=10)
    admin = make_user("quantri_tasks", role=Role.ADMIN)
    give_second_factor(admin)
    client.force_login(admin)
    mark_second_factor_passed(client, admin)
    page = client.get("/admin/registry/tasks/?state=failed")
    assert page.status_code == 200
    assert "test.flaky" in page.content.decode() and "RuntimeError" in page.content.decode()
    staff = make_user("canbo_tasks", role=Role.STAFF)
    give_second_factor(staff)
    client.force_login(staff)
    mark_second_factor_passed(client, staff)
    refused = client.get("/admin/registry/tasks/")
    assert refused.status_code in (302, 403, 404) and "test.flaky" not in refused.content.decode()
    assert AccessLogEntry.objects.filter(actor_username="canbo_tasks", outcome=Outcome.REFUSED).count() == 1


def _register(clerk, tmp_path, marker):
    path = tmp_path / f"{marker}.pdf"
    path.write_bytes(samples.text_pdf(marker=marker))
    return register_file(path, meta=make_metadata(level=Level.MAT), actor=clerk)


def fixity(*args):
    out = io.StringIO()
    code = 0
    try:
        call_command("fixity", "--json", *args, stdout=out)
    except SystemExit as exit_:
        code = exit_.code
    return code, json.loads(out.getvalue())


def test_fixity_reports_tampered_and_missing_objects(clerk, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    first, second = _register(clerk, tmp_path, "MOT"), _register(clerk, tmp_path, "HAI")
    code, report = fixity()
    assert code == 0 and report["clean"] and report["checked"] == 4 and report["ok"] == 4
    entry = AccessLogEntry.objects.filter(action=Action.FIXITY).latest("seq")
    assert entry.outcome == Outcome.OK and entry.extra["checked"] == 4

    path = settings.MEDIA_ROOT / first.file.name
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x80
    path.write_bytes(bytes(data))
    (settings.MEDIA_ROOT / second.rendition.name).unlink()
    code, report = fixity()
    assert code == 1 and not report["clean"]
    assert report["missing"] == [{"document": second.pk, "name": second.rendition.name, "problem": "missing"}]
    assert report["mismatched"] == [{"document": first.pk, "name": first.file.name, "problem": "integrity_failed"}]
    entry = AccessLogEntry.objects.filter(action=Action.FIXITY).latest("seq")
    assert entry.outcome == Outcome.ERROR and sorted(entry.extra["documents"]) == sorted([first.pk, second.pk])

    code, report = fixity("--sample", "1")
    assert report["sample"] == 1 and report["checked"] == 2

    html = Template("{% load registry_production %}{% fixity_panel %}").render(Context({}))
    assert 'data-testid="fixity-verdict"' in html and FixityRun.objects.count() == 3


def test_fixity_as_a_task(clerk, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    _register(clerk, tmp_path, "BA")
    with django_capture_on_commit_callbacks(execute=True):
        run = tasks.enqueue("fixity.run")
    run.refresh_from_db()
    assert run.state == TaskState.DONE and run.result["problems"] == 0 and run.progress_total == 1
