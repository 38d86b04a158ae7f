"""Registering, editing and voiding register entries."""

import datetime as dt
from dataclasses import asdict, dataclass, field, fields, replace

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from registry.access import Perm, can_do
from registry.audit.context import RequestContext
from registry.audit.log import record
from registry.constants import (
    accepted_document_types,
    resolve_document_type,
    LEVEL_BASE_TERM_YEARS,
    Action,
    Direction,
    Level,
    Urgency,
)
from registry.actions.guard import refusals_logged, require
from registry.errors import DuplicateError, ErrorCode, MetadataError, PermissionDeniedError, RegistryError
from registry.models import Document, Dossier, StorageLocation, Unit
from registry.numbering import format_party_number, parse_number, validate_own_number
from registry.registers.numbering import (
    allocate_number,
    allocate_serial,
    book_for,
    congress_sequence_key,
    party_sequence_key,
)
from registry.signals import document_changed
from registry.text import clean_line, fold, nfc


@dataclass(frozen=True)
class StoredFile:
    """What intake produced for a file: where the bytes are and what they are (see ``registry.intake``)."""

    name: str  # storage name of the original bytes
    sha256: str
    size: int
    mime_type: str
    original_filename: str
    rendition_name: str = ""
    page_count: int | None = None
    text: str = ""
    repair_warnings: tuple = ()  # what a reader had to repair (intake)
    pdf_restrictions: str = ""  # the sender's PDF permissions, in words
    ocr_status: str = ""  # "", "pending", "done" or "failed"
    content_status: str = ""  # "pending": text/OCR/layout still to come from the background task


@dataclass(frozen=True)
class DocumentMetadata:
    """The register fields of a document, as typed by a clerk, a CSV manifest or an API client."""

    direction: str
    level: str
    number: str
    doc_type: str
    issuer: str
    title: str
    issue_date: dt.date | None = None
    summary: str = ""
    urgency: str = Urgency.NONE
    signer: str = ""
    arrival_date: dt.date | None = None
    level_decided_on: dt.date | None = None
    protection_years: int | None = None
    copies_count: int = 1
    recall: bool = False
    named_addressee_only: bool = False
    recipients: str = ""
    location: str = ""  # StorageLocation code
    dossier: str = ""  # Dossier code
    unit: str = ""  # handling Unit code
    notes: str = ""
    summary_authorised_by: str = ""
    # For outgoing documents numbered by the office: number "auto" takes the next number of this sequence,
    # "party" (per type for the committee term, the default) or "congress" (the congress's shared one).
    sequence: str = ""
    # The same issuer already has this number in a register the actor sees: register anyway (a second copy).
    allow_same_number: bool = False
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: dict) -> "DocumentMetadata":
        """Build from strings (CLI options, CSV rows, form data); raises MetadataError naming the field."""
        known = {f.name for f in fields(cls)} - {"extra"}
        values = {}
        for name in known:
            if name not in data or data[name] is None or data[name] == "":
                continue
            values[name] = _coerce(name, data[name])
        missing = [n for n in ("direction", "level", "number", "doc_type", "issuer", "title") if n not in values]
        if missing:
            raise MetadataError(f"Thiếu trường bắt buộc: {', '.join(label_of(n) for n in missing)}.",
                                field=missing[0])
        return cls(**values)

    def normalised(self) -> "DocumentMetadata":
        text_fields = ("number", "issuer", "title", "signer", "location", "dossier", "unit", "doc_type",
                       "summary_authorised_by", "sequence")
        changes = {name: clean_line(getattr(self, name)) for name in text_fields}
        changes.update({name: nfc(getattr(self, name)).strip() for name in ("summary", "recipients", "notes")})
        return replace(self, **changes)


def label_of(name: str) -> str:
    """The label a clerk reads for a field (the registration schema's), never the internal name."""
    from registry.intake.schema import label_of as schema_label

    return schema_label(name)


_DATE_FIELDS = {"issue_date", "arrival_date", "level_decided_on"}
_INT_FIELDS = {"protection_years", "copies_count"}
_BOOL_FIELDS = {"recall", "named_addressee_only", "allow_same_number"}


