"""Approval authority as data (domain.md §5): who may approve which act, for which level, on which date.

- ``PositionHolder``: a person holds a position (Bí thư, Chánh Văn phòng …) in a unit for a period.
- ``ApprovalAuthority``: a position (optionally only in one unit) may approve an act up to a level.
- ``Delegation``: a written delegation from one person to another, limited in acts, level and dates.
- ``Approval``: the approval an act carries (who, when, decision reference, attached decision papers).

Authority rows are never edited in place: an edit retires the row (``retired_at``) and writes a new version
pointing at it (``previous``), so the authority in force on any past date can be shown.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.constants import Level


class ApprovalAct(models.TextChoices):
    COPY = "copy", _("Sao, chụp")
    HAND_OVER = "hand_over", _("Chuyển giao")
    LOAN = "loan", _("Cho mượn")
    MEETING = "meeting", _("Sử dụng trong cuộc họp")
    LEVEL_CHANGE = "level_change", _("Điều chỉnh độ mật")
    EXTENSION = "extension", _("Gia hạn thời hạn bảo vệ")
    DECLASSIFICATION = "declassification", _("Giải mật")
    DESTRUCTION = "destruction", _("Tiêu hủy")
    NEED_TO_KNOW_GRANT = "need_to_know_grant", _("Cấp quyền tiếp cận Tuyệt mật")


class _Versioned(models.Model):
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+",
                                   on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(_("thay thế lúc"), null=True, blank=True)
    previous = models.OneToOneField("self", null=True, blank=True, related_name="next_version",
                                    on_delete=models.PROTECT)

    class Meta:
        abstract = True

    def in_force_on(self, day) -> bool:
        if self.valid_from > day or (self.valid_until and self.valid_until < day):
            return False
        return self.retired_at is None or self.retired_at.date() > day


class PositionHolder(_Versioned):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người giữ chức vụ"),
                             related_name="positions", on_delete=models.PROTECT)
    position = models.CharField(_("chức vụ"), max_length=128)
    unit = models.ForeignKey("registry.Unit", verbose_name=_("đơn vị"), null=True, blank=True,
                             on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("chức vụ")
        verbose_name_plural = _("chức vụ")
        ordering = ["position", "-valid_from"]

    def __str__(self):
        return f"{self.user} — {self.position}"


class ApprovalAuthority(_Versioned):
    act = models.CharField(_("việc được phê duyệt"), max_length=32, choices=ApprovalAct.choices)
    max_level = models.CharField(_("đến độ mật"), max_length=16, choices=Level.choices)
    position = models.CharField(_("chức vụ"), max_length=128)
    unit = models.ForeignKey("registry.Unit", verbose_name=_("thuộc đơn vị"), null=True, blank=True,
                             help_text=_("Để trống: chức vụ này ở mọi đơn vị."), on_delete=models.PROTECT)
    basis = models.CharField(_("căn cứ (quy chế)"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("thẩm quyền phê duyệt")
        verbose_name_plural = _("thẩm quyền phê duyệt")
        ordering = ["act", "position", "-valid_from"]

    def __str__(self):
        return f"{self.position}: {self.get_act_display()} ≤ {self.get_max_level_display()}"


class Delegation(_Versioned):
    delegator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người ủy quyền"),
                                  related_name="delegations_given", on_delete=models.PROTECT)
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người được ủy quyền"),
                                 related_name="delegations_received", on_delete=models.PROTECT)
    acts = models.JSONField(_("phạm vi (các việc)"), default=list)
    max_level = models.CharField(_("đến độ mật"), max_length=16, choices=Level.choices)
    reference = models.CharField(_("số văn bản ủy quyền"), max_length=128)

    class Meta:
        verbose_name = _("ủy quyền")
        verbose_name_plural = _("ủy quyền")
        ordering = ["-valid_from"]

    def __str__(self):
        return f"{self.reference}: {self.delegator} → {self.delegate}"

    @property
    def acts_display(self) -> str:
        labels = dict(ApprovalAct.choices)
        return ", ".join(str(labels.get(a, a)) for a in self.acts)


class Approval(models.Model):
    """The approval an act carries. Written by ``registry.actions.approvals`` inside the act's transaction."""

    act = models.CharField(_("việc"), max_length=32, choices=ApprovalAct.choices)
    document = models.ForeignKey("registry.Document", null=True, blank=True, related_name="approvals",
                                 on_delete=models.PROTECT)
    level = models.CharField(_("độ mật"), max_length=16, choices=Level.choices)
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người phê duyệt"),
                                 related_name="approvals_given", on_delete=models.PROTECT)
    approved_on = models.DateField(_("ngày phê duyệt"))
    decision_ref = models.CharField(_("số văn bản/quyết định"), max_length=128, blank=True)
    authority = models.ForeignKey(ApprovalAuthority, null=True, blank=True, related_name="+",
                                  on_delete=models.PROTECT)
    delegation = models.ForeignKey(Delegation, null=True, blank=True, related_name="+", on_delete=models.PROTECT)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+",
                                    on_delete=models.SET_NULL)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phê duyệt")
        verbose_name_plural = _("phê duyệt")
        ordering = ["-recorded_at"]

    def __str__(self):
        ref = f" ({self.decision_ref})" if self.decision_ref else ""
        return f"{self.approver.display_name}, {self.approved_on:%d/%m/%Y}{ref}"


class ApprovalPaper(models.Model):
    """A decision paper (decision, council list, minutes) attached to an approval, kept like documents."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("Quyết định")
        COUNCIL = "council", _("Quyết định thành lập hội đồng")
        ITEMS = "items", _("Danh mục tài liệu")
        MINUTES = "minutes", _("Biên bản")
        OTHER = "other", _("Khác")

    approval = models.ForeignKey(Approval, related_name="papers", on_delete=models.PROTECT)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.DECISION)
    file = models.FileField(upload_to="decisions", max_length=255)
    original_filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("văn bản kèm theo")
        verbose_name_plural = _("văn bản kèm theo")
