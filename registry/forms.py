"""Forms of the registry screens. They parse and validate input; actions do the work."""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from registry.actions.documents import EDITABLE_FIELDS, DocumentMetadata
from registry.constants import (
    DOCUMENT_TYPE_CODES,
    DOCUMENT_TYPES,
    CopyForm,
    Direction,
    Level,
    accepted_document_types,
    resolve_document_type,
)
from registry.intake.schema import FIELDS as SCHEMA_FIELDS
from registry.intake.schema import Kind, RegistrationField, split_values
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


class DocumentTypeField(forms.ChoiceField):
    """The type select; typed input (API-like posts, old bookmarks) may also give the Vietnamese name, with or
    without diacritics, in any case, or an old code ("TTg"): the cleaned value is always the code."""

    def to_python(self, value):
        value = super().to_python(value)
        return (resolve_document_type(value) or value) if value else value

    def validate(self, value):
        if value and value not in DOCUMENT_TYPE_CODES:
            raise forms.ValidationError(
                _("Không có tên loại «%(value)s». Nhận các loại: %(accepted)s.")
                % {"value": value, "accepted": accepted_document_types()}, code="invalid_choice")
        super().validate(value)


def registration_form_field(spec: RegistrationField) -> forms.Field:
    """The web form field of one registration field (``registry.intake.schema``)."""
    common = {"label": spec.label, "help_text": spec.help, "required": spec.required}
    if spec.initial is not None:
        common["initial"] = spec.initial
    kind = spec.kind
    if kind == Kind.FILE:
        return forms.FileField(**common)
    if kind == Kind.PASSWORD:
        # Never rendered back: a refused form asks for the password again.
        return forms.CharField(max_length=spec.max_length, strip=False,
                               widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                               **common)
    if kind == Kind.TEXT:
        return forms.CharField(max_length=spec.max_length, **common)
    if kind == Kind.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": spec.rows}), **common)
    if kind == Kind.DATE:
        return forms.DateField(widget=DateInput(), input_formats=["%Y-%m-%d", "%d/%m/%Y"], **common)
    if kind == Kind.INTEGER:
        return forms.IntegerField(min_value=spec.min_value, max_value=spec.max_value, **common)
    if kind == Kind.BOOLEAN:
        return forms.BooleanField(**{**common, "required": False})
    if kind == Kind.CHOICE:
        choices = list(spec.choices())
        return forms.ChoiceField(choices=choices if spec.required else _blank(choices, _("— không —")), **common)
    if kind == Kind.DOC_TYPE:
        return DocumentTypeField(choices=_blank(DOCUMENT_TYPES, _("— chọn —")), **common)
    if kind == Kind.CATALOGUE:
        model = {"Unit": Unit, "StorageLocation": StorageLocation, "Dossier": Dossier}[spec.catalogue]
        order = "name" if spec.catalogue == "Unit" else "code"
        return _CodeChoiceField(model.objects.order_by(order), label=spec.label, help_text=spec.help,
                                empty_label=_("— không —"))
    raise ValueError(f"no form field for {kind}")


