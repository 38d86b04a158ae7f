"""The administrator's task list and "run again", and `registry tasks`: a run about a document exists only for
those who may see that document (no row, no count, no id or title), labels are Vietnamese, retries are logged."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from registry import tasks
from registry.constants import Action, Level, Outcome, Role
from registry.models import AccessLogEntry, TaskRun, TaskState
from registry.tasks.labels import TASK_LABELS
from tests.factories import grant, make_document, make_user

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/registry/tasks/"
PROCESS_LABEL = str(TASK_LABELS["intake.process_document"])
SECRET_TITLE = "Phương án bố trí nhân sự chủ chốt nhiệm kỳ tới"


@pytest.fixture(autouse=True)
def _inline(settings):
    settings.REGISTRY_TASKS = tasks.INLINE
    settings.REGISTRY_TASKS_THREAD = False
    settings.REGISTRY_TASK_RETRY_BACKOFF = 0.01


@pytest.fixture
def world(clerk):
    secret = make_document(clerk=clerk, level=Level.TOI_MAT, title=SECRET_TITLE, number="77-QĐ/ĐU")
    plain = make_document(clerk=clerk, level=Level.MAT, title="Kế hoạch kiểm tra công tác văn thư", number="12-KH/ĐU")
    hidden_run = TaskRun.objects.create(name="intake.process_document", args={"document_id": secret.pk},
                                        document_id=secret.pk, state=TaskState.FAILED,
                                        error="RuntimeError: OCR engine crashed\nTraceback (most recent call last): …")
    shown_run = TaskRun.objects.create(name="intake.process_document", args={"document_id": plain.pk},
                                       document_id=plain.pk, state=TaskState.FAILED,
                                       error="RuntimeError: no text layer\nmore details")
    general_run = TaskRun.objects.create(name="fixity.run", args={}, state=TaskState.DONE)
    low_admin = make_user("quantri_mat", role=Role.ADMIN, clearance=Level.MAT)
    high_admin = make_user("quantri_tuyetmat", role=Role.ADMIN, clearance=Level.TUYET_MAT)
    grant(high_admin, secret)  # toi_mat is need-to-know: a clearance alone does not open it
    return {"secret": secret, "plain": plain, "hidden_run": hidden_run, "shown_run": shown_run,
            "general_run": general_run, "low_admin": low_admin, "high_admin": high_admin}


def _page(client, user, query=""):
    client.force_login(user)
    response = client.get(LIST_URL + query)
    assert response.status_code == 200
    return response.content.decode()


def _retry_url(run):
    return reverse("registry_task_retry", args=[run.pk])


def test_a_run_about_a_hidden_document_is_absent_for_a_lower_cleared_administrator(client, world):
    secret, hidden_run = world["secret"], world["hidden_run"]
    for query in ("", "?state=failed"):
        page = _page(client, world["low_admin"], query)
        assert SECRET_TITLE not in page and secret.number_raw not in page
        assert _retry_url(hidden_run) not in page
        assert f"/admin/registry/{secret.pk}/" not in page
        assert page.count('data-state="failed"') == 1  # only the run about the mat document
        assert "1 tác vụ thất bại, 0 tác vụ đang chờ chạy lại." in page
    # the visible run names its document (number and title, linked to the record page) and has its button
    page = _page(client, world["low_admin"])
    assert f'href="/admin/registry/{world["plain"].pk}/"' in page and "Kế hoạch kiểm tra công tác văn thư" in page
    assert _retry_url(world["shown_run"]) in page and "Chạy lại" in page
    assert str(TASK_LABELS["fixity.run"]) in page  # a run about no document is shown to every administrator


def test_the_same_run_is_present_for_an_administrator_who_may_see_the_document(client, world):
    page = _page(client, world["high_admin"], "?state=failed")
    assert page.count('data-state="failed"') == 2
    assert "2 tác vụ thất bại, 0 tác vụ đang chờ chạy lại." in page
    assert SECRET_TITLE in page and f'href="/admin/registry/{world["secret"].pk}/"' in page
    assert _retry_url(world["hidden_run"]) in page


def test_a_cleared_administrator_without_the_need_to_know_grant_does_not_see_it_either(client, world):
    other = make_user("quantri_khac", role=Role.ADMIN, clearance=Level.TUYET_MAT)
    page = _page(client, other, "?state=failed")
    assert SECRET_TITLE not in page and "1 tác vụ thất bại" in page


def test_every_declared_task_has_a_vietnamese_label():
    from registry.tasks import REGISTRY, jobs

    declared = {name for name, spec in REGISTRY.items() if spec.function.__module__ == jobs.__name__}
    assert "intake.process_document" in declared
    assert declared <= set(TASK_LABELS), f"tasks without a label: {sorted(declared - set(TASK_LABELS))}"


def test_labels_are_vietnamese_and_errors_short_with_details(client, world):
    page = _page(client, world["high_admin"])
    assert PROCESS_LABEL in page
    for code in ("intake.process_document", "fixity.run"):
        assert code not in page
    assert "<summary>RuntimeError: no text layer</summary>" in page and "more details" in page
    assert 'http-equiv="refresh"' not in page  # nothing queued or running
    TaskRun.objects.create(name="search.rebuild", state=TaskState.RUNNING, progress_done=3, progress_total=4)
    page = _page(client, world["high_admin"])
    assert '<meta http-equiv="refresh" content="5">' in page and '<progress max="100" value="75">' in page


def test_a_queued_run_about_a_hidden_document_does_not_make_the_page_refresh(client, world):
    TaskRun.objects.create(name="search.index_document", args={"document_id": world["secret"].pk},
                           document_id=world["secret"].pk, state=TaskState.QUEUED)
    assert 'http-equiv="refresh"' not in _page(client, world["low_admin"])
    assert 'http-equiv="refresh"' in _page(client, world["high_admin"])


def test_retry_requeues_and_writes_one_entry(client, world):
    run = world["hidden_run"]
    client.force_login(world["high_admin"])
    response = client.post(_retry_url(run), follow=True)
    assert response.status_code == 200
    assert f"Đã xếp lại tác vụ «{PROCESS_LABEL}» để chạy lại." in response.content.decode()
    run.refresh_from_db()
    assert run.state == TaskState.QUEUED and run.attempts == 0 and run.finished_at is None
    entries = AccessLogEntry.objects.filter(action=Action.TASK_RETRY)
    assert entries.count() == 1
    entry = entries.get()
    assert entry.outcome == Outcome.OK and entry.actor_username == "quantri_tuyetmat"
    assert entry.document_id == world["secret"].pk and entry.document_level == Level.TOI_MAT
    assert entry.extra["task"] == "intake.process_document" and entry.extra["task_run"] == run.pk
    # not failed any more: nothing to run again, no second entry
    response = client.post(_retry_url(run), follow=True)
    assert "không ở trạng thái thất bại" in response.content.decode()
    assert AccessLogEntry.objects.filter(action=Action.TASK_RETRY).count() == 1


def test_retry_of_a_hidden_run_is_404_with_one_refusal(client, world):
    run = world["hidden_run"]
    client.force_login(world["low_admin"])
    before = AccessLogEntry.objects.filter(outcome=Outcome.REFUSED).count()
    response = client.post(_retry_url(run))
    assert response.status_code == 404
    assert SECRET_TITLE not in response.content.decode()
    refused = AccessLogEntry.objects.filter(outcome=Outcome.REFUSED).order_by("seq")
    assert refused.count() == before + 1
    entry = refused.last()
    assert entry.action == Action.TASK_RETRY and entry.actor_username == "quantri_mat"
    assert entry.document_id is None and entry.extra["reason"] == "not_found"
    run.refresh_from_db()
    assert run.state == TaskState.FAILED
    assert not AccessLogEntry.objects.filter(action=Action.TASK_RETRY, outcome=Outcome.OK).exists()
    # a missing run answers the same
    response = client.post(reverse("registry_task_retry", args=[999999]))
    assert response.status_code == 404 and refused.count() == before + 2


def test_retry_by_get_changes_nothing(client, world):
    client.force_login(world["high_admin"])
    response = client.get(_retry_url(world["hidden_run"]))
    assert response.status_code == 302
    world["hidden_run"].refresh_from_db()
    assert world["hidden_run"].state == TaskState.FAILED


@pytest.mark.parametrize("role", [Role.CLERK, Role.STAFF, Role.AUDITOR])
def test_other_roles_get_404_on_both_urls(client, world, role):
    user = make_user(f"nguoi_{role}", role=role, clearance=Level.TUYET_MAT)
    grant(user, world["secret"])
    client.force_login(user)
    assert client.get(LIST_URL).status_code == 404
    assert client.post(_retry_url(world["shown_run"])).status_code == 404
    assert client.post(_retry_url(world["hidden_run"])).status_code == 404
    for run in (world["shown_run"], world["hidden_run"]):
        run.refresh_from_db()
        assert run.state == TaskState.FAILED
    assert not AccessLogEntry.objects.filter(action=Action.TASK_RETRY, outcome=Outcome.OK).exists()


def test_anonymous_is_sent_to_login(client, world):
    response = client.post(_retry_url(world["shown_run"]))
    assert response.status_code in (302, 404)
    world["shown_run"].refresh_from_db()
    assert world["shown_run"].state == TaskState.FAILED


# --- `registry tasks` ------------------------------------------------------------------------------------------


def _cli(*args):
    out = io.StringIO()
    call_command("tasks", *args, stdout=out)
    return out.getvalue()


def test_cli_list_sees_every_run(world):
    rows = json.loads(_cli("list", "--json"))
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) >= {world["hidden_run"].pk, world["shown_run"].pk, world["general_run"].pk}
    row = by_id[world["hidden_run"].pk]
    assert set(row) == {"id", "name", "label", "state", "attempts", "max_attempts", "progress_done",
                        "progress_total", "document_id", "created_at", "finished_at", "error"}
    assert row["name"] == "intake.process_document" and row["label"] == PROCESS_LABEL
    assert row["state"] == "failed" and row["document_id"] == world["secret"].pk
    assert row["created_at"].endswith("+07:00") and row["finished_at"] is None
    failed = json.loads(_cli("list", "--state", "failed", "--limit", "1", "--json"))
    assert len(failed) == 1 and failed[0]["state"] == "failed"
    text = _cli("list")
    assert PROCESS_LABEL in text and "Thất bại" in text and "intake.process_document" not in text
    assert "Asia/Ho_Chi_Minh" in text


def test_cli_retry_and_run_queued(world, django_capture_on_commit_callbacks):
    run = TaskRun.objects.create(name="tasks.prune", args={"days": 30}, state=TaskState.FAILED, error="boom")
    with django_capture_on_commit_callbacks(execute=True):
        out = json.loads(_cli("retry", str(run.pk), "--json"))
    assert out["retried"] and out["id"] == run.pk
    run.refresh_from_db()
    assert run.state == TaskState.DONE and run.attempts == 1  # inline mode: it ran once the retry committed
    entry = AccessLogEntry.objects.get(action=Action.TASK_RETRY)
    assert entry.extra == {"task": "tasks.prune", "task_run": run.pk} and entry.document_id is None
    assert entry.user_agent.startswith("registry tasks retry")
    # a run that has not failed, or none at all: refused, no entry
    with pytest.raises(CommandError):
        _cli("retry", str(run.pk))
    with pytest.raises(CommandError):
        _cli("retry", "999999")
    assert AccessLogEntry.objects.filter(action=Action.TASK_RETRY).count() == 1

    waiting = TaskRun.objects.create(name="tasks.prune", args={"days": 30}, state=TaskState.QUEUED)
    assert "Đã chuyển 1 tác vụ đi chạy." in _cli("run-queued")
    waiting.refresh_from_db()
    assert waiting.state == TaskState.DONE
    assert json.loads(_cli("run-queued", "--older-than", "3600", "--json")) == {"dispatched": 0, "ids": []}


def test_a_final_failure_about_a_document_names_it_in_its_entry(world):
    from registry.actions.maintenance import do_record_task_failure

    entry = do_record_task_failure(1, "intake.process_document", "RuntimeError: x", document_id=world["secret"].pk)
    assert entry.document_id == world["secret"].pk and entry.document_level == Level.TOI_MAT
    legacy = do_record_task_failure(2, "fixity.run", "RuntimeError: y")
    assert legacy.document_id is None and legacy.outcome == Outcome.ERROR
