from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    label = "registry"
    verbose_name = _("Sổ đăng ký tài liệu mật")
    default_auto_field = "django.db.models.BigAutoField"
