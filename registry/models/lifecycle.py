"""The life of a secret after registration: copies, hand-overs, loans, meetings, level changes,
destruction, and the tasks (notices, reminders) they leave for people.

Each row is written by an action in ``registry.actions`` together with its access-log entry. An act that
needs an approval (domain.md §5) points at its ``Approval`` row.
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
    approval = models.ForeignKey("registry.Approval", null=True, blank=True, related_name="+",
                                 on_delete=models.PROTECT)

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
    approval = models.ForeignKey("registry.Approval", null=True, blank=True, related_name="+",
                                 on_delete=models.PROTECT)
    copy = models.ForeignKey("registry.Copy", null=True, blank=True, related_name="hand_overs",
                             on_delete=models.PROTECT)
    acknowledged_at = models.DateTimeField(_("thời điểm ký nhận"), null=True, blank=True)

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
    approval = models.ForeignKey("registry.Approval", null=True, blank=True, related_name="+",
                                 on_delete=models.PROTECT)
    copy = models.ForeignKey("registry.Copy", null=True, blank=True, related_name="loans",
                             on_delete=models.PROTECT)
    meeting = models.ForeignKey("registry.Meeting", null=True, blank=True, related_name="materials",
                                on_delete=models.PROTECT)
    recall = models.BooleanField(_("phải thu hồi"), default=False)
    missing_on = models.DateField(_("ngày xác định chưa nộp lại"), null=True, blank=True)

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
    approval = models.ForeignKey("registry.Approval", null=True, blank=True, related_name="+",
                                 on_delete=models.PROTECT)
    automatic = models.BooleanField(_("tự động khi hết thời hạn"), default=False)
    from_expiry = models.DateField(null=True, blank=True)
    to_expiry = models.DateField(null=True, blank=True)
    summary_cleared = models.BooleanField(_("đã xóa trích yếu"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, null=True)

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
    items = models.TextField(_("danh mục tài liệu tiêu hủy"), blank=True)
    approval = models.ForeignKey("registry.Approval", null=True, blank=True, related_name="+",
                                 on_delete=models.PROTECT)
    # When the content (files, text, index entry) was removed for good; empty until the purge has run.
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tiêu hủy")
        verbose_name_plural = _("tiêu hủy")


class Copy(models.Model):
    """One copy, paper or marked digital, with its own number in the document's one copy sequence."""

    class State(models.TextChoices):
        HELD = "held", _("Đang giữ")
        HANDED_OVER = "handed_over", _("Đã chuyển giao")
        RETURNED = "returned", _("Đã nộp lại")
        SPOILED = "spoiled", _("Hỏng")
        DESTROYED = "destroyed", _("Đã tiêu hủy")

    class Kind(models.TextChoices):
        PAPER = "paper", _("Bản sao, chụp")
        MARKED = "marked", _("Bản điện tử có dấu")

    document = models.ForeignKey("registry.Document", related_name="copies", on_delete=models.PROTECT)
    number = models.PositiveIntegerField(_("bản số"))
    kind = models.CharField(_("loại"), max_length=8, choices=Kind.choices, default=Kind.PAPER)
    copy_record = models.ForeignKey(CopyRecord, null=True, blank=True, related_name="copies",
                                    on_delete=models.PROTECT)
    copy_id = models.CharField(_("mã bản sao"), max_length=32, blank=True)
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, related_name="copies_held",
                               on_delete=models.PROTECT)
    holder_name = models.CharField(_("người/nơi giữ"), max_length=255, blank=True)
    state = models.CharField(_("tình trạng"), max_length=16, choices=State.choices, default=State.HELD)
    state_on = models.DateField(_("ngày"), null=True, blank=True)
    state_note = models.TextField(_("ghi chú"), blank=True)
    made_on = models.DateField(_("ngày sao"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bản")
        verbose_name_plural = _("các bản")
        ordering = ["document_id", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="uniq_copy_number")]

    def __str__(self):
        return f"Bản số {self.number}"


class Meeting(models.Model):
    """A meeting (congress mode): a session, named delegates, materials handed to each and reconciled after."""

    title = models.CharField(_("cuộc họp"), max_length=255)
    session = models.CharField(_("phiên họp"), max_length=255, blank=True)
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"))
    delegates = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="meetings", blank=True,
                                       verbose_name=_("đại biểu"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL)
    reconciled_at = models.DateTimeField(_("đối chiếu lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("cuộc họp")
        verbose_name_plural = _("cuộc họp")
        ordering = ["-starts_at"]

    def __str__(self):
        return f"{self.title} — {self.session}" if self.session else self.title


class Task(models.Model):
    """A thing a person must do by a date: a notice to a holder, a reminder, a recall, a report due.

    ``key`` is unique: the scheduled run creates each task once however often it runs.
    """

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Thông báo cho người giữ tài liệu")
        EXTENSION_DUE = "extension_due", _("Xem xét gia hạn")
        LOAN_REMINDER = "loan_reminder", _("Nhắc hạn trả")
        LOAN_OVERDUE = "loan_overdue", _("Quá hạn trả")
        RECALL = "recall", _("Thu hồi tài liệu chưa nộp lại")
        YEARLY_REPORT = "yearly_report", _("Báo cáo thống kê năm")
        ACKNOWLEDGE = "acknowledge", _("Ký nhận tài liệu được chuyển giao")

    key = models.CharField(max_length=160, unique=True)
    kind = models.CharField(_("loại việc"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("việc cần làm"), max_length=500)
    document = models.ForeignKey("registry.Document", null=True, blank=True, related_name="tasks",
                                 on_delete=models.PROTECT)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, related_name="tasks",
                                 on_delete=models.PROTECT)
    due_on = models.DateField(_("hạn"))
    created_on = models.DateField(_("ngày tạo"))
    done_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("việc cần làm")
        verbose_name_plural = _("việc cần làm")
        ordering = ["done_at", "due_on", "id"]
        indexes = [models.Index(fields=["done_at", "due_on"])]

    def __str__(self):
        return self.title
