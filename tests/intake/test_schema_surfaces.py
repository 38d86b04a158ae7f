"""One registration schema: the web form, the API serializer and its OpenAPI schema, `registry intake --help`
and the manifest header are each derived from ``registry.intake.schema.FIELDS``; these tests fail when one
surface drifts (a field added, renamed or dropped on one side only)."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from registry.api.serializers import RegisterInputSerializer
from registry.forms import DocumentRegisterForm
from registry.intake.manifest import manifest_header
from registry.intake.schema import CLI_FIELDS, FIELDS, MANIFEST_COLUMNS, Kind, field_for_column
from tests.intake.cli import registry, sqlite_env

NAMES = [spec.name for spec in FIELDS]
REQUIRED = {spec.name for spec in FIELDS if spec.required}

# The public spellings of before the schema: they must keep working exactly.
LEGACY_OPTIONS = {
    "--direction", "--level", "--number", "--sequence", "--type", "--issuer", "--date", "--title", "--summary",
    "--urgency", "--location", "--signer", "--arrival-date", "--recipients", "--copies", "--dossier", "--unit",
    "--notes", "--level-decided-on", "--protection-years", "--summary-authorised-by", "--recall", "--named",
}
LEGACY_COLUMNS = {
    "file", "direction", "level", "number", "sequence", "type", "issuer", "date", "title", "summary", "urgency",
    "location", "signer", "arrival_date", "arrival-date", "arrival", "recipients", "copies", "copies_count",
    "dossier", "unit", "notes", "level_decided_on", "level-decided-on", "protection_years", "summary_authorised_by",
    "recall", "named", "named_addressee_only", "doc_type", "issue_date",
}
# Options of the command that are not registration fields (how to run, not what to register).
RUN_OPTIONS = {"--manifest", "--actor", "--filename", "--json", "--no-progress", "--manifest-template", "--help",
               "--version", "--verbosity", "--settings", "--pythonpath", "--traceback", "--no-color",
               "--force-color", "--skip-checks"}


def test_schema_itself_is_coherent():
    assert len(set(NAMES)) == len(NAMES)
    assert {"sequence", "pdf_password", "allow_same_number", "file"} <= set(NAMES)
    assert REQUIRED == {"direction", "level", "number", "doc_type", "issuer", "title"}
    assert len(set(MANIFEST_COLUMNS)) == len(MANIFEST_COLUMNS)
    for spec in FIELDS:
        assert str(spec.label) and spec.column, spec.name  # every field has a Vietnamese label and a column


def test_web_form_fields_are_the_schema():
    form = DocumentRegisterForm()
    web_only = {"held_file"}  # the token of a file kept from a refused submission
    assert [name for name in form.fields if name not in web_only] == NAMES
    for spec in FIELDS:
        field = form.fields[spec.name]
        assert field.label == spec.label and field.help_text == spec.help, spec.name
        assert field.required == (spec.required and spec.kind != Kind.BOOLEAN), spec.name
        if spec.kind == Kind.CHOICE:
            assert {str(c) for c, _label in field.choices} - {""} == set(spec.choice_codes()), spec.name
    assert form.fields["pdf_password"].widget.input_type == "password"
    assert form.fields["pdf_password"].widget.render_value is False


@pytest.mark.django_db
def test_api_serializer_and_openapi_are_the_schema(clerk):
    assert list(RegisterInputSerializer().fields) == NAMES
    client = APIClient()
    client.force_authenticate(user=clerk)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    body = schema["paths"]["/api/v1/documents/"]["post"]["requestBody"]["content"]
    for media_type in ("multipart/form-data", "application/json"):
        ref = body[media_type]["schema"]["$ref"].rsplit("/", 1)[-1]
        component = schema["components"]["schemas"][ref]
        assert list(component["properties"]) == NAMES, media_type
        assert set(component.get("required", [])) == REQUIRED, media_type
        assert component["properties"]["pdf_password"].get("writeOnly") is True
        assert enum_of(component["properties"]["sequence"], schema) == {"party", "congress", ""}
        assert enum_of(component["properties"]["direction"], schema) == {"den", "di"}
        assert "Nghị quyết" in component["properties"]["doc_type"]["description"]


def enum_of(prop: dict, schema: dict) -> set:
    """The values an OpenAPI property allows, through $ref / allOf / oneOf."""
    if "$ref" in prop:
        return enum_of(schema["components"]["schemas"][prop["$ref"].rsplit("/", 1)[-1]], schema)
    values = set(prop.get("enum", []))
    for part in prop.get("allOf", []) + prop.get("oneOf", []):
        values |= enum_of(part, schema)
    return values


def test_cli_options_are_the_schema(tmp_path):
    # The real console entry point, as a clerk runs it.
    result = registry(["intake", "--help"], sqlite_env(tmp_path), check=True, timeout=120)
    text = result.stdout
    options = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", text))
    schema_options = {spec.option for spec in CLI_FIELDS}
    assert options - RUN_OPTIONS == schema_options
    assert LEGACY_OPTIONS <= options
    assert {"--sequence", "--pdf-password", "--allow-same-number"} <= options
    # Every registration field but the file (the positional FILE) is an option.
    assert {spec.name for spec in CLI_FIELDS} == set(NAMES) - {"file"}


def test_manifest_header_is_the_schema():
    out = io.StringIO()
    call_command("intake", "--manifest-template", stdout=out)
    header = next(csv.reader(io.StringIO(out.getvalue())))
    assert header == list(MANIFEST_COLUMNS) == manifest_header()
    assert {field_for_column(column) for column in header} == set(NAMES)
    for column in LEGACY_COLUMNS:
        assert field_for_column(column) is not None, column
    # Spelling never matters: case, "-" or "_", spaces.
    assert field_for_column(" Allow-Same-Number ") == "allow_same_number"
    assert field_for_column("PDF password") == "pdf_password"
    assert field_for_column("tittle") is None
