"""Admin integration of search: its URLs and the "Tìm kiếm" menu item (shown to whoever may search)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from registry.access import Perm, can_do


class SearchMenuItem(MenuItem):
    def is_shown(self, request):
        return can_do(request.user, Perm.SEARCH)


@hooks.register("register_admin_urls")
def register_search_urls():
    from search import admin_urls

    return [path("tim-kiem/", include(admin_urls, namespace="registry_search"))]


@hooks.register("register_admin_menu_item")
def register_search_menu_item():
    return SearchMenuItem(_("Tìm kiếm"), reverse("registry_search:index"), name="registry-search",
                          icon_name="search", order=150)
