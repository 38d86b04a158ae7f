"""Production bookkeeping: data keys (encryption at rest), background task runs, fixity runs."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataKey(models.Model):
    """One document's data key, wrapped (AES-256-GCM) by a key-encryption key kept outside the database.

    ``ref`` names the objects it protects: a document's content hash (its original, its rendition and its
    extracted text share it). The plain key never touches the database; destroying the document deletes
    this row, and with it every way to read what it protected.
    """

    ref = models.CharField(max_length=100, unique=True)
    document = models.ForeignKey("registry.Document", null=True, blank=True, related_name="+",
                                 on_delete=models.SET_NULL)
    wrapped = models.BinaryField()
    kek_id = models.CharField(max_length=32, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rewrapped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("khóa dữ liệu")
        verbose_name_plural = _("khóa dữ liệu")

    def __str__(self):
        return f"{self.ref[:16]}… ({self.kek_id})"


class TaskState(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang chạy")
    RETRYING = "retrying", _("Chờ chạy lại")
    DONE = "done", _("Xong")
    FAILED = "failed", _("Thất bại")


class TaskRun(models.Model):
    """One background task as the operator sees it: what, state, attempts, progress and the last error."""

    name = models.CharField(_("tác vụ"), max_length=100, db_index=True)
    args = models.JSONField(default=dict, blank=True)
    state = models.CharField(_("trạng thái"), max_length=16, choices=TaskState.choices,
                             default=TaskState.QUEUED, db_index=True)
    attempts = models.PositiveIntegerField(_("số lần chạy"), default=0)
    max_attempts = models.PositiveIntegerField(default=4)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(_("lỗi"), blank=True)
    # The document a task works on, if any: the task list shows a run only to those who may see its document
    # (a run's existence must not tell a lower-cleared administrator that a document exists).
    document_id = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tác vụ nền")
        verbose_name_plural = _("tác vụ nền")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} #{self.pk} ({self.state})"

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))


class FixityRun(models.Model):
    """The result of one `registry fixity` run (shown in the integrity panel)."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    sample = models.PositiveIntegerField(null=True, blank=True)
    checked = models.PositiveIntegerField(default=0)
    ok = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)  # [{"document": id, "name": ..., "problem": ...}]

    class Meta:
        verbose_name = _("lần kiểm tra toàn vẹn tệp")
        verbose_name_plural = _("lần kiểm tra toàn vẹn tệp")
        ordering = ["-finished_at", "-id"]

    @property
    def clean(self) -> bool:
        return not self.problems
