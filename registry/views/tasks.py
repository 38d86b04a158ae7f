"""The background task list (administrator): what ran, its state, attempts, progress and last error."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from registry.access import Perm
from registry.actions.events import do_log_list
from registry.actions.guard import require_role
from registry.constants import Action
from registry.errors import PermissionDeniedError
from registry.models import TaskRun, TaskState
from registry.views.common import AdminPage, ctx_of

PAGE = 200


class TaskListView(AdminPage):
    template_name = "registry/production/tasks.html"
    page_title = gettext_lazy("Tác vụ nền")
    header_icon = "cogs"

    def dispatch(self, request, *args, **kwargs):
        try:
            require_role(Perm.MANAGE_USERS, Action.LIST, actor=request.user, ctx=ctx_of(request),
                         extra={"view": "tasks"})
        except PermissionDeniedError:
            raise PermissionDenied from None
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        state = request.GET.get("state", "")
        runs = TaskRun.objects.all()
        if state in TaskState.values:
            runs = runs.filter(state=state)
        runs = list(runs[:PAGE])
        do_log_list(request.user, ctx_of(request), result_count=0, view="tasks",
                    extra={"state": state, "tasks": len(runs)})
        counts = {s: TaskRun.objects.filter(state=s).count() for s in (TaskState.FAILED, TaskState.RETRYING)}
        return self.render(runs=runs, states=TaskState.choices, state=state, counts=counts)
