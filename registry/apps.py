from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    label = "registry"
    verbose_name = _("Sổ đăng ký tài liệu mật")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from registry.signals import document_destroyed
        from registry.vault.receivers import destroy_document_key

        document_destroyed.connect(destroy_document_key, dispatch_uid="registry.vault.destroy_document_key")
