"""App config replacing ``wagtail.users`` so that its user admin uses the registry's forms and logging."""

from wagtail.users.apps import WagtailUsersAppConfig


def _refuse_user_delete(sender, instance, **kwargs):
    from registry.errors import ErrorCode, RegistryError

    # People are deactivated, never deleted: their grants, their copies and the log's history stay attached.
    raise RegistryError("Không được xóa người dùng; hãy khóa tài khoản.", code=ErrorCode.NOT_DELETABLE)


class RegistryUsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "registry.views.users.RegistryUserViewSet"

    def ready(self):
        super().ready()
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        pre_delete.connect(_refuse_user_delete, sender=get_user_model(), dispatch_uid="registry_user_never_deleted")
