"""Wagtail's user admin with the registry's fields (clearance, unit, role); every change is logged.

Installed through ``registry.views.users_app.RegistryUsersAppConfig`` (replaces ``wagtail.users`` in
INSTALLED_APPS), the way Wagtail customises its user viewset.

What the web may not do, whoever asks (enforced by the forms *and* by the actions):
- make a superuser, or put someone in a Wagtail group (``registry users add --superuser`` on the server);
- delete a user (deactivate instead: grants and history stay); the delete view answers 404;
- set the password of an auditor, of another administrator or of a superuser.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column
from wagtail.admin.widgets.button import Button
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import CreateView, EditView, IndexView, UserFilterSet, UserViewSet

from registry.access import Perm, can_do
from registry.actions.people import do_save_user_form, do_set_user_active, password_protected_from
from registry.constants import Level, Role
from registry.errors import RegistryError
from registry.models import Unit, User
from registry.views.common import ctx_of

REGISTRY_USER_FIELDS = ("clearance", "unit", "role")
# Never from the web: superuser status (server only) and Wagtail groups (their permissions are not ours).
WEB_FORBIDDEN_FIELDS = ("is_superuser", "groups")


class _RegistryFieldsMixin:
    def _add_registry_fields(self, editing_self=False):
        for name in WEB_FORBIDDEN_FIELDS:
            self.fields.pop(name, None)
        self.fields["clearance"] = forms.ChoiceField(label=_("Mức được tiếp cận"), choices=Level.choices)
        self.fields["role"] = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
        self.fields["unit"] = forms.ModelChoiceField(Unit.objects.order_by("name"), label=_("Đơn vị"),
                                                     required=False, empty_label=_("— không —"))
        if editing_self:
            # Nobody raises their own clearance or changes their own role.
            for name in ("clearance", "role"):
                self.fields[name].disabled = True

    def save(self, commit=True):
        if "password1" in self.fields:
            return super().save(commit=commit)
        # No password field (a protected account): Wagtail's UserForm.save would look for one.
        return forms.ModelForm.save(self, commit=commit)


class RegistryUserCreationForm(_RegistryFieldsMixin, UserCreationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_registry_fields()

    class Meta(UserCreationForm.Meta):
        fields = (UserCreationForm.Meta.fields - set(WEB_FORBIDDEN_FIELDS)) | set(REGISTRY_USER_FIELDS)


class RegistryUserEditForm(_RegistryFieldsMixin, UserEditForm):
    def __init__(self, *args, **kwargs):
        editing_self = kwargs.get("editing_self", False)
        actor = kwargs.pop("actor", None)
        super().__init__(*args, **kwargs)
        self._add_registry_fields(editing_self=editing_self)
        # Active or not is changed by the deactivate/reactivate buttons (a logged action of its own).
        self.fields.pop("is_active", None)
        if actor is not None and password_protected_from(self.instance, actor):
            self.fields.pop("password1", None)
            self.fields.pop("password2", None)

    class Meta(UserEditForm.Meta):
        # is_active stays declared (Wagtail's __init__ removes it when editing oneself); we drop it after.
        fields = (UserEditForm.Meta.fields - set(WEB_FORBIDDEN_FIELDS)) | set(REGISTRY_USER_FIELDS)


class _NoHiddenLinksMixin:
    """No links to Wagtail's history/usage/delete views of a user: they answer 404 (deny by default)."""

    def get_history_url(self):
        return None

    def get_usage_url(self):
        return None

    def get_delete_url(self, *args):
        return None


class RegistryUserCreateView(_NoHiddenLinksMixin, CreateView):
    def save_instance(self):
        # One action saves the user and writes the log entry, in one transaction.
        self.object = do_save_user_form(self.form, created=True, actor=self.request.user, ctx=ctx_of(self.request))
        return self.object


class RegistryUserEditView(_NoHiddenLinksMixin, EditView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.can_delete = False  # people are deactivated, never deleted

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["actor"] = self.request.user
        return kwargs

    def save_instance(self):
        instance = do_save_user_form(self.form, created=False, actor=self.request.user, ctx=ctx_of(self.request))
        if instance.pk == self.request.user.pk and "password1" in self.form.changed_data:
            update_session_auth_hash(self.request, instance)  # changing one's own password keeps the session
        return instance

    @cached_property
    def header_more_buttons(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        target = self.object
        context["can_delete"] = False
        context["password_protected"] = password_protected_from(target, self.request.user)
        context["can_toggle_active"] = target.pk != self.request.user.pk and (
            not target.is_superuser or self.request.user.is_superuser)
        context["toggle_active_url"] = reverse(
            "wagtailusers_users:deactivate" if target.is_active else "wagtailusers_users:reactivate", args=[target.pk])
        return context


class RegistryUserFilterSet(UserFilterSet):
    """Wagtail's user filters without "Administrator" (superuser) and groups: neither is the web's business."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in WEB_FORBIDDEN_FIELDS + ("group",):
            self.filters.pop(name, None)


class RegistryUserIndexView(_NoHiddenLinksMixin, IndexView):
    @cached_property
    def columns(self):
        # No bulk-action checkboxes: Wagtail's bulk actions answer 404 (deny by default).
        columns = [c for c in super().columns if not isinstance(c, BulkActionsCheckboxColumn)]
        extra = [
            Column("role", accessor="get_role_display", label=_("Vai trò"), sort_key="role", width="12%"),
            Column("clearance", accessor="get_clearance_display", label=_("Mức được tiếp cận"),
                   sort_key="clearance", width="12%"),
            Column("unit", accessor="unit", label=_("Đơn vị"), width="15%"),
        ]
        return columns[:3] + extra + columns[3:]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("unit")

    def get_list_more_buttons(self, instance):
        # Edit only: Wagtail's delete, copy and history views are hidden.
        buttons = [b for b in super().get_list_more_buttons(instance) if isinstance(b, Button)]
        edit_url = reverse("wagtailusers_users:edit", args=[instance.pk])
        return [b for b in buttons if b.url == edit_url]


def _set_active(request, pk, active: bool):
    target = get_object_or_404(User, pk=pk)
    try:
        do_set_user_active(target, active, actor=request.user, ctx=ctx_of(request))
    except RegistryError as error:  # refused and logged by the action (the guard)
        if not can_do(request.user, Perm.MANAGE_USERS):
            raise Http404 from None
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã khóa tài khoản «%(name)s».") % {"name": target.username} if not active
                         else _("Đã mở lại tài khoản «%(name)s».") % {"name": target.username})
    return redirect("wagtailusers_users:edit", pk)


@require_POST
def deactivate_view(request, pk):
    return _set_active(request, pk, False)


@require_POST
def reactivate_view(request, pk):
    return _set_active(request, pk, True)


class RegistryUserViewSet(UserViewSet):
    index_view_class = RegistryUserIndexView
    add_view_class = RegistryUserCreateView
    edit_view_class = RegistryUserEditView
    index_template_name = "registry/users/index.html"
    create_template_name = "registry/users/create.html"
    edit_template_name = "registry/users/edit.html"
    copy_view_enabled = False
    filterset_class = RegistryUserFilterSet

    def get_form_class(self, for_update=False):
        return RegistryUserEditForm if for_update else RegistryUserCreationForm

    def get_urlpatterns(self):
        # Wagtail's delete/history/usage routes stay mounted but answer 404 (registry.middleware allow-list).
        return super().get_urlpatterns() + [
            path("deactivate/<int:pk>/", deactivate_view, name="deactivate"),
            path("reactivate/<int:pk>/", reactivate_view, name="reactivate"),
        ]
