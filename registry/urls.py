from django.urls import include, path
from django.views.generic import RedirectView
from wagtail.admin import urls as wagtailadmin_urls

from registry.views import account

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False), name="registry_root"),
    path("account/otp/", account.otp_verify, name="registry_otp_verify"),
    path("api/", include("registry.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", include(wagtailadmin_urls)),
]

# Our own Vietnamese error pages (no technical detail); every view outside the allow-list answers the 404
# (registry.middleware.AdminAllowListMiddleware).
handler404 = "registry.views.errors.page_not_found"
handler500 = "registry.views.errors.server_error"
