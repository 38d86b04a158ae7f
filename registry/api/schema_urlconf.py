"""The URLconf the OpenAPI schema is generated from: this API only (Wagtail's internal admin API is not ours)."""

from django.urls import include, path

from registry.api.urls import v1_patterns

urlpatterns = [path("api/v1/", include(v1_patterns))]
