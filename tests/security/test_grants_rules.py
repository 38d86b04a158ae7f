"""Need-to-know grants, attacked (issue #8): an administrator cannot grant to themselves, and nobody grants —
or lists, or revokes — a dossier holding anything they cannot see, exactly as for one document. Each refusal
writes one REFUSED GRANT entry; nothing is granted."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registry.actions.people import do_add_grant, do_revoke_grant
from registry.constants import Action, Level, Role
from registry.errors import ErrorCode, NotFoundError, PermissionDeniedError
from registry.models import Dossier, Grant
from tests.factories import grant, make_document, make_user
from tests.security.guard_helpers import assert_names_nothing, head, one_refusal, top_clerk

pytestmark = pytest.mark.django_db

UNTIL = timezone.localdate() + dt.timedelta(days=30)


@pytest.fixture
def office():
    clerk = top_clerk()
    dossier = Dossier.objects.create(code="HS-NS-01", title="Hồ sơ nhân sự khóa mới")
    open_dossier = Dossier.objects.create(code="HS-TH-01", title="Hồ sơ tổng hợp")
    secret = make_document(clerk=clerk, level=Level.TUYET_MAT, title="Phiếu thẩm tra lokigrant")
    secret.dossier = dossier
    secret.save(update_fields=["dossier"])
    plain = make_document(clerk=clerk, level=Level.MAT, title="Báo cáo thường lokiplain")
    plain.dossier = open_dossier
    plain.save(update_fields=["dossier"])
    admin = make_user("quantri", role=Role.ADMIN, clearance=Level.TUYET_MAT)
    staff = make_user("canbo_ns", role=Role.STAFF, clearance=Level.TUYET_MAT)
    return {"dossier": dossier, "open_dossier": open_dossier, "secret": secret, "plain": plain, "admin": admin,
            "staff": staff}


def test_an_administrator_cannot_grant_need_to_know_to_themselves(office):
    admin, secret = office["admin"], office["secret"]
    grant(admin, secret)  # the administrator sees the document (a grant from the console)
    before = head()
    with pytest.raises(PermissionDeniedError):
        do_add_grant(admin, document=secret, until=UNTIL, reason="Tự cấp", actor=admin)
    entry = one_refusal(before, Action.GRANT, ErrorCode.PERMISSION_DENIED)
    assert entry.extra.get("self_grant") is True
    assert Grant.objects.filter(user=admin).count() == 1


def test_self_grant_on_the_web_is_refused_and_logged(office):
    admin = office["admin"]
    web = Client()
    web.force_login(admin)
    before = head()
    response = web.post(reverse("registry_grants"), {"user": admin.pk, "dossier": office["open_dossier"].pk,
                                                     "until": UNTIL.isoformat(), "reason": "Tự cấp"})
    assert response.status_code == 400
    one_refusal(before, Action.GRANT, ErrorCode.PERMISSION_DENIED)
    assert not Grant.objects.filter(user=admin).exists()


def test_a_dossier_holding_a_hidden_document_cannot_be_granted(office):
    admin, staff = office["admin"], office["staff"]
    before = head()
    with pytest.raises(PermissionDeniedError) as caught:
        do_add_grant(staff, dossier=office["dossier"], until=UNTIL, reason="Thẩm tra", actor=admin)
    assert office["secret"].title not in caught.value.message
    entry = one_refusal(before, Action.GRANT, ErrorCode.PERMISSION_DENIED)
    assert_names_nothing(entry, office["secret"])
    assert not Grant.objects.filter(user=staff).exists()


def test_dossier_grant_of_an_invisible_dossier_on_the_web(office):
    web = Client()
    web.force_login(office["admin"])
    before = head()
    response = web.post(reverse("registry_grants"), {"user": office["staff"].pk, "dossier": office["dossier"].pk,
                                                     "until": UNTIL.isoformat(), "reason": "Thẩm tra"})
    assert response.status_code == 400
    assert office["secret"].title not in response.content.decode()
    one_refusal(before, Action.GRANT, ErrorCode.PERMISSION_DENIED)
    assert not Grant.objects.filter(user=office["staff"]).exists()


def test_a_dossier_whose_documents_the_granter_sees_can_be_granted(office):
    created = do_add_grant(office["staff"], dossier=office["open_dossier"], until=UNTIL, reason="Tổng hợp",
                           actor=office["admin"])
    assert created.dossier == office["open_dossier"]
    grant(office["admin"], office["secret"])  # once the granter sees everything inside, the dossier opens too
    # the dossier holds a tuyet_mat document: a second person's approval is needed and recorded (issue #8)
    from registry.actions.approvals import ApprovalInput
    from registry.errors import RegistryError
    from tests.lifecycle.helpers import setup_office

    boss = setup_office()["bithu"]
    with pytest.raises(RegistryError) as refused:
        do_add_grant(office["staff"], dossier=office["dossier"], until=UNTIL, reason="Thẩm tra", actor=office["admin"])
    assert refused.value.code == ErrorCode.APPROVAL_MISSING
    created = do_add_grant(office["staff"], dossier=office["dossier"], until=UNTIL, reason="Thẩm tra",
                           actor=office["admin"], approval=ApprovalInput(approver=boss, decision_ref="07-QĐ/ĐU"))
    assert created.pk and boss.approvals_given.get(act="need_to_know_grant").decision_ref == "07-QĐ/ĐU"


def test_a_hidden_document_id_is_refused_as_not_found(office):
    web = Client()
    web.force_login(office["admin"])
    for pk in (office["secret"].pk, 10**9):
        before = head()
        response = web.post(reverse("registry_grants"), {"user": office["staff"].pk, "document": pk,
                                                         "until": UNTIL.isoformat(), "reason": "Thẩm tra"})
        assert response.status_code == 400
        entry = one_refusal(before, Action.GRANT, ErrorCode.NOT_FOUND)
        assert entry.extra["requested_id"] == str(pk)
        assert_names_nothing(entry, office["secret"])


def test_dossier_grants_of_an_invisible_dossier_are_not_listed_nor_revocable(office):
    console_grant = do_add_grant(office["staff"], dossier=office["dossier"], until=UNTIL, reason="Thẩm tra")
    web = Client()
    web.force_login(office["admin"])
    page = web.get(reverse("registry_grants")).content.decode()
    assert "HS-NS-01" not in page
    before = head()
    assert web.post(reverse("registry_grant_revoke", args=[console_grant.pk])).status_code == 404
    assert one_refusal(before, Action.GRANT, ErrorCode.NOT_FOUND).extra["grant"] == str(console_grant.pk)
    before = head()
    with pytest.raises(PermissionDeniedError):
        do_revoke_grant(console_grant, actor=office["admin"])
    one_refusal(before, Action.GRANT, ErrorCode.PERMISSION_DENIED)
    console_grant.refresh_from_db()
    assert console_grant.revoked_at is None


def test_revoke_of_a_hidden_document_grant_is_not_found(office):
    console_grant = grant(office["staff"], office["secret"])
    before = head()
    with pytest.raises(NotFoundError):
        do_revoke_grant(console_grant, actor=office["admin"])
    assert_names_nothing(one_refusal(before, Action.GRANT, ErrorCode.NOT_FOUND), office["secret"])
