"""The one declaration of a registration's fields.

Every way in is derived from ``FIELDS``: the web register form (``registry.forms``), the API input
serializer and so its OpenAPI schema (``registry.api.serializers``), the options of ``registry intake``
(``registry.management.commands.intake``) and the columns of a CSV manifest (``registry.intake.manifest``).
``tests/intake/test_schema_surfaces.py`` derives each surface from here and fails when one drifts.

Names are a public interface: ``name`` is the ``DocumentMetadata`` field, the form field and the API field;
``option`` is the CLI option and ``column`` the manifest column (older spellings stay in ``aliases``).
Parsing stays in one place too: ``DocumentMetadata.from_mapping`` reads every surface's values.

This module imports no models at import time (the sandbox loads the intake package cheaply).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Callable

from django.utils.translation import gettext_lazy as _


class Kind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHOICE = "choice"  # a closed list of codes (``choices``)
    DOC_TYPE = "doc_type"  # a type code or its Vietnamese name (``registry.constants.resolve_document_type``)
    CATALOGUE = "catalogue"  # the code of a catalogue row (``catalogue``: a model of registry.models)
    PASSWORD = "password"  # never stored, logged or shown again
    FILE = "file"


class Target(StrEnum):
    """Where a value goes: the document's metadata, the intake front door's keywords, or the file itself."""

    METADATA = "metadata"
    INTAKE = "intake"
    FILE = "file"


@dataclass(frozen=True)
class RegistrationField:
    name: str
    kind: Kind
    label: Any
    help: Any = ""
    required: bool = False
    option: str | None = None  # CLI option; None for the file (the positional FILE)
    column: str | None = None  # manifest column
    aliases: tuple[str, ...] = ()  # other manifest spellings accepted (``-``/``_``/case never matter)
    choices: Callable[[], list[tuple[str, Any]]] | None = None
    catalogue: str = ""
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    initial: Any = None
    target: Target = Target.METADATA
    rows: int = 2  # textarea height on the web

    @property
    def metavar(self) -> str:
        return (self.column or self.name).upper()

    @property
    def dest(self) -> str:
        """The argparse destination of the CLI option."""
        return f"field_{self.name}"

    @property
    def secret(self) -> bool:
        return self.kind == Kind.PASSWORD

    def choice_codes(self) -> list[str]:
        return [str(code) for code, _label in self.choices()] if self.choices else []

    def described_choices(self) -> str:
        """``den (Đến), di (Đi)``: what a person may type, with what it means."""
        if self.kind == Kind.DOC_TYPE:
            from registry.constants import accepted_document_types

            return accepted_document_types()
        return ", ".join(f"{code} ({label})" for code, label in self.choices()) if self.choices else ""


def _direction():
    from registry.constants import Direction

    return list(Direction.choices)


def _level():
    from registry.constants import Level

    return list(Level.choices)


def _urgency():
    from registry.constants import Urgency

    return list(Urgency.choices)


def _sequence():
    return [("party", _("theo loại văn bản, cả nhiệm kỳ")), ("congress", _("dãy số chung của Đại hội"))]


_DATE_HELP = _("Dạng YYYY-MM-DD (hoặc DD/MM/YYYY).")

FIELDS: tuple[RegistrationField, ...] = (
    RegistrationField("file", Kind.FILE, _("Tệp tài liệu"), target=Target.FILE, column="file",
                      help=_("PDF, DOCX, ODT, văn bản thuần hoặc ảnh quét. Để trống nếu chỉ đăng ký bản giấy.")),
    RegistrationField("pdf_password", Kind.PASSWORD, _("Mật khẩu mở tệp PDF"), target=Target.INTAKE,
                      option="--pdf-password", column="pdf_password", max_length=512,
                      help=_("Chỉ khi tệp PDF bị khóa bằng mật khẩu. Mật khẩu chỉ dùng để mở tệp lúc đăng ký: "
                             "không được lưu, không ghi vào nhật ký.")),
    RegistrationField("direction", Kind.CHOICE, _("Loại sổ"), required=True, option="--direction",
                      column="direction", choices=_direction, initial="den",
                      help=_("Tài liệu đến hay tài liệu đi.")),
    RegistrationField("level", Kind.CHOICE, _("Độ mật"), required=True, option="--level", column="level",
                      choices=_level, initial="mat"),
    RegistrationField("urgency", Kind.CHOICE, _("Độ khẩn"), option="--urgency", column="urgency",
                      choices=_urgency, initial="thuong"),
    RegistrationField("number", Kind.TEXT, _("Số, ký hiệu"), required=True, option="--number", column="number",
                      max_length=128,
                      help=_("Ví dụ: 126-QĐ/TW, 26/2020/NĐ-CP, 2663/VPCP-NC. Văn bản đi do cơ quan ban hành: "
                             "ghi auto để cấp số tiếp theo.")),
    RegistrationField("sequence", Kind.CHOICE, _("Dãy số cấp tự động"), option="--sequence", column="sequence",
                      choices=_sequence,
                      help=_("Chỉ dùng khi số, ký hiệu là auto; để trống là theo loại văn bản.")),
    RegistrationField("doc_type", Kind.DOC_TYPE, _("Tên loại"), required=True, option="--type", column="type",
                      aliases=("doc_type",),
                      help=_("Chữ viết tắt hoặc tên đầy đủ, có dấu hay không dấu: QĐ, Quyết định, quyet dinh.")),
    RegistrationField("issuer", Kind.TEXT, _("Cơ quan ban hành"), required=True, option="--issuer",
                      column="issuer", max_length=255),
    RegistrationField("issue_date", Kind.DATE, _("Ngày tháng văn bản"), option="--date", column="date",
                      aliases=("issue_date",), help=_DATE_HELP),
    RegistrationField("arrival_date", Kind.DATE, _("Ngày đến"), option="--arrival-date", column="arrival_date",
                      aliases=("arrival",), help=_("Chỉ với tài liệu đến; để trống là hôm nay.")),
    RegistrationField("title", Kind.TEXT, _("Tên/tiêu đề tài liệu"), required=True, option="--title",
                      column="title", max_length=255),
    RegistrationField("summary", Kind.LONG_TEXT, _("Trích yếu"), option="--summary", column="summary", rows=3,
                      help=_("Tài liệu Tuyệt mật: không ghi trích yếu (trừ khi có ý kiến cho phép theo quy định "
                             "đang có hiệu lực).")),
    RegistrationField("summary_authorised_by", Kind.TEXT, _("Người cho phép ghi trích yếu"),
                      option="--summary-authorised-by", column="summary_authorised_by", max_length=255),
    RegistrationField("signer", Kind.TEXT, _("Người ký"), option="--signer", column="signer", max_length=255),
    RegistrationField("level_decided_on", Kind.DATE, _("Ngày xác định độ mật"), option="--level-decided-on",
                      column="level_decided_on", help=_("Để trống: ngày văn bản.")),
    RegistrationField("protection_years", Kind.INTEGER, _("Thời hạn bảo vệ (năm)"), option="--protection-years",
                      column="protection_years", min_value=1, max_value=100,
                      help=_("Để trống: theo thời hạn cơ bản của độ mật.")),
    RegistrationField("copies_count", Kind.INTEGER, _("Số lượng bản"), option="--copies", column="copies",
                      aliases=("copies_count",), min_value=1, max_value=10000, initial=1),
    RegistrationField("recall", Kind.BOOLEAN, _("Tài liệu thu hồi"), option="--recall", column="recall"),
    RegistrationField("named_addressee_only", Kind.BOOLEAN, _("Chỉ người có tên mới được bóc bì"),
                      option="--named", column="named", aliases=("named_addressee_only",)),
    RegistrationField("recipients", Kind.LONG_TEXT, _("Nơi nhận"), option="--recipients", column="recipients"),
    RegistrationField("unit", Kind.CATALOGUE, _("Đơn vị xử lý/lưu"), option="--unit", column="unit",
                      catalogue="Unit", help=_("Mã đơn vị.")),
    RegistrationField("location", Kind.CATALOGUE, _("Vị trí lưu trữ"), option="--location", column="location",
                      catalogue="StorageLocation", help=_("Mã vị trí lưu trữ.")),
    RegistrationField("dossier", Kind.CATALOGUE, _("Hồ sơ"), option="--dossier", column="dossier",
                      catalogue="Dossier", help=_("Mã hồ sơ.")),
    RegistrationField("notes", Kind.LONG_TEXT, _("Ghi chú"), option="--notes", column="notes"),
    RegistrationField("allow_same_number", Kind.BOOLEAN, _("Vẫn đăng ký (bản thứ hai của cùng văn bản)"),
                      option="--allow-same-number", column="allow_same_number",
                      help=_("Cơ quan ban hành đã có văn bản cùng số, ký hiệu trong sổ: chỉ đánh dấu khi đây đúng "
                             "là một bản nữa của cùng văn bản.")),
)

BY_NAME = {spec.name: spec for spec in FIELDS}
METADATA_NAMES = tuple(spec.name for spec in FIELDS if spec.target == Target.METADATA)
REQUIRED_NAMES = tuple(spec.name for spec in FIELDS if spec.required)
CLI_FIELDS = tuple(spec for spec in FIELDS if spec.option)
MANIFEST_COLUMNS = tuple(spec.column for spec in FIELDS if spec.column)


def column_key(name: str) -> str:
    """A manifest column or CLI spelling in canonical form: lower case, ``_`` for ``-`` and spaces."""
    return (name or "").strip().lower().replace("-", "_").replace(" ", "_")


_BY_COLUMN = {}
for _spec in FIELDS:
    for _spelling in (_spec.column, _spec.name, *_spec.aliases):
        if _spelling:
            _BY_COLUMN[column_key(_spelling)] = _spec.name


def field_for_column(column: str) -> str | None:
    """The field a manifest column (in any accepted spelling) fills, or None for an unknown column."""
    return _BY_COLUMN.get(column_key(column))


def label_of(name: str) -> str:
    """The label a person reads for a field name (the name itself when it is not a registration field)."""
    spec = BY_NAME.get(name)
    return str(spec.label) if spec else name


def split_values(values: dict) -> tuple[dict, dict, Any]:
    """Split values keyed by field name into (metadata, intake keywords, file); blanks are dropped.

    The intake keywords (the PDF password) are only passed to the front door: never stored or logged.
    """
    metadata, intake, upload = {}, {}, None
    for name, value in values.items():
        spec = BY_NAME.get(name)
        if spec is None or value is None or (isinstance(value, str) and value == ""):
            continue
        if spec.target == Target.FILE:
            upload = value
        elif spec.target == Target.INTAKE:
            intake[name] = value
        else:
            metadata[name] = value.strip() if isinstance(value, str) and not spec.secret else value
    return metadata, intake, upload


def described(spec: RegistrationField) -> str:
    """Label, help and (for closed lists) what may be typed, in one text: the CLI and API help."""
    parts = [str(spec.label), str(spec.help)]
    if spec.kind in (Kind.CHOICE, Kind.DOC_TYPE):
        parts.append(f"Giá trị: {spec.described_choices()}")
    return " ".join(part.rstrip(".") + "." for part in parts if part)


def cli_help(spec: RegistrationField) -> str:
    return described(spec).replace("%", "%%")  # argparse formats help with %


def api_help(spec: RegistrationField) -> str:
    return described(spec)