def _coerce(name, value):
    if name in _DATE_FIELDS:
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise MetadataError(f"{label_of(name)}: «{text}» không phải ngày hợp lệ (dạng YYYY-MM-DD).", field=name)
    if name in _INT_FIELDS:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise MetadataError(f"{label_of(name)} phải là số nguyên: «{value}».", field=name) from None
        if number < 0 or number > 100000:
            raise MetadataError(f"{label_of(name)} ngoài giới hạn: {number}.", field=name)
        return number
    if name in _BOOL_FIELDS:
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in {"1", "true", "yes", "co", "có", "x"}
    return str(value)


def check_term(level, years, decided_on) -> None:
    """Refuse a protection term longer than the level's base term under the rules then in force."""
    from registry.rules import rules_on

    cap = rules_on(decided_on).max_term(level)
    if years and cap and years > cap:
        raise MetadataError(f"Thời hạn bảo vệ tối đa của độ mật này là {cap} năm.", field="protection_years",
                            code=ErrorCode.TERM_NOT_ALLOWED)


def summary_rule(on: dt.date) -> str:
    """The tuyet_mat summary rule in force on a date (settings.REGISTRY_SUMMARY_RULES)."""
    rule = "allowed"
    for item in sorted(settings.REGISTRY_SUMMARY_RULES, key=lambda r: r["effective"]):
        if dt.date.fromisoformat(item["effective"]) <= on:
            rule = item["tuyet_mat_summary"]
    return rule


def validate_metadata(meta: DocumentMetadata) -> DocumentMetadata:
    meta = meta.normalised()
    if meta.direction not in Direction.values:
        raise MetadataError(f"Loại không hợp lệ: «{meta.direction}» (den hoặc di)", field="direction")
    if meta.level not in Level.values:
        raise MetadataError(f"Độ mật không hợp lệ: «{meta.level}»", field="level")
    if meta.urgency not in Urgency.values:
        raise MetadataError(f"Độ khẩn không hợp lệ: «{meta.urgency}»", field="urgency")
    doc_type = resolve_document_type(meta.doc_type)  # a code or a name, with or without diacritics
    if doc_type is None:
        raise MetadataError(f"Không có tên loại «{meta.doc_type}». Nhận các loại: {accepted_document_types()}.",
                            field="doc_type")
    meta = replace(meta, doc_type=doc_type)
    if meta.sequence and meta.sequence not in OWN_SEQUENCES:
        raise MetadataError(f"Dãy số không hợp lệ: «{meta.sequence}» (party hoặc congress)", field="sequence")
    if is_auto_number(meta.number) and meta.direction != Direction.OUTGOING:
        raise MetadataError("Chỉ văn bản đi do cơ quan ban hành mới được cấp số tự động.", field="number")
    if meta.direction == Direction.OUTGOING and not is_auto_number(meta.number) and _issued_here(meta):
        # Accept incoming symbols leniently; validate strictly only what the office issues itself.
        try:
            validate_own_number(meta.number)
        except ValueError as exc:
            raise MetadataError(f"Số, ký hiệu không đúng dạng N-LOẠI/KÝ HIỆU: {exc}", field="number") from None
    for name, limit in (("title", 255), ("number", 128), ("issuer", 255), ("signer", 255)):
        if len(getattr(meta, name)) > limit:
            raise MetadataError(f"{label_of(name)} dài quá {limit} ký tự.", field=name)
    if not meta.title:
        raise MetadataError("Thiếu tên/tiêu đề tài liệu", field="title")
    if meta.level == Level.TUYET_MAT and meta.summary:
        rule = summary_rule(entry_date(meta))
        if rule == "never" or (rule == "authorised_only" and not meta.summary_authorised_by):
            raise MetadataError(
                "Không được ghi trích yếu của tài liệu Tuyệt mật"
                + (" khi chưa có ý kiến cho phép" if rule == "authorised_only" else ""),
                field="summary",
                code=ErrorCode.SUMMARY_NOT_ALLOWED,
            )
    today = timezone.localdate()
    for name in _DATE_FIELDS:
        value = getattr(meta, name)
        if value and value > today + dt.timedelta(days=1):
            raise MetadataError(f"{label_of(name)} ở tương lai: {value}.", field=name)
    return meta


