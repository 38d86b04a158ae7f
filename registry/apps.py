from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    label = "registry"
    verbose_name = _("Sổ đăng ký tài liệu mật")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from registry.marking.stored_layout import ensure_stamp_layout
        from registry.signals import document_changed, document_destroyed
        from registry.vault.receivers import destroy_document_key

        document_destroyed.connect(destroy_document_key, dispatch_uid="registry.vault.destroy_document_key")
        # Where the marks go on each page is found once per rendition, after the transaction that built it.
        document_changed.connect(ensure_stamp_layout, dispatch_uid="registry.marking.ensure_stamp_layout")
