from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.constants import Action, Level, Outcome


class AccessLogEntry(models.Model):
    """One use of the registry: the statutory use-of-archived-copy register, kept as an append-only hash chain.

    Rows are only ever inserted by ``registry.audit.log.record`` under the chain lock; database triggers refuse
    UPDATE and DELETE. ``hash`` covers every field and ``prev_hash``, so editing, deleting, inserting or
    reordering an entry breaks the chain at that entry (``registry audit verify``).
    Actor and document are kept as plain ids plus snapshots so the entry survives deletion of either.
    """

    seq = models.BigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        editable=False,
    )
    actor_username = models.CharField(max_length=150, blank=True, editable=False)
    actor_unit = models.CharField(max_length=32, blank=True, editable=False)
    ip = models.CharField(max_length=64, blank=True, editable=False)
    user_agent = models.CharField(max_length=512, blank=True, editable=False)
    request_id = models.CharField(max_length=64, blank=True, editable=False)
    action = models.CharField(max_length=32, choices=Action.choices, editable=False)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.OK, editable=False)
    document = models.ForeignKey(
        "registry.Document",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        editable=False,
    )
    document_level = models.CharField(max_length=16, choices=Level.choices, blank=True, editable=False)
    document_unit = models.CharField(max_length=32, blank=True, editable=False)
    purpose = models.TextField(blank=True, editable=False)
    copy_id = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    query = models.TextField(blank=True, editable=False)
    result_count = models.IntegerField(null=True, blank=True, editable=False)
    extra = models.JSONField(default=dict, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("nhật ký sử dụng")
        verbose_name_plural = _("nhật ký sử dụng")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["actor", "at"]),
            models.Index(fields=["document", "at"]),
            models.Index(fields=["action", "at"]),
            models.Index(fields=["outcome", "at"]),
            models.Index(fields=["document_level", "at"]),
        ]

    def __str__(self):
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.outcome}"


class ChainHead(models.Model):
    """The single row holding the last seq and hash; locked by every writer so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)


class Checkpoint(models.Model):
    """A signed statement of the chain head at a moment (Ed25519, key kept outside the database)."""

    seq = models.BigIntegerField(editable=False)
    head_hash = models.CharField(max_length=64, editable=False)
    entries = models.BigIntegerField(editable=False)
    created_at = models.DateTimeField(editable=False)
    key_id = models.CharField(max_length=64, editable=False)
    signature = models.CharField(max_length=256, editable=False)
    signed_by = models.CharField(max_length=150, blank=True, editable=False)

    class Meta:
        verbose_name = _("điểm kiểm tra đã ký")
        verbose_name_plural = _("điểm kiểm tra đã ký")
        ordering = ["-seq", "-id"]


class Holiday(models.Model):
    """A day off in the office's calendar: reading on it is flagged as outside working hours."""

    date = models.DateField(_("ngày"), unique=True)
    name = models.CharField(_("tên ngày nghỉ"), max_length=255)

    class Meta:
        verbose_name = _("ngày nghỉ lễ")
        verbose_name_plural = _("ngày nghỉ lễ")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.name}"
