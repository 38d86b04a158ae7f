"""Need-to-know grants in the admin (administrator role): list, add, revoke — each through its action."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.access import Perm, can_do, visible_documents
from registry.actions.people import do_add_grant, do_revoke_grant
from registry.errors import RegistryError
from registry.forms import GrantForm
from registry.models import Grant
from registry.views.common import AdminPage, ctx_of


def _require_grant(request):
    if not can_do(request.user, Perm.GRANT):
        raise PermissionDenied


def grants_for(user):
    """Grants the viewer may see: on dossiers, or on documents that exist for the viewer (no leak of others)."""
    visible = visible_documents(user).values("pk")
    return (
        Grant.objects.filter(Q(dossier__isnull=False) | Q(document__in=visible))
        .select_related("user", "document", "dossier", "granted_by")
        .order_by("-created_at")
    )


class GrantListView(AdminPage):
    template_name = "registry/grants/index.html"
    page_title = gettext_lazy("Quyền tiếp cận (cần biết)")
    header_icon = "key"

    def dispatch(self, request, *args, **kwargs):
        _require_grant(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(grants=grants_for(request.user)[:500], form=GrantForm(), today=timezone.localdate())

    def post(self, request):
        form = GrantForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            document = None
            if data.get("document"):
                document = visible_documents(request.user).filter(pk=data["document"]).first()
                if document is None:
                    form.add_error("document", _("Không tìm thấy tài liệu này."))
            if not form.errors:
                try:
                    do_add_grant(data["user"], until=data["until"], reason=data["reason"], document=document,
                                 dossier=data.get("dossier"), actor=request.user, ctx=ctx_of(request))
                except Http404:
                    form.add_error("document", _("Không tìm thấy tài liệu này."))
                except RegistryError as error:
                    form.add_registry_error(error)
                else:
                    messages.success(request, _("Đã cấp quyền tiếp cận."))
                    return redirect("registry_grants")
        return self.render_to_response(
            self.get_context_data(grants=grants_for(request.user)[:500], form=form, today=timezone.localdate()),
            status=400,
        )


def revoke_view(request, pk):
    _require_grant(request)
    if request.method != "POST":
        return redirect("registry_grants")
    grant = grants_for(request.user).filter(pk=pk).first()
    if grant is None:
        raise Http404
    try:
        do_revoke_grant(grant, actor=request.user, ctx=ctx_of(request))
    except RegistryError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã thu hồi quyền tiếp cận."))
    return redirect("registry_grants")

