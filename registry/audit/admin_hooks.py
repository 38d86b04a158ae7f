"""Wagtail hooks of the audit workspace (menu item, admin URLs)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from registry.access import Perm, can_do


class AuditMenuItem(MenuItem):
    """Shown only to those who may audit (the views answer 404 to anyone else)."""

    def is_shown(self, request):
        return can_do(request.user, Perm.AUDIT)


@hooks.register("register_admin_urls")
def register_audit_urls():
    return [path("audit/", include("registry.audit.urls"))]


@hooks.register("register_admin_menu_item")
def register_audit_menu_item():
    return AuditMenuItem(_("Kiểm tra nhật ký"), reverse("registry_audit_log"), name="registry-audit",
                         icon_name="history", order=800)
