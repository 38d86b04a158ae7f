"""The life of a secret after registration: copies, hand-overs, loans, level changes, destruction.

Each row is written by an action in ``registry.actions.lifecycle`` together with its access-log entry.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.constants import CopyForm, Level


class CopyRecord(models.Model):
    """A row of the copy register (Sổ quản lý sao, chụp)."""

    document = models.ForeignKey("registry.Document", related_name="copy_records", on_delete=models.PROTECT)
    made_on = models.DateField(_("ngày sao"))
    form = models.CharField(_("hình thức"), max_length=16, choices=CopyForm.choices)
    quantity = models.PositiveIntegerField(_("số lượng"), default=1)
    first_copy_number = models.PositiveIntegerField(_("từ bản số"), default=1)
    authorised_by = models.CharField(_("người cho phép"), max_length=255)
    copied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL)
    recipients = models.TextField(_("nơi nhận"), blank=True)
    notes = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("bản sao")
        verbose_name_plural = _("sổ quản lý sao, chụp")


class HandOver(models.Model):
    """A row of the hand-over register (Sổ chuyển giao)."""

    document = models.ForeignKey("registry.Document", related_name="hand_overs", on_delete=models.PROTECT)
    handed_on = models.DateField(_("ngày chuyển"))
    recipient = models.CharField(_("người/nơi nhận"), max_length=255)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    acknowledged = models.BooleanField(_("đã ký nhận"), default=False)
    handed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL)
    notes = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("chuyển giao")
        verbose_name_plural = _("sổ chuyển giao")


class Loan(models.Model):
    """A document taken out of storage (a loan with a due date) or handed to a delegate for a meeting.

    For recall documents used in a meeting, ``meeting_ends_at`` is when it must be back.
    """

    document = models.ForeignKey("registry.Document", related_name="loans", on_delete=models.PROTECT)
    borrower = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="loans", on_delete=models.PROTECT)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL)
    purpose = models.TextField(_("mục đích"))
    out_at = models.DateTimeField(_("thời điểm mượn"))
    due_at = models.DateTimeField(_("hạn trả"))
    meeting_ends_at = models.DateTimeField(_("kết thúc phiên họp"), null=True, blank=True)
    returned_at = models.DateTimeField(_("thời điểm trả"), null=True, blank=True)

    class Meta:
        verbose_name = _("mượn tài liệu")
        verbose_name_plural = _("mượn tài liệu")
        indexes = [models.Index(fields=["returned_at", "due_at"])]


class LevelChange(models.Model):
    """A decision changing a document's level, extending its term, or declassifying it (to ``thuong``)."""

    class Kind(models.TextChoices):
        ADJUST = "adjust", _("Điều chỉnh độ mật")
        EXTEND = "extend", _("Gia hạn")
        DECLASSIFY = "declassify", _("Giải mật")

    document = models.ForeignKey("registry.Document", related_name="level_changes", on_delete=models.PROTECT)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    from_level = models.CharField(max_length=16, choices=Level.choices)
    to_level = models.CharField(max_length=16, choices=Level.choices)
    decided_on = models.DateField(_("ngày quyết định"))
    decision_ref = models.CharField(_("số quyết định"), max_length=128)
    approved_by = models.CharField(_("người phê duyệt"), max_length=255)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL)
    reason = models.TextField(_("lý do"), blank=True)

    class Meta:
        verbose_name = _("thay đổi độ mật")
        verbose_name_plural = _("thay đổi độ mật")


class Destruction(models.Model):
    """The destruction of a document; the record itself survives (domain.md §5)."""

    document = models.OneToOneField("registry.Document", related_name="destruction", on_delete=models.PROTECT)
    destroyed_on = models.DateField(_("ngày tiêu hủy"))
    decision_ref = models.CharField(_("số quyết định"), max_length=128)
    council = models.TextField(_("hội đồng tiêu hủy"), blank=True)
    approved_by = models.CharField(_("người phê duyệt"), max_length=255)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL)
    minutes_ref = models.CharField(_("biên bản tiêu hủy"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("tiêu hủy")
        verbose_name_plural = _("tiêu hủy")
