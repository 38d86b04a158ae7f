"""API representations. Input goes through ``DocumentMetadata.from_mapping`` (one parser for every path)."""

from rest_framework import serializers

from registry.intake.schema import FIELDS, Kind, RegistrationField, api_help
from registry.models import Document


class DocumentSerializer(serializers.ModelSerializer):
    register = serializers.SerializerMethodField()
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    doc_type_label = serializers.CharField(source="get_doc_type_display", read_only=True)
    handling_unit = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    storage_location = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    dossier = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    paper_only = serializers.BooleanField(source="is_paper_only", read_only=True)

    class Meta:
        model = Document
        fields = [
            "id", "register", "serial", "direction", "arrival_date", "arrival_number", "number_raw",
            "number_normalized", "doc_type", "doc_type_label", "issuer", "issue_date", "title", "summary",
            "signer", "level", "level_label", "urgency", "protection_expires_on", "copies_count", "recall",
            "named_addressee_only", "recipients", "handling_unit", "storage_location", "dossier", "notes",
            "paper_only", "mime_type", "page_count", "content_status", "ocr_status", "original_filename", "sha256",
            "voided", "void_reason",
            "voided_at", "declassified_on", "destroyed_on", "created_at",
        ]
        read_only_fields = fields

    def get_register(self, obj) -> dict:
        book = obj.register
        return {"id": book.pk, "code": book.code, "title": str(book.title), "year": book.year,
                "direction": book.direction, "secret": book.secret}


def registration_serializer_field(spec: RegistrationField) -> serializers.Field:
    """The API field of one registration field (``registry.intake.schema``): documents the input in the
    OpenAPI schema; parsing is ``DocumentMetadata.from_mapping``'s, as on every other surface."""
    common = {"required": spec.required, "help_text": api_help(spec), "label": str(spec.label)}
    kind = spec.kind
    if kind == Kind.FILE:
        return serializers.FileField(**common)
    if kind == Kind.PASSWORD:
        return serializers.CharField(write_only=True, allow_blank=True, trim_whitespace=False,
                                     max_length=spec.max_length, style={"input_type": "password"}, **common)
    if kind in (Kind.TEXT, Kind.LONG_TEXT, Kind.CATALOGUE, Kind.DOC_TYPE):
        return serializers.CharField(allow_blank=not spec.required, max_length=spec.max_length, **common)
    if kind == Kind.DATE:
        return serializers.DateField(**common)
    if kind == Kind.INTEGER:
        return serializers.IntegerField(min_value=spec.min_value, max_value=spec.max_value, **common)
    if kind == Kind.BOOLEAN:
        return serializers.BooleanField(**common)
    if kind == Kind.CHOICE:
        return serializers.ChoiceField(choices=spec.choice_codes(), allow_blank=not spec.required, **common)
    raise ValueError(f"no API field for {kind}")


# The input of ``POST /api/v1/documents/`` (multipart with a file, or JSON for paper-only), one field per
# registration field of the schema.
RegisterInputSerializer = type(serializers.Serializer)(
    "RegisterInputSerializer", (serializers.Serializer,),
    {"__module__": __name__, "__doc__": "Register a document: the fields of registry.intake.schema.FIELDS.",
     **{spec.name: registration_serializer_field(spec) for spec in FIELDS}},
)


class PurposeSerializer(serializers.Serializer):
    purpose = serializers.CharField(required=False, allow_blank=True)
    preview = serializers.BooleanField(required=False, default=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()
