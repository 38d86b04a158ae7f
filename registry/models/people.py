from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.constants import Level, Role


class Unit(models.Model):
    """An organisational unit (đơn vị) of the committee: people belong to one; documents are handled by one."""

    code = models.CharField(_("mã đơn vị"), max_length=32, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=255)

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person of the office, with a clearance (the highest level they may read) and a unit."""

    clearance = models.CharField(_("mức được tiếp cận"), max_length=16, choices=Level.choices, default=Level.THUONG)
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), null=True, blank=True, on_delete=models.PROTECT)
    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices, default=Role.STAFF)
    # Login lockout (django-axes' AccessAttempt), the TOTP second factor (django-otp's TOTPDevice) and API
    # tokens (ApiToken below) are kept in their own tables: see registry/accounts.py.

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def get_full_name(self):
        # Vietnamese order: family and middle names (last_name) before the given name (first_name).
        return " ".join(part for part in (self.last_name, self.first_name) if part).strip()

    def get_short_name(self):
        return self.first_name or self.username

    @property
    def display_name(self):
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """An API credential. Only the SHA-256 of its secret is stored: the secret is shown once, when issued."""

    user = models.ForeignKey(User, verbose_name=_("người dùng"), on_delete=models.CASCADE,
                             related_name="registry_api_tokens")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("đầu mã"), max_length=16, editable=False)  # tells tokens apart, reveals nothing
    created_at = models.DateTimeField(_("ngày cấp"), editable=False)
    expires_at = models.DateTimeField(_("hết hạn"), editable=False)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")

    def __str__(self):
        return f"{self.prefix}… ({self.user.username})"
