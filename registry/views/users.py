"""Wagtail's user admin with the registry's fields (clearance, unit, role); every change is logged.

Installed through ``registry.views.users_app.RegistryUsersAppConfig`` (replaces ``wagtail.users`` in
INSTALLED_APPS), the way Wagtail customises its user viewset.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from django.utils.functional import cached_property
from wagtail.admin.ui.tables import Column
from wagtail.users.views.users import CreateView, EditView, IndexView, UserViewSet

from registry.audit.log import record
from registry.constants import Action, Level, Role
from registry.models import Unit
from registry.views.common import ctx_of

REGISTRY_USER_FIELDS = ("clearance", "unit", "role")


class _RegistryFieldsMixin:
    def _add_registry_fields(self, editing_self=False):
        self.fields["clearance"] = forms.ChoiceField(label=_("Mức được tiếp cận"), choices=Level.choices)
        self.fields["role"] = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
        self.fields["unit"] = forms.ModelChoiceField(Unit.objects.order_by("name"), label=_("Đơn vị"),
                                                     required=False, empty_label=_("— không —"))
        if editing_self:
            # Nobody raises their own clearance or changes their own role.
            for name in ("clearance", "role"):
                self.fields[name].disabled = True


class RegistryUserCreationForm(_RegistryFieldsMixin, UserCreationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_registry_fields()

    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | set(REGISTRY_USER_FIELDS)


class RegistryUserEditForm(_RegistryFieldsMixin, UserEditForm):
    def __init__(self, *args, **kwargs):
        editing_self = kwargs.get("editing_self", False)
        super().__init__(*args, **kwargs)
        self._add_registry_fields(editing_self=editing_self)

    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | set(REGISTRY_USER_FIELDS)


def _log_user_change(view, created: bool):
    user = view.object if getattr(view, "object", None) is not None else view.form.instance
    record(
        Action.USER_ADMIN,
        actor=view.request.user,
        ctx=ctx_of(view.request),
        extra={
            "user": user.username,
            "created": created,
            "role": user.role,
            "clearance": user.clearance,
            "unit": user.unit.code if user.unit_id else "",
            "changed": sorted(view.form.changed_data),
        },
    )


class RegistryUserCreateView(CreateView):
    def save_instance(self):
        # Runs inside the view's transaction.atomic(): the log entry commits with the user or not at all.
        instance = super().save_instance()
        self.object = instance
        _log_user_change(self, created=True)
        return instance


class RegistryUserEditView(EditView):
    def save_instance(self):
        instance = super().save_instance()
        _log_user_change(self, created=False)
        return instance


class RegistryUserIndexView(IndexView):
    @cached_property
    def columns(self):
        columns = list(super().columns)
        extra = [
            Column("role", accessor="get_role_display", label=_("Vai trò"), sort_key="role", width="12%"),
            Column("clearance", accessor="get_clearance_display", label=_("Mức được tiếp cận"),
                   sort_key="clearance", width="12%"),
            Column("unit", accessor="unit", label=_("Đơn vị"), width="15%"),
        ]
        return columns[:3] + extra + columns[3:]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("unit")


class RegistryUserViewSet(UserViewSet):
    index_view_class = RegistryUserIndexView
    add_view_class = RegistryUserCreateView
    edit_view_class = RegistryUserEditView
    create_template_name = "registry/users/create.html"
    edit_template_name = "registry/users/edit.html"

    def get_form_class(self, for_update=False):
        return RegistryUserEditForm if for_update else RegistryUserCreationForm
