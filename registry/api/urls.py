"""Versioned JSON API (v1) and its OpenAPI schema (which covers this API only, not Wagtail's internals)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from . import views

v1_patterns = [
    path("documents/", views.DocumentListCreateView.as_view(), name="api_documents"),
    path("documents/<int:pk>/", views.DocumentDetailView.as_view(), name="api_document"),
    path("documents/<int:pk>/download/", views.DocumentDownloadView.as_view(), name="api_document_download"),
    path("documents/<int:pk>/void/", views.DocumentVoidView.as_view(), name="api_document_void"),
]

urlpatterns = [
    path("v1/", include(v1_patterns)),
    path("schema/", SpectacularAPIView.as_view(urlconf="registry.api.schema_urlconf"), name="api_schema"),
]