class _RegisterFormBase(forms.Form):
    """The register form; its registration fields are derived from ``registry.intake.schema.FIELDS``.

    ``held_file`` carries the token of a file kept from a refused submission (``registry.views.held_files``),
    so that the clerk need not choose it again. ``allow_same_number`` is a hidden field until the warning
    about a number the issuer already has was shown (``ask_same_number_confirmation``).
    """

    held_file = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        confirm = self.fields["allow_same_number"]
        # Once asked (or ticked), the checkbox stays visible on the following submissions.
        self.same_number_asked = self.is_bound and forms.CheckboxInput().value_from_datadict(
            self.data, self.files, self.add_prefix("allow_same_number"))
        if not self.same_number_asked:
            confirm.widget = forms.HiddenInput()
        self.held_name = ""

    def hold_file(self, token: str, name: str):
        """Show that ``name`` is kept under ``token`` for the next submission."""
        self.held_name = name
        if self.is_bound:
            self.data = self.data.copy()
            self.data["held_file"] = token
        self.initial["held_file"] = token
        self._set_file_help(_("Đã giữ tệp: %(name)s — không cần chọn lại; chọn tệp khác để thay.") % {"name": name})

    def drop_held_file(self):
        self.held_name = ""
        if self.is_bound:
            self.data = self.data.copy()
            self.data["held_file"] = ""
        self.initial["held_file"] = ""
        self._set_file_help(REGISTRATION_FIELDS["file"].help)

    def _set_file_help(self, text):
        self.fields["file"].help_text = text
        self._bound_fields_cache.pop("file", None)  # a bound field keeps the help text it was made with

    @property
    def rendered_apart(self) -> tuple[str, ...]:
        """Fields the page renders itself: the confirmation sits inside the warning that asks for it."""
        return ("allow_same_number",) if self.same_number_asked else ()

    def ask_same_number_confirmation(self):
        """Show the "register anyway" checkbox (after the warning that the issuer has this number)."""
        self.same_number_asked = True
        self.fields["allow_same_number"].widget = forms.CheckboxInput()

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > settings.REGISTRY_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa %(mb)s MB).")
                                        % {"mb": settings.REGISTRY_MAX_UPLOAD_BYTES // (1024 * 1024)})
        return upload

    def registration_values(self) -> tuple[dict, dict]:
        """(metadata values, intake keywords) from the cleaned data, split as the schema says."""
        metadata, intake, _upload = split_values(
            {name: value for name, value in self.cleaned_data.items() if name in REGISTRATION_FIELDS})
        return metadata, intake

    def metadata(self) -> DocumentMetadata:
        """The typed metadata; raises ``MetadataError`` (``add_registry_error`` puts it next to its field)."""
        return DocumentMetadata.from_mapping(self.registration_values()[0])

    def intake_options(self) -> dict:
        """Keywords for the intake front door (the PDF password): passed on, never stored or shown again."""
        return self.registration_values()[1]

    def add_registry_error(self, error: RegistryError):
        """Show a typed error next to the field it names, or at the top of the form."""
        field = getattr(error, "field", None)
        if field and field in self.fields:
            self.add_error(field, error.message)
        else:
            self.add_error(None, error.message)


REGISTRATION_FIELDS = {spec.name: spec for spec in SCHEMA_FIELDS}
DocumentRegisterForm = type(_RegisterFormBase)(
    "DocumentRegisterForm", (_RegisterFormBase,),
    {"__module__": __name__, "__doc__": _RegisterFormBase.__doc__,
     **{spec.name: registration_form_field(spec) for spec in SCHEMA_FIELDS},
     "field_order": [spec.name for spec in SCHEMA_FIELDS] + ["held_file"]},
)


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

    # Model field → registration field, where the names differ (labels and help come from the schema).
    SCHEMA_NAMES = {"storage_location": "location", "handling_unit": "unit"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, form_field in self.fields.items():
            spec = REGISTRATION_FIELDS.get(self.SCHEMA_NAMES.get(name, name))
            if spec is not None:
                form_field.label, form_field.help_text = spec.label, spec.help

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
    doc_type = DocumentTypeField(label=_("Tên loại"), choices=_blank(DOCUMENT_TYPES), required=False)
    issuer = forms.CharField(label=_("Cơ quan ban hành"), required=False, max_length=255)
    date_from = forms.DateField(label=_("Từ ngày"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput())
    voided = forms.ChoiceField(label=_("Đã hủy số"), choices=BOOL_CHOICES, required=False)
    book = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            # Only the levels this person can ever see: a choice that can never match is a hint, not a filter.
            from registry.access import visible_levels

            seen = set(visible_levels(user))
            self.fields["level"].choices = _blank([(v, label) for v, label in Level.choices if v in seen])

    def filter(self, qs):
        """Narrow an already clearance-trimmed queryset; never widens it."""
        if not self.is_valid():
            return qs.none()
        d = self.cleaned_data
        if d.get("q"):
            qs = qs.filter(number_or_title_q(d["q"]))
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


def number_or_title_q(query: str):
    """The list's "number or title" condition, matched as search matches (``search.query.plan_query`` and the
    same folding, ``registry.numbering.number_tokens``): every word of the query is a word of the document's
    ``match_text`` (number, type name, title, summary; folded, so "nghi quyet" finds "Nghị quyết"). Numbers
    are whole words; a query that looks like a document number ("126 QD TW", "QĐ 126", "126/qd-tw") matches
    whole words only, so it does not find 1260 or QĐi; other words match from their start ("nghi quy").
    A quoted phrase must appear as such. The plain spelling as typed still matches too.

    It only narrows the queryset it is applied to (``visible_documents`` trims first).
    """
    from django.db.models import Q

    from registry.numbering import number_tokens, parse_number
    from search.query import plan_query

    plan = plan_query(query)
    words = dict.fromkeys(token for term in plan.terms for token in number_tokens(term.exact))
    phrases = [" ".join(number_tokens(" ".join(t.exact for t in phrase))) for phrase in plan.phrases]
    folded = Q()
    for word in words:
        folded &= _word_q(word, whole=plan.number_like or word.isdigit())
    for phrase in filter(None, phrases):
        folded &= _word_q(phrase, whole=False)
    cond = Q(title__icontains=query) | Q(number_raw__icontains=query)
    if words or any(phrases):
        cond |= folded
    parsed = parse_number(query)
    if parsed.normalized:
        cond |= Q(number_normalized=parsed.normalized)
    return cond


def _word_q(word: str, *, whole: bool):
    """``word`` (or a run of words) at a word boundary of ``match_text`` (space-separated folded words)."""
    from django.db.models import Q

    starts = Q(match_text__startswith=word) | Q(match_text__contains=" " + word)
    if not whole:
        return starts
    return (Q(match_text=word) | Q(match_text__startswith=word + " ") | Q(match_text__endswith=" " + word)
            | Q(match_text__contains=f" {word} "))


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
    # Tuyệt mật: a second person's approval (registry.actions.approvals), recorded with the grant.
    approver = forms.ModelChoiceField(User.objects.filter(is_active=True).order_by("username"), required=False,
                                      label=_("Người phê duyệt (tài liệu Tuyệt mật)"), empty_label=_("— không —"))
    approval_ref = forms.CharField(label=_("Số văn bản phê duyệt"), max_length=128, required=False)

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