OWN_SEQUENCES = ("party", "congress")


def is_auto_number(number: str) -> bool:
    return number.strip().lower() == "auto"


def _issued_here(meta: DocumentMetadata) -> bool:
    own = settings.REGISTRY_SYMBOL, settings.REGISTRY_CONGRESS_SYMBOL
    return meta.issuer == settings.REGISTRY_BODY or parse_number(meta.number).issuer in own


def issue_own_number(meta: DocumentMetadata) -> str:
    """The next number the office issues for ``meta`` (inside the registering transaction).

    A number is never reused: numbers a clerk typed by hand are skipped by the sequence.
    """
    if meta.sequence == "congress":
        key, symbol = congress_sequence_key(), settings.REGISTRY_CONGRESS_SYMBOL
    else:
        key, symbol = party_sequence_key(meta.doc_type), settings.REGISTRY_SYMBOL
    while True:
        number = format_party_number(allocate_number(key), meta.doc_type, symbol)
        if _number_holder(number) is None:
            return number


def _number_holder(number: str) -> int | None:
    """The id of the outgoing document that holds ``number`` already, if any (internal: never shown)."""
    normalized = parse_number(number).normalized
    return (Document.objects.filter(direction=Direction.OUTGOING, number_normalized=normalized)
            .values_list("pk", flat=True).first())


def number_in_use_error(number: str, holder_id: int) -> MetadataError:
    """The refusal of a number already issued: it says that, never by what (the guard logs ``holder_id``)."""
    error = MetadataError(f"Số «{number}» đã được cấp, không dùng lại được.", field="number",
                          code=ErrorCode.NUMBER_IN_USE)
    error.related_id = holder_id
    return error


def same_number_documents(meta: DocumentMetadata, actor) -> list[Document]:
    """Entries of the same issuer with the same number (any spelling) that ``actor`` may see, not voided.

    A second copy of one document is a real case, so this only warns (``same_number_error``). Only
    documents visible to ``actor`` are looked at: the check never confirms that a hidden document exists.
    """
    from registry.access import visible_documents

    parsed = parse_number(meta.number)
    if not parsed.tokens:
        return []
    candidates = Document.objects.filter(voided=False)
    if parsed.value is not None:
        candidates = candidates.filter(number_value=parsed.value)
    else:
        candidates = candidates.filter(number_normalized=parsed.normalized)
    issuer = fold(clean_line(meta.issuer)).lower()
    return [
        doc for doc in visible_documents(actor, candidates.select_related("register")).order_by("pk")
        if parse_number(doc.number_raw).tokens == parsed.tokens and fold(clean_line(doc.issuer)).lower() == issuer
    ]


def same_number_error(meta: DocumentMetadata, documents: list[Document]) -> MetadataError:
    """The warning that asks for a confirmation (web checkbox, ``--allow-same-number``, ``allow_same_number``)."""
    entries = ", ".join(f"#{doc.pk} (số thứ tự {doc.serial}, {doc.register.title})" for doc in documents[:5])
    error = MetadataError(
        f"Cơ quan ban hành «{meta.issuer}» đã có văn bản số «{meta.number}» trong sổ: {entries}. "
        "Nếu đây là bản thứ hai của cùng văn bản, hãy xác nhận «Vẫn đăng ký» để đăng ký tiếp.",
        field="number", code=ErrorCode.SAME_NUMBER,
    )
    error.details["existing_ids"] = [doc.pk for doc in documents]
    error.existing_ids = [doc.pk for doc in documents]
    error.related_id = documents[0].pk  # visible to the actor: the refusal's entry names it
    return error


def entry_date(meta: DocumentMetadata) -> dt.date:
    """The date of the register entry: arrival for incoming, issue date for outgoing, else today."""
    if meta.direction == Direction.INCOMING and meta.arrival_date:
        return meta.arrival_date
    if meta.direction == Direction.OUTGOING and meta.issue_date:
        return meta.issue_date
    return timezone.localdate()


