"""API representations. Input goes through ``DocumentMetadata.from_mapping`` (one parser for every path)."""

from rest_framework import serializers

from registry.models import Document


class DocumentSerializer(serializers.ModelSerializer):
    register = serializers.SerializerMethodField()
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    doc_type_label = serializers.CharField(source="get_doc_type_display", read_only=True)
    handling_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    storage_location = serializers.SlugRelatedField(slug_field="code", read_only=True)
    dossier = serializers.SlugRelatedField(slug_field="code", read_only=True)
    paper_only = serializers.BooleanField(source="is_paper_only", read_only=True)

    class Meta:
        model = Document
        fields = [
            "id", "register", "serial", "direction", "arrival_date", "arrival_number", "number_raw",
            "number_normalized", "doc_type", "doc_type_label", "issuer", "issue_date", "title", "summary",
            "signer", "level", "level_label", "urgency", "protection_expires_on", "copies_count", "recall",
            "named_addressee_only", "recipients", "handling_unit", "storage_location", "dossier", "notes",
            "paper_only", "mime_type", "page_count", "original_filename", "sha256", "voided", "void_reason",
            "voided_at", "declassified_on", "destroyed_on", "created_at",
        ]
        read_only_fields = fields

    def get_register(self, obj) -> dict:
        book = obj.register
        return {"id": book.pk, "code": book.code, "title": str(book.title), "year": book.year,
                "direction": book.direction, "secret": book.secret}


class RegisterInputSerializer(serializers.Serializer):
    """Documents the input of ``POST /api/v1/documents/`` for the schema; parsing is done by DocumentMetadata."""

    file = serializers.FileField(required=False, help_text="The document (multipart). Omit for paper-only.")
    direction = serializers.ChoiceField(choices=["den", "di"])
    level = serializers.CharField()
    number = serializers.CharField()
    doc_type = serializers.CharField()
    issuer = serializers.CharField()
    title = serializers.CharField()
    issue_date = serializers.DateField(required=False)
    arrival_date = serializers.DateField(required=False)
    summary = serializers.CharField(required=False)
    urgency = serializers.CharField(required=False)
    signer = serializers.CharField(required=False)
    level_decided_on = serializers.DateField(required=False)
    protection_years = serializers.IntegerField(required=False)
    copies_count = serializers.IntegerField(required=False)
    recall = serializers.BooleanField(required=False)
    named_addressee_only = serializers.BooleanField(required=False)
    recipients = serializers.CharField(required=False)
    location = serializers.CharField(required=False, help_text="StorageLocation code")
    dossier = serializers.CharField(required=False, help_text="Dossier code")
    unit = serializers.CharField(required=False, help_text="Unit code")
    notes = serializers.CharField(required=False)
    summary_authorised_by = serializers.CharField(required=False)


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
