"""Need-to-know grants in the admin (administrator role): list, add, revoke — each through its action."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.access import Perm, visible_documents
from registry.actions.events import View, do_log_list
from registry.actions.guard import refuse, require_role, visible_or_refuse
from registry.actions.approvals import ApprovalInput
from registry.actions.people import do_add_grant, do_revoke_grant
from registry.constants import Action
from registry.errors import ErrorCode, NotFoundError, PermissionDeniedError, RegistryError
from registry.forms import GrantForm
from registry.models import Document, Dossier, Grant
from registry.views.common import AdminPage, ctx_of


def _require_grant(request):
    try:
        require_role(Perm.GRANT, Action.GRANT, actor=request.user, ctx=ctx_of(request))
    except PermissionDeniedError:
        raise PermissionDenied from None


def _hiding_dossiers(user):
    """Dossiers that hold a document hidden from ``user`` (ids, as a subquery)."""
    visible = visible_documents(user).values("pk")
    return Document.objects.filter(dossier__isnull=False).exclude(pk__in=visible).values("dossier_id")


def offer_grantable_dossiers(form: GrantForm, user) -> GrantForm:
    """Offer only dossiers whose every document ``user`` may see. Applied for display only: a posted dossier
    outside it is refused (and logged) by the action, not silently by the form."""
    form.fields["dossier"].queryset = Dossier.objects.exclude(pk__in=_hiding_dossiers(user)).order_by("code")
    return form


def grants_for(user):
    """Grants the viewer may see: on documents that exist for the viewer, or on dossiers that hold nothing
    hidden from the viewer (the same rule as for granting; no leak of others)."""
    visible = visible_documents(user).values("pk")
    return (
        Grant.objects.filter((Q(dossier__isnull=False) & ~Q(dossier__in=_hiding_dossiers(user)))
                             | Q(document__in=visible))
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
        grants = list(grants_for(request.user)[:500])
        do_log_list(request.user, ctx_of(request), result_count=len(grants), view=View.GRANTS)
        return self.render(grants=grants, form=offer_grantable_dossiers(GrantForm(), request.user),
                           today=timezone.localdate())

    def post(self, request):
        form = GrantForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                # A hidden or missing id: one refused GRANT entry (requested id only), the same answer.
                document = (visible_or_refuse(Action.GRANT, data["document"], actor=request.user,
                                              ctx=ctx_of(request)) if data.get("document") else None)
                approval = ApprovalInput(approver=data["approver"], decision_ref=data.get("approval_ref") or "") \
                    if data.get("approver") else None
                do_add_grant(data["user"], until=data["until"], reason=data["reason"], document=document,
                             dossier=data.get("dossier"), actor=request.user, ctx=ctx_of(request), approval=approval)
            except NotFoundError:
                form.add_error("document", _("Không tìm thấy tài liệu này."))
            except RegistryError as error:
                form.add_registry_error(error)
            else:
                messages.success(request, _("Đã cấp quyền tiếp cận."))
                return redirect("registry_grants")
        offer_grantable_dossiers(form, request.user)
        return self.render_to_response(
            self.get_context_data(grants=grants_for(request.user)[:500], form=form, today=timezone.localdate()),
            status=400,
        )


def revoke_view(request, pk):
    _require_grant(request)
    if request.method != "POST":
        return redirect("registry_grants")
    grant = grants_for(request.user).filter(pk=pk).first()
    if grant is None:  # missing, or about something the user cannot see: the same answer, one entry
        try:
            refuse(Action.GRANT, actor=request.user, ctx=ctx_of(request), reason=ErrorCode.NOT_FOUND,
                   extra={"grant": str(pk)[:32]}, error=NotFoundError("quyền tiếp cận"))
        except NotFoundError:
            raise Http404 from None
    try:
        do_revoke_grant(grant, actor=request.user, ctx=ctx_of(request))
    except RegistryError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã thu hồi quyền tiếp cận."))
    return redirect("registry_grants")

