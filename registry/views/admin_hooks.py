"""Wagtail hooks of the registry screens (menus, admin URLs, hiding Wagtail's own document views)."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.db.models import Count, ProtectedError, RestrictedError
from django.shortcuts import redirect
from django.urls import Resolver404, include, path, resolve, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.search import SearchArea
from wagtail.admin.site_summary import SummaryItem
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.models import DeleteView, EditView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from registry.access import Perm, can, can_do, visible_documents
from registry.actions.events import View, do_log_list
from registry.audit.context import RequestContext
from registry.constants import Level, Role
from registry.middleware import is_allowed
from registry.models import Document, Dossier, Holiday, StorageLocation, Unit
from registry.views import account, books, documents, grants, lifecycle, tasks

# --- URLs (mounted under /admin/registry/; Wagtail wraps them in its admin-access check) ----------------

registry_urls = [
    path("", documents.DocumentListView.as_view(), name="registry_document_list"),
    path("new/", documents.DocumentRegisterView.as_view(), name="registry_document_register"),
    path("<int:pk>/", documents.DocumentDetailView.as_view(), name="registry_document_detail"),
    path("<int:pk>/edit/", documents.DocumentEditView.as_view(), name="registry_document_edit"),
    path("<int:pk>/void/", documents.void_view, name="registry_document_void"),
    path("<int:pk>/download/", documents.DocumentDownloadView.as_view(), name="registry_document_download"),
    path("copy/<str:token>/", documents.fetch_copy, name="registry_copy_fetch"),
    path("books/", books.BookListView.as_view(), name="registry_books"),
    path("tasks/", tasks.TaskListView.as_view(), name="registry_tasks"),
    path("tasks/<int:run_id>/retry/", tasks.retry_view, name="registry_task_retry"),
    path("books/<int:pk>/print.<str:fmt>", books.print_view, name="registry_book_print"),
    path("grants/", grants.GrantListView.as_view(), name="registry_grants"),
    path("grants/<int:pk>/revoke/", grants.revoke_view, name="registry_grant_revoke"),
    path("account/totp/", account.totp_enrol, name="registry_totp_enrol"),
    path("account/token/", account.api_token, name="registry_api_token"),
    path("<int:pk>/copy/", lifecycle.CopyView.as_view(), name="registry_lifecycle_copy"),
    path("<int:pk>/hand-over/", lifecycle.HandOverView.as_view(), name="registry_lifecycle_hand_over"),
    path("<int:pk>/lend/", lifecycle.LendView.as_view(), name="registry_lifecycle_lend"),
    path("<int:pk>/loans/<int:loan_pk>/return/", lifecycle.return_view, name="registry_lifecycle_return"),
    path("<int:pk>/level/", lifecycle.LevelChangeView.as_view(), name="registry_lifecycle_level"),
    path("<int:pk>/extend/", lifecycle.ExtendTermView.as_view(), name="registry_lifecycle_extend"),
    path("<int:pk>/declassify/", lifecycle.DeclassifyView.as_view(), name="registry_lifecycle_declassify"),
    path("<int:pk>/destroy/", lifecycle.DestroyView.as_view(), name="registry_lifecycle_destroy"),
    path("approvals/", lifecycle.ApprovalAuthorityView.as_view(), name="registry_approvals"),
    path("lifecycle/tasks/", lifecycle.LifecycleTaskView.as_view(), name="registry_lifecycle_tasks"),
]


@hooks.register("register_admin_urls")
def register_registry_urls():
    return [path("registry/", include(registry_urls))]


# --- Menu ---------------------------------------------------------------------------------------------


class PermMenuItem(MenuItem):
    """A menu item shown only to users whose role has ``perm`` (or passes ``check``)."""

    def __init__(self, *args, perm=None, check=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.perm, self.check = perm, check

    def is_shown(self, request):
        if self.check is not None:
            return self.check(request.user)
        return self.perm is None or can_do(request.user, self.perm)


@hooks.register("register_admin_menu_item")
def register_registry_menu():
    items = [
        PermMenuItem(_("Đăng ký tài liệu"), reverse("registry_document_register"), name="registry-register",
                     icon_name="plus", order=100, perm=Perm.REGISTER),
        PermMenuItem(_("Tài liệu đã đăng ký"), reverse("registry_document_list"), name="registry-documents",
                     icon_name="doc-full", order=200, perm=Perm.VIEW),
        PermMenuItem(_("Sổ đăng ký"), reverse("registry_books"), name="registry-books", icon_name="list-ul",
                     order=300, perm=Perm.VIEW),
        PermMenuItem(_("Quyền tiếp cận"), reverse("registry_grants"), name="registry-grants", icon_name="key",
                     order=400, perm=Perm.GRANT),
        PermMenuItem(_("Việc cần làm (tài liệu mật)"), reverse("registry_lifecycle_tasks"),
                     name="registry-lifecycle-tasks", icon_name="tasks", order=350, perm=Perm.VIEW),
        PermMenuItem(_("Thẩm quyền phê duyệt"), reverse("registry_approvals"), name="registry-approvals",
                     icon_name="key", order=420, perm=Perm.MANAGE_USERS),
        PermMenuItem(_("Tác vụ nền"), reverse("registry_tasks"), name="registry-tasks", icon_name="cogs",
                     order=450, perm=Perm.MANAGE_USERS),
        PermMenuItem(_("Xác thực hai lớp"), reverse("registry_totp_enrol"), name="registry-totp",
                     icon_name="lock", order=500, check=account.totp_allowed),
        PermMenuItem(_("Token API"), reverse("registry_api_token"), name="registry-api-token", icon_name="code",
                     order=600),
    ]
    # Search has its own top-level menu item (the search package's hooks); the listing links to it too.
    return SubmenuMenuItem(_("Sổ đăng ký"), Menu(items=items), name="registry", icon_name="folder-open-inverse",
                           order=50)


@hooks.register("construct_main_menu")
def hide_wagtail_documents_menu(request, menu_items):
    # Wagtail's document library knows nothing of clearance; its views are 404 (middleware), so no menu.
    # The help menu links to Wagtail's online editor guide: the office is air-gapped, so it goes too.
    menu_items[:] = [item for item in menu_items if item.name not in ("documents", "images", "help")]


@hooks.register("construct_search")
def hide_wagtail_documents_search(request, search_areas):
    search_areas[:] = [area for area in search_areas if area.name != "documents"]


# --- Deny by default, in the menus and the dashboard too ------------------------------------------------------


def _reachable(url) -> bool:
    """Does ``url`` lead to a view on the allow-list? Links elsewhere (outside, or to a hidden view) do not."""
    path = urlsplit(str(url or "")).path
    if not path.startswith("/"):
        return False  # an outside link: the office is air-gapped
    try:
        return is_allowed(resolve(path))
    except Resolver404:
        return False


def keep_reachable_menu_items(request, menu_items):
    """Menus (main, settings, reports, help) list only what answers: Wagtail's pages, images, collections,
    groups, workflows and reports are 404 (registry.middleware), so a superuser sees no link to them."""
    kept = []
    for item in menu_items:
        if isinstance(item, SubmenuMenuItem):
            if item.menu.menu_items_for_request(request):  # its children went through their own hook
                kept.append(item)
        elif _reachable(getattr(item, "url", "")):
            kept.append(item)
    menu_items[:] = kept


for _menu_hook in ("construct_main_menu", "construct_settings_menu", "construct_reports_menu", "construct_help_menu"):
    hooks.register(_menu_hook, keep_reachable_menu_items, order=1000)


class RegistrySearchArea(SearchArea):
    def is_shown(self, request):
        return can_do(request.user, Perm.SEARCH)


@hooks.register("register_admin_search_area")
def register_registry_search_area():
    # First in order: the sidebar's search box searches the registry (clearance-trimmed), never Wagtail's pages.
    return RegistrySearchArea(_("Sổ đăng ký"), reverse("registry_search:index"), name="registry",
                              icon_name="search", order=1)


@hooks.register("construct_search", order=1000)
def keep_reachable_search_areas(request, search_areas):
    # The sidebar's search box goes to the first area shown: never to Wagtail's page or image search.
    search_areas[:] = [area for area in search_areas if _reachable(getattr(area, "url", ""))]


@hooks.register("construct_homepage_summary_items", order=1000)
def keep_registry_summary_items(request, items):
    # Wagtail's own counts (pages, images, documents) link to hidden views and count rows nobody should.
    items[:] = [item for item in items if not type(item).__module__.startswith("wagtail.")]


@hooks.register("construct_homepage_panels", order=1000)
def drop_wagtail_page_panels(request, panels):
    # Page moderation, locked pages, recent page edits: no pages here, and their links answer 404.
    panels[:] = [panel for panel in panels if type(panel).__module__ != "wagtail.admin.views.home"]


# --- Dashboard: counts only from visible_documents --------------------------------------------------------


class VisibleDocumentsSummaryItem(SummaryItem):
    order = 50
    template_name = "registry/dashboard/summary_item.html"

    def get_context_data(self, parent_context):
        return {"total": visible_documents(self.request.user).count(), "url": reverse("registry_document_list")}

    def is_shown(self):
        return can_do(self.request.user, Perm.VIEW)


@hooks.register("construct_homepage_summary_items")
def registry_summary_items(request, items):
    items[:] = [item for item in items if item.__class__.__name__ != "DocumentsSummaryItem"]
    items.insert(0, VisibleDocumentsSummaryItem(request))


class RegistryPanel(Component):
    name = "registry_overview"
    order = 10
    template_name = "registry/dashboard/panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        user = self.request.user
        qs = visible_documents(user)
        by_level = dict(qs.values_list("level").annotate(n=Count("id")).order_by())
        levels = [(label, by_level.get(value, 0)) for value, label in Level.choices if value in by_level]
        recent = list(qs.select_related("register").order_by("-id")[:8])
        # The panel shows titles: one LIST entry per dashboard request (registry.actions.events).
        do_log_list(user, RequestContext.from_request(self.request), result_count=len(recent), view=View.DASHBOARD)
        return {
            "levels": levels,
            "voided": qs.filter(voided=True).count(),
            "recent": recent,
            "can_register": can_do(user, Perm.REGISTER),
            "search_url": documents.search_url(),
            "totp_offer": account.totp_offer(user),
        }


@hooks.register("construct_homepage_panels")
def registry_homepage_panels(request, panels):
    if can_do(request.user, Perm.VIEW):
        panels.insert(0, RegistryPanel(request))
        panels.insert(1, lifecycle.LifecycleTasksPanel(request))


# --- Wagtail asks the clearance policy too -------------------------------------------------------------------


class ClearancePermissionPolicy(BasePermissionPolicy):
    """The Document model's Wagtail permission policy: Wagtail's own code asks registry.access.policy.

    Wagtail's document views are 404 (registry.middleware), but menus, summaries, search areas, choosers and
    anything a future Wagtail adds that asks "may this user …" get the registry's answer. Nobody deletes a
    register entry (void or destroy through the lifecycle), so "delete" is never allowed.
    """

    # Model-level questions are how Wagtail decides to show its own document screens (menu, dashboard
    # count, search area, "add" buttons): those screens do not exist, so only "view"/"choose" can be yes.
    # Registering and editing go through the registry's screens, which ask the policy themselves.
    _ROLE_PERM = {"choose": Perm.VIEW, "view": Perm.VIEW}
    _INSTANCE_PERM = {"change": Perm.EDIT, "choose": Perm.VIEW, "view": Perm.VIEW}

    def user_has_permission(self, user, action):
        perm = self._ROLE_PERM.get(action)
        return perm is not None and can_do(user, perm)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        perm = self._INSTANCE_PERM.get(action)
        return perm is not None and can(user, perm, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        perms = {self._INSTANCE_PERM[a] for a in actions if a in self._INSTANCE_PERM}
        if not any(can_do(user, perm) for perm in perms):
            return self.model._default_manager.none()
        return visible_documents(user, self.model._default_manager.all())

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    def users_with_any_permission(self, actions):
        from registry.access.policy import ROLE_PERMS
        from registry.models import User

        perms = {self._ROLE_PERM[a] for a in actions if a in self._ROLE_PERM}
        roles = [role for role, granted in ROLE_PERMS.items() if perms & granted]
        return User.objects.filter(is_active=True, role__in=roles)

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])

    def users_with_any_permission_for_instance(self, actions, instance):
        candidates = self.users_with_any_permission([a for a in actions if a in self._INSTANCE_PERM])
        pks = [u.pk for u in candidates if self.user_has_any_permission_for_instance(u, actions, instance)]
        return candidates.filter(pk__in=pks)

    def users_with_permission_for_instance(self, action, instance):
        return self.users_with_any_permission_for_instance([action], instance)

    # Collections mean nothing to the registry: no document is reachable through one.
    def collections_user_has_any_permission_for(self, user, actions):
        from wagtail.models import Collection

        return Collection.objects.none()

    def collections_user_has_permission_for(self, user, action):
        return self.collections_user_has_any_permission_for(user, [action])


# exact_class: wins over the collection-ownership policy wagtail.documents registers for its base classes.
register_permission_policy(Document, ClearancePermissionPolicy(Document), exact_class=True)


# --- Catalogues: storage places, dossiers, units, holidays ------------------------------------------------


class RolePermissionPolicy(BasePermissionPolicy):
    """Everything on a catalogue model for the listed roles, nothing for others (the role decides)."""

    def __init__(self, model, roles):
        super().__init__(model)
        self.roles = {str(r) for r in roles}

    def _allowed(self, user):
        return bool(user.is_authenticated and user.is_active and user.role in self.roles)

    def user_has_permission(self, user, action):
        return self._allowed(user)

    def user_has_any_permission(self, user, actions):
        return self._allowed(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self._allowed(user)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self._allowed(user)

    def instances_user_has_any_permission_for(self, user, actions):
        return self.model._default_manager.all() if self._allowed(user) else self.model._default_manager.none()

    def users_with_any_permission(self, actions):
        from registry.models import User

        return User.objects.filter(is_active=True, role__in=self.roles)


_CATALOGUE_ROLES = (Role.CLERK, Role.ADMIN)
register_permission_policy(StorageLocation, RolePermissionPolicy(StorageLocation, _CATALOGUE_ROLES))
register_permission_policy(Dossier, RolePermissionPolicy(Dossier, _CATALOGUE_ROLES))
register_permission_policy(Unit, RolePermissionPolicy(Unit, (Role.ADMIN, Role.CLERK)))
# The holiday calendar feeds the out-of-hours anomaly report: the security officer keeps it too.
register_permission_policy(Holiday, RolePermissionPolicy(Holiday, (Role.ADMIN, Role.CLERK, Role.AUDITOR)))


class CatalogueDeleteView(DeleteView):
    """Delete a catalogue row, unless something still uses it: then a plain message, naming nothing inside.

    Django's protected-object error lists every row that refers to the one deleted (for a dossier: the
    number and title of each document in it, whatever their level); the person gets none of that.
    """

    def get_usage_url(self):
        return None  # Wagtail's usage view is hidden (deny by default)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except (ProtectedError, RestrictedError):
            messages.error(self.request, _("Không xóa được «%(name)s»: mục này đang được sử dụng (có tài liệu, "
                                           "người dùng hoặc mục khác gắn với nó).") % {"name": self.object})
            return redirect(self.get_success_url())


class CatalogueEditView(EditView):
    def get_history_url(self):
        return None  # Wagtail's history and usage views are hidden (deny by default): no links to them

    def get_usage_url(self):
        return None


class CatalogueViewSet(ModelViewSet):
    edit_view_class = CatalogueEditView
    delete_view_class = CatalogueDeleteView
    copy_view_enabled = False
    add_to_reference_index = False


class StorageLocationViewSet(CatalogueViewSet):
    model = StorageLocation
    icon = "home"
    form_fields = ["code", "name", "kind", "parent"]
    list_display = ["code", "name", "kind", "parent"]
    search_fields = ["code", "name"]
    add_to_reference_index = False


class DossierViewSet(CatalogueViewSet):
    model = Dossier
    icon = "folder-inverse"
    form_fields = ["code", "title", "location"]
    list_display = ["code", "title", "location"]
    search_fields = ["code", "title"]
    add_to_reference_index = False


class UnitViewSet(CatalogueViewSet):
    model = Unit
    icon = "group"
    form_fields = ["code", "name"]
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    add_to_reference_index = False


class HolidayViewSet(CatalogueViewSet):
    model = Holiday
    icon = "date"
    form_fields = ["date", "name"]
    list_display = ["date", "name"]
    add_to_reference_index = False


class CatalogueGroup(ModelViewSetGroup):
    menu_label = _("Danh mục")
    menu_icon = "list-ul"
    menu_order = 60
    items = (
        StorageLocationViewSet("registry_locations"),
        DossierViewSet("registry_dossiers"),
        UnitViewSet("registry_units"),
        HolidayViewSet("registry_holidays"),
    )


@hooks.register("register_admin_viewset")
def register_catalogues():
    return CatalogueGroup()
