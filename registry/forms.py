"""Forms of the registry screens. They parse and validate input; actions do the work."""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from registry.actions.documents import EDITABLE_FIELDS, DocumentMetadata
from registry.constants import DOCUMENT_TYPES, CopyForm, Direction, Level, Urgency
from registry.errors import RegistryError
from registry.models import Document, Dossier, StorageLocation, Unit, User


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _blank(choices, label=_("— tất cả —")):
    return [("", label), *choices]


class _CodeChoiceField(forms.ModelChoiceField):
    """A select of catalogue entries whose cleaned value is the entry's code (what DocumentMetadata holds)."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, to_field_name="code", required=False, **kwargs)

    def clean(self, value):
        obj = super().clean(value)
        return obj.code if obj is not None else ""


class DocumentRegisterForm(forms.Form):
    """Every field of ``DocumentMetadata``, plus the file (optional: a paper-only record has none)."""

    file = forms.FileField(label=_("Tệp tài liệu"), required=False,
                           help_text=_("PDF, DOCX, ODT hoặc ảnh quét. Để trống nếu chỉ đăng ký bản giấy."))
    direction = forms.ChoiceField(label=_("Loại sổ"), choices=Direction.choices, initial=Direction.INCOMING)
    level = forms.ChoiceField(label=_("Độ mật"), choices=Level.choices, initial=Level.MAT)
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=Urgency.choices, initial=Urgency.NONE)
    number = forms.CharField(label=_("Số, ký hiệu"), max_length=128,
                             help_text=_("Ví dụ: 126-QĐ/TW, 26/2020/NĐ-CP, 2663/VPCP-NC"))
    doc_type = forms.ChoiceField(label=_("Tên loại"), choices=_blank(DOCUMENT_TYPES, _("— chọn —")))
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=255)
    issue_date = forms.DateField(label=_("Ngày tháng văn bản"), required=False, widget=DateInput())
    arrival_date = forms.DateField(label=_("Ngày đến"), required=False, widget=DateInput(),
                                   help_text=_("Chỉ với tài liệu đến; để trống là hôm nay."))
    title = forms.CharField(label=_("Tên/tiêu đề tài liệu"), max_length=255)
    summary = forms.CharField(label=_("Trích yếu"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Tài liệu Tuyệt mật: không ghi trích yếu (trừ khi có ý kiến cho phép "
                                          "theo quy định đang có hiệu lực)."))
    summary_authorised_by = forms.CharField(label=_("Người cho phép ghi trích yếu"), max_length=255, required=False)
    signer = forms.CharField(label=_("Người ký"), max_length=255, required=False)
    level_decided_on = forms.DateField(label=_("Ngày xác định độ mật"), required=False, widget=DateInput())
    protection_years = forms.IntegerField(label=_("Thời hạn bảo vệ (năm)"), required=False, min_value=1,
                                          max_value=100, help_text=_("Để trống: theo thời hạn cơ bản của độ mật."))
    copies_count = forms.IntegerField(label=_("Số lượng bản"), min_value=1, max_value=10000, initial=1)
    recall = forms.BooleanField(label=_("Tài liệu thu hồi"), required=False)
    named_addressee_only = forms.BooleanField(label=_("Chỉ người có tên mới được bóc bì"), required=False)
    recipients = forms.CharField(label=_("Nơi nhận"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    unit = _CodeChoiceField(Unit.objects.order_by("name"), label=_("Đơn vị xử lý/lưu"),
                            empty_label=_("— không —"))
    location = _CodeChoiceField(StorageLocation.objects.order_by("code"), label=_("Vị trí lưu trữ"),
                                empty_label=_("— không —"))
    dossier = _CodeChoiceField(Dossier.objects.order_by("code"), label=_("Hồ sơ"), empty_label=_("— không —"))
    notes = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > settings.REGISTRY_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa %(mb)s MB).")
                                        % {"mb": settings.REGISTRY_MAX_UPLOAD_BYTES // (1024 * 1024)})
        return upload

    def metadata(self) -> DocumentMetadata:
        """The typed metadata; raises ``MetadataError`` (``add_registry_error`` puts it next to its field)."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "file"}
        return DocumentMetadata.from_mapping(data)

    def add_registry_error(self, error: RegistryError):
        """Show a typed error next to the field it names, or at the top of the form."""
        field = getattr(error, "field", None)
        if field and field in self.fields:
            self.add_error(field, error.message)
        else:
            self.add_error(None, error.message)


