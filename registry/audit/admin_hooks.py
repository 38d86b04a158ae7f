"""Wagtail hooks of the audit workspace (menu item, admin URLs, the auditor's home panel)."""

import datetime as dt

from django.db import DatabaseError
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from registry.access import Perm, can_do
from registry.audit.context import RequestContext


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


class AuditorHomePanel(Component):
    """The security officer's day at a glance: today's anomalies by kind, the chain's state, sign now."""

    name = "registry_audit_home"
    order = 5
    template_name = "registry/audit/home_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        from registry.actions.auditing import do_log_audit_view
        from registry.audit.anomalies import KINDS, find_anomalies
        from registry.audit.integrity import chain_state
        from registry.audit.views import KIND_LABELS

        today = timezone.localdate()
        tz = timezone.get_current_timezone()
        start = dt.datetime(today.year, today.month, today.day, tzinfo=tz)
        found = find_anomalies(start, start + dt.timedelta(days=1))
        counts = {k: 0 for k in KINDS}
        for anomaly in found:
            counts[anomaly.kind] += 1
        try:
            do_log_audit_view(self.request.user, ctx=RequestContext.from_request(self.request), page="home")
            logged = True
        except DatabaseError:  # a tampered log refuses new entries: the panel must still show the state
            logged = False
        return {
            "anomalies": [(k, KIND_LABELS[k], counts[k]) for k in KINDS],
            "anomaly_total": len(found),
            "today": today,
            "state": chain_state(),
            "logged": logged,
            "anomalies_url": reverse("registry_audit_anomalies") + f"?from={today:%Y-%m-%d}&to={today:%Y-%m-%d}",
            "integrity_url": reverse("registry_audit_integrity"),
            "sign_url": reverse("registry_audit_sign_now"),
            "home_url": reverse("wagtailadmin_home"),
        }


@hooks.register("construct_homepage_panels")
def auditor_homepage_panel(request, panels):
    if can_do(request.user, Perm.AUDIT):
        panels.insert(0, AuditorHomePanel(request))
