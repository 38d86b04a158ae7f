from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from django.db.models.signals import pre_delete
from wagtail.documents.models import AbstractDocument, DocumentQuerySet

from registry.constants import DOCUMENT_TYPES, Direction, Level, Urgency
from registry.errors import ErrorCode, RegistryError


def _refuse_delete(*args, **kwargs):
    # A register entry is voided or destroyed through its lifecycle and stays a row for ever: no UI, API,
    # script or cascade (a Wagtail collection, a bulk action) deletes one, superusers included.
    raise RegistryError("Không được xóa mục đăng ký; chỉ có thể hủy số hoặc tiêu hủy theo quy trình.",
                        code=ErrorCode.NOT_DELETABLE)


class RegisterEntryQuerySet(DocumentQuerySet):
    def delete(self):
        _refuse_delete()

    delete.queryset_only = True


class Document(AbstractDocument):
    """A registered congress document: one row of a register book, with or without a file.

    The original bytes are kept exactly as received (``file``, content-addressed by SHA-256);
    ``rendition`` is the sanitised PDF rebuilt for reading. A paper-only record has neither.
    Wagtail's own document views are never exposed: every read goes through the clearance policy.
    """

    # Wagtail's search index is not used for registered documents: our own ``search`` package indexes
    # them with clearance trimming; indexing them twice would only duplicate secret text.
    search_fields = []
    # Registered documents are not embedded in pages; Wagtail's reference index would only cost time.
    wagtail_reference_index_ignore = True

    file = models.FileField(_("tệp gốc"), upload_to="originals", blank=True, max_length=255)
    uploaded_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đăng ký"),
        null=True,
        blank=True,
        editable=False,
        related_name="registered_documents",
        on_delete=models.SET_NULL,
    )
    tags = TaggableManager(help_text=None, blank=True, verbose_name=_("thẻ"), related_name="registered_documents")
    rendition = models.FileField(_("bản đọc đã làm sạch"), upload_to="renditions", blank=True, max_length=255)

    # Register entry
    direction = models.CharField(_("loại"), max_length=4, choices=Direction.choices)
    register = models.ForeignKey(
        "registry.RegisterBook", verbose_name=_("sổ đăng ký"), related_name="entries", on_delete=models.PROTECT
    )
    serial = models.PositiveIntegerField(_("số thứ tự"), editable=False)
    arrival_date = models.DateField(_("ngày đến"), null=True, blank=True)
    arrival_number = models.PositiveIntegerField(_("số đến"), null=True, blank=True, editable=False)

    # Number and symbol, as typed and normalised (see registry.numbering)
    number_raw = models.CharField(_("số, ký hiệu"), max_length=128, blank=True)
    number_normalized = models.CharField(max_length=128, blank=True, db_index=True, editable=False)
    # Indexed: every registration looks for the same number from the same issuer (the same-number warning).
    number_value = models.PositiveIntegerField(null=True, blank=True, editable=False, db_index=True)
    doc_type = models.CharField(_("tên loại"), max_length=8, choices=DOCUMENT_TYPES)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255)
    issue_date = models.DateField(_("ngày tháng văn bản"), null=True, blank=True)
    signer = models.CharField(_("người ký"), max_length=255, blank=True)
    summary = models.TextField(_("trích yếu"), blank=True)
    summary_authorised_by = models.CharField(_("người cho phép ghi trích yếu"), max_length=255, blank=True)

    # Classification
    level = models.CharField(_("độ mật"), max_length=16, choices=Level.choices, default=Level.THUONG, db_index=True)
    level_decided_on = models.DateField(_("ngày xác định độ mật"), null=True, blank=True)
    protection_years = models.PositiveIntegerField(_("thời hạn bảo vệ (năm)"), null=True, blank=True)
    protection_expires_on = models.DateField(_("hết thời hạn bảo vệ"), null=True, blank=True)
    urgency = models.CharField(_("độ khẩn"), max_length=16, choices=Urgency.choices, default=Urgency.NONE)
    copies_count = models.PositiveIntegerField(_("số lượng bản"), default=1)
    recall = models.BooleanField(_("tài liệu thu hồi"), default=False)
    named_addressee_only = models.BooleanField(_("chỉ người có tên mới được bóc bì"), default=False)
    recipients = models.TextField(_("nơi nhận"), blank=True)
    handling_unit = models.ForeignKey(
        "registry.Unit", verbose_name=_("đơn vị xử lý/lưu"), null=True, blank=True, on_delete=models.PROTECT
    )
    storage_location = models.ForeignKey(
        "registry.StorageLocation", verbose_name=_("vị trí lưu trữ"), null=True, blank=True, on_delete=models.PROTECT
    )
    dossier = models.ForeignKey(
        "registry.Dossier",
        verbose_name=_("hồ sơ"),
        null=True,
        blank=True,
        related_name="documents",
        on_delete=models.PROTECT,
    )
    notes = models.TextField(_("ghi chú"), blank=True)

    # File facts
    sha256 = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    mime_type = models.CharField(_("loại tệp"), max_length=128, blank=True, editable=False)
    page_count = models.PositiveIntegerField(_("số trang"), null=True, blank=True, editable=False)
    original_filename = models.CharField(_("tên tệp gốc"), max_length=255, blank=True, editable=False)
    extracted_text = models.TextField(blank=True, editable=False)
    # Where the marks go on each page of the rendition (registry/marking/layout.py), found once per rendition.
    stamp_layout = models.JSONField(null=True, blank=True, editable=False)
    # Number, type name, title and summary folded as search folds them (registry.numbering.number_tokens):
    # the register list's "number or title" filter matches "126 QD TW" or "nghi quyet" on it (forms.py).
    match_text = models.TextField(blank=True, default="", editable=False)
    # Intake facts (INTAKE-PDF): what a reader had to repair, the sender's PDF restrictions, OCR state.
    repair_warnings = models.JSONField(_("sửa lỗi khi đọc tệp"), default=list, blank=True, editable=False)
    pdf_restrictions = models.CharField(_("hạn chế của tệp PDF"), max_length=500, blank=True, editable=False)
    # Text extraction (and OCR, and the stamp layout) run as a background task after registration
    # (registry.tasks.jobs "intake.process_document"): "pending" until it has run, "failed" if it gave up.
    content_status = models.CharField(_("trích xuất nội dung"), max_length=16, blank=True, default="",
                                      editable=False,
                                      choices=[("", _("không có tệp")), ("pending", _("đang trích xuất nội dung")),
                                               ("done", _("đã trích xuất nội dung")),
                                               ("failed", _("chưa trích xuất được nội dung"))])
    ocr_status = models.CharField(_("nhận dạng chữ (OCR)"), max_length=16, blank=True, default="", editable=False,
                                  choices=[("", _("không cần")), ("pending", _("chưa nhận dạng chữ (OCR)")),
                                           ("done", _("đã nhận dạng chữ (OCR)")),
                                           ("failed", _("nhận dạng chữ (OCR) không thành công"))])

    # Void (the entry stays in its register, with the reason)
    voided = models.BooleanField(_("đã hủy số"), default=False, editable=False)
    void_reason = models.TextField(_("lý do hủy"), blank=True, editable=False)
    voided_at = models.DateTimeField(null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL, editable=False
    )

    # Lifecycle status (declassified / destroyed records survive as rows)
    declassified_on = models.DateField(_("ngày giải mật"), null=True, blank=True, editable=False)
    destroyed_on = models.DateField(_("ngày tiêu hủy"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    admin_form_fields = ("title",)

    objects = RegisterEntryQuerySet.as_manager()

    def delete(self, *args, **kwargs):
        _refuse_delete()

    def save(self, *args, **kwargs):
        self.match_text = document_match_text(self.number_raw, self.doc_type, self.title, self.summary)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"number_raw", "doc_type", "title", "summary"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "match_text"}
        super().save(*args, **kwargs)

    class Meta:
        verbose_name = _("tài liệu")
        verbose_name_plural = _("tài liệu")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["register", "serial"], name="uniq_register_serial")]
        indexes = [models.Index(fields=["register", "serial"]), models.Index(fields=["issue_date"])]

    def __str__(self):
        return f"{self.number_raw or '—'} {self.title}".strip()

    @property
    def is_paper_only(self) -> bool:
        return not self.file

    @property
    def type_label(self) -> str:
        return self.get_doc_type_display()


def document_match_text(number_raw: str, doc_type: str, title: str, summary: str) -> str:
    """Folded lower-case word tokens of what the list filter matches, spaced: "126 qd tw quyet dinh …"."""
    from registry.constants import document_type_name
    from registry.numbering import number_tokens

    parts = (number_raw, document_type_name(doc_type) if doc_type else "", title, summary)
    return " ".join(" ".join(number_tokens(part or "")) for part in parts if part)


# Cascades (a deleted collection, Django's collector) call neither of the above: refuse them here.
pre_delete.connect(_refuse_delete, sender=Document, dispatch_uid="registry_document_never_deleted")