def _lookup(model, code, field_name, error_code):
    if not code:
        return None
    obj = model.objects.filter(code=code).first()
    if obj is None:
        raise MetadataError(f"Không có mã «{code}»", field=field_name, code=error_code)
    return obj


def _registry_collection():
    """Wagtail's root collection (every registered document sits in it; access is the policy's job, not
    collections'). Created if a database lost it, so registration never depends on Wagtail's seed rows."""
    from wagtail.models import Collection

    root = Collection.get_first_root_node()
    return root if root is not None else Collection.add_root(name="Root")


def _notify_changed(document_id: int):
    transaction.on_commit(lambda: document_changed.send(sender=Document, document_id=document_id))


def do_register_document(
    meta: DocumentMetadata, *, actor, ctx: RequestContext | None = None, stored: StoredFile | None = None
) -> Document:
    """Register one document (with its stored file, or paper-only) in the right book; one log entry.

    Raises MetadataError / DuplicateError / PermissionDeniedError; on any error nothing is written here:
    the refusal's one entry is written by the front door (``registry.intake.register_file`` /
    ``register_paper``, through ``registration_refusals_logged``), outside the transaction that the error
    rolls back. Errors about another document carry its id only internally (``related_id``).
    """
    if not can_do(actor, Perm.REGISTER):
        raise PermissionDeniedError("Người dùng không có quyền đăng ký tài liệu.")
    meta = validate_metadata(meta)
    parsed = parse_number(meta.number)
    on = entry_date(meta)
    decided = meta.level_decided_on or meta.issue_date or on
    years = meta.protection_years or LEVEL_BASE_TERM_YEARS.get(meta.level)
    check_term(meta.level, meta.protection_years, decided)
    expires = None
    if years and meta.level != Level.THUONG:
        try:
            expires = decided.replace(year=decided.year + years)
        except ValueError:  # 29 February
            expires = decided.replace(year=decided.year + years, day=28)
    with transaction.atomic():
        location = _lookup(StorageLocation, meta.location, "location", ErrorCode.UNKNOWN_LOCATION)
        dossier = _lookup(Dossier, meta.dossier, "dossier", ErrorCode.UNKNOWN_DOSSIER)
        unit = _lookup(Unit, meta.unit, "unit", ErrorCode.UNKNOWN_UNIT)
        if stored is not None:
            existing = Document.objects.filter(sha256=stored.sha256).values_list("pk", flat=True).first()
            if existing:
                raise DuplicateError(existing, stored.sha256)
        if is_auto_number(meta.number):
            meta = replace(meta, number=issue_own_number(meta))
            parsed = parse_number(meta.number)
        else:
            if meta.direction == Direction.OUTGOING and _issued_here(meta):
                holder = _number_holder(meta.number)
                if holder is not None:
                    raise number_in_use_error(meta.number, holder)
            if not meta.allow_same_number:
                same = same_number_documents(meta, actor)
                if same:
                    raise same_number_error(meta, same)
        book = book_for(meta.direction, meta.level != Level.THUONG, on.year)
        serial = allocate_serial(book)
        document = Document(
            title=meta.title,
            direction=meta.direction,
            register=book,
            serial=serial,
            arrival_date=(meta.arrival_date or on) if meta.direction == Direction.INCOMING else None,
            arrival_number=serial if meta.direction == Direction.INCOMING else None,
            number_raw=meta.number,
            number_normalized=parsed.normalized,
            number_value=parsed.value,
            doc_type=meta.doc_type,
            issuer=meta.issuer,
            issue_date=meta.issue_date,
            signer=meta.signer,
            summary=meta.summary,
            summary_authorised_by=meta.summary_authorised_by,
            level=meta.level,
            level_decided_on=decided if meta.level != Level.THUONG else None,
            protection_years=years if meta.level != Level.THUONG else None,
            protection_expires_on=expires,
            urgency=meta.urgency,
            copies_count=meta.copies_count,
            recall=meta.recall,
            named_addressee_only=meta.named_addressee_only,
            recipients=meta.recipients,
            handling_unit=unit,
            storage_location=location,
            dossier=dossier,
            notes=meta.notes,
            uploaded_by_user=actor,
            collection=_registry_collection(),
        )
        if stored is not None:
            document.file.name = stored.name
            document.rendition.name = stored.rendition_name
            document.sha256 = stored.sha256
            document.file_size = stored.size
            document.mime_type = stored.mime_type
            document.page_count = stored.page_count
            document.original_filename = stored.original_filename
            document.extracted_text = stored.text
            document.repair_warnings = list(stored.repair_warnings)
            document.pdf_restrictions = stored.pdf_restrictions
            document.ocr_status = stored.ocr_status
            document.content_status = stored.content_status
        document.save()
        record(Action.REGISTER, actor=actor, ctx=ctx, document=document,
               extra={"register": book.code, "serial": serial})
        _notify_changed(document.pk)
    return document


