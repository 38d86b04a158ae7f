"""App config replacing ``wagtail.users`` so that its user admin uses the registry's forms and logging."""

from wagtail.users.apps import WagtailUsersAppConfig


class RegistryUsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "registry.views.users.RegistryUserViewSet"