class DocumentEditForm(forms.ModelForm):
    """Descriptive fields only (``EDITABLE_FIELDS``): serial, register and level have their own acts."""

    class Meta:
        model = Document
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "issue_date": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "recipients": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def changes(self) -> dict:
        """Only the fields whose value changed, as the action expects them."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name in EDITABLE_FIELDS}

    def add_registry_error(self, error: RegistryError):
        field = getattr(error, "field", None)
        self.add_error(field if field in self.fields else None, error.message)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Lý do hủy số"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class PurposeForm(forms.Form):
    """Asked before handing out a marked copy; the purpose is required for toi_mat and tuyet_mat."""

    purpose = forms.CharField(label=_("Mục đích sử dụng"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    preview = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, purpose_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].required = purpose_required


BOOL_CHOICES = [("", _("— tất cả —")), ("1", _("Có")), ("0", _("Không"))]


class DocumentFilterForm(forms.Form):
    """Filters of the register listing (every value optional)."""

    q = forms.CharField(label=_("Số, ký hiệu hoặc tên"), required=False, max_length=200)
    direction = forms.ChoiceField(label=_("Loại sổ"), choices=_blank(Direction.choices), required=False)
    secret = forms.ChoiceField(label=_("Sổ mật"), choices=BOOL_CHOICES, required=False)
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=1900, max_value=2999)
    level = forms.ChoiceField(label=_("Độ mật"), choices=_blank(Level.choices), required=False)
    doc_type = forms.ChoiceField(label=_("Tên loại"), choices=_blank(DOCUMENT_TYPES), required=False)
    issuer = forms.CharField(label=_("Cơ quan ban hành"), required=False, max_length=255)
    date_from = forms.DateField(label=_("Từ ngày"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput())
    voided = forms.ChoiceField(label=_("Đã hủy số"), choices=BOOL_CHOICES, required=False)
    book = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def filter(self, qs):
        """Narrow an already clearance-trimmed queryset; never widens it."""
        if not self.is_valid():
            return qs.none()
        d = self.cleaned_data
        if d.get("q"):
            from django.db.models import Q

            from registry.numbering import parse_number

            parsed = parse_number(d["q"])
            cond = Q(title__icontains=d["q"]) | Q(number_raw__icontains=d["q"])
            if parsed.normalized:
                cond |= Q(number_normalized=parsed.normalized)
            qs = qs.filter(cond)
        if d.get("direction"):
            qs = qs.filter(direction=d["direction"])
        if d.get("secret") in ("0", "1"):
            qs = qs.filter(register__secret=d["secret"] == "1")
        if d.get("year"):
            qs = qs.filter(register__year=d["year"])
        if d.get("level"):
            qs = qs.filter(level=d["level"])
        if d.get("doc_type"):
            qs = qs.filter(doc_type=d["doc_type"])
        if d.get("issuer"):
            qs = qs.filter(issuer__icontains=d["issuer"])
        if d.get("date_from"):
            qs = qs.filter(_entry_date_q(">=", d["date_from"]))
        if d.get("date_to"):
            qs = qs.filter(_entry_date_q("<=", d["date_to"]))
        if d.get("voided") in ("0", "1"):
            qs = qs.filter(voided=d["voided"] == "1")
        if d.get("book"):
            qs = qs.filter(register_id=d["book"])
        return qs


def _entry_date_q(op: str, value: dt.date):
    """Entry date = arrival date for incoming entries, issue date for outgoing ones."""
    from django.db.models import Q

    suffix = "__gte" if op == ">=" else "__lte"
    return Q(direction=Direction.INCOMING, **{"arrival_date" + suffix: value}) | Q(
        direction=Direction.OUTGOING, **{"issue_date" + suffix: value}
    )


class GrantForm(forms.Form):
    user = forms.ModelChoiceField(User.objects.filter(is_active=True).order_by("username"), label=_("Người được cấp"))
    document = forms.IntegerField(label=_("Mã tài liệu (ID)"), required=False, min_value=1)
    dossier = forms.ModelChoiceField(Dossier.objects.order_by("code"), label=_("Hoặc hồ sơ"), required=False,
                                     empty_label=_("— không —"))
    until = forms.DateField(label=_("Hiệu lực đến"), widget=DateInput())
    reason = forms.CharField(label=_("Lý do"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if bool(data.get("document")) == bool(data.get("dossier")):
            raise forms.ValidationError(_("Chọn đúng một tài liệu hoặc một hồ sơ."))
        return data

    def add_registry_error(self, error: RegistryError):
        field = getattr(error, "field", None)
        self.add_error(field if field in self.fields else None, error.message)


class TotpConfirmForm(forms.Form):
    code = forms.CharField(label=_("Mã xác thực 6 số"), max_length=6, min_length=6)


__all__ = [
    "DocumentEditForm",
    "DocumentFilterForm",
    "DocumentRegisterForm",
    "GrantForm",
    "PurposeForm",
    "TotpConfirmForm",
    "VoidForm",
]


# --- Lifecycle acts (registry/views/lifecycle.py): each form parses one act; the action validates the rest. ---


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _active_users():
    return User.objects.filter(is_active=True).order_by("username")


class _LifecycleForm(forms.Form):
    def add_registry_error(self, error: RegistryError, default_field: str | None = None):
        """A typed error next to the field it names (or ``default_field``), else at the top of the form."""
        field = getattr(error, "field", None) or default_field
        self.add_error(field if field in self.fields else None, error.message)


class CopyRecordForm(_LifecycleForm):
    form = forms.ChoiceField(label=_("Hình thức sao"), choices=CopyForm.choices)
    quantity = forms.IntegerField(label=_("Số lượng bản sao"), min_value=1, max_value=1000, initial=1)
    authorised_by = forms.CharField(label=_("Người cho phép sao"), max_length=255)
    recipients = forms.CharField(label=_("Nơi nhận bản sao"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class HandOverForm(_LifecycleForm):
    recipient = forms.CharField(label=_("Người/nơi nhận"), max_length=255, required=False,
                                help_text=_("Để trống nếu chọn người nhận trong danh sách người dùng."))
    recipient_user = forms.ModelChoiceField(_active_users(), label=_("Người nhận (người dùng)"), required=False,
                                            empty_label=_("— không —"))
    acknowledged = forms.BooleanField(label=_("Người nhận đã ký nhận"), required=False)
    notes = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if not (data.get("recipient") or "").strip() and not data.get("recipient_user"):
            self.add_error("recipient", _("Ghi người/nơi nhận hoặc chọn người nhận."))
        return data


class LoanForm(_LifecycleForm):
    borrower = forms.ModelChoiceField(_active_users(), label=_("Người mượn"), empty_label=_("— chọn —"))
    approved_by = forms.ModelChoiceField(_active_users(), label=_("Người phê duyệt"),
                                         empty_label=_("— chọn —"))
    due_at = forms.DateTimeField(label=_("Hạn trả"), widget=DateTimeInput(),
                                 input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])
    purpose = forms.CharField(label=_("Mục đích mượn"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    meeting_ends_at = forms.DateTimeField(
        label=_("Kết thúc phiên họp"), required=False, widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text=_("Tài liệu thu hồi: phải nộp lại ngay khi phiên họp kết thúc."),
    )

    def __init__(self, *args, recall: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not recall:  # the meeting end only matters for documents that must be recalled after a meeting
            del self.fields["meeting_ends_at"]


class _DecisionForm(_LifecycleForm):
    decision_ref = forms.CharField(label=_("Số quyết định"), max_length=128)
    approved_by = forms.CharField(label=_("Người phê duyệt"), max_length=255)
    decided_on = forms.DateField(label=_("Ngày quyết định"), widget=DateInput())
    reason = forms.CharField(label=_("Lý do"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LevelChangeForm(_DecisionForm):
    to_level = forms.ChoiceField(label=_("Độ mật mới"),
                                 choices=[(v, label) for v, label in Level.choices if v != Level.THUONG])
    field_order = ("to_level", "decision_ref", "approved_by", "decided_on", "reason")


class ExtendTermForm(_DecisionForm):
    years = forms.IntegerField(label=_("Gia hạn thêm (năm)"), min_value=1, max_value=30)
    field_order = ("years", "decision_ref", "approved_by", "decided_on", "reason")


class DeclassifyForm(_DecisionForm):
    pass


class DestroyForm(_LifecycleForm):
    decision_ref = forms.CharField(label=_("Số quyết định tiêu hủy"), max_length=128)
    council = forms.CharField(label=_("Hội đồng tiêu hủy"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    approved_by = forms.CharField(label=_("Người phê duyệt"), max_length=255)
    minutes_ref = forms.CharField(label=_("Biên bản tiêu hủy"), max_length=255, required=False)
    destroyed_on = forms.DateField(label=_("Ngày tiêu hủy"), widget=DateInput())
    confirm = forms.BooleanField(label=_("Tôi xác nhận tài liệu đã được tiêu hủy theo quyết định trên"),
                                 error_messages={"required": _("Phải xác nhận trước khi ghi tiêu hủy.")})

__all__ += [
    "CopyRecordForm",
    "DeclassifyForm",
    "DestroyForm",
    "ExtendTermForm",
    "HandOverForm",
    "LevelChangeForm",
    "LoanForm",
]
