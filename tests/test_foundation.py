"""Registry core: register books, gapless serials, voiding, the clearance policy and the chained log."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.http import Http404

from registry.access import Perm, can, get_document_or_404, visible_documents
from registry.actions.documents import do_void_entry
from registry.audit.chain import GENESIS_HASH, entry_hash, fields_of
from registry.constants import Action, Level, Role
from registry.errors import ErrorCode, MetadataError
from registry.models import AccessLogEntry, Document
from registry.numbering import number_tokens, parse_number
from tests.factories import grant, make_document, make_metadata, make_user

pytestmark = pytest.mark.django_db


def test_serials_are_per_register_and_year(clerk):
    a = make_document(clerk=clerk, level=Level.MAT)
    b = make_document(clerk=clerk, level=Level.MAT)
    c = make_document(clerk=clerk, level=Level.THUONG)
    d = make_document(clerk=clerk, level=Level.MAT, arrival_date=dt.date(2019, 12, 30))
    assert (a.serial, b.serial) == (1, 2)
    assert a.register == b.register and a.register.secret
    assert c.serial == 1 and not c.register.secret
    assert d.serial == 1 and d.register.year == 2019
    assert a.arrival_number == 1


def test_void_keeps_the_entry_and_its_number(clerk):
    doc = make_document(clerk=clerk)
    do_void_entry(doc, "Đăng ký nhầm", actor=clerk)
    doc.refresh_from_db()
    assert doc.voided and doc.void_reason == "Đăng ký nhầm" and doc.serial == 1
    nxt = make_document(clerk=clerk)
    assert nxt.serial == 2
    with pytest.raises(MetadataError):
        do_void_entry(nxt, "   ", actor=clerk)


def test_tuyet_mat_summary_refused_under_2026_rules(clerk):
    from registry.actions.documents import do_register_document

    with pytest.raises(MetadataError) as err:
        do_register_document(make_metadata(level=Level.TUYET_MAT, summary="Nhân sự", arrival_date=None),
                             actor=clerk)
    assert err.value.code == ErrorCode.SUMMARY_NOT_ALLOWED
    assert not Document.objects.exists()


def test_visibility_by_clearance_and_grant(documents_by_level, users_by_clearance):
    top = users_by_clearance[Level.TUYET_MAT]
    assert set(visible_documents(top).values_list("level", flat=True)) == {Level.THUONG, Level.MAT}
    grant(top, documents_by_level[Level.TUYET_MAT])
    assert documents_by_level[Level.TUYET_MAT] in visible_documents(top)
    low = users_by_clearance[Level.THUONG]
    with pytest.raises(Http404):
        get_document_or_404(low, documents_by_level[Level.MAT].pk)
    # A grant does not lift clearance.
    grant(low, documents_by_level[Level.TOI_MAT])
    assert not can(low, Perm.VIEW, documents_by_level[Level.TOI_MAT])


def test_admin_role_does_not_lift_clearance(documents_by_level):
    admin = make_user("quantri", role=Role.ADMIN, clearance=Level.THUONG)
    admin.is_superuser = True
    admin.save()
    assert list(visible_documents(admin).values_list("level", flat=True)) == [Level.THUONG]


def test_log_chain_links_every_entry(clerk):
    make_document(clerk=clerk)
    make_document(clerk=clerk)
    entries = list(AccessLogEntry.objects.order_by("seq"))
    assert entries[0].prev_hash == GENESIS_HASH
    for prev, cur in zip(entries, entries[1:]):
        assert cur.prev_hash == prev.hash and cur.seq == prev.seq + 1
    for e in entries:
        assert entry_hash(fields_of(e)) == e.hash
    assert entries[-1].action == Action.REGISTER


def test_database_refuses_update_and_delete(clerk):
    make_document(clerk=clerk)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.update(purpose="sửa")
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as c:
            c.execute("DELETE FROM registry_accesslogentry")


@pytest.mark.parametrize(
    "typed", ["126-QĐ/TW", "126-QD/TW", "126 QĐ TW", "126/QĐ-TW"]
)
def test_number_tokens_are_the_same_however_typed(typed):
    assert set(number_tokens(typed)) == {"126", "qd", "tw"}


def test_parse_numbers():
    p = parse_number("26/2020/NĐ-CP")
    assert (p.value, p.year, p.type_code, p.issuer) == (26, 2020, "NĐ", "CP")
    p = parse_number("126-QĐ/TW")
    assert (p.value, p.type_code, p.issuer) == (126, "QĐ", "TW")
    p = parse_number("2663/VPCP-NC")
    assert (p.value, p.type_code, p.issuer) == (2663, "", "VPCP-NC")
