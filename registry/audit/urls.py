"""Admin URLs of the audit workspace, mounted under /admin/audit/ by ``registry.audit.admin_hooks``."""

from django.urls import path

from registry.audit import views

urlpatterns = [
    path("", views.log_view, name="registry_audit_log"),
    path("export.<str:fmt>", views.export_view, name="registry_audit_export"),
    path("document/<int:pk>/", views.document_history_view, name="registry_audit_document"),
    path("document/<int:pk>/incident.<str:fmt>", views.incident_view, name="registry_audit_incident"),
    path("person/<str:username>/", views.person_history_view, name="registry_audit_person"),
    path("charts/", views.charts_view, name="registry_audit_charts"),
    path("anomalies/", views.anomalies_view, name="registry_audit_anomalies"),
    path("yearly/", views.yearly_view, name="registry_audit_yearly"),
    path("yearly/statistics.<str:fmt>", views.yearly_download_view, name="registry_audit_yearly_download"),
    path("integrity/", views.integrity_view, name="registry_audit_integrity"),
    path("integrity/verify/", views.verify_now_view, name="registry_audit_verify_now"),
    path("integrity/sign/", views.sign_now_view, name="registry_audit_sign_now"),
]