EDITABLE_FIELDS = (
    "title", "summary", "signer", "issuer", "issue_date", "urgency", "copies_count", "recall",
    "named_addressee_only", "recipients", "notes", "storage_location", "dossier", "handling_unit",
)


def registration_refusals_logged(*, actor, ctx: RequestContext | None = None):
    """Wrap a whole registration (intake's front door): a refused one writes exactly one REFUSED entry.

    A duplicate or a number in use is logged with the other document's id (``hidden_id`` when the actor
    may not see it) and the actor's error names that document only if the actor may see it.
    """
    return refusals_logged(Action.REGISTER, actor=actor, ctx=ctx)


def do_edit_document(document: Document, changes: dict, *, actor, ctx: RequestContext | None = None) -> Document:
    """Change descriptive fields of an entry (never its serial, register or level: those have their own acts).

    Every refusal (policy, validation, state) writes one REFUSED entry; a hidden document answers
    ``NotFoundError`` and is logged by requested id only.
    """
    require(Perm.EDIT, Action.EDIT, document, actor=actor, ctx=ctx)
    with refusals_logged(Action.EDIT, actor=actor, ctx=ctx, document=document):
        return _edit_document(document, changes, actor=actor, ctx=ctx)


def _edit_document(document, changes, *, actor, ctx):
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise MetadataError(f"Không được sửa trường: {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    if document.level == Level.TUYET_MAT and changes.get("summary"):
        if summary_rule(timezone.localdate()) != "allowed":
            raise MetadataError("Không được ghi trích yếu của tài liệu Tuyệt mật", field="summary",
                                code=ErrorCode.SUMMARY_NOT_ALLOWED)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        before = {}
        for name, value in changes.items():
            if isinstance(value, str):
                value = nfc(value).strip()
            before[name] = str(getattr(locked, name + "_id" if name in ("storage_location", "dossier", "handling_unit") else name))
            setattr(locked, name, value)
        locked.save()
        record(Action.EDIT, actor=actor, ctx=ctx, document=locked, extra={"fields": sorted(changes), "before": before})
        _notify_changed(locked.pk)
    return locked


def do_void_entry(document: Document, reason: str, *, actor, ctx: RequestContext | None = None) -> Document:
    """Void a register entry: it stays in its book with the reason; the serial is never reused.

    Every refusal writes one REFUSED entry (hidden documents: requested id only, ``NotFoundError``).
    """
    require(Perm.VOID, Action.VOID, document, actor=actor, ctx=ctx)
    with refusals_logged(Action.VOID, actor=actor, ctx=ctx, document=document):
        return _void_entry(document, reason, actor=actor, ctx=ctx)


def _void_entry(document, reason, *, actor, ctx):
    reason = clean_line(reason or "")
    if not reason:
        raise MetadataError("Phải ghi lý do hủy số.", field="reason")
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.voided:
            raise RegistryError("Số này đã bị hủy.", code=ErrorCode.INVALID_STATE)
        locked.voided = True
        locked.void_reason = reason
        locked.voided_at = timezone.now()
        locked.voided_by = actor
        locked.save(update_fields=["voided", "void_reason", "voided_at", "voided_by", "updated_at"])
        record(Action.VOID, actor=actor, ctx=ctx, document=locked, extra={"reason": reason})
        _notify_changed(locked.pk)
    return locked


def metadata_as_dict(meta: DocumentMetadata) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(meta).items()}
