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
    # Optional TOTP second factor (required for anyone cleared above "mat" once enrolled).
    totp_secret = models.CharField(max_length=64, blank=True, editable=False)
    failed_logins = models.PositiveIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

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
