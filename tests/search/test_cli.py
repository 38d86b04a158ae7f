"""``registry search`` as a public interface: query JSON, errors, status/reconcile/rebuild."""

import io
import json

import pytest
from django.core.management import call_command

from registry.constants import Level, Role
from registry.models import Document
from tests.factories import make_user
from tests.search.corpus import build_corpus

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    code = 0
    try:
        call_command("search", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def test_query_json(engine):
    corpus = build_corpus()
    make_user("canbo", role=Role.STAFF, clearance=Level.MAT)
    code, out = run("126", "QĐ", "TW", "--as", "canbo", "--json")
    data = json.loads(out)
    assert code == 0 and set(data) == {"total", "hits", "facets"}
    top = data["hits"][0]
    assert {"id", "number", "title", "level", "score", "highlight"} <= set(top)
    assert top["id"] == corpus["qd126"].pk and top["number"] == "126-QĐ/TW"
    code, out = run("--as", "canbo", "--level", "mat", "--json")
    assert [h["id"] for h in json.loads(out)["hits"]] == [corpus["mat"].pk]
    code, out = run("", "--as", "canbo", "--from", "2022-01-01", "--to", "2022-12-31", "--type", "NQ", "--json")
    assert [h["id"] for h in json.loads(out)["hits"]] == [corpus["dang"].pk]
    code, out = run("--as", "canbo", "--direction", "di", "--issuer", "Đảng ủy Bộ Công Thương", "--page", "1",
                    "--json")
    assert json.loads(out)["total"] == 1


def test_unknown_user_is_a_json_error(engine):
    code, out = run("bao cao", "--as", "nobody", "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "unknown_user"
    code, out = run("bao cao", "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "unknown_user"


def test_bad_date_is_a_json_error(engine):
    make_user("canbo2", role=Role.STAFF, clearance=Level.MAT)
    code, out = run("x", "--as", "canbo2", "--from", "2020-13-01", "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "invalid_metadata"


def test_status_reconcile_rebuild(engine):
    corpus = build_corpus()
    Document.objects.filter(pk=corpus["dang"].pk)._raw_delete("default")  # entries are never deleted: simulate a lost row
    code, out = run("status", "--json")
    assert code == 0 and json.loads(out)["orphaned"] == [corpus["dang"].pk]
    code, out = run("reconcile", "--json")
    assert code == 0 and json.loads(out)["drift"] == 0
    code, out = run("rebuild", "--json")
    assert code == 0 and json.loads(out)["indexed"] == Document.objects.count()
    code, out = run("status")
    assert "khớp" in out
