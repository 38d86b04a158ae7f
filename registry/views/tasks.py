"""The background task list (administrator): what ran, its state, attempts, progress and last error; and
"run again" for a failed run.

A run about a document (``TaskRun.document_id``) exists for an administrator only if that document does
(``visible_documents``): it is not listed, not counted, and running it again answers 404 like a missing id.
"""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.access import Perm, visible_documents
from registry.actions.events import do_log_list
from registry.actions.guard import refuse, require_role
from registry.actions.maintenance import do_retry_task
from registry.constants import Action
from registry.errors import ErrorCode, NotFoundError, PermissionDeniedError
from registry.models import TaskRun, TaskState
from registry.tasks.labels import task_label
from registry.views.common import AdminPage, ctx_of, not_found, visible_or_404

PAGE = 200
# The page reloads itself (no script: CSP is script-src 'self') while something is still to run.
ACTIVE_STATES = (TaskState.QUEUED, TaskState.RUNNING, TaskState.RETRYING)
REFRESH_SECONDS = 5


def _require_admin(request, action, **extra):
    """The administrator role, or one REFUSED entry and 404: to other roles these screens do not exist."""
    try:
        require_role(Perm.MANAGE_USERS, action, actor=request.user, ctx=ctx_of(request), extra=extra or None)
    except PermissionDeniedError:
        raise not_found() from None


def runs_for(user):
    """The task runs that exist for ``user``: those about no document, or about a document ``user`` may see."""
    visible = visible_documents(user).values("pk")
    return TaskRun.objects.filter(Q(document_id__isnull=True) | Q(document_id__in=visible))


class TaskListView(AdminPage):
    template_name = "registry/production/tasks.html"
    page_title = gettext_lazy("Tác vụ nền")
    header_icon = "cogs"

    def dispatch(self, request, *args, **kwargs):
        _require_admin(request, Action.LIST, view="tasks")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        state = request.GET.get("state", "")
        mine = runs_for(request.user)
        runs = mine.filter(state=state) if state in TaskState.values else mine
        runs = list(runs[:PAGE])
        documents = {d.pk: d for d in visible_documents(request.user).filter(
            pk__in={r.document_id for r in runs if r.document_id is not None})}
        for run in runs:
            run.label = task_label(run.name)
            run.document = documents.get(run.document_id)
            lines = (run.error or "").strip().splitlines()
            run.error_summary = lines[0] if lines else ""
        do_log_list(request.user, ctx_of(request), result_count=0, view="tasks",
                    extra={"state": state, "tasks": len(runs)})
        counts = {s: mine.filter(state=s).count() for s in (TaskState.FAILED, TaskState.RETRYING)}
        active = mine.filter(state__in=ACTIVE_STATES).exists()
        return self.render(runs=runs, states=TaskState.choices, state=state, counts=counts,
                           refresh=REFRESH_SECONDS if active else None)


def retry_view(request, run_id):
    """POST: queue a failed run again (one TASK_RETRY entry), back to the list with a message."""
    _require_admin(request, Action.TASK_RETRY, view="tasks")
    if request.method != "POST":
        return redirect("registry_tasks")
    ctx = ctx_of(request)
    run = TaskRun.objects.filter(pk=run_id).first()
    if run is None:  # the same answer as a run about a hidden document, one entry
        try:
            refuse(Action.TASK_RETRY, actor=request.user, ctx=ctx, reason=ErrorCode.NOT_FOUND,
                   extra={"task_run": str(run_id)[:32]}, error=NotFoundError("tác vụ"))
        except NotFoundError:
            raise Http404 from None
    if run.document_id is not None:
        visible_or_404(request, run.document_id, Action.TASK_RETRY)  # hidden: one REFUSED entry, 404
    label = task_label(run.name)
    if do_retry_task(run.pk, actor=request.user, ctx=ctx):
        messages.success(request, _("Đã xếp lại tác vụ «%(task)s» để chạy lại.") % {"task": label})
    else:
        messages.warning(request, _("Tác vụ «%(task)s» không ở trạng thái thất bại nên không chạy lại.")
                         % {"task": label})
    return redirect("registry_tasks")
