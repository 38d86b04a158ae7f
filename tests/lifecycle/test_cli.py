"""The lifecycle CLI: --json answers, the intake error shape, refusals logged, approval data commands."""

import io
import json

import pytest
from django.core.management import call_command

from registry.constants import Level, Outcome, Role
from registry.models import AccessLogEntry, ApprovalAuthority, Delegation, PositionHolder
from tests.factories import make_document, make_user

pytestmark = pytest.mark.django_db


def cli(*args):
    out = io.StringIO()
    code = 0
    try:
        call_command(*args, "--json", stdout=out)
    except SystemExit as stop:
        code = stop.code
    return code, json.loads(out.getvalue().strip().splitlines()[-1])


def test_approval_data_commands_and_error_shape(clerk):
    boss = make_user("bithu", role=Role.STAFF, clearance=Level.TUYET_MAT)
    make_user("pho", role=Role.STAFF, clearance=Level.TUYET_MAT)
    code, data = cli("approvals", "add", "--kind", "position", "--user", "bithu", "--position", "Bí thư",
                     "--from", "2020-01-01")
    assert code == 0 and data["position"] == "Bí thư"
    code, data = cli("approvals", "add", "--act", "copy", "--act", "loan", "--max-level", "tuyet_mat",
                     "--position", "Bí thư", "--from", "2020-01-01")
    assert code == 0 and [a["act"] for a in data["authorities"]] == ["copy", "loan"]
    code, data = cli("approvals", "add", "--kind", "delegation", "--delegator", "bithu", "--delegate", "pho",
                     "--act", "copy", "--max-level", "mat", "--reference", "01-UQ", "--from", "2020-01-01",
                     "--until", "2020-12-31")
    assert code == 0 and data["acts"] == ["copy"]
    code, data = cli("approvals", "list")
    assert len(data["authorities"]) == 2 and len(data["positions"]) == 1 and len(data["delegations"]) == 1
    assert ApprovalAuthority.objects.count() == 2 and PositionHolder.objects.count() == 1
    assert Delegation.objects.count() == 1
    code, data = cli("approvals", "add", "--act", "copy", "--max-level", "mat", "--position", "")
    assert code == 1 and data["error"]["code"] == "invalid_metadata" and data["error"]["message"]

    doc = make_document(clerk=clerk, level=Level.MAT)
    before = AccessLogEntry.objects.count()
    code, data = cli("copies", "add", str(doc.pk), "--form", "sao_y", "--quantity", "2", "--actor", "vanthu")
    assert code == 1 and data["error"]["code"] == "approval_missing"
    assert "phê duyệt" in data["error"]["message"]
    refused = AccessLogEntry.objects.order_by("-seq").first()
    assert AccessLogEntry.objects.count() == before + 1 and refused.outcome == Outcome.REFUSED
    code, data = cli("copies", "add", str(doc.pk), "--form", "sao_y", "--quantity", "2", "--actor", "vanthu",
                     "--approver", "pho", "--decision", "1")
    assert code == 1 and data["error"]["code"] == "delegation_expired"
    code, data = cli("copies", "add", str(doc.pk), "--form", "sao_y", "--quantity", "2", "--actor", "vanthu",
                     "--approver", "bithu", "--decision", "1")
    assert code == 0 and [c["number"] for c in data["copies"]] == [1, 2]
    # a document hidden from the actor answers not_found, as a missing one does
    secret = make_document(clerk=clerk, level=Level.TUYET_MAT)
    make_user("vanthu2", role=Role.CLERK, clearance=Level.MAT)
    for pk in (secret.pk, 10**8):
        code, data = cli("copies", "add", str(pk), "--form", "sao_y", "--quantity", "1", "--actor", "vanthu2",
                         "--approver", "bithu")
        assert code == 1 and data["error"]["code"] == "not_found"
    code, data = cli("loans", "add", str(doc.pk), "--borrower", "bithu", "--due", "2099-01-01", "--purpose", "x",
                     "--approver", "bithu", "--actor", "vanthu")
    assert code == 1 and data["error"]["code"] == "self_approval"
    code, data = cli("loans", "list", "--actor", "vanthu")
    assert code == 0 and data == {"loans": []}
    assert boss.approvals_given.count() == 1


def test_console_grant_of_tuyet_mat_records_the_second_approval(clerk):
    from tests.lifecycle.helpers import setup_office

    setup_office()
    make_user("canbo", role=Role.STAFF, clearance=Level.TUYET_MAT)
    secret = make_document(clerk=clerk, level=Level.TUYET_MAT)
    code, data = cli("grants", "add", "--user", "canbo", "--document", str(secret.pk), "--until", "2099-01-01",
                     "--reason", "Thẩm tra", "--approver", "chanhvp")
    assert code == 1 and data["error"]["code"] == "approver_not_authorised"
    code, data = cli("grants", "add", "--user", "canbo", "--document", str(secret.pk), "--until", "2099-01-01",
                     "--reason", "Thẩm tra", "--approver", "bithu", "--decision", "12-QĐ/ĐU")
    assert code == 0 and data["document"] == secret.pk
    entry = AccessLogEntry.objects.filter(action="grant", outcome=Outcome.OK).order_by("-seq").first()
    assert entry.extra["approval"]["approver"] == "bithu" and entry.extra["approval"]["decision_ref"] == "12-QĐ/ĐU"
