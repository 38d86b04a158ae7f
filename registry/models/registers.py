from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.constants import Direction


class RegisterBook(models.Model):
    """A register book (sổ): one per direction × secret/ordinary × year (domain.md §4).

    ``next_serial`` is the allocation counter; it is only ever advanced under a row lock
    (see ``registry.registers.numbering.allocate_serial``) so serials are unique and gapless.
    """

    direction = models.CharField(_("loại sổ"), max_length=4, choices=Direction.choices)
    secret = models.BooleanField(_("sổ mật"), default=False)
    year = models.PositiveIntegerField(_("năm"))
    book_number = models.PositiveIntegerField(_("quyển số"), default=1)
    body = models.CharField(_("cơ quan"), max_length=255, blank=True)
    parent_body = models.CharField(_("cơ quan cấp trên"), max_length=255, blank=True)
    next_serial = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("sổ đăng ký")
        verbose_name_plural = _("sổ đăng ký")
        ordering = ["-year", "direction", "-secret"]
        constraints = [
            models.UniqueConstraint(fields=["direction", "secret", "year", "book_number"], name="uniq_register_book")
        ]

    def __str__(self):
        return str(self.title)

    @property
    def title(self):
        kind = {
            (Direction.INCOMING, True): _("Sổ đăng ký bí mật nhà nước đến"),
            (Direction.OUTGOING, True): _("Sổ đăng ký bí mật nhà nước đi"),
            (Direction.INCOMING, False): _("Sổ đăng ký văn bản đến"),
            (Direction.OUTGOING, False): _("Sổ đăng ký văn bản đi"),
        }[(self.direction, self.secret)]
        return f"{kind} — {self.year}"

    @property
    def code(self):
        return f"{self.direction}-{'mat' if self.secret else 'thuong'}-{self.year}"


class NumberSequence(models.Model):
    """A numbering sequence for documents the office issues (domain.md §3).

    Keys: ``party:<TYPE>:<TERM>`` (per type for the committee term), ``congress:<TERM>`` (the congress's own
    shared sequence), ``state:<YEAR>:<ISSUER>`` (restarts each calendar year). Advanced under a row lock.
    """

    key = models.CharField(max_length=128, unique=True)
    next_value = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("dãy số văn bản")
        verbose_name_plural = _("dãy số văn bản")

    def __str__(self):
        return f"{self.key} → {self.next_value}"
