"""Numbers the office issues itself (domain.md §3): party numbers per type per term, the congress's shared
sequence, strict validation of own numbers, and no number ever reused."""

import io
import json

import pytest
from django.core.management import call_command

from registry.actions.documents import do_register_document
from registry.constants import Level
from registry.errors import ErrorCode, MetadataError
from tests.factories import make_metadata

pytestmark = pytest.mark.django_db

OWN = "Đảng ủy Bộ Công Thương"


def _out(clerk, **kw):
    values = dict(direction="di", level=Level.MAT, number="auto", doc_type="QĐ", issuer=OWN)
    values.update(kw)
    return do_register_document(make_metadata(**values), actor=clerk)


def test_party_numbers_run_per_type_and_congress_shares_one_sequence(clerk):
    assert _out(clerk).number_raw == "1-QĐ/ĐU"
    assert _out(clerk).number_raw == "2-QĐ/ĐU"
    assert _out(clerk, doc_type="HD").number_raw == "1-HD/ĐU"
    assert _out(clerk, sequence="congress", doc_type="BC").number_raw == "1-BC/ĐH"
    assert _out(clerk, sequence="congress", doc_type="QC").number_raw == "2-QC/ĐH"


def test_a_typed_number_is_never_issued_again(clerk):
    _out(clerk, number="3-QĐ/ĐU")
    numbers = [_out(clerk).number_raw for _ in range(3)]
    assert numbers == ["1-QĐ/ĐU", "2-QĐ/ĐU", "4-QĐ/ĐU"]
    with pytest.raises(MetadataError) as err:
        _out(clerk, number="2-QĐ/ĐU")
    assert err.value.code == ErrorCode.NUMBER_IN_USE


def test_own_numbers_are_validated_strictly_incoming_leniently(clerk):
    with pytest.raises(MetadataError) as err:
        _out(clerk, number="QĐ so 5 DU")
    assert err.value.field == "number"
    incoming = do_register_document(make_metadata(direction="den", number="QĐ 126 TW", issuer="Bộ Chính trị"),
                                    actor=clerk)
    assert incoming.number_value == 126
    with pytest.raises(MetadataError):
        do_register_document(make_metadata(direction="den", number="auto"), actor=clerk)


def test_cli_issues_the_next_number(clerk, tmp_path):
    path = tmp_path / "to-trinh.txt"
    path.write_text("Tờ trình về nhân sự Đại hội", encoding="utf-8")
    out = io.StringIO()
    call_command("intake", str(path), "--direction", "di", "--level", "mat", "--number", "auto", "--type", "TTr",
                 "--issuer", OWN, "--date", "2020-05-06", "--title", "Tờ trình nhân sự", "--actor", clerk.username,
                 "--json", "--no-progress", stdout=out)
    record = json.loads(out.getvalue())
    assert record["number"] == "1-TTr/ĐU"
